import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {spawnSync} from 'node:child_process'
import {Plugin} from '@oclif/core'
import {describe, expect, it} from 'vitest'
import {BIN, cliEnv, REPO} from '../helpers/cli.js'

/*
 * `oban` reads its commands from oclif.manifest.json (written by `npm run build` from dist/), not
 * by importing every command module. The manifest must say exactly what the commands say, or help
 * would describe another build (the global setup rebuilds dist/ and it when a source changed).
 */
describe('the oclif manifest', () => {
  it('matches the commands: same ids, flags, arguments and texts', async () => {
    const fromFile = JSON.parse(readFileSync(join(REPO, 'oclif.manifest.json'), 'utf8')) as {
      commands: Record<string, unknown>
      version: string
    }
    const plugin = new Plugin({
      root: REPO,
      type: 'core',
      isRoot: true,
      ignoreManifest: true,
      errorOnManifestCreate: true,
    })
    await plugin.load()
    const fresh = JSON.parse(JSON.stringify(plugin.manifest)) as typeof fromFile
    expect(Object.keys(fromFile.commands).sort()).toEqual(Object.keys(fresh.commands).sort())
    // Under vitest oclif reads the TypeScript sources (commands/x.ts), the file names dist/commands/x.js.
    expect(withoutPaths(fromFile)).toEqual(withoutPaths(fresh))
    expect(Object.values(fromFile.commands).map((c) => (c as {relativePath: string[]}).relativePath[0])).toEqual(
      Object.values(fromFile.commands).map(() => 'dist'),
    )
  })

  it('is what the CLI uses: `oban --help` lists the commands without loading them', () => {
    // oclif's debug output names the manifest it used; a missing one would make it import each command.
    const run = spawnSync(process.execPath, [BIN, '--help'], {
      encoding: 'utf8',
      env: {...cliEnv(), DEBUG: 'oclif:config:oban-ts'},
    })
    expect(run.status).toBe(0)
    expect(run.stdout).toContain('job')
    expect(run.stderr).toContain(`using manifest from ${join(REPO, 'oclif.manifest.json')}`)
  })
})

function withoutPaths(manifest: {commands: Record<string, unknown>}): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(manifest.commands).map(([id, command]) => {
      const {relativePath: _path, ...rest} = command as {relativePath: unknown}
      return [id, rest]
    }),
  )
}
