import {describe, expect, it} from 'vitest'
import {parseQueueSpec} from '../../../src/cli/queue-spec.js'
import {ConfigError} from '../../../src/errors.js'

describe('parseQueueSpec (oban start --queues)', () => {
  it('reads QUEUE:LIMIT pairs', () => {
    expect(parseQueueSpec('default:10,events:5')).toEqual({default: 10, events: 5})
    expect(parseQueueSpec(' default : 10 , events:5 ')).toEqual({default: 10, events: 5})
    expect(parseQueueSpec('mail.high:1')).toEqual({'mail.high': 1})
  })

  it.each([
    ['', '--queues: expected QUEUE:LIMIT pairs such as default:10,events:5, got an empty value'],
    ['default:0', '--queues: "default:0" has an invalid limit "0": expected an integer from 1 to 10,000'],
    ['default:x', '--queues: "default:x" has an invalid limit "x": expected an integer from 1 to 10,000'],
    ['default:1.5', '--queues: "default:1.5" has an invalid limit "1.5": expected an integer from 1 to 10,000'],
    ['default:-2', '--queues: "default:-2" has an invalid limit "-2": expected an integer from 1 to 10,000'],
    ['default:', '--queues: "default:" has an invalid limit "": expected an integer from 1 to 10,000'],
    [':3', '--queues: ":3" has no queue name; expected QUEUE:LIMIT, e.g. default:10'],
    ['default', '--queues: "default" has no limit; expected QUEUE:LIMIT, e.g. default:10'],
    ['default:1,,events:2', '--queues: empty entry in "default:1,,events:2"; expected QUEUE:LIMIT'],
    ['default:1,default:2', '--queues: "default:2" repeats queue "default"'],
    [
      'my"queue:1',
      '--queues: "my\\"queue:1" has an invalid queue name: 1 to 127 characters, without spaces, quotes or backslashes',
    ],
  ])('refuses %j naming the bad part', (spec, message) => {
    let thrown: unknown
    try {
      parseQueueSpec(spec)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(ConfigError)
    expect((thrown as ConfigError).message).toBe(message)
    expect((thrown as ConfigError).exitCode).toBe(2)
  })
})
