import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, afterEach, describe, expect, it} from 'vitest'
import {defaultsWithoutConfig, showStartBreakdown} from '../../../../src/cli/breakdown/start-breakdown.js'
import {createLogger} from '../../../../src/telemetry/logger.js'
import {Oban} from '../../../../src/instance/oban.js'
import {builtinPlugins} from '../../../../plugins/index.js'
import {eventually, insertRaw, migratedDatabase} from '../../../helpers/oban-db.js'

const {url, pool} = await migratedDatabase('start_breakdown')
const dir = mkdtempSync(join(tmpdir(), 'oban-start-breakdown-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const instances: Oban[] = []
afterEach(async () => {
  await Promise.all(instances.splice(0).map((o) => o.stop()))
})

async function start(options: Record<string, unknown>): Promise<Oban> {
  const oban = new Oban({databaseUrl: url, queues: false, stager: false, ...options}, createLogger({level: 'silent'}))
  instances.push(oban)
  await oban.start({builtinPlugins})
  return oban
}

describe('defaultsWithoutConfig', () => {
  it('runs queue default (limit 10) with Breakdown, Lifeline and Pruner when there is no config file at all', () => {
    const project = join(dir, 'bare')
    mkdirSync(project)
    writeFileSync(join(project, 'package.json'), '{}')
    expect(defaultsWithoutConfig(undefined, project)).toEqual({
      queues: {default: 10},
      plugins: ['Breakdown', ['Lifeline', {rescueAfter: '5m'}], ['Pruner', {maxAge: '7d'}]],
    })
  })

  it('adds nothing when a config file is found or given', () => {
    const project = join(dir, 'configured')
    mkdirSync(project)
    writeFileSync(join(project, 'package.json'), '{}')
    writeFileSync(join(project, 'oban.config.json'), '{}')
    expect(defaultsWithoutConfig(undefined, project)).toEqual({})
    expect(defaultsWithoutConfig('./elsewhere.json', join(dir, 'bare'))).toEqual({})
  })
})

describe('showStartBreakdown off a terminal', () => {
  it('prints a plain table per refresh, with the interval from the plugin, until taken down', async () => {
    await insertRaw(pool, [{queue: 'default'}, {queue: 'events', state: 'completed', attempt: 1}])
    const oban = await start({name: 'StartPlain', plugins: [['Breakdown', {interval: '200ms'}]]})
    const frames: string[] = []
    const hide = await showStartBreakdown(oban, {interactive: false, color: false, write: (t) => frames.push(t)})
    await eventually(() => frames.length >= 2, 20_000)
    expect(frames[0]).toMatch(/^Breakdown of StartPlain at .+, every 200ms\n┌/)
    expect(frames[0]).toContain('│ default    │ available │     1 │')
    expect(frames[0]).toContain('│ events     │ completed │     1 │')
    await hide()
    const count = frames.length
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(frames.length).toBe(count)
  })

  it('shows nothing for an instance without the Breakdown plugin', async () => {
    const oban = await start({name: 'StartNone'})
    const frames: string[] = []
    const hide = await showStartBreakdown(oban, {interactive: false, write: (t) => frames.push(t)})
    await new Promise((resolve) => setTimeout(resolve, 300))
    await hide()
    expect(frames).toEqual([])
  })
})
