import {Flags} from '@oclif/core'
import {BaseCommand} from './base-command.js'

/**
 * The base of `oban db start|stop|status|url`, which act on the embedded PostgreSQL and not on
 * Oban's tables: no `--prefix` (it would do nothing). `--database-url` stays, so that `db status`
 * can report it and the others refuse it in one line (see refuseExternalUrl).
 */
export abstract class EmbeddedCommand extends BaseCommand {
  // The cast only satisfies TypeScript's check of static sides (a subclass may not drop a flag);
  // at run time the flags are these, and the db commands never read `prefix`.
  static override baseFlags = {
    'database-url': Flags.string({
      summary:
        'Refused by db start, stop and url, which manage only the embedded server; db status says that other commands would use it.',
      helpValue: 'postgres://USER@HOST/DB',
    }),
  } as unknown as typeof BaseCommand.baseFlags
}
