import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {runCommand} from '@oclif/test'
import {afterAll, describe, expect, it} from 'vitest'
import {migratedDatabase} from '../../helpers/oban-db.js'
import {LIBRARY} from '../../helpers/cli.js'

// `oban job insert WORKER` for a worker the config defines makes the job the worker's own code
// would: its queue, priority, maxAttempts, tags and unique apply, and flags override them.
const root = fileURLToPath(new URL('../../..', import.meta.url))
const {url, pool} = await migratedDatabase('cmd_job_insert_defaults')
const dir = mkdtempSync(join(tmpdir(), 'oban-insert-defaults-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const index = LIBRARY
writeFileSync(
  join(dir, 'workers.ts'),
  `import {defineWorker} from ${JSON.stringify(index)}
export const Mailer = defineWorker({
  name: 'MyApp.Mailer',
  queue: 'mailers',
  priority: 2,
  maxAttempts: 3,
  tags: ['mail'],
  unique: {period: 60},
  perform() {},
})
`,
)
const config = join(dir, 'oban.config.json')
writeFileSync(config, JSON.stringify({workers: ['./workers.ts']}))

const insert = (...argv: string[]) =>
  runCommand(['job', 'insert', ...argv, '--config', config, '--database-url', url], {root})
const row = async (id: number) =>
  (
    await pool.query<{queue: string; priority: number; max_attempts: number; tags: string[]}>(
      'SELECT queue, priority, max_attempts, tags FROM oban_jobs WHERE id = $1',
      [id],
    )
  ).rows[0]

describe("oban job insert with the config's worker", () => {
  it("applies the worker's defaults, and says so", async () => {
    const {stdout, error, result} = await insert('MyApp.Mailer', '--args', '{"to":"ada"}', '--json')
    expect(error).toBeUndefined()
    const {id} = result as {id: number}
    expect(await row(id)).toEqual({queue: 'mailers', priority: 2, max_attempts: 3, tags: ['mail']})
    expect(JSON.parse(stdout)).toMatchObject({id, queue: 'mailers', maxAttempts: 3})
    const text = await insert('MyApp.Mailer', '--args', '{"to":"bob"}')
    expect(text.stdout).toMatch(
      new RegExp(
        `^Inserted job \\d+ \\(MyApp\\.Mailer\\) into queue mailers: available \\(worker defaults from ${config.replaceAll('.', '\\.')}: queue mailers, priority 2, maxAttempts 3, tags \\["mail"\\], unique \\{"period":60\\}\\)\\n$`,
      ),
    )
  })

  it('is unique as the worker says: the same args within the period insert nothing', async () => {
    const first = await insert('MyApp.Mailer', '--args', '{"to":"cy"}', '--json')
    const again = await insert('MyApp.Mailer', '--args', '{"to":"cy"}', '--json')
    expect(again.result).toMatchObject({id: (first.result as {id: number}).id, conflict: true})
  })

  it('lets flags override the defaults', async () => {
    const {result} = await insert(
      'MyApp.Mailer',
      '--args',
      '{"to":"dee"}',
      '--queue',
      'urgent',
      '--max-attempts',
      '5',
      '--json',
    )
    expect(await row((result as {id: number}).id)).toMatchObject({queue: 'urgent', priority: 2, max_attempts: 5})
  })

  it("leaves a worker the config does not define to Oban's defaults", async () => {
    const {result} = await insert('MyApp.Other', '--json')
    expect(await row((result as {id: number}).id)).toEqual({queue: 'default', priority: 0, max_attempts: 20, tags: []})
  })
})
