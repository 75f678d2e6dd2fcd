/**
 * A per-key budget of log lines, for warnings that an outside party can trigger at will (a
 * malformed notification, a bad signal): a few lines show the problem, a flood would bury every
 * other line and fill disks. Up to `limit` lines per key per window are logged; the line that
 * exhausts the budget says so, and the first line of the next window says how many were left out.
 */
export class LogBudget {
  private readonly windows = new Map<string, {start: number; logged: number; suppressed: number}>()

  constructor(
    private readonly limit = 10,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The line to log for `key` (possibly with a note), or undefined when it is over budget. */
  admit(key: string, line: string): string | undefined {
    const now = this.now()
    let window = this.windows.get(key)
    let note = ''
    if (!window || now - window.start >= this.windowMs) {
      if (window && window.suppressed > 0) note = ` (${window.suppressed} more like it were not logged)`
      window = {start: now, logged: 0, suppressed: 0}
      this.windows.set(key, window)
    }
    if (window.logged >= this.limit) {
      window.suppressed++
      return undefined
    }
    window.logged++
    if (window.logged === this.limit)
      note += ` (${this.limit} such lines in ${Math.round(this.windowMs / 1000)}s: more are counted, not logged, until then)`
    return line + note
  }
}
