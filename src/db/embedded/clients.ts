import pgDriver from '../pg-driver.js'

/** Connections of one application name on a server. */
export interface ServerClients {
  /** `application_name` of the connections (`oban-ts Oban worker-1` for a node's pool). */
  application: string
  connections: number
}

/**
 * Who else is connected to the server at `url`: client connections other than this query's own,
 * grouped by application name (sorted). What `oban db stop` shows before cutting them off. A server
 * that cannot be asked has no clients to protect: the empty list.
 */
export async function serverClients(url: string): Promise<ServerClients[]> {
  const client = new pgDriver.Client({
    connectionString: url,
    connectionTimeoutMillis: 5_000,
    application_name: 'oban-ts',
  })
  try {
    await client.connect()
    const {rows} = await client.query<ServerClients>(
      `SELECT coalesce(application_name, '') AS application, count(*)::int AS connections
         FROM pg_stat_activity
        WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
        GROUP BY 1
        ORDER BY 1`,
    )
    return rows
  } catch {
    return []
  } finally {
    await client.end().catch(() => undefined)
  }
}
