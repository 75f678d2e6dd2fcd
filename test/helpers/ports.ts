import net from 'node:net'

/**
 * A loopback port that refuses connections (ECONNREFUSED) until `release()`. A port found free
 * and closed again can be taken by anything meanwhile (another test file's server, the OS handing
 * it to the next `listen(0)`); this one is held: it is the local end of a connection we keep
 * open, which no one can listen on while that connection exists, and which answers any other
 * connection attempt with a reset, as a port nobody listens on does.
 */
export async function refusingPort(): Promise<{port: number; release: () => Promise<void>}> {
  const accepted: net.Socket[] = []
  const server = net.createServer((socket) => accepted.push(socket))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const {port: target} = server.address() as net.AddressInfo
  const held = net.connect(target, '127.0.0.1')
  await new Promise<void>((resolve, reject) => {
    held.once('error', reject)
    held.once('connect', resolve)
  })
  return {
    port: held.localPort!,
    async release() {
      held.destroy()
      for (const socket of accepted) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
