import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/app-config';
import { maskPersonalDataIn } from '../../../core/shared/personal-data';
import { redact } from './redact';

/**
 * The process's pino logger: JSON lines `{"level","time","correlationId"?,"context"?,...,"msg"}`
 * on stdout at LOG_LEVEL. Every line's fields pass through `redact` (a pino formatter), so
 * personal data and credentials are never written, however deep they sit (a child logger's bound
 * fields are not formatted: bind ids and contexts only). Nest's Logger reaches it through nestjs-pino.
 */
export function createRootLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (fields) => {
          const safe = redact(fields) as Record<string, unknown>;
          // The fixed keys are the logger's; a field cannot overwrite them.
          delete safe.level;
          delete safe.time;
          return safe;
        },
      },
      // `redact` has already turned errors into { name, message, stack }.
      serializers: { err: (err: unknown) => err },
      hooks: {
        // The message is not a field: mask ID-number and phone shapes in it as `redact` does in fields.
        logMethod(args, method) {
          method.apply(this, args.map((arg) => (typeof arg === 'string' ? maskPersonalDataIn(arg) : arg)) as Parameters<typeof method>);
        },
      },
    },
    destination ?? pino.destination({ fd: 1, sync: true }),
  );
}

/** Injection token of the root pino logger: `@Inject(ROOT_LOGGER) logger: pino.Logger`. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');
