import type { LoggerService, LogLevel as NestLogLevel } from '@nestjs/common';
import type { LogLevel } from '../config/app-config';
import { currentCorrelationId } from '../http/correlation-id';
import { isErrorLike, redact } from './redact';

/** The levels a line can carry (LogLevel without `silent`). */
export type LineLevel = Exclude<LogLevel, 'silent'>;

const SEVERITY: Readonly<Record<LogLevel, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };
const FROM_NEST: Readonly<Record<NestLogLevel, LineLevel>> = {
  verbose: 'trace',
  debug: 'debug',
  log: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'fatal',
};

const RESERVED = ['time', 'level', 'context', 'msg', 'correlationId'] as const;

export interface JsonLoggerOptions {
  level: LogLevel;
  /** Where lines go; stdout by default. One call per line, newline included. */
  write?: (line: string) => void;
}

/**
 * Nest's logger, as JSON lines: `{"time","level","context","msg","correlationId",...fields}`.
 * The correlation id comes from the request's CLS context (or a `correlationId` field);
 * fields pass through `redact`, so personal data and credentials are never written.
 *
 * Nest's calling convention is kept: `log(message, ...params, context)` where a trailing
 * string is the context, objects are extra fields, and for `error` a string param is the stack.
 * A message may itself be an object: `logger.log({ msg: 'dispatched', transactionId })`.
 */
export class JsonLogger implements LoggerService {
  private threshold: number;
  private readonly write: (line: string) => void;

  constructor(options: JsonLoggerOptions) {
    this.threshold = SEVERITY[options.level];
    this.write = options.write ?? ((line) => process.stdout.write(line));
  }

  log(message: unknown, ...params: unknown[]): void {
    this.fromNest('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.fromNest('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.fromNest('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.fromNest('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.fromNest('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.fromNest('fatal', message, params);
  }

  /** Nest passes its `logger: [...]` option here: the most verbose level listed wins. */
  setLogLevels(levels: NestLogLevel[]): void {
    const severities = levels.map((level) => SEVERITY[FROM_NEST[level]]);
    this.threshold = severities.length > 0 ? Math.min(...severities) : SEVERITY.silent;
  }

  isEnabled(level: LineLevel): boolean {
    return SEVERITY[level] >= this.threshold;
  }

  /** The structured entry point: one line with these fields. */
  emit(level: LineLevel, context: string | undefined, msg: string, fields: Record<string, unknown> = {}): void {
    if (!this.isEnabled(level)) return;
    const safe = redact(fields) as Record<string, unknown>;
    const correlationId = typeof fields.correlationId === 'string' ? fields.correlationId : currentCorrelationId();
    // The fixed keys first, for people reading raw lines; fields cannot overwrite them.
    for (const key of RESERVED) delete safe[key];
    const line = { time: new Date().toISOString(), level, context, msg, correlationId, ...safe };
    this.write(`${JSON.stringify(line)}\n`);
  }

  private fromNest(level: LineLevel, message: unknown, params: unknown[]): void {
    if (!this.isEnabled(level)) return;
    const rest = params.filter((param) => param !== undefined);
    const context = rest.length > 0 && typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;

    const fields: Record<string, unknown> = {};
    let msg: string;
    if (isErrorLike(message)) {
      msg = message.message;
      fields.err = message;
    } else if (typeof message === 'object' && message !== null) {
      const { msg: inner, message: alt, ...others } = message as Record<string, unknown>;
      msg = typeof inner === 'string' ? inner : typeof alt === 'string' ? alt : '';
      Object.assign(fields, others);
    } else {
      msg = String(message);
    }
    for (const param of rest) {
      if (typeof param === 'string') {
        if (level === 'error' || level === 'fatal') fields.stack = param;
        else fields.detail = param;
      } else if (isErrorLike(param)) {
        fields.err = param;
      } else if (typeof param === 'object' && param !== null) {
        Object.assign(fields, param);
      }
    }
    this.emit(level, context, msg, fields);
  }
}
