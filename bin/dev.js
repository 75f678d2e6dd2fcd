#!/usr/bin/env -S node --import tsx
// oclif wraps error messages at 80 columns whenever stderr is not a terminal, which splits our
// one-line errors in logs and CI output. Its width is read once, when @oclif/core loads.
if (!process.stderr.isTTY && !process.env.OCLIF_COLUMNS) process.env.OCLIF_COLUMNS = '1000'
const {execute, Plugin} = await import('@oclif/core')
const {fileURLToPath} = await import('node:url')

// From the sources, the commands are read from commands/ itself, never from oclif.manifest.json:
// that file describes the last build (scripts/manifest.js), which may predate a command added or
// changed since. The plugins are loaded here because a root plugin given to oclif cannot be told
// otherwise; @oclif/plugin-help is the one core plugin of package.json `oclif.plugins`.
const root = new Plugin({root: fileURLToPath(new URL('..', import.meta.url)), isRoot: true, ignoreManifest: true})
const help = new Plugin({
  root: fileURLToPath(new URL('../node_modules/@oclif/plugin-help', import.meta.url)),
  type: 'core',
})
await Promise.all([root.load(), help.load()])

await execute({
  development: true,
  loadOptions: {
    root: root.root,
    plugins: new Map([
      [root.name, root],
      [help.name, help],
    ]),
  },
})
