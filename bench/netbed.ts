// The multi-host measurements on scripts/netbed.sh (root; `scripts/netbed.sh up 4` first): real
// `oban start` processes in network namespaces, PostgreSQL reached over the virtual network at
// NETBED_DELAY_MS ± NETBED_JITTER_MS each way. Phases (PHASES, comma-separated):
// - throughput: drains THROUGHPUT_JOBS no-op jobs with 1, 2, 4 and 8 nodes (node i on host i mod 4);
// - drain: 8 nodes on 4 hosts drain DRAIN_JOBS no-op jobs, each job once;
// - partition: 8 nodes run 500 ms jobs with Lifeline (interval 5s, rescueAfter 10s); the leader's
//   host is cut off for CUT_SECONDS, then healed; then the new leader's host is cut off until
//   leadership moves again. Every run is logged by the worker to a file (the cut-off node cannot
//   write to the database), to check that no job ran on two nodes at once.
//   node --import tsx bench/netbed.ts
import {execFileSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Pool} from '../src/db/pool.js'
import {insertAllJobs} from '../src/client/insert-all.js'
import {
  drain,
  fixtureProject,
  insertJobs,
  notOnce,
  scratchDatabase,
  startNode,
  stopNodes,
  troubleLines,
  REPO,
  type NodeProcess,
} from './fleet-support.js'

const NETBED = join(REPO, 'scripts/netbed.sh')
const adminUrl = process.env.ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5433/postgres'
const phases = (process.env.PHASES ?? 'throughput,drain,partition').split(',')
const hostsCount = 4
const netbed = (...args: string[]) => execFileSync(NETBED, args, {encoding: 'utf8'}).trim()
const host = (i: number) => `obanbed${(i % hostsCount) + 1}`
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const log = (record: Record<string, unknown>) => console.log(JSON.stringify(record))

function startNodes(count: number, database: string, config: string, dir: string): NodeProcess[] {
  return Array.from({length: count}, (_, i) => {
    const url = netbed('url', host(i), database)
    return startNode(`${host(i)}-n${i + 1}`, ['--database-url', url, '--config', config], dir, [
      NETBED,
      'exec',
      host(i),
    ])
  })
}

async function leader(pool: Pool): Promise<string | undefined> {
  const {rows} = await pool.query<{node: string}>(
    `SELECT node FROM oban_peers WHERE name = 'Oban' AND expires_at > timezone('UTC', now())`,
  )
  return rows[0]?.node
}

/** True once every job is completed (a rescued job completes at its second attempt). */
async function allCompleted(pool: Pool): Promise<true | undefined> {
  const {rows} = await pool.query<{n: number}>(`SELECT count(*)::int AS n FROM oban_jobs WHERE state <> 'completed'`)
  return rows[0]!.n === 0 ? true : undefined
}

async function until<T>(check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error('timed out')
    await sleep(200)
  }
}

async function throughput(): Promise<void> {
  const jobs = Number(process.env.THROUGHPUT_JOBS ?? 10_000)
  for (const count of [1, 2, 4, 8]) {
    const db = await scratchDatabase(adminUrl, 'oban_netbed_tp')
    const project = fixtureProject()
    const nodes = startNodes(count, 'oban_netbed_tp', project.config, project.dir)
    try {
      await Promise.all(nodes.map((n) => n.running))
      await insertJobs(db.pool, jobs)
      const seconds = await drain(db.pool, jobs)
      log({
        phase: 'throughput',
        nodes: count,
        jobs,
        seconds: Math.round(seconds * 10) / 10,
        jobsPerSecond: Math.round(jobs / seconds),
        notOnce: await notOnce(db.pool),
      })
    } finally {
      await stopNodes(nodes)
      await db.drop()
      project.remove()
    }
  }
}

async function drainPhase(): Promise<void> {
  const jobs = Number(process.env.DRAIN_JOBS ?? 50_000)
  const db = await scratchDatabase(adminUrl, 'oban_netbed_drain')
  const project = fixtureProject()
  const nodes = startNodes(8, 'oban_netbed_drain', project.config, project.dir)
  try {
    await Promise.all(nodes.map((n) => n.running))
    await insertJobs(db.pool, jobs)
    const seconds = await drain(db.pool, jobs)
    const {rows} = await db.pool.query<{node: string; n: number}>(
      `SELECT attempted_by[1] AS node, count(*)::int AS n FROM oban_jobs GROUP BY 1 ORDER BY 1`,
    )
    log({
      phase: 'drain',
      nodes: 8,
      hosts: hostsCount,
      jobs,
      seconds: Math.round(seconds * 10) / 10,
      jobsPerSecond: Math.round(jobs / seconds),
      notOnce: await notOnce(db.pool),
      perNode: Object.fromEntries(rows.map((r) => [r.node, r.n])),
      trouble: troubleLines(nodes).length,
    })
  } finally {
    await stopNodes(nodes)
    await db.drop()
    project.remove()
  }
}

/** Runs logged by the workers: job id, node, start and end (ms since epoch). */
function readRuns(file: string): {id: number; node: string; start: number; end: number}[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, node, start, end] = line.split(' ')
      return {id: Number(id), node: node!, start: Number(start), end: Number(end)}
    })
}

async function partition(): Promise<void> {
  const cutSeconds = Number(process.env.CUT_SECONDS ?? 60)
  const db = await scratchDatabase(adminUrl, 'oban_netbed_cut')
  const project = fixtureProject({
    queues: {default: 5},
    plugins: [['Lifeline', {interval: '5s', rescueAfter: '10s'}]],
  })
  const runsFile = join(project.dir, 'runs.log')
  writeFileSync(runsFile, '')
  writeFileSync(
    join(project.dir, 'workers.mjs'),
    `import {appendFileSync} from 'node:fs'
import {defineWorker} from ${JSON.stringify(join(REPO, 'dist/src/index.js'))}
export const Noop = defineWorker({name: 'Fleet.Noop', perform() {}})
export const Slow = defineWorker({
  name: 'Fleet.Slow',
  async perform(job) {
    const start = Date.now()
    await new Promise((resolve) => setTimeout(resolve, job.args.ms))
    appendFileSync(${JSON.stringify(runsFile)}, job.id + ' ' + (job.attemptedBy ?? [])[0] + ' ' + start + ' ' + Date.now() + '\\n')
  },
})
`,
  )
  const nodes = startNodes(8, 'oban_netbed_cut', project.config, project.dir)
  const insertSlow = (n: number) =>
    insertAllJobs(
      {pool: db.pool, prefix: 'public', insertTrigger: true},
      Array.from({length: n}, (_, i) => ({worker: 'Fleet.Slow', args: {ms: 500, i}, queue: 'default'})),
    )
  try {
    await Promise.all(nodes.map((n) => n.running))
    const first = await until(() => leader(db.pool), 60_000)
    const cutHost = first.split('-')[0]!
    await insertSlow(3000)
    await sleep(5_000)
    const cutAt = Date.now()
    netbed('cut', cutHost)
    const second = await until(async () => {
      const now = await leader(db.pool)
      return now !== undefined && now !== first ? now : undefined
    }, 120_000)
    const movedAfter = (Date.now() - cutAt) / 1000
    await sleep(Math.max(0, cutAt + cutSeconds * 1000 - Date.now()))
    netbed('heal', cutHost)
    const healedAt = Date.now()
    // The cut-off nodes rejoin without a restart: jobs inserted now run on them too.
    await until(() => allCompleted(db.pool), 300_000)
    const before = readRuns(runsFile).length
    await insertSlow(400)
    await until(() => allCompleted(db.pool), 300_000)
    const after = readRuns(runsFile).slice(before)
    const rejoined = [...new Set(after.filter((r) => r.node.startsWith(`${cutHost}-`)).map((r) => r.node))]
    // Leadership moves again when the new leader's host is cut off.
    const secondHost = second.split('-')[0]!
    const cut2At = Date.now()
    netbed('cut', secondHost)
    const third = await until(async () => {
      const now = await leader(db.pool)
      return now !== undefined && now !== second ? now : undefined
    }, 120_000)
    const moved2After = (Date.now() - cut2At) / 1000
    netbed('heal', secondHost)
    // Every job's runs, from the workers' log: none ran on two nodes at once.
    const runs = readRuns(runsFile)
    const byJob = new Map<number, typeof runs>()
    for (const run of runs) byJob.set(run.id, [...(byJob.get(run.id) ?? []), run])
    let overlapping = 0
    let twice = 0
    for (const list of byJob.values()) {
      if (list.length > 1) twice++
      const sorted = [...list].sort((a, b) => a.start - b.start)
      for (let i = 1; i < sorted.length; i++) if (sorted[i]!.start < sorted[i - 1]!.end) overlapping++
    }
    const {rows: rescued} = await db.pool.query<{n: number}>(
      `SELECT count(*)::int AS n FROM oban_jobs WHERE attempt > 1`,
    )
    const cutNodes = nodes.filter((n) => n.node.startsWith(`${cutHost}-`))
    // The acker's line for a fenced ack: "job N: ignored the completed of attempt 1 from this node ...".
    const staleLine = /ignored the \w+ of attempt/
    const staleAcks = cutNodes.reduce(
      (sum, n) =>
        sum +
        n
          .output()
          .split('\n')
          .filter((l) => staleLine.test(l)).length,
      0,
    )
    log({
      phase: 'partition',
      cutHost,
      cutSeconds,
      firstLeader: first,
      leaderAfterCut: second,
      leadershipMovedAfterSeconds: movedAfter,
      healedAfterSeconds: (healedAt - cutAt) / 1000,
      rejoinedNodes: rejoined,
      secondCutHost: secondHost,
      leaderAfterSecondCut: third,
      leadershipMovedAgainAfterSeconds: moved2After,
      jobs: byJob.size,
      jobsRunTwice: twice,
      jobsRescued: rescued[0]!.n,
      runsOverlapping: overlapping,
      staleAckLines: staleAcks,
      notCompleted: (await allCompleted(db.pool)) ? 0 : 'some',
      sampleStale: cutNodes
        .flatMap((n) =>
          n
            .output()
            .split('\n')
            .filter((l) => staleLine.test(l)),
        )
        .slice(0, 2),
      postHealRunsByNode: Object.fromEntries(
        [...new Set(after.map((r) => r.node))].map((n) => [n, after.filter((r) => r.node === n).length]),
      ),
    })
  } finally {
    await stopNodes(nodes)
    await db.drop()
    project.remove()
  }
}

for (const phase of phases) {
  if (phase === 'throughput') await throughput()
  else if (phase === 'drain') await drainPhase()
  else if (phase === 'partition') await partition()
  else throw new Error(`unknown phase ${phase}`)
}
