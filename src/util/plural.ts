import {formatCount} from './format-count.js'

/** `1 job`, `1,234 jobs`. */
export function plural(count: number, noun: string): string {
  return `${formatCount(count)} ${noun}${count === 1 ? '' : 's'}`
}
