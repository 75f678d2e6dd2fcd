import type {ChalkInstance} from 'chalk'
import {cell, cut, visibleLength} from './text.js'

/**
 * What sits over the screen and takes the keys until answered: a yes/no question (y or Enter on
 * "yes"… only `y` confirms; anything else declines), or a one-line prompt whose `submit` returns
 * an error to show (the prompt stays) or undefined (the prompt closes).
 */
export type Dialog =
  | {kind: 'confirm'; title: string; lines: string[]; answer: (yes: boolean) => void}
  | {
      kind: 'prompt'
      title: string
      hint?: string
      value: string
      error?: string
      submit: (value: string) => string | undefined
    }

/** The dialog as a box of lines, at most `width` wide. */
export function dialogBox(dialog: Dialog, width: number, colors: ChalkInstance): string[] {
  const inner = Math.max(20, Math.min(width - 4, 72))
  const body =
    dialog.kind === 'confirm'
      ? [...dialog.lines, '', 'y: yes · n or Esc: no']
      : [
          ...(dialog.hint ? [dialog.hint] : []),
          `> ${dialog.value}█`,
          ...(dialog.error ? [colors.red(dialog.error)] : []),
          '',
          'Enter: ok · Esc: cancel',
        ]
  const title = ` ${cut(dialog.title, inner - 2)} `
  return [
    `┌${colors.bold(title)}${'─'.repeat(Math.max(0, inner - title.length))}┐`,
    ...body.map((line) => `│${cell(` ${line}`, inner)}│`),
    `└${'─'.repeat(inner)}┘`,
  ]
}

/** `body` with `box` drawn over its middle rows (whole rows replaced, the box centred). */
export function overlay(body: string[], box: string[], width: number, height: number): string[] {
  const lines = [...body]
  while (lines.length < height) lines.push('')
  const boxWidth = box[0] ? visibleLength(box[0]) : 0
  const left = ' '.repeat(Math.max(0, Math.floor((width - boxWidth) / 2)))
  const top = Math.max(0, Math.floor((height - box.length) / 2))
  box.forEach((line, i) => {
    if (top + i < lines.length) lines[top + i] = left + line
  })
  return lines
}

/** The `?` overlay: every key, by tab; `readonly` leaves out the actions. */
export function helpLines(readonly: boolean): string[] {
  const act = (line: string) => (readonly ? [] : [line])
  return [
    'Everywhere',
    '  1 2 3 / Tab   Queues, Nodes, Jobs          ↑ ↓ j k  move    PgUp PgDn  page',
    '  Enter         open                          Esc      back    g          refresh now',
    '  ?             this help                     q Ctrl-C quit',
    'Queues',
    "  Enter         the queue's jobs",
    ...act('  p / r         pause / resume the queue on every node'),
    ...act('  s             scale: asks for the new limit'),
    ...act('  x             stop the queue on every node (asks first)'),
    'Nodes',
    "  Enter         the node's plugins and their functions" + (readonly ? '' : '; Enter on a function calls it'),
    'Jobs',
    '  ← →  [ ]      previous / next state (all, available, scheduled, executing, …)',
    '  Q W T         filter by queue, worker, tag (empty clears)',
    '  /             search args and meta (text)          0  clear every filter',
    '  n b           next / previous page                 Enter  job detail',
    ...act('  space         mark the job (A marks the page)'),
    ...act('  R C D         retry, cancel, delete the marked jobs, or the one under the cursor (asks first)'),
    '',
    'Any key closes this help.',
  ]
}
