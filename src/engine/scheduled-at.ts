/**
 * The `scheduled_at` an insert or a replace writes: the given time (`at`, a timestamp), or, for
 * `scheduleIn`, the database's now plus the seconds (`seconds`, float8), or now. Computed in SQL
 * so that a `scheduleIn` keeps microseconds, as Oban's `schedule_in` does (`DateTime.utc_now()`
 * plus the seconds), and counts from the same now as `inserted_at`. `at` and `seconds` are SQL
 * expressions (parameters or columns); at most one of them is not null.
 */
export function scheduledAtSql(at: string, seconds: string): string {
  return `COALESCE(${at}, timezone('UTC', now()) + make_interval(secs => ${seconds}), timezone('UTC', now()))`
}
