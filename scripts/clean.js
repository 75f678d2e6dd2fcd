// Removes the previous build so that deleted sources never linger as stale commands in dist/, and
// the oclif manifest made from it (scripts/manifest.js), so that a failed build leaves none behind.
import {rmSync} from 'node:fs'

rmSync(new URL('../dist', import.meta.url), {recursive: true, force: true})
rmSync(new URL('../oclif.manifest.json', import.meta.url), {force: true})
