import { conditionsNow, DEFAULT_ALERT_POLICY, thresholdsFor, type AgencyFacts, type AlertPolicy } from './alert-policy';

const NOW = new Date('2026-11-24T07:00:00.000Z');
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000);
const calm: AgencyFacts = { agencyCode: 'nrb', breakerOpenSince: null, calls: 0, failures: 0, backlog: 0, replayStillSince: null };
const policy: AlertPolicy = { ...DEFAULT_ALERT_POLICY, agencies: { kra: { breakerOpenSeconds: 30 } } };

describe('alert policy', () => {
  it('holds nothing for a calm agency and a worker that just beat', () => {
    expect(conditionsNow(policy, NOW, [calm], [{ instance: 'w1', beatAt: ago(5) }])).toEqual([]);
  });

  it('fires breaker-open only past the threshold, per agency', () => {
    expect(conditionsNow(policy, NOW, [{ ...calm, breakerOpenSince: ago(120) }], [])).toEqual([]);
    expect(conditionsNow(policy, NOW, [{ ...calm, breakerOpenSince: ago(121) }], [])).toEqual([
      { rule: 'breaker-open', subject: 'nrb', value: 121, threshold: 120, detail: 'breaker of nrb open for 121 s' },
    ]);
    expect(conditionsNow(policy, NOW, [{ ...calm, agencyCode: 'kra', breakerOpenSince: ago(31) }], [])).toMatchObject([{ rule: 'breaker-open', subject: 'kra', threshold: 30 }]);
    expect(thresholdsFor(policy, 'kra')).toEqual({ ...DEFAULT_ALERT_POLICY.defaults, breakerOpenSeconds: 30 });
  });

  it('needs enough calls before an error rate counts, then fires above the percentage', () => {
    expect(conditionsNow(policy, NOW, [{ ...calm, calls: 9, failures: 9 }], [])).toEqual([]);
    expect(conditionsNow(policy, NOW, [{ ...calm, calls: 10, failures: 5 }], [])).toEqual([]);
    expect(conditionsNow(policy, NOW, [{ ...calm, calls: 10, failures: 6 }], [])).toEqual([
      { rule: 'error-rate', subject: 'nrb', value: 60, threshold: 50, detail: '6 of 10 calls to nrb failed in 5 min (60 %)' },
    ]);
  });

  it('fires on a backlog over the limit, a replay that has not moved, and a silent worker', () => {
    const found = conditionsNow(policy, NOW, [{ ...calm, backlog: 501, replayStillSince: ago(301) }], [{ instance: 'w2', beatAt: ago(91) }]);
    expect(found.map((c) => [c.rule, c.subject, c.value])).toEqual([
      ['backlog', 'nrb', 501],
      ['replay-stalled', 'nrb', 301],
      ['worker-heartbeat', 'w2', 91],
    ]);
    expect(found.map((c) => c.detail).join(' ')).not.toMatch(/\d{8}/); // figures and codes, never an ID number
  });
});
