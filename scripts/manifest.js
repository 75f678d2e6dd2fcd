// Writes oclif.manifest.json from the freshly compiled dist/commands (run by `npm run build`, after
// tsc). With it oclif reads every command's id, flags and summary from one JSON file instead of
// importing all command modules (and everything they import) on every start. The file is never
// committed (.gitignore) and scripts/clean.js deletes it with dist/, so it cannot outlive the build
// it was made from; test/commands/manifest.test.ts checks that it matches the commands.
import {writeFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

// Under NODE_ENV=development or test (a build started by the test setup) oclif would describe the
// TypeScript sources (commands/*.ts) instead of the compiled files the installed CLI runs.
delete process.env.NODE_ENV
const {Plugin} = await import('@oclif/core')

const root = fileURLToPath(new URL('..', import.meta.url))
const plugin = new Plugin({root, type: 'core', isRoot: true, ignoreManifest: true, errorOnManifestCreate: true})
await plugin.load()
writeFileSync(new URL('../oclif.manifest.json', import.meta.url), JSON.stringify(plugin.manifest, null, 2) + '\n')
console.log(`oclif.manifest.json: ${Object.keys(plugin.manifest.commands).length} commands`)
