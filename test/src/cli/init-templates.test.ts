import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {CONFIG_TEMPLATE, WORKER_TEMPLATE} from '../../../src/cli/init/templates.js'

// The files `oban init` writes point at README sections by title: each must exist.
const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8')
const headings = new Set(readme.split('\n').flatMap((line) => /^#+ (.+)$/.exec(line)?.[1] ?? []))

describe("oban init's templates", () => {
  it('name only README sections that exist', () => {
    const cited = [...`${CONFIG_TEMPLATE}\n${WORKER_TEMPLATE}`.matchAll(/README, "([^"]+)"/g)].map((m) => m[1]!)
    expect(cited.length).toBeGreaterThan(0)
    for (const section of cited) expect([...headings], section).toContain(section)
  })
})
