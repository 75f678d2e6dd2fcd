#!/usr/bin/env bash
# Whole-process wall time of the CLI's quick commands, median of 7 runs each (hyperfine), with
# `node -e "require('pg')"` measured in the same run as the reference: the machine is shared, so
# the ratio to the reference is the figure to compare across runs. CPU time (user + system, mean)
# is printed too: it suffers less than wall time when other processes take the cores.
# Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test bench/cli-startup.sh   (migrated; npm run build first)
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL to a migrated database}"
out=$(mktemp)
hyperfine -N --warmup 2 --runs "${RUNS:-7}" --export-json "$out" \
  -n pg "node -e \"require('pg')\"" \
  -n help 'node bin/run.js --help' \
  -n 'cron next' "node bin/run.js cron next '* * * * *'" \
  -n 'job list' 'node bin/run.js job list' \
  -n 'queue list' 'node bin/run.js queue list' \
  -n status 'node bin/run.js status' >/dev/null
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).results
const ref = r.find((x) => x.command === "pg")
const cpu = (x) => x.user + x.system
for (const x of r)
  console.log(
    `${x.command.padEnd(11)} wall median ${x.median.toFixed(3)} s (min ${x.min.toFixed(3)}, max ${x.max.toFixed(3)}) ${(x.median / ref.median).toFixed(2)}x pg` +
      `   cpu mean ${cpu(x).toFixed(3)} s ${(cpu(x) / cpu(ref)).toFixed(2)}x pg`,
  )
' "$out"
rm -f "$out"
