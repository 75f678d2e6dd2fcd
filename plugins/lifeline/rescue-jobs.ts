import {utcParam} from '../../src/db/types.js'
import type {JobId} from '../../src/job/job-id.js'
import {isMissingTable, PRESENCE_TABLE} from '../../src/engine/presence-table.js'
import {qualified} from '../../src/db/names.js'
import type {Repo} from '../../src/plugin/plugin.js'

/** A job the Lifeline moved, with its new state, as Oban's `rescued_jobs`/`discarded_jobs` list it. */
export interface RescuedJob {
  id: JobId
  queue: string
  state: 'available' | 'discarded'
}

export interface RescueJobsOptions {
  /** Jobs executing for longer than this (milliseconds since `attempted_at`) are stuck. */
  rescueAfter: number
  /** The clock `attempted_at` is compared with; the database's when undefined. */
  now?: Date
  /** Spare jobs whose node is alive in the presence table (default true). */
  presence?: boolean
}

/**
 * Oban's `rescue_jobs` (Basic engine), in one statement: every job `executing` since before
 * `now - rescueAfter` goes back to `available` if it has attempts left, and is `discarded` (with
 * `discarded_at = now`) otherwise. No error is recorded, as in Oban.
 *
 * Past Oban: a job is spared while the node that runs it is alive. Its node is `attempted_by[1]`
 * (the node name the producer recorded when it fetched the job), and that node is alive when the
 * presence table (`<prefix>.oban_ts_nodes`, written by every running oban-ts node) has a row for
 * it that:
 *
 * - has not expired on the database's clock (a node rewrites its row every 10 s, and the row
 *   expires 30 s after the last write: a node killed with SIGKILL stops being alive within 30 s),
 * - and was started no later than the job's `attempted_at`: a process restarted under the same
 *   node name did not fetch its predecessor's jobs, so it does not shield them (the row's
 *   `started_at` comes from the node's clock; a clock far behind the database's could shield a
 *   job attempted in that gap just before a restart).
 *
 * The instance named in the row does not matter: jobs carry no instance, node names are per
 * process. Elixir nodes write no presence rows, so their jobs are rescued on time alone, exactly
 * as Oban's Lifeline does; so are jobs without `attempted_by`, and every job when the presence
 * table does not exist yet. A worker that hangs forever on a live node is not rescued: give it a
 * timeout.
 *
 * Past Oban, whose rule never matches them: a job `executing` with no `attempted_at` (written by
 * hand or by a foreign client: no engine fetches without setting it) has no age to compare. It is
 * rescued as soon as no live presence row names its node, whenever that row started (there is no
 * fetch time to compare it with); without presence (`presence: false`, or no presence table)
 * nothing can show that a node holds it, and it is rescued at once.
 */
export async function rescueJobs(repo: Repo, options: RescueJobsOptions): Promise<RescuedJob[]> {
  const values = [options.now ? utcParam(options.now) : null, options.rescueAfter / 1000]
  if (options.presence === false) return rescue(repo, values, false)
  try {
    return await rescue(repo, values, true)
  } catch (error) {
    // No oban-ts node has written presence in this prefix yet: Oban's rule alone applies.
    if (isMissingTable(error) && String((error as Error).message).includes(PRESENCE_TABLE))
      return rescue(repo, values, false)
    throw error
  }
}

async function rescue(repo: Repo, values: unknown[], presence: boolean): Promise<RescuedJob[]> {
  const jobs = qualified(repo.prefix, 'oban_jobs')
  const state = qualified(repo.prefix, 'oban_job_state')
  const now = `COALESCE($1::timestamp, timezone('UTC', now()))`
  // A live presence row of the job's node; `since`: one started no later than the job's fetch.
  const liveNode = (since: boolean) =>
    `EXISTS (
       SELECT 1 FROM ${qualified(repo.prefix, PRESENCE_TABLE)} AS node
        WHERE node.node = j.attempted_by[1]
          AND node.expires_at > timezone('UTC', now())
          ${since ? 'AND node.started_at <= j.attempted_at' : ''})`
  const rows = await repo.query<{id: string | number; queue: string; state: RescuedJob['state']}>(
    `WITH stuck AS MATERIALIZED (
       SELECT j.id FROM ${jobs} AS j
        WHERE j.state = 'executing'
          AND (
            (j.attempted_at < ${now} - make_interval(secs => $2::float8) ${presence ? `AND NOT ${liveNode(true)}` : ''})
            OR (j.attempted_at IS NULL ${presence ? `AND NOT ${liveNode(false)}` : ''})
          )
        FOR UPDATE OF j SKIP LOCKED
     )
     UPDATE ${jobs} AS j
        SET state = CASE WHEN j.attempt < j.max_attempts THEN 'available'::${state} ELSE 'discarded'::${state} END,
            discarded_at = CASE WHEN j.attempt < j.max_attempts THEN j.discarded_at ELSE ${now} END
       FROM stuck
      WHERE j.id = stuck.id AND j.state = 'executing'
     RETURNING j.id, j.queue, j.state::text AS state`,
    values,
  )
  return rows.map((row) => ({id: String(row.id), queue: row.queue, state: row.state}))
}
