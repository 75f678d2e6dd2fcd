import {Args, Flags} from '@oclif/core'
import {fullChannel} from '../db/names.js'
import {queueSignal, SignalError, type QueueAction, type QueueSignalRequest} from '../queue/signals.js'
import {sendQueueSignal} from '../client/queue-control.js'
import {DatabaseCommand} from './database-command.js'
import {dataDirFlag} from './flags.js'

/** `--json` output of the `oban queue` commands: the payload as sent, and where it went. */
export interface SentSignal {
  action: QueueAction
  /** The queue, or `*` for every queue (`--all`). */
  queue: string
  /** `any` (every node), or `<instance>.<node>`. */
  ident: string
  /** With --node: the node and its instance that the ident names. */
  node?: string
  instance?: string
  limit?: number
  paused?: boolean
  prefix: string
  /** The full channel name, e.g. `public.oban_signal`. */
  channel: string
}

const DEFAULT_INSTANCE = 'Oban'

/** The flags and argument every `oban queue` command shares. */
export const queueArg = Args.string({description: 'Name of the queue, e.g. default.', required: true})

export const queueTargetFlags = {
  node: Flags.string({
    summary: 'Send the signal only to this node (as its `oban start --node`); default: every node.',
    helpValue: 'NODE',
  }),
  instance: Flags.string({
    summary: `With --node: the node's instance name (default ${DEFAULT_INSTANCE}). Has no effect without --node.`,
    description: `A signal goes to every node whose instance uses the same database and --prefix, whatever its instance name: the signal's ident is "any". With --node the ident is "<instance>.<node>", so only that node of that instance obeys.`,
    helpValue: 'NAME',
  }),
  'data-dir': dataDirFlag,
}

/** What every `oban queue` command's help says about delivery. */
export const SIGNAL_NOTES = `The signal is Oban's own (a NOTIFY on <prefix>.oban_signal), so Elixir and Python Oban nodes obey it too. It reaches every node running at that moment whose instance uses this database and schema (--prefix), whatever the instance name, unless --node narrows it to one node. It is not stored and not acknowledged: a node that is down misses it, and a restarted node runs its queues as configured.`

/**
 * The base of the `oban queue` commands: validates the signal before connecting, then sends it
 * through a short-lived pool after checking that the schema is migrated (a wrong database or
 * prefix says so instead of sending into the void).
 */
export abstract class QueueSignalCommand extends DatabaseCommand {
  protected async sendSignal(
    action: QueueAction,
    target: {queue: string; node?: string; instance?: string; limit?: number; paused?: boolean},
    flags: {prefix: string; 'database-url'?: string; 'data-dir'?: string},
  ): Promise<SentSignal> {
    if (target.instance !== undefined && target.node === undefined)
      this.warn(`--instance has no effect without --node: every node on schema ${flags.prefix} receives the signal`)
    const request: QueueSignalRequest = {
      queue: target.queue,
      instance: target.instance ?? DEFAULT_INSTANCE,
      node: target.node,
      limit: target.limit,
      paused: target.paused,
    }
    // Both checks come before any connection, so a typo never starts the embedded server.
    const channel = fullChannel(flags.prefix, 'signal')
    const payload = queueSignal(action, request)
    const {pool} = await this.open(flags, {embedded: 'running'})
    await sendQueueSignal(pool, flags.prefix, action, request)
    const sent: SentSignal = {
      action,
      queue: request.queue,
      ident: String(payload.ident),
      ...(request.node === undefined ? {} : {node: request.node, instance: request.instance}),
      ...(typeof payload.limit === 'number' ? {limit: payload.limit} : {}),
      ...(typeof payload.paused === 'boolean' ? {paused: payload.paused} : {}),
      prefix: flags.prefix,
      channel,
    }
    this.log(describeSignal(sent))
    return sent
  }
}

/** The queue of `pause`/`resume`: the argument, or `*` with `--all` (exactly one of them). */
export function queueOrAll(queue: string | undefined, all: boolean): string {
  if (all && queue !== undefined) throw new SignalError(`give either a QUEUE (${queue}) or --all, not both`)
  if (!all && queue === undefined) throw new SignalError('give a QUEUE, or --all for every queue')
  return all ? '*' : (queue as string)
}

/** One line for a person: `Sent pause for queue default to every node`. */
export function describeSignal(sent: SentSignal): string {
  const options = [
    sent.limit === undefined ? undefined : `limit ${sent.limit}`,
    sent.paused ? 'paused' : undefined,
  ].filter((o) => o !== undefined)
  const what = options.length > 0 ? `${sent.action} (${options.join(', ')})` : sent.action
  const queue = sent.queue === '*' ? 'every queue' : `queue ${sent.queue}`
  const to = sent.node === undefined ? 'every node' : `node ${sent.node} of instance ${sent.instance}`
  const schema = sent.prefix === 'public' ? '' : ` (schema ${sent.prefix})`
  return `Sent ${what} for ${queue} to ${to}${schema}`
}
