import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {inject} from 'vitest'

/**
 * How tests start real `oban` processes: the installed CLI's entry point (bin/run.js) on the
 * compiled dist/, which the global setup rebuilds whenever a source is newer (see build.ts). A
 * process started through tsx spends seconds transpiling before it prints anything, more on a
 * loaded machine; from dist/ it is ready in well under a second.
 */

export const REPO = fileURLToPath(new URL('../..', import.meta.url))

/** The CLI's entry point: `node BIN start ...` runs `oban start ...`. */
export const BIN = join(REPO, 'bin/run.js')

/**
 * The library's entry point as `npm install oban-ts` provides it: what fixture workers, plugins
 * and configs import. The children load those files through jiti, which transpiles everything a
 * TypeScript source imports; importing src/index.ts would add seconds to every start.
 */
export const LIBRARY = join(REPO, 'dist/src/index.js')

/** The variable that marks every process a test starts, and their descendants, for the teardown. */
export const RUN_MARKER = 'OBAN_TEST_RUN'

/**
 * The environment of every child: the installed CLI's (no NODE_ENV, which would make oclif look
 * for the TypeScript sources of dist/commands), a wide OCLIF_COLUMNS so that each error message
 * stays on one physical line, and the run's marker, by which the global teardown finds whatever
 * a test left running.
 */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {...process.env, OCLIF_COLUMNS: '1000', [RUN_MARKER]: inject('runId'), ...extra}
  delete env.NODE_ENV
  delete env.DEBUG
  return env
}
