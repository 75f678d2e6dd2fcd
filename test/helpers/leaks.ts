import {readdirSync, readFileSync} from 'node:fs'

/**
 * The processes that carry `marker=value` in their environment: everything a test started with
 * cliEnv() (see cli.ts) and whatever those started in turn (an embedded PostgreSQL, a tmux
 * server and its panes). Linux only (/proc); elsewhere nothing is found.
 */
export function markedProcesses(marker: string, value: string): {pid: number; command: string}[] {
  const needle = `\0${marker}=${value}\0`
  let pids: number[]
  try {
    pids = readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
  } catch {
    return []
  }
  const found: {pid: number; command: string}[] = []
  for (const pid of pids) {
    if (pid === process.pid) continue
    try {
      if (!`\0${readFileSync(`/proc/${pid}/environ`, 'latin1')}`.includes(needle)) continue
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()
      found.push({pid, command})
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found
}

/**
 * Kills (SIGKILL) every process of this run still alive at the end, and says which: the tests
 * clean up after themselves, so anything found here is a test's bug, but it must not outlive
 * the run (a tmux pane sleeps for ten minutes, a node runs until stopped).
 */
export function reapLeftovers(marker: string, value: string): void {
  const left = markedProcesses(marker, value)
  if (left.length === 0) return
  console.warn(`killing ${left.length} process(es) the tests left running:`)
  for (const {pid, command} of left) {
    console.warn(`  ${pid} ${command.slice(0, 200)}`)
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
}
