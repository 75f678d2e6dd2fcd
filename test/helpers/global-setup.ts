import {randomBytes} from 'node:crypto'
import type {TestProject} from 'vitest/node'
import {startThrowawayCluster, type ThrowawayCluster} from '../../src/db/embedded/throwaway-cluster.js'
import {ensureBuilt} from './build.js'
import {REPO, RUN_MARKER} from './cli.js'
import {reapLeftovers} from './leaks.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser URL on the server the tests use; test files create their own databases from it. */
    adminUrl: string
    /** This run's value of RUN_MARKER (cli.ts), in the environment of every process a test starts. */
    runId: string
  }
}

/**
 * Before the tests: dist/ rebuilt if a source is newer (the tests' `oban` processes run it), and
 * one PostgreSQL per test run: the server named by DATABASE_URL when set (CI runs the suite a
 * second time that way), otherwise a throwaway embedded cluster (fsync off) removed afterwards.
 * After them: whatever a test left running is killed.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  ensureBuilt(REPO)
  const runId = randomBytes(6).toString('hex')
  project.provide('runId', runId)
  const reap = () => reapLeftovers(RUN_MARKER, runId)
  const external = process.env.DATABASE_URL
  if (external) {
    project.provide('adminUrl', external)
    return async () => reap()
  }
  const cluster = await startCluster()
  project.provide('adminUrl', cluster.url)
  return async () => {
    reap()
    await cluster.stop()
  }
}

/**
 * The product picks the cluster's port by binding port 0 and closing it again, so another process
 * (another checkout's test run, a test file's server) can take it before PostgreSQL binds it; the
 * start then fails. A new attempt picks a new port; any other failure fails again and is thrown.
 */
async function startCluster(attempts = 3): Promise<ThrowawayCluster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startThrowawayCluster()
    } catch (error) {
      if (attempt >= attempts) throw error
      console.warn(`the throwaway PostgreSQL did not start (${String(error)}); trying again`)
    }
  }
}
