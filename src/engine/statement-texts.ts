/**
 * A cache of statement texts, one per key (the statement's name, which names its prefix and
 * whatever else shapes the text): the statements a busy queue runs all the time (insert, fetch,
 * acks) would otherwise rebuild about a kilobyte of SQL on every call. Keys are ours (names and
 * validated prefixes), so the cache stays as small as the set of statements in use.
 */
export function statementTexts<T>(): (key: string, build: () => T) => T {
  const built = new Map<string, T>()
  return (key, build) => {
    let found = built.get(key)
    if (found === undefined) {
      found = build()
      built.set(key, found)
    }
    return found
  }
}
