import {createRequire} from 'node:module'
import type {distance as Distance} from 'fastest-levenshtein'

// Loaded on the first suggestion, i.e. only on a mistake: the modules that may suggest a name
// (the cron parser, the job filters, the status) are loaded by commands that mostly make none.
const require = createRequire(import.meta.url)

/**
 * The closest candidate to a misspelt name, or undefined when nothing is close enough to be a
 * plausible typo (more than a third of the name would have to change).
 */
export function suggest(input: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  const needle = input.toLowerCase()
  const distance = (require('fastest-levenshtein') as {distance: typeof Distance}).distance
  for (const candidate of candidates) {
    const d = distance(needle, candidate.toLowerCase())
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(input.length / 3)) ? best : undefined
}

/** `" (did you mean \"x\"?)"` or the empty string. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const hit = suggest(input, candidates)
  return hit === undefined ? '' : ` (did you mean "${hit}"?)`
}
