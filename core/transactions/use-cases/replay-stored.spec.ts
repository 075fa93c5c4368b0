import { needsAHuman } from './replay-stored';

describe('needsAHuman (which replay outcomes are parked)', () => {
  it('parks mapping errors and malformed-request rejections', () => {
    expect(needsAHuman({ kind: 'transient', code: 'misconfigured', reason: 'HTTP 400' })).toBe(true);
    expect(needsAHuman({ kind: 'transient', code: 'bad_response', reason: 'no reference' })).toBe(true);
    expect(needsAHuman({ kind: 'rejected', code: 'HTTP_404', reason: 'no such route' })).toBe(true);
    expect(needsAHuman({ kind: 'rejected', code: 'INVALID_PAYLOAD', reason: 'dateOfBirth' })).toBe(true);
  });

  it('does not park an outage or a refusal on the merits', () => {
    expect(needsAHuman({ kind: 'transient', code: 'unavailable', reason: 'HTTP 503' })).toBe(false);
    expect(needsAHuman({ kind: 'transient', code: 'breaker_open', reason: 'open' })).toBe(false);
    expect(needsAHuman({ kind: 'rejected', code: 'ID_NOT_FOUND', reason: 'no such person' })).toBe(false);
    expect(needsAHuman({ kind: 'accepted', agencyRef: 'NRB-1' })).toBe(false);
  });
});
