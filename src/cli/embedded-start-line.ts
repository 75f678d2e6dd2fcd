/**
 * The line to show before the embedded server is created or started, which takes a while (initdb
 * and the migrations: 10 to 45 seconds on a first run), so that the wait is not silence. Undefined
 * when an external database is used (the URL given, or DATABASE_URL / OBAN_DATABASE_URL) or the
 * server already runs.
 */
export async function embeddedStartLine(options: {
  databaseUrl?: string
  dataDir?: string
  cwd?: string
}): Promise<string | undefined> {
  if (options.databaseUrl || process.env.DATABASE_URL || process.env.OBAN_DATABASE_URL) return undefined
  // Loaded only here: commands on an external database never load the embedded server's modules.
  const {embeddedStatus} = await import('../db/embedded/index.js')
  const status = await embeddedStatus({dataDir: options.dataDir ?? process.env.OBAN_DATA_DIR, cwd: options.cwd})
  if (status.running) return undefined
  return status.initialized
    ? `Starting the embedded PostgreSQL in ${status.dataDir}...`
    : `Creating the embedded PostgreSQL in ${status.dataDir} (first run: initdb, then Oban's tables; 10 to 45 seconds)...`
}
