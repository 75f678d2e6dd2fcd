import {randomBytes} from 'node:crypto'
import {stringifyJson} from '../util/json.js'
import type {Payload} from '../notifier/notifier.js'
import {isRecord} from '../util/guards.js'

/**
 * The wire protocol of plugin calls across processes. Everything travels over the notifier on
 * channels of our own, which Elixir nodes never LISTEN on:
 *
 * - a request on {@link CONTROL_CHANNEL} (`<prefix>.oban_ts_control`):
 *   `{v: 1, id, instance, node?, plugin, fn, args, reply}`; every live node of `instance` (or only
 *   `node`) runs `plugin.fn(args)`;
 * - each node's reply on the request's own channel `reply` (`ts_reply_<id>`, so only the caller
 *   hears it): `{v: 1, id, instance, node, ok: true, result?, truncated?}` or
 *   `{v: 1, id, instance, node, ok: false, error: {code, message}}`.
 *
 * Validation is strict in both directions: anything that is not exactly this shape (unknown
 * fields, wrong types, oversized values) is refused, because anyone who can NOTIFY on the
 * database can write on these channels.
 */

/** The request channel (short name; the full one is `<prefix>.oban_ts_control`). */
export const CONTROL_CHANNEL = 'ts_control'
/** Reply channels are this plus the request id: `ts_reply_<id>`. */
export const REPLY_CHANNEL_PREFIX = 'ts_reply_'
export const PROTOCOL_VERSION = 1 as const

/** Request ids: ours are 20 hex characters; 8 to 40 lowercase letters and digits are accepted. */
const ID = /^[a-z0-9]{8,40}$/
const REPLY = /^ts_reply_[a-z0-9]{8,40}$/
/** Plugin names as definePlugin accepts them. */
const PLUGIN_NAME = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/
/** Function names as definePlugin accepts them. */
const FUNCTION_NAME = /^[a-z][A-Za-z0-9]*$/
const MAX_NAME_CHARS = 255
const MAX_PLUGIN_CHARS = 127
const MAX_FUNCTION_CHARS = 64
/** The largest argument object (as JSON) a node accepts: a compressed request can inflate far past the 8 kB NOTIFY limit. */
export const MAX_ARGS_BYTES = 32 * 1024
const MAX_ARGS_KEYS = 64
/** Messages of errors in replies are cut here. */
export const MAX_ERROR_MESSAGE_CHARS = 2_000

export type ControlRequest = {
  v: typeof PROTOCOL_VERSION
  id: string
  instance: string
  /** Only this node answers; every live node of the instance when absent. */
  node?: string
  plugin: string
  fn: string
  args: Record<string, unknown>
  /** Short channel name of the replies, `ts_reply_<id>`. */
  reply: string
}

export interface ReplyError {
  /** The error's code: `unknown_plugin`, `plugin_argument_invalid`, `plugin_not_running`, `plugin_function_failed`, `busy`, ... */
  code: string
  message: string
}

type ReplyBase = {
  v: typeof PROTOCOL_VERSION
  id: string
  instance: string
  node: string
}

export type ControlReply =
  | (ReplyBase & {
      ok: true
      /** The function's result; absent when it returned undefined. */
      result?: unknown
      /**
       * Set when the result did not fit in a notification: `result` is then the beginning of its
       * JSON text (a string) and `bytes` the full JSON's size.
       */
      truncated?: {bytes: number}
    })
  | (ReplyBase & {ok: false; error: ReplyError})

/** A fresh request id: 20 hex characters (80 random bits). */
export function newRequestId(): string {
  return randomBytes(10).toString('hex')
}

/** The short reply channel of a request id. */
export function replyChannel(id: string): string {
  return `${REPLY_CHANNEL_PREFIX}${id}`
}

export type Parsed<T> = {ok: true; value: T} | {ok: false; reason: string}

const REQUEST_KEYS = new Set(['v', 'id', 'instance', 'node', 'plugin', 'fn', 'args', 'reply'])

/**
 * Checks a received request. Returns the reason for refusing it, to be logged (never thrown: a
 * request comes from whoever can NOTIFY).
 */
export function parseRequest(payload: Payload): Parsed<ControlRequest> {
  const unknown = Object.keys(payload).filter((key) => !REQUEST_KEYS.has(key))
  if (unknown.length > 0) return refuse(`unknown field${unknown.length > 1 ? 's' : ''} ${list(unknown)}`)
  const {v, id, instance, node, plugin, fn, args, reply} = payload
  if (v !== PROTOCOL_VERSION)
    return refuse(`unsupported protocol version ${show(v)} (this node speaks ${PROTOCOL_VERSION})`)
  if (typeof id !== 'string' || !ID.test(id)) return refuse(`bad id ${show(id)}`)
  if (!isName(instance, MAX_NAME_CHARS)) return refuse(`bad instance ${show(instance)}`)
  if (node !== undefined && !isName(node, MAX_NAME_CHARS)) return refuse(`bad node ${show(node)}`)
  if (typeof plugin !== 'string' || plugin.length > MAX_PLUGIN_CHARS || !PLUGIN_NAME.test(plugin))
    return refuse(`bad plugin ${show(plugin)}`)
  if (typeof fn !== 'string' || fn.length > MAX_FUNCTION_CHARS || !FUNCTION_NAME.test(fn))
    return refuse(`bad fn ${show(fn)}`)
  if (typeof reply !== 'string' || reply !== replyChannel(id) || !REPLY.test(reply))
    return refuse(`bad reply channel ${show(reply)} (expected ${replyChannel(id)})`)
  const checkedArgs = checkArgs(args)
  if (!checkedArgs.ok) return checkedArgs
  const request: ControlRequest = {v, id, instance, plugin, fn, args: checkedArgs.value, reply}
  if (node !== undefined) request.node = node
  return {ok: true, value: request}
}

const REPLY_KEYS = new Set(['v', 'id', 'instance', 'node', 'ok', 'result', 'truncated', 'error'])

/** Checks a received reply; the caller also checks that `id` is the one it waits for. */
export function parseReply(payload: Payload): Parsed<ControlReply> {
  const unknown = Object.keys(payload).filter((key) => !REPLY_KEYS.has(key))
  if (unknown.length > 0) return refuse(`unknown field${unknown.length > 1 ? 's' : ''} ${list(unknown)}`)
  const {v, id, instance, node, ok} = payload
  if (v !== PROTOCOL_VERSION) return refuse(`unsupported protocol version ${show(v)}`)
  if (typeof id !== 'string' || !ID.test(id)) return refuse(`bad id ${show(id)}`)
  if (!isName(instance, MAX_NAME_CHARS)) return refuse(`bad instance ${show(instance)}`)
  if (!isName(node, MAX_NAME_CHARS)) return refuse(`bad node ${show(node)}`)
  const base = {v, id, instance, node} as ReplyBase
  if (ok === true) {
    if ('error' in payload) return refuse('a successful reply carries an error')
    const {truncated} = payload
    if (truncated !== undefined) {
      if (!isRecord(truncated) || Object.keys(truncated).join() !== 'bytes' || !Number.isSafeInteger(truncated.bytes))
        return refuse(`bad truncated ${show(truncated)}`)
      if (typeof payload.result !== 'string') return refuse('a truncated result must be a string')
      return {ok: true, value: {...base, ok, result: payload.result, truncated: {bytes: truncated.bytes as number}}}
    }
    return {ok: true, value: 'result' in payload ? {...base, ok, result: payload.result} : {...base, ok}}
  }
  if (ok === false) {
    const {error} = payload
    if ('result' in payload || 'truncated' in payload) return refuse('a failed reply carries a result')
    if (
      !isRecord(error) ||
      Object.keys(error).sort().join() !== 'code,message' ||
      typeof error.code !== 'string' ||
      typeof error.message !== 'string'
    )
      return refuse(`bad error ${show(error)}`)
    return {ok: true, value: {...base, ok, error: {code: error.code, message: error.message}}}
  }
  return refuse(`bad ok ${show(ok)}`)
}

function checkArgs(args: unknown): Parsed<Record<string, unknown>> {
  if (!isRecord(args) || Object.getPrototypeOf(args) !== Object.prototype) return refuse(`bad args ${show(args)}`)
  const keys = Object.keys(args)
  if (keys.length > MAX_ARGS_KEYS) return refuse(`too many args (${keys.length}, at most ${MAX_ARGS_KEYS})`)
  const bad = keys.find((key) => !FUNCTION_NAME.test(key) || key.length > MAX_FUNCTION_CHARS)
  if (bad !== undefined) return refuse(`bad argument name ${show(bad)}`)
  let bytes: number
  try {
    bytes = Buffer.byteLength(stringifyJson(args) ?? '', 'utf8')
  } catch {
    return refuse('args cannot be serialised')
  }
  if (bytes > MAX_ARGS_BYTES) return refuse(`args too large (${bytes} bytes as JSON, at most ${MAX_ARGS_BYTES})`)
  return {ok: true, value: args}
}

function isName(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= max && !/\s/.test(value)
}

function refuse(reason: string): {ok: false; reason: string} {
  return {ok: false, reason}
}

/** A short, safe rendering of a received value for log lines. */
export function show(value: unknown): string {
  let text: string
  try {
    text = stringifyJson(value) ?? String(value)
  } catch {
    text = String(value)
  }
  return text.length > 80 ? `${text.slice(0, 80)}…` : text
}

function list(keys: string[]): string {
  const shown = keys.slice(0, 5).map((key) => show(key))
  return keys.length > 5 ? `${shown.join(', ')} and ${keys.length - 5} more` : shown.join(', ')
}
