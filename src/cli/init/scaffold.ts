import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join, resolve} from 'node:path'
import {CONFIG_FILE_NAMES} from '../../config/config-file.js'
import {ScaffoldConflictError} from '../../errors.js'
import {CONFIG_TEMPLATE, EXAMPLE_WORKER, GITIGNORE_LINE, WORKER_TEMPLATE} from './templates.js'

/** One file `oban init` touched, relative to the project directory. */
export interface ScaffoldedFile {
  path: string
  action: 'created' | 'overwritten' | 'updated' | 'unchanged'
}

/** The `--json` output of `oban init`. A stable, documented shape (README, "Scripting"). */
export interface InitResult {
  /** The project directory (absolute). */
  dir: string
  files: ScaffoldedFile[]
  /** The commands to run next, in order. */
  next: string[]
}

const CONFIG = 'oban.config.ts'
const WORKER = 'workers/example-worker.ts'

/**
 * Writes a starter project into `dir`: `oban.config.ts` (queue default:10, the example worker
 * listed), `workers/example-worker.ts`, and `.oban/` in `.gitignore` (created if missing, never
 * added twice). Existing files, including any other `oban.config.*` (which would shadow or be
 * shadowed by the new one), are a {@link ScaffoldConflictError} and nothing is written, unless
 * `force`.
 */
export function initProject(options: {dir: string; force?: boolean}): InitResult {
  const dir = resolve(options.dir)
  const conflicts = [...CONFIG_FILE_NAMES, WORKER].filter((path) => existsSync(join(dir, path)))
  if (conflicts.length > 0 && !options.force) throw new ScaffoldConflictError(conflicts)
  const files: ScaffoldedFile[] = [
    writeFile(dir, CONFIG, CONFIG_TEMPLATE),
    writeFile(dir, WORKER, WORKER_TEMPLATE),
    ignoreDataDir(dir),
  ]
  const next = [
    ...(isResolvable('oban-ts', dir) ? [] : ['npm install oban-ts']),
    'npx oban start',
    `npx oban job insert ${EXAMPLE_WORKER} --args '{"name": "Ada"}'`,
  ]
  return {dir, files, next}
}

function writeFile(dir: string, path: string, content: string): ScaffoldedFile {
  const file = join(dir, path)
  const existed = existsSync(file)
  mkdirSync(dirname(file), {recursive: true})
  writeFileSync(file, content)
  return {path, action: existed ? 'overwritten' : 'created'}
}

/** Adds `.oban/` to .gitignore unless a line already ignores it (`.oban`, `.oban/`, `/.oban/`). */
function ignoreDataDir(dir: string): ScaffoldedFile {
  const file = join(dir, '.gitignore')
  if (!existsSync(file)) {
    writeFileSync(file, `${GITIGNORE_LINE}\n`)
    return {path: '.gitignore', action: 'created'}
  }
  const text = readFileSync(file, 'utf8')
  if (text.split(/\r?\n/).some((line) => /^\/?\.oban\/?$/.test(line.trim())))
    return {path: '.gitignore', action: 'unchanged'}
  const separator = text === '' || text.endsWith('\n') ? '' : '\n'
  writeFileSync(file, `${text}${separator}${GITIGNORE_LINE}\n`)
  return {path: '.gitignore', action: 'updated'}
}

/** Whether `import 'name'` works from `dir`, i.e. the package is installed there or above. */
function isResolvable(name: string, dir: string): boolean {
  try {
    createRequire(join(dir, 'package.json')).resolve(name)
    return true
  } catch {
    return false
  }
}
