import {coerceError} from '../errors.js'
import type {Logger} from '../telemetry/logger.js'
import type {Notifier, Payload, Unlisten} from '../notifier/notifier.js'
import {handleIn, type PluginDirectory} from '../plugin/lookup.js'
import {CONTROL_CHANNEL, parseRequest, show, type ControlRequest} from './protocol.js'
import {errorReply, replyErrorOf, successReply, type Replier} from './reply.js'

export interface ControlServerOptions {
  notifier: Notifier
  /** This node's instance and node name: requests for others are ignored. */
  instance: string
  node: string
  logger: Logger
  /**
   * The instance's plugins (its plugin host): a call runs through the addressed plugin's handle,
   * which checks the function and its arguments against the declaration and throws typed errors.
   */
  plugins: PluginDirectory
  /**
   * Awaited after each call and before its reply (errors ignored): the presence row is rewritten
   * there, so that whoever got a reply and then lists the nodes sees the call's effect.
   */
  afterCall?(): Promise<void>
  /** Calls running at once; more are refused with a `busy` reply (default 16). */
  maxInFlight?: number
  /** How long `stop()` waits for running calls to reply (ms, default 5 000). */
  stopTimeout?: number
}

const DEFAULT_MAX_IN_FLIGHT = 16
const DEFAULT_STOP_TIMEOUT_MS = 5_000
// Refused requests are logged at most this many times per window, then counted: a flood of junk
// on the channel must not flood the node's log as well.
const REFUSALS_PER_WINDOW = 5
const REFUSAL_WINDOW_MS = 10_000

/**
 * The node's end of plugin calls across processes: LISTENs on `<prefix>.oban_ts_control`, runs
 * each request addressed to this node's instance (and to this node, when the request names one)
 * on the plugin running here, and replies on the request's reply channel with the result or the
 * error's code and message.
 *
 * A malformed or hostile request (bad JSON, wrong types, unknown fields, oversized arguments) is
 * ignored and logged (rate-limited); a request for another instance or node, or for the whole
 * instance and a plugin this node does not run, is ignored quietly (debug). Nothing a request contains can crash the node: every failure ends in a log line or an
 * error reply.
 */
export class ControlServer {
  private unlisten: Unlisten | undefined
  private readonly inFlight = new Set<Promise<void>>()
  private stopped = false
  private windowStart = 0
  private refusals = 0
  private suppressed = 0

  constructor(private readonly options: ControlServerOptions) {}

  /** Starts listening; resolves once the LISTEN is effective (requests sent after that are heard). */
  async start(): Promise<void> {
    if (this.unlisten || this.stopped) return
    this.unlisten = this.options.notifier.listen(CONTROL_CHANNEL, (payload) => this.receive(payload))
    await this.unlisten.ready
  }

  /** Stops listening and waits (up to `stopTimeout`) for running calls to reply. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.unlisten?.()
    this.unlisten = undefined
    if (this.inFlight.size === 0) return
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.stopTimeout ?? DEFAULT_STOP_TIMEOUT_MS)
    })
    await Promise.race([Promise.allSettled([...this.inFlight]), timeout])
    clearTimeout(timer)
  }

  private receive(payload: Payload): void {
    if (this.stopped) return
    const parsed = parseRequest(payload)
    if (!parsed.ok) {
      this.refused(parsed.reason, payload)
      return
    }
    const request = parsed.value
    const {instance, node, logger} = this.options
    if (request.instance !== instance || (request.node !== undefined && request.node !== node)) {
      logger.debug(
        `control: request ${request.id} is for ${request.instance}${request.node ? `.${request.node}` : ''}, not this node`,
      )
      return
    }
    // A call for the whole instance goes to the nodes that run the plugin; the caller lists the
    // others as skipped and expects no reply from them. Addressed by name, this node answers
    // whatever it runs (with `unknown_plugin` when it does not run it).
    if (request.node === undefined && !this.options.plugins.handles().some((h) => h.pluginName === request.plugin)) {
      logger.debug(`control: request ${request.id} is for plugin ${request.plugin}, which this node does not run`)
      return
    }
    const replier: Replier = {id: request.id, instance, node}
    if (this.inFlight.size >= (this.options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT)) {
      logger.warn(`control: refused ${request.plugin}.${request.fn} (request ${request.id}): too many calls running`)
      void this.send(
        request,
        errorReply(replier, {code: 'busy', message: `node ${node} is busy: too many plugin calls running, try again`}),
      )
      return
    }
    const task = this.handle(request, replier)
      .catch((error: unknown) => logger.error(`control: request ${request.id} failed: ${coerceError(error).message}`))
      .finally(() => this.inFlight.delete(task))
    this.inFlight.add(task)
  }

  private async handle(request: ControlRequest, replier: Replier): Promise<void> {
    const {logger} = this.options
    const what = `${request.plugin}.${request.fn}`
    const started = performance.now()
    let reply: Payload
    try {
      const result = await this.call(request)
      reply = successReply(replier, result)
      logger.info(`control: ${what} called by request ${request.id}: ok (${elapsed(started)})`)
    } catch (error) {
      const replyError = replyErrorOf(error)
      reply = errorReply(replier, replyError)
      logger.info(`control: ${what} called by request ${request.id}: ${replyError.code}: ${replyError.message}`)
    }
    await this.options.afterCall?.().catch(() => undefined)
    await this.send(request, reply)
  }

  private call(request: ControlRequest): Promise<unknown> {
    const {instance, plugins} = this.options
    // Async so that a synchronous throw (unknown plugin) becomes a rejection like the others.
    return (async () => handleIn(plugins, instance, request.plugin).call(request.fn, request.args))()
  }

  private async send(request: ControlRequest, reply: Payload): Promise<void> {
    try {
      await this.options.notifier.notify(request.reply, reply)
    } catch (error) {
      this.options.logger.warn(`control: could not reply to request ${request.id}: ${coerceError(error).message}`)
    }
  }

  private refused(reason: string, payload: Payload): void {
    const {logger} = this.options
    const now = Date.now()
    if (now - this.windowStart >= REFUSAL_WINDOW_MS) {
      if (this.suppressed > 0) logger.warn(`control: ${this.suppressed} more malformed requests were ignored`)
      this.windowStart = now
      this.refusals = 0
      this.suppressed = 0
    }
    if (++this.refusals > REFUSALS_PER_WINDOW) {
      this.suppressed++
      return
    }
    const id = typeof payload.id === 'string' ? ` ${show(payload.id)}` : ''
    logger.warn(`control: ignored a malformed request${id} on ${CONTROL_CHANNEL}: ${reason}`)
  }
}

function elapsed(started: number): string {
  return `${Math.round(performance.now() - started)}ms`
}
