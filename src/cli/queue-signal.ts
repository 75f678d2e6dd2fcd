import {Args, Flags} from '@oclif/core'
import {fullChannel} from '../db/names.js'
import {queueSignal, SignalError, type QueueAction, type QueueSignalRequest} from '../queue/signals.js'
import {sendQueueSignal} from '../client/queue-control.js'
import {signalRecipients, type SignalRecipients} from '../operator/signal-recipients.js'
import {didYouMean} from '../util/suggest.js'
import {DatabaseCommand} from './database-command.js'
import {dataDirFlag, nonEmptyFlag} from './flags.js'

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
  /**
   * The live oban-ts nodes addressed that run the queue (`<instance>.<node>`), from the presence
   * table; Elixir and Python nodes write none, so an empty list is a warning, not an error.
   */
  nodes: string[]
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
      instance: nonEmptyFlag('instance', target.instance, 'MyApp.Oban') ?? DEFAULT_INSTANCE,
      node: nonEmptyFlag('node', target.node, 'worker-1'),
      limit: target.limit,
      paused: target.paused,
    }
    // Both checks come before any connection, so a typo never starts the embedded server.
    const channel = fullChannel(flags.prefix, 'signal')
    const payload = queueSignal(action, request)
    const {pool} = await this.open(flags, {embedded: 'running'})
    const recipients = await signalRecipients(pool, flags.prefix, {...request, action})
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
      nodes: recipients.nodes,
    }
    this.log(describeSignal(sent))
    const warning = nobodyWarning(sent, recipients)
    if (warning) this.warn(warning)
    return sent
  }
}

/** The queue of `pause`/`resume`: the argument, or `*` with `--all` (exactly one of them). */
export function queueOrAll(queue: string | undefined, all: boolean): string {
  if (all && queue !== undefined) throw new SignalError(`give either a QUEUE (${queue}) or --all, not both`)
  if (!all && queue === undefined) throw new SignalError('give a QUEUE, or --all for every queue')
  return all ? '*' : (queue as string)
}

/**
 * One line for a person: `Sent pause for queue default to 2 nodes running it: Oban.a, Oban.b`, or
 * `Sent pause for queue nosuch, but no live node runs it` (see {@link nobodyWarning}).
 */
export function describeSignal(sent: SentSignal): string {
  const options = [
    sent.limit === undefined ? undefined : `limit ${sent.limit}`,
    sent.paused ? 'paused' : undefined,
  ].filter((o) => o !== undefined)
  const what = options.length > 0 ? `${sent.action} (${options.join(', ')})` : sent.action
  const queue = sent.queue === '*' ? 'every queue' : `queue ${sent.queue}`
  const schema = sent.prefix === 'public' ? '' : ` (schema ${sent.prefix})`
  const head = `Sent ${what} for ${queue}${schema}`
  if (sent.nodes.length === 0)
    return sent.node === undefined
      ? `${head}, but no live node runs it`
      : `${head}, but node ${sent.node} of instance ${sent.instance} is not running it`
  const running = sent.queue === '*' || sent.action === 'start' ? '' : ' running it'
  const count = `${sent.nodes.length} node${sent.nodes.length === 1 ? '' : 's'}`
  return `${head} to ${count}${running}: ${sent.nodes.join(', ')}`
}

/**
 * Why a signal that no live oban-ts node will act on was still sent, and what to check: the node
 * or queue name (with a suggestion), or that only Elixir and Python nodes, which write no
 * presence row, could obey. Undefined when some node runs the queue.
 */
export function nobodyWarning(sent: SentSignal, recipients: SignalRecipients): string | undefined {
  if (sent.nodes.length > 0) return undefined
  const elixir =
    recipients.unseen.length > 0
      ? `; instance${recipients.unseen.length === 1 ? '' : 's'} ${recipients.unseen.join(', ')} (Elixir or Python nodes, which do not say what they run) may still obey`
      : ''
  if (recipients.addressed.length === 0) {
    if (sent.node !== undefined)
      return `no live node ${sent.node} of instance ${sent.instance}: check --node and --instance (\`oban status\` lists the nodes)${elixir}`
    return `no oban-ts node is running on schema ${sent.prefix}, so nothing acted on it${elixir}`
  }
  const many = sent.node === undefined && recipients.addressed.length > 1
  const where =
    sent.node !== undefined
      ? `node ${sent.node}`
      : many
        ? `the live nodes (${recipients.addressed.join(', ')})`
        : `the only live node, ${recipients.addressed[0]},`
  const verb = many ? 'run' : 'runs'
  const queues = recipients.queues.length > 0 ? ` ${verb} ${recipients.queues.join(', ')}` : ` ${verb} no queue`
  return `no live node runs queue ${sent.queue}${didYouMean(sent.queue, recipients.queues)}: ${where}${queues}${elixir}`
}
