import type pg from 'pg'
import pgDriver from '../db/pg-driver.js'
import {describeDatabase, parseDatabaseUrl} from '../db/connection-url.js'
import {quoteIdent} from '../db/identifier.js'
import {toUnreachable} from '../db/pool.js'
import {obanTypes} from '../db/types.js'
import {DatabaseUnreachableError} from '../errors.js'
import {fullChannel} from '../db/names.js'
import {decodePayload} from '../notifier/codec.js'
import {sendNotifications} from '../notifier/send.js'
import type {NodePresence} from '../cluster/presence-record.js'
import {prepareCall, splitByPlugin} from './call-args.js'
import {describeWhere, requireNodes, selectNode} from './nodes.js'
import {
  CONTROL_CHANNEL,
  newRequestId,
  parseReply,
  PROTOCOL_VERSION,
  replyChannel,
  type ControlReply,
  type ControlRequest,
  type ReplyError,
} from './protocol.js'
import {setSafeTimeout} from '../util/timer.js'
import {MAX_TIMER_MS} from '../util/limits.js'

export interface PluginCallOptions {
  /** Schema of the instance (default `public`). */
  prefix?: string
  /** The instance whose nodes run the function (default `Oban`). */
  instance?: string
  /** Only this node (its `--node` name); every live node of the instance when undefined. */
  node?: string
  plugin: string
  fn: string
  /** Arguments by name, checked against the declaration before sending. */
  args?: Record<string, unknown>
  /**
   * Or: arguments as text, positional in the declared order and parsed by their declared type
   * (what `oban plugin FUNCTION PLUGIN ARGS...` passes).
   */
  argv?: readonly string[]
  /** How long to wait for the replies (ms, default 5 000). */
  timeoutMs?: number
}

/**
 * One addressed node's outcome. `no_reply`: it was live in the presence table but did not answer
 * in time (busy, hung, or died since its last presence write). `unreachable`: it runs the
 * in-process notifier and cannot hear other processes. `skipped`: it does not run the plugin
 * (a viewer such as `oban breakdown`, or a node configured without it), so it was not called;
 * that is not a failure.
 */
export interface NodeCallResult {
  instance: string
  node: string
  status: 'ok' | 'error' | 'no_reply' | 'unreachable' | 'skipped'
  /** With `ok`: the function's result (absent when it returned nothing). */
  result?: unknown
  /** With `ok`: the result was too large for a notification; `result` is the start of its JSON text. */
  truncated?: {bytes: number}
  /** With `error`: the error's code and message, as the node reported them. */
  error?: ReplyError
  /** Milliseconds from sending the request to this node's reply. */
  ms?: number
  /** False for a node that answered without being in the presence table when the request was sent. */
  expected: boolean
}

/** The outcome of a call on every addressed node. */
export interface PluginCallResult {
  id: string
  instance: string
  node?: string
  plugin: string
  fn: string
  /** The arguments as sent (normalised: durations in milliseconds). */
  args: Record<string, unknown>
  /** `host:port/database`, with `(schema X)` for a prefix other than public. */
  database: string
  timeoutMs: number
  /** Every addressed node in presence order, then unexpected repliers. */
  nodes: NodeCallResult[]
  /** True when every addressed node that runs the plugin answered `ok` (skipped nodes do not count). */
  ok: boolean
  elapsedMs: number
}

export const DEFAULT_CALL_TIMEOUT_MS = 5_000

/**
 * Calls a plugin's interface function on every live node of an instance (or one node) that runs
 * the plugin, from any process that reaches the database: the request goes out on
 * `<prefix>.oban_ts_control`, and each node replies on the request's own channel. Live nodes
 * that do not run the plugin are listed as `skipped` (a node of another version that answers
 * anyway is ignored). Resolves with each node's outcome as soon as
 * every expected node has answered, or when `timeoutMs` has passed (nodes that did not answer
 * are then `no_reply`); it does not reject because a node failed, so check `ok`.
 *
 * Before anything is sent, the presence table says which nodes to expect and what they declare:
 * it rejects with `InstanceNotRunningError` (no live node of the instance, or no such `node`),
 * `UnknownPluginError` / `UnknownPluginFunctionError` (with suggestions) or `PluginArgumentError`
 * (arguments that do not match the declaration), and with `DatabaseUnreachableError` when the
 * database cannot be reached.
 *
 * It uses one short-lived dedicated connection (LISTEN must not happen on a pool's connection,
 * which would keep listening after being returned), closed before it resolves.
 */
export async function callPluginFunction(url: string, options: PluginCallOptions): Promise<PluginCallResult> {
  parseDatabaseUrl(url)
  const prefix = options.prefix ?? 'public'
  const instance = options.instance ?? 'Oban'
  const timeoutMs = options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_TIMER_MS)
    throw new RangeError(`timeoutMs must be from 1 to ${MAX_TIMER_MS} (24.8 days), got ${timeoutMs}`)
  const id = newRequestId()
  const reply = replyChannel(id)
  const replyFull = fullChannel(prefix, reply)
  fullChannel(prefix, CONTROL_CHANNEL)
  const where = describeWhere(describeDatabase(url), prefix)

  const client = new pgDriver.Client({
    connectionString: url,
    application_name: `oban-ts plugin call`,
    types: obanTypes,
    keepAlive: true,
    connectionTimeoutMillis: 10_000,
  })
  const waiter = new ReplyWaiter(id, instance, replyFull)
  client.on('notification', (message) => waiter.receive(message.channel, message.payload ?? ''))
  client.on('error', (error) =>
    waiter.fail(new DatabaseUnreachableError(`lost the connection to ${where}: ${error.message}`)),
  )
  try {
    try {
      await client.connect()
    } catch (error) {
      throw toUnreachable(error, url)
    }
    // LISTEN before the request goes out, so that no reply can come before we hear.
    await client.query(`LISTEN ${quoteIdent(replyFull)}`)
    const live = selectNode(
      await requireNodes(client, {prefix, instance, location: describeDatabase(url)}),
      options.node,
      where,
    )
    const args = prepareCall(live, options)
    const {running, skipped} = splitByPlugin(live, options.plugin)
    const request: ControlRequest = {
      v: PROTOCOL_VERSION,
      id,
      instance,
      plugin: options.plugin,
      fn: options.fn,
      args,
      reply,
    }
    if (options.node !== undefined) request.node = options.node
    const callable = running.filter((n) => n.notifier === 'postgres')
    waiter.expect(callable.map((n) => n.node))
    const started = performance.now()
    waiter.started = started
    if (callable.length > 0) await sendNotifications(client, prefix, CONTROL_CHANNEL, [request])
    const replies = await waiter.wait(callable.length > 0 ? timeoutMs : 0)
    const nodes = outcomes(running, skipped, replies, instance)
    return {
      id,
      instance,
      ...(options.node === undefined ? {} : {node: options.node}),
      plugin: options.plugin,
      fn: options.fn,
      args,
      database: where,
      timeoutMs,
      nodes,
      ok: nodes.every((n) => n.status === 'ok' || n.status === 'skipped'),
      elapsedMs: Math.round(performance.now() - started),
    }
  } finally {
    waiter.close()
    await closeClient(client)
  }
}

/** Collects the replies of one request; resolves when every expected node answered or on timeout. */
class ReplyWaiter {
  started = 0
  private readonly replies = new Map<string, {reply: ControlReply; ms: number}>()
  private expected = new Set<string>()
  private settle: (() => void) | undefined
  private failure: Error | undefined
  private reject: ((error: Error) => void) | undefined
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly id: string,
    private readonly instance: string,
    private readonly channel: string,
  ) {}

  expect(nodes: string[]): void {
    this.expected = new Set(nodes)
  }

  receive(channel: string, text: string): void {
    if (channel !== this.channel) return
    const payload = decodePayload(text)
    const parsed = payload && parseReply(payload)
    // Replies are only ever heard by their caller; anything else on the channel is noise.
    if (!parsed?.ok || parsed.value.id !== this.id || parsed.value.instance !== this.instance) return
    const reply = parsed.value
    if (this.replies.has(reply.node)) return
    this.replies.set(reply.node, {reply, ms: Math.round(performance.now() - this.started)})
    if ([...this.expected].every((node) => this.replies.has(node))) this.settle?.()
  }

  fail(error: Error): void {
    this.failure ??= error
    this.reject?.(error)
  }

  wait(timeoutMs: number): Promise<Map<string, {reply: ControlReply; ms: number}>> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure)
      const done = () => {
        this.close()
        resolve(this.replies)
      }
      if ([...this.expected].every((node) => this.replies.has(node))) return done()
      this.settle = done
      this.reject = (error) => {
        this.close()
        reject(error)
      }
      this.timer = setSafeTimeout(done, timeoutMs)
    })
  }

  close(): void {
    clearTimeout(this.timer)
    this.settle = this.reject = undefined
  }
}

/**
 * Every node's outcome: the nodes that run the plugin, then the skipped ones, then nodes that
 * answered without being listed. A reply from a skipped node (an older version answers every
 * request of its instance), or an `unknown_plugin` error from an unlisted one, is not a failure.
 */
function outcomes(
  running: readonly NodePresence[],
  skipped: readonly NodePresence[],
  replies: Map<string, {reply: ControlReply; ms: number}>,
  instance: string,
): NodeCallResult[] {
  const known = new Set([...running, ...skipped].map((n) => n.node))
  const results: NodeCallResult[] = running.map((n) => {
    const got = replies.get(n.node)
    if (got) return fromReply(got.reply, got.ms, true)
    return {instance, node: n.node, status: n.notifier === 'postgres' ? 'no_reply' : 'unreachable', expected: true}
  })
  for (const n of skipped) results.push({instance, node: n.node, status: 'skipped', expected: true})
  for (const [node, got] of replies) {
    if (known.has(node)) continue
    if (!got.reply.ok && got.reply.error.code === 'unknown_plugin') continue
    results.push(fromReply(got.reply, got.ms, false))
  }
  return results
}

function fromReply(reply: ControlReply, ms: number, expected: boolean): NodeCallResult {
  const base = {instance: reply.instance, node: reply.node, ms, expected}
  if (!reply.ok) return {...base, status: 'error', error: reply.error}
  return {
    ...base,
    status: 'ok',
    ...('result' in reply ? {result: reply.result} : {}),
    ...(reply.truncated ? {truncated: reply.truncated} : {}),
  }
}

// Waits this long for a polite goodbye before dropping the socket (a dead server never answers).
const CLOSE_GRACE_MS = 1_000

async function closeClient(client: pg.Client): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)))
  try {
    await Promise.race([client.end().catch(() => undefined), grace])
  } finally {
    clearTimeout(timer)
    client.connection.stream.destroy()
  }
}
