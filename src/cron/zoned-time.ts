/** A wall-clock reading of an instant in a timezone. */
export interface WallClock {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
  /** 0 is Sunday. */
  weekday: number
  /** Minutes east of UTC at that instant (Paris in summer: 120). */
  offset: number
}

const formatters = new Map<string, Intl.DateTimeFormat>()
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']

/**
 * Whether `timezone` is one of the names of UTC itself that Oban uses (its default is `Etc/UTC`).
 * Those are read with Date's UTC methods: the first Intl.DateTimeFormat of a process loads ICU's
 * time zone data (~10-15 ms, most of `oban cron next`'s own work), and UTC needs none of it.
 */
export function isUtcZone(timezone: string): boolean {
  return timezone === 'Etc/UTC' || timezone === 'UTC'
}

/** The wall clock in `timezone` (an IANA name) at `instant`. Throws RangeError for an unknown timezone. */
export function wallClock(instant: Date, timezone: string): WallClock {
  // Years before 100 keep the Intl path, which reads them as it always has (its offset goes
  // through Date.UTC, which takes years 0-99 as 1900-1999).
  if (isUtcZone(timezone) && instant.getUTCFullYear() >= 100) return utcWallClock(instant)
  let format = formatters.get(timezone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    formatters.set(timezone, format)
  }
  const parts: Record<string, string> = {}
  for (const {type, value} of format.formatToParts(instant)) parts[type] = value
  const clock = {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS.indexOf(parts.weekday ?? ''),
  }
  const asUtc = Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute, clock.second)
  const offset = Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000)
  return {...clock, offset}
}

/** The wall clock of UTC, read as wallClock reads any zone (whole seconds, offset 0). */
function utcWallClock(instant: Date): WallClock {
  return {
    year: instant.getUTCFullYear(),
    month: instant.getUTCMonth() + 1,
    day: instant.getUTCDate(),
    hour: instant.getUTCHours(),
    minute: instant.getUTCMinutes(),
    second: instant.getUTCSeconds(),
    weekday: instant.getUTCDay(),
    offset: 0,
  }
}

/** ISO 8601 local time with its offset, e.g. `2024-06-03T09:00:00+02:00` (`Z` for UTC itself). */
export function formatZoned(instant: Date, timezone: string): string {
  const c = wallClock(instant, timezone)
  const pad = (n: number, width = 2) => String(n).padStart(width, '0')
  const sign = c.offset < 0 ? '-' : '+'
  const abs = Math.abs(c.offset)
  const offset = c.offset === 0 ? 'Z' : `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  return `${pad(c.year, 4)}-${pad(c.month)}-${pad(c.day)}T${pad(c.hour)}:${pad(c.minute)}:${pad(c.second)}${offset}`
}

/** The weekday's short English name (`Mon`) of a wall clock. */
export function weekdayName(clock: WallClock): string {
  return WEEKDAYS[clock.weekday] ?? '?'
}
