import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    globalSetup: ['test/helpers/global-setup.ts'],
    setupFiles: ['test/helpers/setup.ts'],
    // oclif writes through console.log; vitest's interception would leave captured stdout empty.
    disableConsoleIntercept: true,
    // Two cores: more workers only make the database-backed files slower.
    maxWorkers: 2,
    // Generous: CI runs the suite with both cores busy (stress-ng), and the first command of a file
    // pays for loading oclif and jiti. Tests await conditions; the timeout only catches hangs.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fakeTimers: {toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date']},
  },
})
