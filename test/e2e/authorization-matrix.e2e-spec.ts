import { createHmac, randomUUID } from 'node:crypto';
import { ROLES, type Role } from '../../core/authorization';
import { createTestDatabase, type TestDatabase } from '../factories/database';
import { startTestApp, type TestApp } from '../factories/app';
import { inNairobi, SettableClock } from '../factories/clock';
import { KeycloakTestRealm, type TokenOptions } from '../factories/keycloak';
import { startRestAgency, type RestAgencySimulator } from '../simulators/rest-agency/rest-agency.simulator';
import { COMBOS, MATRIX, type ComboName, type RouteRow } from './authorization-matrix.table';
import { centreBody } from './bookings.helpers';
import { nrbEnvelope } from './transactions.helpers';

/**
 * The authorization matrix on the real app (real PostgreSQL, Keycloak-shaped tokens verified
 * against a real JWKS endpoint): every route of the OpenAPI document × every role and the role
 * combinations of authorization-matrix.table.ts, the scopes against resources of the caller's own
 * and another centre, agency and creator, and every kind of bad token.
 */
const DAY = '2026-11-24'; // a Tuesday
const OWN = 'NRB-GPO';
const OTHER = 'MSA-CBD';
const PORTAL = 'svc-portal';

interface Caller {
  roles: readonly Role[];
  centre?: string;
  agency?: string;
  sub?: string;
  client?: string;
}

interface Reply {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON body read by tests
  body: any;
}

describe('authorization matrix', () => {
  let db: TestDatabase;
  let realm: KeycloakTestRealm;
  let agency: RestAgencySimulator;
  let app: TestApp;
  const clock = new SettableClock(inNairobi(DAY, '10:00'));
  // The resources of the world: all at NRB-GPO, for agency nrb, created through the portal.
  const world = { transaction: '', stored: '', manual: '', ticket: '', booking: '' };

  const token = (caller: Caller, options: TokenOptions = {}): string => {
    const mapped = { ...(caller.centre ? { centre: caller.centre } : {}), ...(caller.agency ? { agency: caller.agency } : {}) };
    const override = { sub: caller.sub ?? PORTAL, ...options.override };
    return realm.userToken({ username: 'matrix.user', client: caller.client ?? 'kiungo-portal', realmRoles: [...caller.roles], mapped }, { ...options, override });
  };

  const call = async (method: string, path: string, bearer: string | null, body?: unknown): Promise<Reply> => {
    const aborter = new AbortController();
    const response = await fetch(`${app.url}${path}`, {
      method,
      signal: aborter.signal,
      headers: {
        ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const type = response.headers.get('content-type') ?? '';
    if (type.startsWith('text/event-stream')) {
      aborter.abort(); // a board's stream never ends: its status is the answer
      return { status: response.status, body: '' };
    }
    const text = await response.text();
    return { status: response.status, body: /^application\/(problem\+)?json/.test(type) && text ? JSON.parse(text) : text };
  };
  const as = (caller: Caller, method: string, path: string, body?: unknown) => call(method, path, token(caller), body);

  const centreDefinition = {
    ...centreBody(
      null,
      [{ service: 'id-card-replacement', ticketLetter: 'A', slotCapacity: 10 }],
      [
        { code: '1', name: 'Counter 1', services: ['id-card-replacement'] },
        { code: '2', name: 'Counter 2', services: ['id-card-replacement'] },
      ],
    ),
    name: 'Matrix Centre',
  };
  const bookingBody = (idNumber: string) => ({
    centre: OWN,
    service: 'id-card-replacement',
    slotStart: inNairobi('2026-11-25', '10:00').toISOString(),
    citizen: { idNumber, phone: '+254712345678' },
    channel: 'portal',
  });
  const expectStatus = async (reply: Promise<Reply>, status: number, label: string) => {
    const { status: got, body } = await reply;
    expect({ label, status: got, body: got === status ? undefined : body }).toEqual({ label, status, body: undefined });
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    realm = await KeycloakTestRealm.start();
    agency = await startRestAgency({ referencePrefix: 'NRB' });
    app = await startTestApp({ databaseUrl: db.url, endpointOverrides: { nrb: agency.url }, clock, env: { OIDC_ISSUER_URL: realm.issuer } });

    const admin: Caller = { roles: ['admin'], sub: 'matrix-admin' };
    for (const code of [OWN, OTHER]) expect((await as(admin, 'PUT', `/v1/centres/${code}`, centreDefinition)).status).toBe(201);
    const portal: Caller = { roles: ['channel'] };
    const submitted = await as(portal, 'POST', '/v1/transactions', nrbEnvelope());
    // 200 completed, or 202 retrying when the busy box let the inline attempt time out: either will do.
    expect([200, 202]).toContain(submitted.status);
    world.transaction = submitted.body.id;

    // Stored for later (an acknowledgment) and handled on paper (a manual outcome): the agency in manual mode.
    const operator: Caller = { roles: ['operator'], sub: 'matrix-operator' };
    expect((await as(operator, 'PUT', '/v1/agencies/nrb/mode', { mode: 'manual', reason: 'matrix' })).status).toBe(200);
    world.stored = (await as(portal, 'POST', '/v1/transactions', nrbEnvelope())).body.id;
    world.manual = (await as(portal, 'POST', '/v1/transactions', { ...nrbEnvelope(), service: 'id-card-amendment' })).body.id;
    expect((await as(operator, 'PUT', '/v1/agencies/nrb/mode', { mode: 'auto', reason: 'matrix' })).status).toBe(200);

    const ticket = await as(portal, 'POST', `/v1/centres/${OWN}/tickets`, { service: 'id-card-replacement', priority: 'none' });
    expect(ticket.status).toBe(201);
    world.ticket = ticket.body.id;
    const booking = await as(portal, 'POST', '/v1/bookings', bookingBody('12345678'));
    expect(booking.status).toBe(201);
    world.booking = booking.body.reference;
  });

  afterAll(async () => {
    await app?.close();
    await agency?.close();
    await realm?.close();
    await db?.close();
  });

  describe('scopes: own and other centre, agency and creator, whatever else the token holds', () => {
    const officerAt = (centre: string, ...more: Role[]): Caller => ({ roles: ['officer', ...more], centre, agency: 'nrb', sub: `officer-${centre}` });
    const managerAt = (centre?: string): Caller => ({ roles: ['manager'], centre, sub: `manager-${centre ?? 'any'}` });

    it('reads a transaction only within the scope of every role held', async () => {
      const path = `/v1/transactions/${world.transaction}`;
      const cases: [string, Caller, number][] = [
        ['the channel that submitted it', { roles: ['channel'] }, 200],
        ['another channel', { roles: ['channel'], sub: 'svc-ussd', client: 'kiungo-ussd' }, 404],
        ['another channel that is also an auditor', { roles: ['channel', 'auditor'], sub: 'svc-ussd' }, 404],
        ['an officer of its centre', officerAt(OWN), 200],
        ['an officer of another centre', officerAt(OTHER), 404],
        ['an officer of another centre that is also an auditor', officerAt(OTHER, 'auditor'), 404],
        ['an officer of another centre that is also an admin', officerAt(OTHER, 'admin'), 404],
        ['a manager of its centre', managerAt(OWN), 200],
        ['a manager of another centre', managerAt(OTHER), 404],
        ['a manager bound to no centre', managerAt(), 200],
        ['its agency', { roles: ['agency'], agency: 'nrb' }, 200],
        ['another agency', { roles: ['agency'], agency: 'kra' }, 404],
        ['another agency with personal-data', { roles: ['agency', 'personal-data'], agency: 'kra' }, 404],
        ['another agency that is also an auditor', { roles: ['agency', 'auditor'], agency: 'kra' }, 404],
        ['an agency naming none', { roles: ['agency'] }, 403],
        ['an auditor', { roles: ['auditor'] }, 200],
      ];
      for (const [label, caller, status] of cases) await expectStatus(as(caller, 'GET', path), status, label);
      // The acknowledgment, of a transaction stored for later.
      const ack = `/v1/transactions/${world.stored}/acknowledgment`;
      await expectStatus(as({ roles: ['channel'] }, 'GET', ack), 200, 'ack: its channel');
      await expectStatus(as({ roles: ['channel'], sub: 'svc-ussd' }, 'GET', ack), 404, 'ack: another channel');
      await expectStatus(as(officerAt(OTHER, 'admin'), 'GET', ack), 404, 'ack: another centre, admin too');
      await expectStatus(as(officerAt(OWN), 'GET', ack), 200, 'ack: its centre');
      // The trail: an agency client that is also an auditor stays with its agency.
      await expectStatus(as({ roles: ['agency', 'auditor'], agency: 'kra' }, 'GET', `${path}/events`), 404, 'trail: another agency');
      await expectStatus(as({ roles: ['agency'], agency: 'nrb' }, 'GET', `${path}/events`), 200, 'trail: its agency');
    });

    it('lists and replays only the transactions of a bound manager’s centre', async () => {
      // The transaction handled on paper stays in `manual` until its outcome is recorded (a later test).
      const ids = async (caller: Caller) => (await as(caller, 'GET', '/v1/transactions?state=manual')).body.items.map((t: { id: string }) => t.id);
      expect(await ids(managerAt(OWN))).toContain(world.manual);
      expect(await ids(managerAt(OTHER))).not.toContain(world.manual);
      expect(await ids({ ...officerAt(OTHER, 'auditor') })).not.toContain(world.manual);
      expect(await ids({ roles: ['auditor'] })).toContain(world.manual);
      await expectStatus(as(managerAt(OTHER), 'POST', `/v1/transactions/${world.transaction}/replay`), 403, 'replay: another centre');
      await expectStatus(as(managerAt(OWN), 'POST', `/v1/transactions/${world.transaction}/replay`), 409, 'replay: its centre, not parked');
      await expectStatus(as(managerAt(OTHER), 'POST', `/v1/reconciliation/${world.transaction}/resolve`, { decision: 'keep-manual' }), 403, 'resolve: another centre');
      await expectStatus(as(managerAt(OWN), 'POST', `/v1/reconciliation/${world.transaction}/resolve`, { decision: 'keep-manual' }), 409, 'resolve: its centre, no conflict');
    });

    it('records a manual outcome only at the transaction’s centre', async () => {
      const path = `/v1/transactions/${world.manual}/manual-outcome`;
      const outcome = { outcome: 'completed', agencyRef: 'PAPER-1' };
      await expectStatus(as(officerAt(OTHER), 'POST', path, outcome), 403, 'officer of another centre');
      await expectStatus(as(officerAt(OTHER, 'auditor'), 'POST', path, outcome), 403, 'officer of another centre, auditor too');
      await expectStatus(as(officerAt(OTHER, 'manager'), 'POST', path, outcome), 403, 'officer of another centre, manager too');
      await expectStatus(as(managerAt(OTHER), 'POST', path, outcome), 403, 'manager of another centre');
      await expectStatus(as(officerAt(OWN), 'POST', path, outcome), 200, 'officer of its centre');
    });

    it('keeps an officer at its centre for counters and tickets, whatever else the token holds', async () => {
      for (const other of ['auditor', 'agency', 'manager', 'operator', 'admin', 'channel'] as Role[]) {
        const elsewhere = officerAt(OTHER, other);
        await expectStatus(as(elsewhere, 'POST', `/v1/centres/${OWN}/counters/1/open`), 403, `open, officer+${other}`);
        await expectStatus(as(elsewhere, 'POST', `/v1/centres/${OWN}/tickets`, { service: 'id-card-replacement', priority: 'none' }), 403, `issue, officer+${other}`);
        await expectStatus(as(elsewhere, 'POST', `/v1/centres/${OWN}/counters/1/call-next`), 403, `call-next, officer+${other}`);
      }
      const officer = officerAt(OWN);
      await expectStatus(as(officer, 'POST', `/v1/centres/${OWN}/counters/1/open`), 201, 'open at its centre');
      const called = await as(officer, 'POST', `/v1/centres/${OWN}/counters/1/call-next`);
      expect(called.body.ticket.id).toBe(world.ticket);
      for (const other of ['auditor', 'manager', 'admin'] as Role[]) {
        await expectStatus(as(officerAt(OTHER, other), 'POST', `/v1/tickets/${world.ticket}/recall`), 403, `recall, officer+${other}`);
        await expectStatus(as(officerAt(OTHER, other), 'POST', `/v1/tickets/${world.ticket}/complete`, {}), 403, `complete, officer+${other}`);
      }
      await expectStatus(as(managerAt(OTHER), 'GET', `/v1/tickets/${world.ticket}`), 403, 'ticket: manager of another centre');
      await expectStatus(as(managerAt(OWN), 'GET', `/v1/tickets/${world.ticket}`), 200, 'ticket: manager of its centre');
      await expectStatus(as(officer, 'POST', `/v1/tickets/${world.ticket}/complete`, {}), 200, 'complete at its centre');
      // Closing: another officer of the centre may not, a manager of another centre may not, its manager may.
      await expectStatus(as({ ...officerAt(OWN), sub: 'officer-two' }, 'POST', `/v1/centres/${OWN}/counters/1/close`), 409, 'close: another officer');
      await expectStatus(as(managerAt(OTHER), 'POST', `/v1/centres/${OWN}/counters/1/close`), 403, 'close: manager of another centre');
      await expectStatus(as(managerAt(OWN), 'POST', `/v1/centres/${OWN}/counters/1/close`), 200, 'close: manager of its centre');
    });

    it("shows a bound manager its centre's KPIs only", async () => {
      await expectStatus(as(managerAt(OTHER), 'GET', `/v1/centres/${OWN}/kpis?date=${DAY}`), 403, 'kpis: another centre');
      await expectStatus(as(managerAt(OWN), 'GET', `/v1/centres/${OWN}/kpis?date=${DAY}`), 200, 'kpis: its centre');
      const range = await as(managerAt(OTHER), 'GET', `/v1/kpis?from=${DAY}&to=${DAY}`);
      expect(range.status).toBe(200);
      expect(range.body.centres.map((c: { centre: string }) => c.centre)).not.toContain(OWN);
      const all = await as({ roles: ['operator'] }, 'GET', `/v1/kpis?from=${DAY}&to=${DAY}`);
      expect(all.body.centres.map((c: { centre: string }) => c.centre)).toContain(OWN);
    });

    it('shows bookings within the centre scope, and audits every unmasked read', async () => {
      await expectStatus(as(officerAt(OTHER), 'GET', `/v1/bookings/${world.booking}`), 404, 'booking: officer of another centre');
      await expectStatus(as(officerAt(OTHER, 'admin'), 'GET', `/v1/bookings/${world.booking}`), 404, 'booking: officer of another centre, admin too');
      await expectStatus(as(managerAt(OTHER), 'GET', `/v1/bookings/${world.booking}`), 404, 'booking: manager of another centre');
      await expectStatus(as(officerAt(OTHER, 'auditor'), 'POST', '/v1/bookings', bookingBody('23456789')), 403, 'book: officer of another centre, auditor too');
      const unmasked = await as({ roles: ['officer', 'personal-data'], centre: OWN, sub: 'officer-reader', client: 'kiungo-counter' }, 'GET', `/v1/bookings/${world.booking}`);
      expect(unmasked.body.citizen.idNumber).toBe('12345678');
      const reads = await db.pool.query(`SELECT actor, data FROM audit_events WHERE entity_type = 'booking' AND entity_id = $1 AND type = 'personal_data_read'`, [world.booking]);
      expect(reads.rows).toEqual([{ actor: 'officer-reader', data: { client: 'kiungo-counter' } }]);
    });

    it('audits an unmasked transaction read, naming the reader and its client; a masked one is not an event', async () => {
      const path = `/v1/transactions/${world.transaction}`;
      const reads = () => db.pool.query(`SELECT actor, data FROM audit_events WHERE entity_id = $1 AND type = 'personal_data_read'`, [world.transaction]);
      expect((await as({ roles: ['auditor'] }, 'GET', path)).body.citizen.idNumber).toBe('****5678');
      expect((await reads()).rows).toEqual([]);
      const unmasked = await as({ roles: ['auditor', 'personal-data'], sub: 'auditor-njeri', client: 'kiungo-audit' }, 'GET', path);
      expect(unmasked.body.citizen.idNumber).toBe('12345678');
      expect((await reads()).rows).toEqual([{ actor: 'auditor-njeri', data: { client: 'kiungo-audit' } }]);
      // An agency with personal-data reads its own agency's, audited; another agency's not at all.
      await expectStatus(as({ roles: ['agency', 'personal-data'], agency: 'kra', sub: 'agency-kra' }, 'GET', path), 404, 'another agency');
      expect((await reads()).rows).toHaveLength(1);
      // The trail shows the read too.
      const trail = await as({ roles: ['auditor'] }, 'GET', `${path}/events`);
      expect(trail.body.items.map((e: { type: string }) => e.type)).toContain('personal_data_read');
    });

    it('records the authenticated officer and the calling client, and refuses a body naming an officer', async () => {
      const before = await db.pool.query('SELECT count(*)::int AS n FROM transactions');
      const named = await as(officerAt(OWN), 'POST', '/v1/transactions', { ...nrbEnvelope(), officer: 'someone-else' });
      expect(named.status).toBe(422);
      expect(named.body.errors).toEqual([expect.objectContaining({ message: expect.stringContaining('"officer"') })]);
      expect((await db.pool.query('SELECT count(*)::int AS n FROM transactions')).rows).toEqual(before.rows);

      const byOfficer = await as({ ...officerAt(OWN), sub: 'officer-otieno', client: 'kiungo-counter' }, 'POST', '/v1/transactions', nrbEnvelope());
      const byPortal = await as({ roles: ['channel'], client: 'kiungo-portal' }, 'POST', '/v1/transactions', nrbEnvelope());
      const rows = await db.pool.query(`SELECT id, officer_id, submitted_by, channel_client FROM transactions WHERE id = ANY($1::uuid[]) ORDER BY created_at`, [[byOfficer.body.id, byPortal.body.id]]);
      expect(rows.rows).toEqual([
        { id: byOfficer.body.id, officer_id: 'officer-otieno', submitted_by: 'officer-otieno', channel_client: 'kiungo-counter' },
        { id: byPortal.body.id, officer_id: null, submitted_by: PORTAL, channel_client: 'kiungo-portal' },
      ]);
      const received = await db.pool.query(`SELECT data FROM audit_events WHERE entity_id = $1 AND type = 'received'`, [byPortal.body.id]);
      expect(received.rows[0].data).toMatchObject({ client: 'kiungo-portal' });
      const listed = await as({ roles: ['auditor'] }, 'GET', '/v1/audit/transactions?channel=counter&limit=500');
      expect(listed.body.items.find((t: { id: string }) => t.id === byPortal.body.id)).toMatchObject({ channelClient: 'kiungo-portal', officer: null });
      // The client is in the chain: rewriting it on the row is found by verify.
      await db.pool.query(`UPDATE transactions SET channel_client = 'kiungo-ussd' WHERE id = $1`, [byPortal.body.id]);
      const verified = await as({ roles: ['auditor'] }, 'GET', '/v1/audit/verify');
      expect(verified.body.findings).toContainEqual(expect.objectContaining({ entityId: byPortal.body.id, reason: 'received_mismatch', detail: expect.stringContaining('client') }));
      await db.pool.query(`UPDATE transactions SET channel_client = 'kiungo-portal' WHERE id = $1`, [byPortal.body.id]);
      // A channel token that also holds officer submits for the officer's centre only.
      await expectStatus(as(officerAt(OTHER, 'channel'), 'POST', '/v1/transactions', nrbEnvelope()), 403, 'officer+channel for another centre');
    });

    it('refuses an agency client that is also an auditor the verification of the whole log', async () => {
      await expectStatus(as({ roles: ['agency', 'auditor'], agency: 'nrb' }, 'GET', '/v1/audit/verify'), 403, 'agency+auditor');
      await expectStatus(as({ roles: ['auditor'] }, 'GET', '/v1/audit/verify'), 200, 'auditor');
    });
  });

  describe('every route of the OpenAPI document', () => {
    let routes: { key: string; method: string; template: string; action?: string }[];

    beforeAll(async () => {
      const document = (await (await fetch(`${app.url}/docs/json`)).json()) as { paths: Record<string, Record<string, { 'x-kiungo-action'?: string; security?: unknown[] }>> };
      routes = Object.entries(document.paths).flatMap(([template, item]) =>
        Object.entries(item)
          .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
          .map(([method, operation]) => ({ key: `${method.toUpperCase()} ${template}`, method: method.toUpperCase(), template, action: operation['x-kiungo-action'] })),
      );
    });

    const pathOf = (template: string, row: RouteRow): string => {
      const defaults: Record<string, string> = { id: world.transaction, reference: world.booking, code: OWN, counter: '2' };
      if (template.startsWith('/v1/tickets/')) defaults.id = world.ticket;
      if (template.endsWith('/acknowledgment')) defaults.id = world.stored;
      const filled = template.replace(/\{([^}]+)\}/g, (_, name: string) => row.params?.[name] ?? defaults[name]);
      return row.query ? `${filled}?${row.query}` : filled;
    };

    it('has a row for every route, the action the route documents, and a route for every row', () => {
      const keys = routes.map((r) => r.key).sort();
      expect(keys.filter((key) => MATRIX[key] === undefined)).toEqual([]);
      expect(Object.keys(MATRIX).filter((key) => !keys.includes(key))).toEqual([]);
      for (const route of routes) {
        const row = MATRIX[route.key];
        expect({ route: route.key, action: route.action }).toEqual({ route: route.key, action: row === 'public' ? undefined : row.action });
      }
    });

    it('answers public routes without a token', async () => {
      for (const route of routes.filter((r) => MATRIX[r.key] === 'public')) {
        const path = route.template.replace('{code}', OWN);
        const reply = await call(route.method, path, null, route.method === 'POST' ? {} : undefined);
        expect({ route: route.key, status: [401, 403].includes(reply.status) ? reply.status : 'answered' }).toEqual({ route: route.key, status: 'answered' });
      }
    });

    it('lets each role through exactly where its row says, alone and combined', async () => {
      const singles = ROLES.map((role) => [role, [role]] as [string, Role[]]);
      const combos = Object.entries(COMBOS) as [ComboName, readonly Role[]][];
      const failures: string[] = [];
      for (const route of routes) {
        const row = MATRIX[route.key];
        if (row === 'public' || row === undefined) continue;
        const path = pathOf(route.template, row);
        const body = route.method === 'GET' ? undefined : {};
        for (const [name, roles] of [...singles, ...combos]) {
          const allowed = roles.some((role) => (row.roles as string[]).includes(role)) && !(row.refuses ?? []).includes(name as ComboName);
          const reply = await call(route.method, path, token({ roles, centre: OWN, agency: 'nrb' }), body);
          const passed = reply.status !== 401 && reply.status !== 403;
          if (passed !== allowed) failures.push(`${route.key} as ${name}: ${reply.status} ${reply.body?.type ?? ''}, expected ${allowed ? 'through' : '403'}`);
          else if (!allowed && reply.body?.type === undefined) failures.push(`${route.key} as ${name}: 403 without problem+json`);
        }
      }
      expect(failures).toEqual([]);
    });

    it('answers 401 to a missing, expired, wrong-issuer, wrong-audience, alg:none, HS256-with-the-public-key or tampered token on every protected route', async () => {
      const admin: Caller = { roles: ['admin', 'personal-data'], sub: 'matrix-admin' };
      const valid = token(admin);
      const [header, payload] = valid.split('.');
      const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const hsHeader = encode({ alg: 'HS256', typ: 'JWT', kid: realm.activeKey.kid });
      const publicPem = realm.activeKey.publicKey.export({ type: 'spki', format: 'pem' });
      const hsSigned = `${hsHeader}.${payload}.${createHmac('sha256', publicPem).update(`${hsHeader}.${payload}`).digest('base64url')}`;
      const channel = token({ roles: ['channel'] });
      const [channelHeader, channelPayload, channelSignature] = channel.split('.');
      const channelClaims = JSON.parse(Buffer.from(channelPayload, 'base64url').toString());
      const bad: [string, string | null][] = [
        ['missing', null],
        ['expired', token(admin, { expiresIn: -120 })],
        ['wrong issuer', token(admin, { override: { iss: `${realm.base}/realms/other` } })],
        ['wrong audience', realm.userToken({ username: 'matrix.admin', client: 'kiungo-portal', realmRoles: ['admin'], audiences: ['other-api'] })],
        ['alg none', `${encode({ alg: 'none', typ: 'JWT' })}.${payload}.`],
        ['HS256 with the public key', hsSigned],
        ['tampered', `${channelHeader}.${encode({ ...channelClaims, realm_access: { roles: ['admin', 'personal-data'] } })}.${channelSignature}`],
        ['tampered header', `${encode({ ...JSON.parse(Buffer.from(header, 'base64url').toString()), kid: 'other' })}.${encode(claims)}.${valid.split('.')[2]}`],
      ];
      const failures: string[] = [];
      for (const route of routes) {
        const row = MATRIX[route.key];
        if (row === 'public' || row === undefined) continue;
        for (const [label, bearer] of bad) {
          const reply = await call(route.method, pathOf(route.template, row), bearer, route.method === 'GET' ? undefined : {});
          if (reply.status !== 401) failures.push(`${route.key} with a ${label} token: ${reply.status}`);
        }
      }
      expect(failures).toEqual([]);
    });
  });
});
