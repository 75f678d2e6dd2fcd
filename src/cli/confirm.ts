import {createInterface} from 'node:readline'

export interface PromptStreams {
  input: NodeJS.ReadableStream & {isTTY?: boolean}
  output: NodeJS.WritableStream & {isTTY?: boolean}
}

/**
 * Whether a question can be asked: both stdin (the answer) and stderr (the question) are
 * terminals. Scripts, pipes and CI are not interactive, so they must say `--yes`.
 */
export function canPrompt(streams: PromptStreams = {input: process.stdin, output: process.stderr}): boolean {
  return Boolean(streams.input.isTTY && streams.output.isTTY)
}

/**
 * Asks a yes/no question on `output` (stderr, so stdout stays clean for data) and resolves true
 * only for an explicit yes (`y`, `yes`, any case); the default, an empty answer, Ctrl-D or
 * Ctrl-C, is no.
 */
export function askYesNo(
  question: string,
  streams: PromptStreams = {input: process.stdin, output: process.stderr},
): Promise<boolean> {
  const rl = createInterface({input: streams.input, output: streams.output, terminal: false})
  streams.output.write(`${question} [y/N] `)
  return new Promise((resolve) => {
    let answered = false
    const finish = (answer: boolean) => {
      if (answered) return
      answered = true
      rl.close()
      resolve(answer)
    }
    rl.once('line', (line) => finish(/^\s*y(es)?\s*$/i.test(line)))
    rl.once('close', () => {
      if (!answered) streams.output.write('\n')
      finish(false)
    })
    rl.once('SIGINT', () => finish(false))
  })
}
