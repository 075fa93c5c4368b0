import { CLOCK_SCENARIOS } from '../factories/clock';
import { describeWithPostgres } from '../factories/services';
import { nrbEnvelope } from '../e2e/transactions.helpers';
import { AGENCY, CENTRE, SERVICE, startFuzzWorld, type FuzzWorld } from './fuzz-world';
import { send, type FuzzRequest } from './http-probe';
import { fetchOpenApi, routesOf } from './openapi-routes';

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

    it.each([
      ['POST', '/v1/bookings'],
      ['POST', `/v1/centres/${CENTRE}/tickets`],
    ])('%s %s: a number too large for a double (read as Infinity, which the fingerprint refuses) is a 422 naming it, not a 500', async (method, target) => {
      const before = await world.counts();
      const response = await send(world.app.url, request(method, target, world.tokens.channel, `{"service": "${SERVICE}", "extra": {"n": [1, 1e400]}}`));
      expect(response.status).toBe(422);
      expect(JSON.parse(response.text)).toMatchObject({ status: 422, errors: [{ field: '/extra/n/1', message: 'is a number too large to read' }] });
      expect(await world.counts()).toEqual(before);
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

    it('GET /v1/audit/transactions and /v1/audit/events: a crafted cursor out of PostgreSQL\'s time range is a 422 on query:cursor', async () => {
      const id = '73603768-95f2-4c4c-905a-238be7d9837e';
      const cursor = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      for (const t of ['99999999999999999999', '9000000000000000000', '-9000000000000000000', '253402300800000000']) {
        for (const target of [`/v1/audit/transactions?cursor=${cursor({ t, i: id })}`, `/v1/audit/events?cursor=${cursor({ t, s: 0, q: 1 })}`]) {
          const response = await send(world.app.url, request('GET', target, world.tokens.auditor));
          expect({ target, t, status: response.status }).toEqual({ target, t, status: 422 });
          expect(JSON.parse(response.text)).toMatchObject({ errors: [{ field: 'query:cursor' }] });
        }
      }
      const page = await send(world.app.url, request('GET', `/v1/audit/transactions?cursor=${cursor({ t: '1764000000000000', i: id })}`, world.tokens.auditor));
      expect(page.status).toBe(200);
    });

    // Issue 10, bad input: impossible days were booked as another day (2027-02-29 → 1 March,
    // T24:00 → the next day) where GET …/slots refused the same dates.
    it.each(['2027-02-29T09:00+03:00', '2027-04-31T09:00+03:00', '2027-02-30T09:00:00+03:00', '2026-11-31T09:00+03:00', '2026-11-05T24:00+03:00'])(
      'POST /v1/bookings with slotStart %s: a day or hour that does not exist is a 422 on /slotStart, nothing booked',
      async (slotStart) => {
        const before = await world.counts();
        const body = { centre: CENTRE, service: SERVICE, slotStart, citizen: { idNumber: '23456789', phone: '+254711222333' }, channel: 'portal' };
        const response = await send(world.app.url, request('POST', '/v1/bookings', world.tokens.channel, JSON.stringify(body)));
        expect(response.status).toBe(422);
        expect(JSON.parse(response.text)).toMatchObject({ errors: [{ field: '/slotStart', message: expect.stringContaining('a real date and time') }] });
        expect(await world.counts()).toEqual(before);
      },
    );

    // Issue 10, bad input: a lone surrogate in a centre's or a counter's name was stored as U+FFFD.
    it('PUT /v1/centres/{code}: a lone surrogate in a centre or counter name, escaped or as raw bytes, is refused and nothing is stored', async () => {
      const centre = (name: string, counter: string) =>
        `{"name":${name},"county":"Nairobi","openingHours":[{"weekday":1,"opens":"08:00","closes":"17:00"}],"counters":[{"code":"9","name":${counter},"services":["${SERVICE}"]}]}`;
      const put = (body: Buffer) => send(world.app.url, { ...request('PUT', '/v1/centres/NRB-SURR', world.tokens.admin, '{}'), body });
      const before = await world.counts();
      const escaped = [centre('"Huduma \\ud800 GPO"', '"Counter 9"'), centre('"Huduma GPO"', '"Counter \\udfff"')].map((text) => Buffer.from(text));
      // The same lone surrogate as bytes (its WTF-8 form), which a lenient decoder turns into U+FFFD.
      const [head, tail] = centre('"Huduma @@ GPO"', '"Counter 9"').split('@@');
      const raw = Buffer.concat([Buffer.from(head), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(tail)]);
      // Escaped: a JSON string the schema refuses (422 on the name); raw: not UTF-8, so not JSON (400).
      for (const [body, status] of [...escaped.map((text) => [text, 422] as const), [raw, 400] as const]) {
        const response = await put(body);
        expect({ body: body.toString('latin1'), status: response.status }).toEqual({ body: body.toString('latin1'), status });
        expect(response.text).not.toContain('\ufffd');
      }
      expect(await world.counts()).toEqual(before);
      expect((await world.db.pool.query("SELECT 1 FROM centres WHERE code = 'NRB-SURR'")).rowCount).toBe(0);
    });

    // Issue 10, bad input: 60,000 unknown keys in a 0.9 MB body got a 3.17 MB error list, in over a
    // second. Every JSON body is refused in one short error, before Ajv lists each key.
    it('answers a body with 60,000 unknown keys with one short error, on every route that takes a JSON body', async () => {
      const keys = Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`k${i}`, 1]));
      const hostile = JSON.stringify(keys);
      const routes = routesOf(await fetchOpenApi(world.app.url)).filter((route) => route.bodySchema);
      expect(routes.length).toBeGreaterThanOrEqual(10);
      const before = await world.counts();
      for (const route of routes) {
        const target = route.template.replace(/\{[^}]+\}/g, (param) => (param === '{code}' ? CENTRE : 'x'));
        const token = world.tokens[route.roles[0] ?? 'admin'];
        const response = await send(world.app.url, request(route.method, target, token, hostile));
        const answer = { route: `${route.method} ${route.template}`, status: response.status, bytes: response.text.length };
        expect(answer).toEqual({ ...answer, status: 422, bytes: expect.any(Number) });
        expect(answer.bytes).toBeLessThan(2000);
        expect(JSON.parse(response.text).errors).toEqual([{ field: '', message: 'has more than 1000 fields' }]);
      }
      expect(await world.counts()).toEqual(before);
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
