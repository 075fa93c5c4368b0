import { CLOCK_SCENARIOS } from '../factories/clock';
import { describeWithPostgres } from '../factories/services';
import { nrbEnvelope } from '../e2e/transactions.helpers';
import { AGENCY, CENTRE, SERVICE, startFuzzWorld, type FuzzWorld } from './fuzz-world';
import { send, type FuzzRequest } from './http-probe';

/** What the fuzzer found, pinned: each case failed before its fix (see docs/RELIABILITY.md, Fuzzing). */
describeWithPostgres('fuzz findings, fixed', () => {
  describe.each(CLOCK_SCENARIOS)('$name', ({ at }) => {
    let world: FuzzWorld;

    beforeAll(async () => {
      world = await startFuzzWorld(at);
    });

    afterAll(async () => {
      await world?.close();
    });

    const request = (method: string, target: string, token: string, body?: string): FuzzRequest => ({
      route: target,
      method,
      target,
      headers: { authorization: `Bearer ${token}`, 'idempotency-key': `regression-${Math.random()}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : Buffer.from(body),
      bodyKind: 'json',
      auth: 'role',
    });

    it.each([
      ['POST', '/v1/bookings'],
      ['POST', `/v1/centres/${CENTRE}/tickets`],
    ])('%s %s: a body nested thousands of levels deep is a 422, not a 500 (stack overflow while hashing it)', async (method, target) => {
      const before = await world.counts();
      const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
      const response = await send(world.app.url, request(method, target, world.tokens.channel, deep));
      expect(response.status).toBe(422);
      expect(JSON.parse(response.text)).toMatchObject({ status: 422, errors: [{ field: '', message: expect.stringContaining('nested too deeply') }] });
      expect(await world.counts()).toEqual(before);
      // A reasonable body on the same route still gets past the check.
      const shallow = await send(world.app.url, request(method, target, world.tokens.channel, JSON.stringify({ service: SERVICE, a: { b: { c: 1 } } })));
      expect(shallow.status).toBe(422);
      expect(shallow.text).not.toContain('nested too deeply');
    });

    it('does not echo a national ID put in a path, in the detail or the instance', async () => {
      for (const target of ['/v1/centres/12345678', '/v1/agencies/12345678', '/v1/centres/12345678/board']) {
        const response = await send(world.app.url, request('GET', target, world.tokens.admin));
        expect(response.status).toBe(404);
        expect(response.text).not.toContain('12345678');
        expect(JSON.parse(response.text).instance).toContain('****5678');
      }
    });

    it('POST …/counters/%00/call-next: a NUL in a path parameter is a 422, not a 500 (PostgreSQL refuses U+0000 in text)', async () => {
      const before = await world.counts();
      const response = await send(world.app.url, request('POST', `/v1/centres/${CENTRE}/counters/%00/call-next`, world.tokens.officer));
      expect(response.status).toBe(422);
      expect(JSON.parse(response.text)).toMatchObject({ type: 'https://kiungo.dev/problems/nul-character', status: 422 });
      expect(response.text).not.toMatch(/invalid byte sequence|0x00/);
      expect(await world.counts()).toEqual(before);
    });

    it('still names a transaction id (a UUID) in its not-found detail', async () => {
      const id = '73603768-95f2-4c4c-905a-238be7d9837e';
      const response = await send(world.app.url, request('GET', `/v1/transactions/${id}`, world.tokens.admin));
      expect(response.status).toBe(404);
      expect(JSON.parse(response.text).detail).toContain(id);
    });
    // Issue 10, bad input: a cursor is base64url of what the last page wrote, so a caller can craft
    // one. A time PostgreSQL cannot hold (year -271821, 275760) reached the statement: a 500.
    it.each(['/v1/transactions?state=parked&', '/v1/reconciliation?'])('GET %scursor=: a crafted cursor out of PostgreSQL\'s time range is a 422 on query:cursor', async (list) => {
      const id = '73603768-95f2-4c4c-905a-238be7d9837e';
      const crafted = ['-271821-04-20T00:00:00.000Z', '+275760-09-13T00:00:00.000Z', '2026-02-30T00:00:00.000Z', '2026-11-22T09:00:00Z', 1e15].map((c) =>
        Buffer.from(JSON.stringify({ c, i: id })).toString('base64url'),
      );
      for (const cursor of crafted) {
        const response = await send(world.app.url, request('GET', `${list}cursor=${cursor}`, world.tokens.admin));
        expect({ cursor, status: response.status }).toEqual({ cursor, status: 422 });
        expect(JSON.parse(response.text)).toMatchObject({ type: 'https://kiungo.dev/problems/validation-failed', errors: [{ field: 'query:cursor' }] });
      }
      // A cursor the API wrote still pages.
      const valid = Buffer.from(JSON.stringify({ c: '2026-11-22T09:00:00.000Z', i: id })).toString('base64url');
      expect((await send(world.app.url, request('GET', `${list}cursor=${valid}`, world.tokens.admin))).status).toBe(200);
    });

    // Found once the OpenAPI document described these bodies: free text with U+0000 or an unpaired
    // surrogate reached a jsonb column (manual outcome, conflict note) or the audit log (mode reason)
    // and PostgreSQL refused the statement: a 500. Now a 422 naming the field, nothing stored.
    describe('free text PostgreSQL cannot keep', () => {
      const put = (target: string, token: string, body: string) => send(world.app.url, request('PUT', target, token, body));

      it('PUT /v1/agencies/{code}/mode: a reason with an unpaired surrogate or a NUL is a 422 on /reason; the mode is unchanged', async () => {
        const before = await world.counts();
        for (const reason of ['"down \\ud800 since 09:10"', '"down \\u0000 since 09:10"']) {
          const response = await put(`/v1/agencies/${AGENCY}/mode`, world.tokens.operator, `{"mode":"manual","reason":${reason}}`);
          expect(response.status).toBe(422);
          expect(JSON.parse(response.text)).toMatchObject({ status: 422, errors: [{ field: '/reason', message: expect.any(String) }] });
        }
        expect(await world.counts()).toEqual(before);
        const agency = await send(world.app.url, request('GET', `/v1/agencies/${AGENCY}`, world.tokens.operator));
        expect(JSON.parse(agency.text).modeSetting.mode).toBe('auto');
      });

      it('POST …/manual-outcome and POST /v1/reconciliation/{id}/resolve: such a note is a 422 on /note; a note with an emoji is kept', async () => {
        const manual = await put(`/v1/agencies/${AGENCY}/mode`, world.tokens.operator, '{"mode":"manual","reason":"regression: paper process"}');
        expect(manual.status).toBe(200);
        try {
          const submitted = await send(world.app.url, request('POST', '/v1/transactions', world.tokens.officer, JSON.stringify(nrbEnvelope())));
          expect(JSON.parse(submitted.text)).toMatchObject({ state: 'manual' });
          const id = String(JSON.parse(submitted.text).id);
          const before = await world.counts();
          for (const note of ['"seen \\u0000 at the counter"', '"seen \\udc00 at the counter"']) {
            const outcome = await send(world.app.url, request('POST', `/v1/transactions/${id}/manual-outcome`, world.tokens.manager, `{"outcome":"rejected","note":${note}}`));
            expect(outcome.status).toBe(422);
            expect(JSON.parse(outcome.text)).toMatchObject({ errors: [{ field: '/note', message: expect.any(String) }] });
            const resolve = await send(world.app.url, request('POST', `/v1/reconciliation/${id}/resolve`, world.tokens.manager, `{"decision":"keep-manual","note":${note}}`));
            expect(resolve.status).toBe(422);
            expect(JSON.parse(resolve.text)).toMatchObject({ errors: [{ field: '/note', message: expect.any(String) }] });
          }
          expect(await world.counts()).toEqual(before);
          const kept = await send(world.app.url, request('POST', `/v1/transactions/${id}/manual-outcome`, world.tokens.manager, '{"outcome":"rejected","note":"Mwananchi alikataa 😀"}'));
          expect(kept.status).toBe(200);
          expect(JSON.parse(kept.text)).toMatchObject({ result: 'recorded', manualOutcome: { note: 'Mwananchi alikataa 😀' } });
        } finally {
          await put(`/v1/agencies/${AGENCY}/mode`, world.tokens.operator, '{"mode":"auto","reason":"regression over"}');
        }
      });
    });
  });
});
