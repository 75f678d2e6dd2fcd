#!/usr/bin/env node
// A TCP forwarder that adds latency, for scripts/netbed.sh when the kernel has no `tc netem`
// (sch_netem missing, as in this project's VM). Usage:
//   node scripts/netbed-proxy.mjs LISTEN_HOST:PORT TARGET_HOST:PORT DELAY_MS JITTER_MS
// Each chunk, in each direction, is forwarded DELAY_MS ± JITTER_MS (uniform) after it arrived,
// never before the chunk ahead of it (TCP keeps its order, as netem with a pfifo child would).
// Loss cannot be emulated above TCP; a partition is made below it (the namespace's link down),
// which leaves this proxy's sockets silent, as a real network would.
import net from 'node:net'
import {performance} from 'node:perf_hooks'
import {setTimeout} from 'node:timers'

const [listen, target, delayArg = '5', jitterArg = '2'] = process.argv.slice(2)
if (!listen || !target) {
  console.error('usage: netbed-proxy.mjs LISTEN_HOST:PORT TARGET_HOST:PORT [DELAY_MS] [JITTER_MS]')
  process.exit(2)
}
const split = (hostPort) => {
  const at = hostPort.lastIndexOf(':')
  return {host: hostPort.slice(0, at), port: Number(hostPort.slice(at + 1))}
}
const delay = Number(delayArg)
const jitter = Number(jitterArg)

/** Forwards `from` to `to` with the delay, in order; ends `to` after the last chunk. */
function pipeDelayed(from, to) {
  let due = 0
  from.on('data', (chunk) => {
    const now = performance.now()
    due = Math.max(due, now + delay + (Math.random() * 2 - 1) * jitter)
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk)
    }, due - now)
  })
  from.on('end', () => setTimeout(() => to.end(), Math.max(0, due - performance.now())))
}

const server = net.createServer((client) => {
  const upstream = net.connect(split(target))
  client.setNoDelay(true)
  upstream.setNoDelay(true)
  const close = () => {
    client.destroy()
    upstream.destroy()
  }
  client.on('error', close)
  upstream.on('error', close)
  client.on('close', close)
  upstream.on('close', close)
  if (delay === 0 && jitter === 0) {
    client.pipe(upstream)
    upstream.pipe(client)
  } else {
    pipeDelayed(client, upstream)
    pipeDelayed(upstream, client)
  }
})
server.listen(split(listen).port, split(listen).host, () => {
  console.log(`netbed-proxy: ${listen} -> ${target}, ${delay} ms ± ${jitter} ms each way`)
})
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0))
