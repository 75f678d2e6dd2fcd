import {spawnSync} from 'node:child_process'
import {readdirSync, statSync} from 'node:fs'
import {join} from 'node:path'

/** What dist/ is compiled from (tsconfig.build.json), and the files that change how. */
const SOURCES = ['src', 'commands', 'plugins']
const SETTINGS = ['package.json', 'tsconfig.json', 'tsconfig.build.json']

/**
 * The newest and oldest modification times under `path` (itself included). A directory's own
 * time changes when an entry is added, removed or renamed, so a deleted source counts as a change.
 */
function times(path: string, acc = {newest: 0, oldest: Infinity, files: 0}) {
  let info
  try {
    info = statSync(path)
  } catch {
    return acc
  }
  acc.newest = Math.max(acc.newest, info.mtimeMs)
  if (info.isDirectory()) {
    for (const entry of readdirSync(path)) times(join(path, entry), acc)
  } else {
    acc.oldest = Math.min(acc.oldest, info.mtimeMs)
    acc.files++
  }
  return acc
}

/**
 * Whether dist/ (or the oclif manifest made from it) is missing or older than a source: its oldest file must be newer than every
 * source, setting and source directory. `npm run build` deletes dist/ first and rewrites all of
 * it, so a source saved during a build also counts as newer, and the next run builds again.
 */
export function distIsStale(repo: string): boolean {
  const dist = times(join(repo, 'dist'))
  if (dist.files === 0) return true
  // The oclif manifest is the build's last step (scripts/manifest.js): without it the build failed midway.
  if (times(join(repo, 'oclif.manifest.json')).files === 0) return true
  let newest = 0
  for (const path of [...SOURCES, ...SETTINGS]) newest = Math.max(newest, times(join(repo, path)).newest)
  return newest >= dist.oldest
}

/**
 * Runs `npm run build` when dist/ is stale: the tests' `oban` processes run the compiled CLI, and
 * must run the code under test. Checking takes a few milliseconds; building, ten seconds or more.
 * A failed build fails the run, with the compiler's output.
 */
export function ensureBuilt(repo: string): void {
  if (!distIsStale(repo)) return
  const started = Date.now()
  const build = spawnSync('npm', ['run', '--silent', 'build'], {cwd: repo, encoding: 'utf8'})
  if (build.status !== 0) {
    throw new Error(`dist/ is older than the sources and \`npm run build\` failed:\n${build.stdout}${build.stderr}`)
  }
  console.log(`dist/ was older than the sources: rebuilt in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}
