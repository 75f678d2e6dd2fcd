#!/usr/bin/env -S node --import tsx
// oclif wraps error messages at 80 columns whenever stderr is not a terminal, which splits our
// one-line errors in logs and CI output. Its width is read once, when @oclif/core loads.
if (!process.stderr.isTTY && !process.env.OCLIF_COLUMNS) process.env.OCLIF_COLUMNS = '1000'
const {execute} = await import('@oclif/core')

await execute({development: true, dir: import.meta.url})
