/**
 * Resolves on the first SIGINT or SIGTERM (and SIGHUP with `hangup`: the terminal went away, its
 * window closed or SSH dropped), when `signal` aborts or when `also` settles; removes its handlers
 * when done, so a later signal gets Node's default (the process ends). The live views (Breakdown,
 * the dash) wait on it so that every way out takes the same path: unmount, stop the instance.
 */
export function untilInterrupted(
  options: {signal?: AbortSignal; also?: Promise<unknown>; hangup?: boolean} = {},
): Promise<void> {
  const {signal, also} = options
  const signals: NodeJS.Signals[] = options.hangup ? ['SIGINT', 'SIGTERM', 'SIGHUP'] : ['SIGINT', 'SIGTERM']
  return new Promise((resolve) => {
    const done = () => {
      for (const name of signals) process.off(name, done)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    for (const name of signals) process.once(name, done)
    if (signal?.aborted) return done()
    signal?.addEventListener('abort', done, {once: true})
    also?.then(done, done)
  })
}
