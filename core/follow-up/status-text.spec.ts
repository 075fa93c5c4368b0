import { APPLICATION_STATUSES, type ApplicationProgress } from '../transactions/domain/application-progress';
import type { FollowAnswer } from './follow-application';
import { fitGsm7, isGsm7 } from './gsm7';
import { followAnswerText, STATUS_TEXT_LIMIT } from './status-text';

const progress = (over: Partial<ApplicationProgress>): ApplicationProgress => ({
  status: 'completed',
  agencyReference: null,
  reason: null,
  collectionDate: null,
  updatedAt: '2026-03-03T07:00:00.000Z',
  ...over,
});

describe('status texts (USSD screen and SMS)', () => {
  const longest = `A${'B'.repeat(62)}9`;
  const answers: FollowAnswer[] = [
    ...APPLICATION_STATUSES.map((status): FollowAnswer => ({ kind: 'status', reference: longest, progress: progress({ status, agencyReference: 'X'.repeat(120), reason: 'R'.repeat(120), collectionDate: '2026-03-20' }) })),
    { kind: 'unknown', reference: longest },
    { kind: 'not-a-reference' },
    { kind: 'limited', retryAt: new Date() },
  ];

  it('is GSM-7 and one SMS segment for every answer, whatever the agency put in its reference', () => {
    for (const answer of answers) {
      const text = followAnswerText(answer);
      expect([answer.kind, isGsm7(text)]).toEqual([answer.kind, true]);
      expect(text.length).toBeLessThanOrEqual(STATUS_TEXT_LIMIT);
    }
    const odd = followAnswerText({ kind: 'status', reference: 'NRB-7K4Q-2P', progress: progress({ agencyReference: 'NRB–0042 ✓' }) });
    expect(odd).toBe('Huduma: NRB-7K4Q-2P is completed. Agency ref NRB-0042 ?.');
  });

  it('says what the citizen needs in each state', () => {
    const text = (over: Partial<ApplicationProgress>) => followAnswerText({ kind: 'status', reference: 'NRB-7K4Q-2P', progress: progress(over) });
    expect(text({ status: 'waiting-for-agency' })).toBe(
      'Huduma: NRB-7K4Q-2P is received. The agency system is down; it will be submitted when it is back. You will get an SMS.',
    );
    expect(text({ status: 'completed', agencyReference: 'NRB-000123', collectionDate: '2026-03-20' })).toBe('Huduma: NRB-7K4Q-2P is completed. Agency ref NRB-000123. Collect from 2026-03-20.');
    expect(text({ status: 'ready-for-collection', agencyReference: 'NRB-000123' })).toBe('Huduma: NRB-7K4Q-2P is ready for collection. Agency ref NRB-000123. Bring your ID.');
    expect(text({ status: 'rejected', reason: 'NOT_ELIGIBLE' })).toBe('Huduma: NRB-7K4Q-2P was not accepted by the agency (NOT_ELIGIBLE). Ask at the centre.');
  });

  it('cuts with three dots, never the ellipsis, which GSM-7 lacks', () => {
    expect(fitGsm7('abcdefg', 6)).toBe('abc...');
    expect(isGsm7('…')).toBe(false);
    expect(isGsm7('Karibu! Ref K7QM-4X3P @ 10:00 £ é')).toBe(true);
  });
});
