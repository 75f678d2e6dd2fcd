import {Args, Flags} from '@oclif/core'
import {jobActionResultToJson, type JobActionResultJson} from '../operator/job-json.js'
import type {ChalkInstance} from 'chalk'
import {describeFilter, isEmptyFilter, type JobFilter} from '../job/filter.js'
import type {ActionPreview, JobActionResult} from '../operator/act-on-jobs.js'
import {plural} from '../util/plural.js'
import {cancelJobs, deleteJobs, retryJobs} from '../operator/job-operations.js'
import {JOB_ACTIONS, type JobActionName} from '../operator/bulk-actions.js'
import {ConfirmationDeclinedError, ConfirmationRequiredError, JobFilterError, JobNotFoundError} from '../errors.js'
import {askYesNo, canPrompt} from './confirm.js'
import {DatabaseCommand, outputFlags} from './database-command.js'
import {confirmQuestion, formatActionResult} from './format-ops.js'
import {jobFilterFlags, parseJobFilter, type FilterFlagValues} from './job-filter-flags.js'
import {progressLine} from './progress.js'

export type {JobActionResult, JobActionResultJson}

/**
 * The argument of `oban job retry|cancel|delete`: any number of ids. Each command declares it with
 * `strict = false` itself, since oclif reads both from the command class's own properties.
 */
export const jobActionArgs = {
  ids: Args.string({description: 'Ids of the jobs (any number of them).'}),
}

/** The flags of `oban job retry|cancel|delete`. */
export const jobActionFlags = {
  ...jobFilterFlags,
  all: Flags.boolean({summary: 'Act on every job the action applies to, without a filter (asks for confirmation).'}),
  yes: Flags.boolean({char: 'y', summary: 'Do not ask for confirmation (required off a terminal with a filter).'}),
  ...outputFlags,
}

export type JobActionFlags = FilterFlagValues & {
  all: boolean
  yes: boolean
  color?: boolean
  prefix: string
  'database-url'?: string
  'data-dir'?: string
}

/** What each action's help says about batches, locks and confirmation. */
export const ACTION_NOTES = `Give job ids, or a filter (the flags of oban job list), or both (then only those ids that match). With a filter alone the matching jobs are counted first and, on a terminal, you are asked to confirm; off a terminal --yes is required. The jobs are changed in batches of 1,000 ids, each in its own short transaction, so even 100,000 jobs never lock the table for long; on a terminal a progress line counts them on stderr. Jobs a node holds locked at that moment (fetching or acknowledging them) are retried a few times, then reported as skipped. An id that does not exist is an error (exit code 1) after the other ids were acted on.`

/**
 * The base of `oban job retry|cancel|delete`: variadic ids plus filter flags, the confirmation
 * rules, a progress line on a terminal, and the result as lines or JSON. Under `--json` an error
 * for unknown ids also carries the result (`{"error": {..., "result": {...}}}`), since the other
 * ids were acted on.
 */
export abstract class JobActionCommand extends DatabaseCommand {
  private failedResult: JobActionResult | undefined

  protected async act(
    action: JobActionName,
    argv: readonly unknown[],
    flags: JobActionFlags,
  ): Promise<JobActionResultJson> {
    const filter = parseJobFilter(flags, argv.map(String))
    if (flags.all && !isEmptyFilter(filter))
      throw new JobFilterError('--all means every job: give it without ids or filters, or leave it out')
    if (!flags.all && isEmptyFilter(filter))
      throw new JobFilterError(
        `give the ids of the jobs to ${action}, a filter (--queue, --state, --worker, --tag, --args-contains, --meta-contains), or --all`,
      )
    const colors = this.colors(flags)
    // Explicit ids name their jobs: nothing to confirm. A filter may match far more than expected.
    const confirm = filter.ids || flags.yes ? undefined : (preview: ActionPreview) => ask(preview, filter, colors)
    const {pool} = await this.open(flags)
    const progress = progressLine(JOB_ACTIONS[action].done)
    let result: JobActionResult
    try {
      result = await OPERATIONS[action]({pool, prefix: flags.prefix}, flags.all ? {all: true} : filter, {
        confirm,
        onProgress: (changed, total) => progress.update(changed, total),
      })
      // Explicit ids that do not exist are an error, after the others were acted on.
      if (result.notFound.length > 0) throw new JobNotFoundError(result.notFound, flags.prefix, result)
    } catch (error) {
      if (error instanceof JobNotFoundError && error.result) {
        this.failedResult = error.result as JobActionResult
        progress.done()
        for (const line of formatActionResult(this.failedResult, filter, colors)) this.log(line)
      }
      throw error
    } finally {
      progress.done()
    }
    if (result.aborted) throw new ConfirmationDeclinedError(`not confirmed: nothing was ${JOB_ACTIONS[action].done}`)
    for (const line of formatActionResult(result, filter, colors)) this.log(line)
    return jobActionResultToJson(result)
  }

  protected override toErrorJson(error: unknown): unknown {
    const json = super.toErrorJson(error) as {error: Record<string, unknown>}
    if (this.failedResult) json.error.result = jobActionResultToJson(this.failedResult)
    return json
  }
}

/** The library's operations, which these commands are the command line of. */
const OPERATIONS = {retry: retryJobs, cancel: cancelJobs, delete: deleteJobs}

/** Asks on a terminal; anywhere else refuses, since nobody can answer. */
async function ask(preview: ActionPreview, filter: JobFilter, colors: ChalkInstance): Promise<boolean> {
  if (!canPrompt())
    throw new ConfirmationRequiredError(
      `refusing to ${preview.action} ${plural(preview.total, 'job')} matching ${describeFilter(filter)} without confirmation: stdin is not a terminal; pass --yes to ${preview.action} them`,
    )
  return askYesNo(confirmQuestion(preview, filter, colors))
}
