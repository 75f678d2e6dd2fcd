import type {TestProject} from 'vitest/node'
import {startThrowawayCluster} from '../../src/db/embedded/throwaway-cluster.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser URL on the server the tests use; test files create their own databases from it. */
    adminUrl: string
  }
}

/**
 * One PostgreSQL per test run: the server named by DATABASE_URL when set (CI runs the suite a
 * second time that way), otherwise a throwaway embedded cluster (fsync off) removed afterwards.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.DATABASE_URL
  if (external) {
    project.provide('adminUrl', external)
    return async () => {}
  }
  const cluster = await startThrowawayCluster()
  project.provide('adminUrl', cluster.url)
  return () => cluster.stop()
}
