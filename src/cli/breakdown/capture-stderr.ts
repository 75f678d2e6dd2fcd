/**
 * Routes everything written to a stream (process.stderr by default) through `write` until the
 * returned function restores it. A live view passes Ink's `useStderr().write`, which erases the
 * frame, writes the text and draws the frame again under it: log lines of the instance (its
 * logger writes to stderr) then scroll above the table instead of tearing it.
 *
 * Writes made by `write` itself (Ink writes the text to the same stream) go straight through, so
 * the routing never loops. Restoring is idempotent and leaves a later patch of the stream alone.
 */
export function captureStderr(write: (text: string) => void, stream: NodeJS.WriteStream = process.stderr): () => void {
  // Kept unbound to be put back exactly as it was; called with the stream as `this`.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const original = stream.write
  let inside = false
  const routed = function (
    this: unknown,
    chunk: string | Uint8Array,
    encoding?: BufferEncoding | ((error?: Error | null) => void),
    callback?: (error?: Error | null) => void,
  ): boolean {
    if (inside) return (original as (...args: unknown[]) => boolean).call(stream, chunk, encoding, callback)
    inside = true
    try {
      write(
        typeof chunk === 'string'
          ? chunk
          : Buffer.from(chunk).toString(typeof encoding === 'string' ? encoding : 'utf8'),
      )
    } finally {
      inside = false
    }
    const done = typeof encoding === 'function' ? encoding : callback
    if (done) queueMicrotask(() => done())
    return true
  }
  stream.write = routed
  return () => {
    if (stream.write === routed) stream.write = original
  }
}
