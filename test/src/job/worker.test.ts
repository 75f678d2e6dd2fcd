import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, describe, expect, it, vi} from 'vitest'
import {ConfigError, UnknownWorkerError} from '../../../src/errors.js'
import type {Job, JobArgs} from '../../../src/job/job.js'
import {
  cancel,
  defineWorker,
  discard,
  error,
  isJobResult,
  isWorker,
  ok,
  snooze,
  toJobResult,
} from '../../../src/job/worker.js'
import {loadWorkers, WorkerRegistry} from '../../../src/job/worker-registry.js'

const root = mkdtempSync(join(tmpdir(), 'oban-workers-'))
afterAll(() => rmSync(root, {recursive: true, force: true}))
const workerModule = fileURLToPath(new URL('../../../src/job/worker.ts', import.meta.url))

const job = <A extends JobArgs>(attempt: number, maxAttempts = 20) => ({attempt, maxAttempts}) as Job<A>

describe('defineWorker', () => {
  const Email = defineWorker<{id: number}>({
    name: 'MyApp.Workers.Email',
    queue: 'mailers',
    maxAttempts: 5,
    tags: ['mail'],
    unique: {period: 30, fields: ['worker', 'args']},
    perform: () => ok(),
  })

  it('builds job specs with the worker defaults merged (unique key by key)', () => {
    expect(Email.name).toBe('MyApp.Workers.Email')
    expect(isWorker(Email)).toBe(true)
    expect(Email.new({id: 1})).toEqual({
      worker: 'MyApp.Workers.Email',
      args: {id: 1},
      queue: 'mailers',
      maxAttempts: 5,
      tags: ['mail'],
      unique: {period: 30, fields: ['worker', 'args']},
    })
    expect(Email.new({id: 2}, {queue: 'urgent', priority: 1, unique: {period: 60}})).toMatchObject({
      queue: 'urgent',
      priority: 1,
      unique: {period: 60, fields: ['worker', 'args']},
    })
  })

  it('has default backoff and timeout, overridable', () => {
    expect(Email.backoff(job(1))).toBeGreaterThanOrEqual(17)
    expect(Email.backoff(job(1))).toBeLessThanOrEqual(18)
    expect(Email.timeout(job(1))).toBe('infinity')
    const Custom = defineWorker({name: 'Custom', perform: () => {}, backoff: (j) => j.attempt * 2, timeout: () => 500})
    expect(Custom.backoff(job(3))).toBe(6)
    expect(Custom.timeout(job(3))).toBe(500)
  })

  it('validates the definition at once, naming the worker', () => {
    expect(() => defineWorker({name: 'Bad', priority: 12, queue: '', perform: () => {}})).toThrow(
      'worker "Bad": queue: must be a queue name of 1 to 127 characters, without spaces, quotes or backslashes, got ""; priority: must be an integer from 0 to 9, got 12',
    )
    expect(() => defineWorker({name: 'has space', perform: () => {}})).toThrow(ConfigError)
    expect(() => defineWorker({name: 'NoPerform'} as never)).toThrow('perform: must be a function')
    expect(() => defineWorker({name: 'W', perform: () => {}, quue: 'x'} as never)).toThrow(
      'quue: is not a worker option',
    )
    expect(() => defineWorker({name: 'W', perform: () => {}, unique: {states: 'nope' as never}})).toThrow(
      /unique\.states: must be one of/,
    )
  })

  it('warns when unique states can never see a duplicate', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {})
    defineWorker({name: 'Late', perform: () => {}, unique: {states: ['completed']}})
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/duplicates will not be detected/))
    warn.mockRestore()
  })
})

describe('results', () => {
  it('are branded plain objects that toJobResult passes through', () => {
    expect(toJobResult(error('boom'))).toMatchObject({kind: 'error', reason: 'boom'})
    expect(toJobResult(cancel('no'))).toMatchObject({kind: 'cancel', reason: 'no'})
    expect(toJobResult(discard())).toMatchObject({kind: 'discard', reason: undefined})
    expect(toJobResult(snooze(30))).toMatchObject({kind: 'snooze', seconds: 30})
    expect(snooze('2m').seconds).toBe(120)
    expect(toJobResult(ok(7))).toMatchObject({kind: 'ok', value: 7})
  })

  it('treats anything else as success', () => {
    expect(toJobResult(undefined)).toMatchObject({kind: 'ok', value: undefined})
    expect(toJobResult({kind: 'error', reason: 'not branded'})).toMatchObject({kind: 'ok'})
    expect(isJobResult({kind: 'snooze', seconds: 1})).toBe(false)
    // A result made by another copy of the module carries the same global brand.
    expect(isJobResult({[Symbol.for('oban-ts.result')]: true, kind: 'snooze', seconds: 1})).toBe(true)
  })

  it('rejects a bad snooze period', () => {
    expect(() => snooze(-1)).toThrow(/snooze expects a number of seconds from 0 to 100 years/)
    expect(() => snooze('later')).toThrow(/got "later"/)
  })
})

describe('WorkerRegistry', () => {
  const A = defineWorker({name: 'App.A', perform: () => {}})
  const A2 = defineWorker({name: 'App.A', perform: () => {}})

  it('resolves names, or returns an unknown worker error value', () => {
    const registry = new WorkerRegistry([A, A])
    expect(registry.size).toBe(1)
    const found = registry.resolve('App.A')
    expect(found.ok && found.worker).toBe(A)
    const missing = registry.resolve('App.B')
    expect(missing.ok).toBe(false)
    if (!missing.ok) {
      expect(missing.error).toBeInstanceOf(UnknownWorkerError)
      expect(missing.error.message).toBe('unknown worker: App.B (did you mean "App.A"?)')
    }
    expect(() => registry.register(A2, 'elsewhere')).toThrow(
      'duplicate worker name "App.A": defined in code and in elsewhere',
    )
  })
})

describe('loadWorkers', () => {
  const folder = join(root, 'workers')
  mkdirSync(folder)
  writeFileSync(
    join(folder, 'email.ts'),
    `import {defineWorker} from ${JSON.stringify(workerModule)}
const queue: string = 'mailers'
export const Email = defineWorker({name: 'MyApp.Workers.Email', queue, perform: () => undefined})
export const helper = 42
`,
  )
  writeFileSync(
    join(folder, 'many.mjs'),
    `import {defineWorker} from ${JSON.stringify(workerModule)}
export default [defineWorker({name: 'MyApp.One', perform() {}}), defineWorker({name: 'MyApp.Two', perform() {}})]
`,
  )
  writeFileSync(join(folder, 'email.test.ts'), 'throw new Error("tests are not loaded")\n')
  writeFileSync(join(folder, 'types.d.ts'), 'export type X = 1\n')

  it('loads every module of a folder, through jiti for TypeScript', async () => {
    const registry = await loadWorkers('workers', {cwd: root})
    expect(registry.names).toEqual(['MyApp.One', 'MyApp.Two', 'MyApp.Workers.Email'])
    expect(registry.get('MyApp.Workers.Email')?.options.queue).toBe('mailers')
  })

  it('mixes worker objects and module paths', async () => {
    const Local = defineWorker({name: 'Local', perform: () => {}})
    const registry = await loadWorkers([Local, join(folder, 'email.ts')], {cwd: root})
    expect(registry.names).toEqual(['Local', 'MyApp.Workers.Email'])
  })

  it('rejects modules without workers, duplicates, missing paths and other entries', async () => {
    const empty = join(root, 'empty.ts')
    writeFileSync(empty, 'export const notAWorker = {name: "x"}\n')
    await expect(loadWorkers([empty])).rejects.toThrow(`${empty} exports no worker`)
    const dup = join(root, 'dup.mjs')
    writeFileSync(
      dup,
      `import {defineWorker} from ${JSON.stringify(workerModule)}\nexport const W = defineWorker({name: 'MyApp.One', perform() {}})\n`,
    )
    await expect(loadWorkers(['workers', 'dup.mjs'], {cwd: root})).rejects.toThrow(/duplicate worker name "MyApp.One"/)
    await expect(loadWorkers(['nowhere'], {cwd: root})).rejects.toThrow(
      `workers[0]: ${join(root, 'nowhere')} does not exist`,
    )
    await expect(loadWorkers([42])).rejects.toThrow(
      'workers[0]: expected a worker (defineWorker(...)), a module path or a folder, got 42',
    )
    const broken = join(root, 'broken.ts')
    writeFileSync(broken, 'export const = \n')
    await expect(loadWorkers([broken])).rejects.toThrow(`cannot load workers from ${broken}`)
    await expect(loadWorkers([broken])).rejects.toBeInstanceOf(ConfigError)
  })
})
