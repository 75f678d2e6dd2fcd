import type {MigrationStep} from './step.js'
import * as v01 from './v01.js'
import * as v02 from './v02.js'
import * as v03 from './v03.js'
import * as v04 from './v04.js'
import * as v05 from './v05.js'
import * as v06 from './v06.js'
import * as v07 from './v07.js'
import * as v08 from './v08.js'
import * as v09 from './v09.js'
import * as v10 from './v10.js'
import * as v11 from './v11.js'
import * as v12 from './v12.js'
import * as v13 from './v13.js'
import * as v14 from './v14.js'

/** Oban's Postgres migrations, in order; `STEPS[n - 1].version === n`. */
export const STEPS: readonly MigrationStep[] = [
  v01,
  v02,
  v03,
  v04,
  v05,
  v06,
  v07,
  v08,
  v09,
  v10,
  v11,
  v12,
  v13,
  v14,
].map((step, index) => ({version: index + 1, up: step.up, down: step.down}))

/** The step of one version (1..14). */
export function step(version: number): MigrationStep {
  const found = STEPS[version - 1]
  if (!found) throw new RangeError(`no migration step for version ${version}`)
  return found
}
