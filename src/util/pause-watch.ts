/**
 * Notices when this process stops running for a while: SIGSTOP and SIGCONT, a suspended VM or
 * laptop, a debugger, or a synchronous block of the event loop. Other nodes go on meanwhile: a
 * lease this node held may have expired and passed on, and jobs it was running may have been
 * rescued and run elsewhere. Whoever relies on time passing only while it watches asks here.
 *
 * A ticker runs every `tickMs` (unref'd: it keeps no process alive) and compares the monotonic
 * clock with its last run. A pause makes it late by the pause's length; after SIGCONT every
 * overdue timer fires in the same event-loop turn, in no order we control, so {@link overdue} also
 * answers synchronously from the clock, before the ticker has had its turn: a timer that wakes
 * up first can still tell that the process has just been paused.
 */
export class PauseWatch {
  private last = performance.now()
  private timer: NodeJS.Timeout | undefined
  private readonly listeners = new Set<(gapMs: number) => void>()

  constructor(
    private readonly options: {
      /** How often the ticker runs (ms, default 250). */
      tickMs?: number
      /** Gaps shorter than this are not reported to listeners (ms, default 1 000). */
      reportMs?: number
    } = {},
  ) {}

  private get tickMs(): number {
    return this.options.tickMs ?? 250
  }

  /** Starts the ticker; idempotent. */
  start(): void {
    if (this.timer) return
    this.last = performance.now()
    this.timer = setInterval(() => this.tick(), this.tickMs)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  /**
   * How long the process has not been running, as far as can be told right now: how late the
   * ticker is (0 while it keeps time; the pause's length after a pause, until the ticker has run).
   */
  overdue(): number {
    if (!this.timer) return 0
    return Math.max(0, performance.now() - this.last - this.tickMs)
  }

  /**
   * Calls `listener` with the gap's length (ms) after every gap of at least `reportMs`, from the
   * ticker's first run after it. Returns the unsubscribe function. A throwing listener is ignored.
   */
  onPause(listener: (gapMs: number) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private tick(): void {
    const now = performance.now()
    const gap = now - this.last - this.tickMs
    this.last = now
    if (gap < (this.options.reportMs ?? 1_000)) return
    for (const listener of [...this.listeners]) {
      try {
        listener(gap)
      } catch {
        // A listener's failure is its own; the others still hear of the pause.
      }
    }
  }
}
