import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {REPO} from '../helpers/cli.js'
import {readPublicApi} from '../helpers/public-api.js'

/**
 * The package's public surface, as users get it from the build (dist/, rebuilt by the global
 * setup): each entry point's export names must equal the committed list next to this file, so an
 * export is added or removed only on purpose (update the list in the same commit), and every type
 * a public signature names must be exported too.
 */
const ENTRIES = [
  {entry: 'oban-ts', types: 'dist/src/index.d.ts', js: 'dist/src/index.js', list: 'public-api.txt'},
  {
    entry: 'oban-ts/plugins',
    types: 'dist/plugins/index.d.ts',
    js: 'dist/plugins/index.js',
    list: 'public-api-plugins.txt',
  },
]

describe.each(ENTRIES)('$entry', ({types, js, list}) => {
  const others = ENTRIES.filter((e) => e.types !== types).map((e) => join(REPO, e.types))
  const api = readPublicApi(join(REPO, types), others)

  it('exports exactly the committed list', () => {
    const committed = readFileSync(join(import.meta.dirname, list), 'utf8')
      .split('\n')
      .filter(Boolean)
    expect(api.exports).toEqual(committed)
  })

  it('exports at run time exactly the values of the list', async () => {
    const module = (await import(join(REPO, js))) as Record<string, unknown>
    expect(Object.keys(module).sort()).toEqual([...api.values].sort())
  })

  it('exports every type its public signatures name', () => {
    expect(api.unexported).toEqual([])
  })
})
