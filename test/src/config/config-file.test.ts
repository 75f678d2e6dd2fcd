import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {findConfigFile, loadConfigFile} from '../../../src/config/config-file.js'
import {ConfigError} from '../../../src/errors.js'

const root = mkdtempSync(join(tmpdir(), 'oban-config-'))
afterAll(() => rmSync(root, {recursive: true, force: true}))

describe('config files', () => {
  it('finds the nearest file up to the project root', () => {
    const project = join(root, 'project')
    mkdirSync(join(project, 'src', 'deep'), {recursive: true})
    writeFileSync(join(project, 'package.json'), '{}')
    expect(findConfigFile(join(project, 'src', 'deep'))).toBeUndefined()
    writeFileSync(join(project, 'oban.config.json'), '{"queues": {"default": 3}}')
    expect(findConfigFile(join(project, 'src', 'deep'))).toBe(join(project, 'oban.config.json'))
  })

  it('loads JSON, TypeScript and function exports', async () => {
    const dir = join(root, 'kinds')
    mkdirSync(dir)
    writeFileSync(join(dir, 'a.json'), '{"name": "A"}')
    writeFileSync(join(dir, 'b.ts'), 'const limit: number = 4\nexport default {queues: {default: limit}}\n')
    writeFileSync(join(dir, 'c.mjs'), 'export default async () => ({name: "C"})\n')
    expect(await loadConfigFile(join(dir, 'a.json'))).toEqual({name: 'A'})
    expect(await loadConfigFile(join(dir, 'b.ts'))).toEqual({queues: {default: 4}})
    expect(await loadConfigFile(join(dir, 'c.mjs'))).toEqual({name: 'C'})
  })

  it('reports broken files with their path', async () => {
    const dir = join(root, 'broken')
    mkdirSync(dir)
    writeFileSync(join(dir, 'bad.json'), '{"queues": ')
    writeFileSync(join(dir, 'list.json'), '[1]')
    await expect(loadConfigFile(join(dir, 'bad.json'))).rejects.toThrow(ConfigError)
    await expect(loadConfigFile(join(dir, 'bad.json'))).rejects.toThrow(/cannot parse .*bad\.json/)
    await expect(loadConfigFile(join(dir, 'list.json'))).rejects.toThrow(/must be an object/)
    await expect(loadConfigFile(join(dir, 'missing.json'))).rejects.toThrow(/config file not found/)
  })
})
