#!/usr/bin/env node
// oclif wraps error messages at 80 columns whenever stderr is not a terminal, which splits our
// one-line errors in logs and CI output. Its width is read once, when @oclif/core loads.
if (!process.stderr.isTTY && !process.env.OCLIF_COLUMNS) process.env.OCLIF_COLUMNS = '1000'
// @oclif/core checks the Node version against its own `engines` with semver (47 modules, a fifth
// of what `oban --help` loads); npm already enforces ours (package.json `engines`).
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1'
const {execute} = await import('@oclif/core')

await execute({dir: import.meta.url})
