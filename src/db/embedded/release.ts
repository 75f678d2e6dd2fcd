import pgDriver from '../pg-driver.js'
import {stopEmbedded} from './control.js'
import {clearInstanceOwner, ownerReleasable} from './owner.js'

// How long the connections closed just before a release may still show in pg_stat_activity (their
// backends exit a moment after the close; longer on a loaded machine).
const CLOSED_BACKENDS_GONE_MS = 2_000

export interface ReleaseResult {
  stopped: boolean
  /** Client connections of other processes found on the server; it is left running when any. */
  others: number
}

/**
 * Releases an instance's use of the embedded server at exit. The server is stopped when an
 * instance started it (the owner marker) and that instance is this process or has exited (the
 * last node of a project turns it off; `oban db start` removes the marker, so a server the user
 * asked for is never stopped here), and only if no other process is connected (another
 * `oban start`, a psql session, a CLI command): stopping it would cut them off. The count comes
 * from pg_stat_activity, taken after this process closed its own pool. A server that cannot be
 * asked is stopped as before: a crashed server has no users to protect.
 */
export async function releaseEmbedded(options: {dataDir: string; url: string}): Promise<ReleaseResult> {
  if (!(await ownerReleasable(options.dataDir))) return {stopped: false, others: 0}
  let others: number
  const client = new pgDriver.Client({connectionString: options.url, connectionTimeoutMillis: 5_000})
  try {
    await client.connect()
    // The backends of the connections this process has just closed exit a moment after the
    // close, and pg_stat_activity lists them until then: a count above zero is read again for a
    // short while before it means another process.
    const deadline = Date.now() + CLOSED_BACKENDS_GONE_MS
    for (;;) {
      const {rows} = await client.query<{n: number}>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`,
      )
      others = rows[0]?.n ?? 0
      if (others === 0 || Date.now() >= deadline) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  } catch {
    others = 0
  } finally {
    await client.end().catch(() => undefined)
  }
  if (others > 0) return {stopped: false, others}
  const result = await stopEmbedded({dataDir: options.dataDir})
  await clearInstanceOwner(options.dataDir)
  return {stopped: result.stopped, others: 0}
}
