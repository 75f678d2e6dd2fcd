import {spawnSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'

// A fresh process, since vitest's own may well have loaded Node's fetch already.
function loadFresh(): {undici: boolean; navigator: boolean; client: string} {
  const driver = fileURLToPath(new URL('../../../dist/src/db/pg-driver.js', import.meta.url))
  const script = `
    const {default: pgDriver} = await import(${JSON.stringify(driver)})
    console.log(JSON.stringify({
      undici: process.moduleLoadList.some((name) => name.includes('undici')),
      navigator: 'navigator' in globalThis,
      client: typeof pgDriver.Client,
    }))`
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {encoding: 'utf8'})
  expect(result.stderr).toBe('')
  return JSON.parse(result.stdout) as {undici: boolean; navigator: boolean; client: string}
}

describe('pg-driver', () => {
  it("loads pg without Node's fetch implementation, and leaves no navigator behind", () => {
    const loaded = loadFresh()
    expect(loaded.client).toBe('function')
    expect(loaded.undici).toBe(false)
    // Node 21 and later have a navigator of their own; Node 20 must not gain one.
    expect(loaded.navigator).toBe(Number(process.versions.node.split('.')[0]) >= 21)
  })
})
