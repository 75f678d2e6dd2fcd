import {spawn} from 'node:child_process'
import {stat} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {startThrowawayCluster} from '../../../../src/db/embedded/throwaway-cluster.js'
import {inspectServer} from '../../../../src/db/embedded/server.js'
import {processStartTime, processState} from '../../../../src/db/embedded/processes.js'
import {cliEnv} from '../../../helpers/cli.js'
import {isRoot, processUid, query, repoRoot} from './helpers.js'

describe('startThrowawayCluster', () => {
  it('runs a cluster tuned for tests and removes it on stop', async () => {
    const started = performance.now()
    const cluster = await startThrowawayCluster()
    console.info(`throwaway cluster (initdb --no-sync + start): ${Math.round(performance.now() - started)} ms`)
    try {
      expect(cluster.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/)
      expect(cluster.directory.length).toBeLessThan(40)
      const rows = await query<{fsync: string; max: string; sync: string; fpw: string}>(
        cluster.url,
        "SELECT current_setting('fsync') AS fsync, current_setting('max_connections') AS max, current_setting('synchronous_commit') AS sync, current_setting('full_page_writes') AS fpw",
      )
      expect(rows).toEqual([{fsync: 'off', max: '200', sync: 'off', fpw: 'off'}])
      const server = await inspectServer(path.join(cluster.directory, 'pg'))
      expect(server.state).toBe('running')
      if (isRoot && server.state === 'running') expect(await processUid(server.pid)).toBe(65534)
    } finally {
      await cluster.stop()
    }
    await expect(stat(cluster.directory)).rejects.toThrow(/ENOENT/)
    await cluster.stop() // Idempotent.
  })

  it('removes clusters left by a test run that was killed', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/src/db/embedded/fixtures/throwaway.ts'], {
      cwd: repoRoot,
      env: cliEnv(),
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()))
      child.once('exit', (code) => reject(new Error(`fixture exited with ${code}`)))
    })
    const orphan = JSON.parse(line) as {url: string; directory: string}
    child.kill('SIGKILL')
    await new Promise((resolve) => child.once('exit', resolve))
    const server = await inspectServer(path.join(orphan.directory, 'pg'))
    expect(server.state).toBe('running')
    const postmaster = server.state === 'running' ? server.pid : 0
    const startedAt = await processStartTime(postmaster)

    const cluster = await startThrowawayCluster()
    try {
      await expect(stat(orphan.directory)).rejects.toThrow(/ENOENT/)
      // The orphan's server is stopped. Its port says nothing: a cluster started since (this
      // one, or another test file's) may have been given the port it freed.
      const gone = (await processState(postmaster)) !== 'alive' || (await processStartTime(postmaster)) !== startedAt
      expect(gone).toBe(true)
    } finally {
      await cluster.stop()
    }
  })
})
