// Lets oclif's CJS resolution see .ts command files in tests, so commands load from source
// without "Could not find source" warnings (see reference/stack-and-style.md §1.2).
import {register} from 'tsx/cjs/api'

register()
