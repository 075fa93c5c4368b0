import { Logger as NestLogger } from '@nestjs/common';
import { Logger, PinoLogger } from 'nestjs-pino';
import type { LogLevel } from '../config/app-config';
import { createRootLogger } from './logger';

function capture(level: LogLevel) {
  const lines: string[] = [];
  const logger = createRootLogger(level, { write: (line: string) => void lines.push(line) });
  return { logger, entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>), lines };
}

describe('the root logger', () => {
  it('writes one JSON object per line with level, time, bound fields and msg', () => {
    const { logger, lines, entries } = capture('info');
    logger.info({ context: 'Worker' }, 'worker started');
    logger.child({ correlationId: 'corr-42' }).warn({ context: 'Dispatch', agency: 'nrb', latencyMs: 812 }, 'agency slow');
    expect(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
    const [started, slow] = entries();
    expect(started).toMatchObject({ level: 'info', context: 'Worker', msg: 'worker started' });
    expect(new Date(String(started.time)).toISOString()).toBe(started.time);
    expect(slow).toMatchObject({ level: 'warn', correlationId: 'corr-42', context: 'Dispatch', msg: 'agency slow', agency: 'nrb', latencyMs: 812 });
  });

  it('redacts personal data and credentials by key, however deep, in the fields of every line', () => {
    const { logger, lines, entries } = capture('info');
    logger.info(
      {
        transactionId: 'tx-1',
        payload: { idNumber: '12345678', phoneNumber: '+254712345678', nested: [{ nationalId: '87654321', service: 'nhif' }] },
        citizen: { name: 'Achieng', phone: '0712' },
        headers: { Authorization: 'Bearer abc.def.ghi', 'x-api-token': 'tkn' },
        password: 'pw',
        clientSecret: 's3',
      },
      'submitted',
    );
    expect(lines[0]).not.toMatch(/12345678|254712345678|87654321|Achieng|0712|abc\.def|tkn|"pw"|s3/);
    expect(entries()[0]).toMatchObject({
      transactionId: 'tx-1',
      payload: { idNumber: '[redacted]', phoneNumber: '[redacted]', nested: [{ nationalId: '[redacted]', service: 'nhif' }] },
      citizen: '[redacted]',
      headers: { Authorization: '[redacted]', 'x-api-token': '[redacted]' },
      password: '[redacted]',
      clientSecret: '[redacted]',
    });
  });

  it('masks ID-number and phone shapes in every string and in the message, whatever the key', () => {
    const { logger, lines, entries } = capture('trace');
    logger.debug({ path: '/v1/centres/12345678/x', err: new Error('duplicate key (0712345678)'), query: 'to=%2B254712345678' }, 'no centre 23456789 for +254722000111');
    expect(lines[0]).not.toMatch(/12345678|712345678|23456789|722000111/);
    expect(entries()[0]).toMatchObject({ path: '/v1/centres/****5678/x', query: 'to=%2B25********78', msg: 'no centre ****6789 for +2547******11' });
    // A UUID, a correlation id or a duration is not personal data.
    logger.info({ transactionId: '12345678-aaaa-4bbb-8ccc-123456789012', ms: 12345678 }, 'took');
    expect(lines[1]).toContain('12345678-aaaa-4bbb-8ccc-123456789012');
  });

  it('writes errors as name, message and stack, survives circular fields, and keeps its own level and time', () => {
    const { logger, entries } = capture('info');
    const loop: Record<string, unknown> = { step: 1 };
    loop.self = loop;
    logger.error({ err: new TypeError('socket closed'), loop, at: new Date(0), size: 10n, level: 'fake', time: 'fake' }, 'publish failed');
    const [entry] = entries();
    expect(entry.err).toEqual({ name: 'TypeError', message: 'socket closed', stack: expect.stringContaining('socket closed') });
    expect(entry.loop).toEqual({ step: 1, self: '[circular]' });
    expect(entry).toMatchObject({ level: 'error', at: '1970-01-01T00:00:00.000Z', size: '10' });
    expect(entry.time).not.toBe('fake');
  });

  it('honours the level, and Nest Logger calls reach it through nestjs-pino with their context', () => {
    const { logger, entries } = capture('warn');
    logger.debug('noise');
    logger.info('noise');
    const nest = new Logger(new PinoLogger({ pinoHttp: { logger }, renameContext: 'context' }), { renameContext: 'context' });
    NestLogger.overrideLogger(nest);
    try {
      new NestLogger('Sweeper').warn('sweep slow');
      new NestLogger('Sweeper').log('not shown');
      new NestLogger('Outbox').error('failed', 'Error: failed\n    at x.ts:1');
    } finally {
      NestLogger.overrideLogger(false);
    }
    expect(entries()).toEqual([
      expect.objectContaining({ level: 'warn', context: 'Sweeper', msg: 'sweep slow' }),
      expect.objectContaining({ level: 'error', context: 'Outbox', msg: 'failed', err: expect.objectContaining({ stack: 'Error: failed\n    at x.ts:1' }) }),
    ]);
    const silent = capture('silent');
    silent.logger.fatal('nothing');
    expect(silent.lines).toEqual([]);
  });
});
