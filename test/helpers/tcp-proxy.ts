import net from 'node:net'

/**
 * A loopback TCP proxy in front of the test PostgreSQL, to reproduce network failures that a
 * server alone cannot: `blackhole()` silently stops forwarding on open connections (a peer that
 * vanished without FIN or RST), `refuse(true)` closes new connections at once (server down).
 */
export class TcpProxy {
  private readonly server = net.createServer((socket) => this.accept(socket))
  private readonly sockets = new Set<net.Socket>()
  private refusing = false

  private constructor(private readonly target: {host: string; port: number}) {}

  /** Starts a proxy to the server of `url`; returns it and `url` rewritten to go through it. */
  static async start(url: string): Promise<{proxy: TcpProxy; url: string}> {
    const u = new URL(url)
    const proxy = new TcpProxy({host: u.hostname, port: Number(u.port || 5432)})
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve))
    u.hostname = '127.0.0.1'
    u.port = String((proxy.server.address() as net.AddressInfo).port)
    return {proxy, url: u.toString()}
  }

  /** Stops forwarding on every open connection, without closing anything. */
  blackhole(): void {
    for (const socket of this.sockets) {
      socket.unpipe()
      socket.pause()
      socket.removeAllListeners('data')
    }
  }

  /** While true, new connections are closed immediately. */
  refuse(value: boolean): void {
    this.refusing = value
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private accept(client: net.Socket): void {
    if (this.refusing) {
      client.destroy()
      return
    }
    const upstream = net.connect(this.target.port, this.target.host)
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.sockets.add(a)
      a.on('error', () => b.destroy())
      a.on('close', () => {
        this.sockets.delete(a)
        b.destroy()
      })
      a.pipe(b)
    }
  }
}
