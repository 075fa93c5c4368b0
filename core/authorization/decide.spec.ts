import { DomainError } from '../shared/errors';
import { authorize, decide, officerOf, type Actor } from '.';

const actor = (roles: string[], claims: Partial<Actor> = {}): Actor => ({ subject: 'someone', roles, ...claims });

describe('decide', () => {
  it('refuses a role the action does not list, naming the roles that may', () => {
    const decision = decide(actor(['auditor']), 'counter.work');
    expect(decision).toEqual({ allowed: false, category: 'forbidden', code: 'insufficient-role', reason: 'This operation needs one of the roles: officer.' });
  });

  it('keeps an officer at its centre whatever else the token holds', () => {
    for (const other of ['auditor', 'agency', 'manager', 'channel', 'operator', 'admin', 'personal-data']) {
      const officer = actor(['officer', other], { centre: 'NRB-GPO', agency: 'nrb' });
      expect(decide(officer, 'counter.work', { centre: 'MSA-CBD' })).toMatchObject({ allowed: false, code: 'wrong-centre' });
      expect(decide(officer, 'ticket.serve', { centre: 'MSA-CBD' })).toMatchObject({ allowed: false });
      expect(decide(officer, 'counter.work', { centre: 'NRB-GPO' })).toMatchObject({ allowed: true, scope: { centre: 'NRB-GPO' } });
      // A submit: the body's centre is checked, and the scope names the centre a body without one is recorded for.
      expect(decide(officer, 'transaction.submit', { centre: 'MSA-CBD', agency: 'nrb' })).toMatchObject({ allowed: false, code: 'wrong-centre' });
      expect(decide(officer, 'transaction.submit', { centre: undefined, agency: 'nrb' })).toMatchObject({ allowed: true, scope: { centre: 'NRB-GPO' } });
    }
    expect(decide(actor(['officer', 'auditor']), 'counter.work')).toMatchObject({ allowed: false, code: 'no-centre' });
  });

  it('keeps an agency client with its agency, with personal-data too', () => {
    const agency = actor(['agency', 'personal-data'], { agency: 'nrb' });
    expect(decide(agency, 'transaction.read', { agency: 'kra', centre: null, creator: 'x' })).toMatchObject({ allowed: false, category: 'not_found' });
    expect(decide(agency, 'transaction.read', { agency: 'nrb', centre: null, creator: 'x' })).toEqual({ allowed: true, scope: { agency: 'nrb', personalData: true } });
    expect(decide(actor(['agency', 'auditor'], { agency: 'nrb' }), 'audit.read')).toEqual({ allowed: true, scope: { agency: 'nrb', personalData: false } });
    // Verifying covers every agency: it cannot be narrowed to one.
    expect(decide(actor(['agency', 'auditor'], { agency: 'nrb' }), 'audit.verify')).toMatchObject({ allowed: false, code: 'scope-too-wide' });
    expect(decide(actor(['agency']), 'audit.read')).toMatchObject({ allowed: false, code: 'agency-not-named' });
  });

  it('confines a manager whose token names a centre, and not one whose token names none', () => {
    const bound = actor(['manager'], { centre: 'NRB-GPO' });
    for (const action of ['transaction.record-outcome', 'conflict.resolve', 'kpi.read', 'ticket.read', 'counter.close'] as const) {
      expect(decide(bound, action, { centre: 'MSA-CBD' })).toMatchObject({ allowed: false });
      expect(decide(bound, action, { centre: 'NRB-GPO' })).toMatchObject({ allowed: true });
    }
    expect(decide(actor(['manager']), 'kpi.read', { centre: 'MSA-CBD' })).toMatchObject({ allowed: true, scope: { personalData: false } });
    expect(decide(actor(['manager', 'auditor'], { centre: 'NRB-GPO' }), 'kpi.read')).toMatchObject({ allowed: true, scope: { centre: 'NRB-GPO' } });
  });

  it("confines a channel to its own submissions, and an officer to its centre's, when reading transactions", () => {
    const facts = { centre: 'NRB-GPO', agency: 'nrb', creator: 'portal' };
    expect(decide(actor(['channel'], { subject: 'portal' }), 'transaction.read', facts)).toMatchObject({ allowed: true });
    expect(decide(actor(['channel'], { subject: 'ussd' }), 'transaction.read', facts)).toMatchObject({ allowed: false, category: 'not_found' });
    expect(decide(actor(['officer'], { centre: 'MSA-CBD' }), 'transaction.acknowledgment', facts)).toMatchObject({ allowed: false, category: 'not_found' });
    expect(decide(actor(['auditor']), 'transaction.read', facts)).toMatchObject({ allowed: true });
  });

  it('intersects the reaches of two granting roles rather than taking the wider', () => {
    const both = actor(['channel', 'auditor'], { subject: 'ussd' });
    expect(decide(both, 'transaction.read', { centre: 'NRB-GPO', agency: 'nrb', creator: 'portal' })).toMatchObject({ allowed: false });
    // An officer closes only its own session; a manager any of its centre; both at once: its own.
    const officerManager = actor(['officer', 'manager'], { subject: 'o-1', centre: 'NRB-GPO' });
    expect(decide(officerManager, 'counter.close', { centre: 'NRB-GPO', creator: 'o-2' })).toMatchObject({ allowed: false, code: 'not-yours' });
    expect(decide(actor(['manager'], { centre: 'NRB-GPO' }), 'counter.close', { centre: 'NRB-GPO', creator: 'o-2' })).toMatchObject({ allowed: true });
  });

  it('unmasks personal data only where the action reveals it and the caller holds the capability', () => {
    expect(decide(actor(['admin', 'personal-data']), 'transaction.read')).toMatchObject({ scope: { personalData: true } });
    expect(decide(actor(['admin']), 'transaction.read')).toMatchObject({ scope: { personalData: false } });
    expect(decide(actor(['admin', 'personal-data']), 'booking.change')).toMatchObject({ scope: { personalData: false } });
    // The capability alone is no role.
    expect(decide(actor(['personal-data']), 'transaction.read')).toMatchObject({ allowed: false, code: 'insufficient-role' });
  });

  it('refuses a bound manager an action over every centre (replay tasks), and lets an unbound one', () => {
    expect(decide(actor(['manager'], { centre: 'NRB-GPO' }), 'replay-task.manage')).toMatchObject({ allowed: false, code: 'scope-too-wide' });
    expect(decide(actor(['manager']), 'replay-task.manage')).toMatchObject({ allowed: true });
    expect(decide(actor(['operator', 'officer'], { centre: 'NRB-GPO' }), 'replay-task.read')).toMatchObject({ allowed: false, code: 'scope-too-wide' });
  });

  it('lets binding roles read reference data unnarrowed', () => {
    expect(decide(actor(['officer', 'agency']), 'catalogue.read')).toEqual({ allowed: true, scope: { personalData: false } });
  });
});

describe('authorize', () => {
  it("throws the refusal, or the use case's own 404 for what the caller may not see", () => {
    const hidden = () => new DomainError('not_found', 'transaction-not-found', 'No transaction.');
    expect(() => authorize(actor(['agency'], { agency: 'nrb' }), 'transaction.read', { agency: 'kra' }, hidden)).toThrow(expect.objectContaining({ code: 'transaction-not-found' }));
    expect(() => authorize(actor(['officer'], { centre: 'A' }), 'counter.work', { centre: 'B' })).toThrow(expect.objectContaining({ category: 'forbidden', code: 'wrong-centre' }));
  });
});

describe('officerOf', () => {
  it('records the authenticated officer, and no officer for a channel', () => {
    expect(officerOf(actor(['officer'], { subject: 'jane' }))).toBe('jane');
    expect(officerOf(actor(['channel'], { subject: 'portal' }))).toBeNull();
  });
});
