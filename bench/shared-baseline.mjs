// The shared peer benchmark's hand-written baseline adapter, for the variants of it kept here
// (baseline-oban-indexes.mjs, baseline-oban-semantics.mjs). PEER_BENCH_DIR points at the shared
// harness (default: ../../shared/bench from this file).
const dir = process.env.PEER_BENCH_DIR
  ? new URL(`file://${process.env.PEER_BENCH_DIR.replace(/\/?$/, '/')}`)
  : new URL('../../shared/bench/', import.meta.url)

export const baseline = await import(new URL('adapters/baseline.mjs', dir).href)

/** The adapter's `meta` and `variants` for one variant of the baseline. */
export function baselineVariant(id, label) {
  return {meta: {packages: ['pg']}, variants: [{id, label, options: {}}]}
}
