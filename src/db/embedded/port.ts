import net from 'node:net'

/** The usual port of a system PostgreSQL; never chosen, so the embedded server cannot shadow one (P5). */
const SYSTEM_POSTGRES_PORT = 5432

/** A TCP port on 127.0.0.1 that is free right now, chosen by the kernel (never 5432). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await listenOnce(0)
    if (port !== undefined && port !== SYSTEM_POSTGRES_PORT) return port
  }
}

/** Whether nothing listens on 127.0.0.1:`port` (it can be bound right now). */
export async function isPortFree(port: number): Promise<boolean> {
  return (await listenOnce(port)) !== undefined
}

/** Binds 127.0.0.1:`port`, closes again, and resolves with the bound port (undefined if taken). */
function listenOnce(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer()
    server.unref()
    server.once('error', () => resolve(undefined))
    server.listen({port, host: '127.0.0.1', exclusive: true}, () => {
      const address = server.address()
      const bound = typeof address === 'object' && address !== null ? address.port : undefined
      server.close(() => resolve(bound))
    })
  })
}
