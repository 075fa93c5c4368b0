import { Logger } from '@nestjs/common';
import { CLS_ID, ClsServiceManager } from 'nestjs-cls';
import { runWithCorrelationId } from '../http/correlation-id';
import { JsonLogger } from './json-logger';

function capture(level: ConstructorParameters<typeof JsonLogger>[0]['level']) {
  const lines: string[] = [];
  const logger = new JsonLogger({ level, write: (line) => lines.push(line) });
  return { logger, entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>), lines };
}

describe('JsonLogger', () => {
  it('writes one JSON object per line with time, level, context and msg', () => {
    const { logger, lines, entries } = capture('info');
    logger.log('worker started', 'Worker');
    logger.warn({ msg: 'agency slow', agency: 'nrb', latencyMs: 812 }, 'Dispatch');
    expect(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
    const [started, slow] = entries();
    expect(started).toMatchObject({ level: 'info', context: 'Worker', msg: 'worker started' });
    expect(new Date(String(started.time)).toISOString()).toBe(started.time);
    expect(slow).toMatchObject({ level: 'warn', context: 'Dispatch', msg: 'agency slow', agency: 'nrb', latencyMs: 812 });
  });

  it('redacts personal data and credentials by key, however deep', () => {
    const { logger, lines, entries } = capture('info');
    logger.emit('info', 'Test', 'submitted', {
      transactionId: 'tx-1',
      payload: { idNumber: '12345678', phoneNumber: '+254712345678', nested: [{ nationalId: '87654321', service: 'nhif' }] },
      citizen: { name: 'Achieng', phone: '0712' },
      headers: { Authorization: 'Bearer abc.def.ghi', 'x-api-token': 'tkn' },
      password: 'pw',
      clientSecret: 's3',
    });
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

  it('writes errors as name, message and stack, and survives circular fields', () => {
    const { logger, entries } = capture('info');
    const loop: Record<string, unknown> = { step: 1 };
    loop.self = loop;
    logger.emit('error', 'Outbox', 'publish failed', { err: new TypeError('socket closed'), loop, at: new Date(0), size: 10n });
    const [entry] = entries();
    expect(entry.err).toMatchObject({ name: 'TypeError', message: 'socket closed', stack: expect.stringContaining('socket closed') });
    expect(entry.loop).toEqual({ step: 1, self: '[circular]' });
    expect(entry).toMatchObject({ at: '1970-01-01T00:00:00.000Z', size: '10' });
  });

  it('honours the level, and Nest Logger calls reach it', () => {
    const { logger, entries } = capture('warn');
    logger.debug('noise');
    logger.log('noise');
    logger.error('failed', 'Error: failed\n    at x.ts:1', 'Outbox');
    const nest = new Logger('Sweeper');
    Logger.overrideLogger(logger);
    try {
      nest.warn('sweep slow');
      nest.log('not shown');
    } finally {
      Logger.overrideLogger(false);
    }
    expect(entries()).toEqual([
      expect.objectContaining({ level: 'error', context: 'Outbox', msg: 'failed', stack: 'Error: failed\n    at x.ts:1' }),
      expect.objectContaining({ level: 'warn', context: 'Sweeper', msg: 'sweep slow' }),
    ]);
    const silent = capture('silent');
    silent.logger.fatal('nothing');
    expect(silent.lines).toEqual([]);
  });

  it('stamps the correlation id of the current CLS context, or takes an explicit one', async () => {
    const { logger, entries } = capture('info');
    const cls = ClsServiceManager.getClsService();
    await cls.run(async () => {
      cls.set(CLS_ID, 'corr-42');
      await Promise.resolve();
      logger.log('inside');
    });
    await runWithCorrelationId('job-7', async () => {
      await new Promise((resolve) => setImmediate(resolve));
      logger.log('in a job');
    });
    logger.log('outside');
    logger.emit('info', undefined, 'explicit', { correlationId: 'given-1' });
    const [inside, job, outside, explicit] = entries();
    expect(inside.correlationId).toBe('corr-42');
    expect(job.correlationId).toBe('job-7');
    expect(outside.correlationId).toBeUndefined();
    expect(explicit.correlationId).toBe('given-1');
  });
});
