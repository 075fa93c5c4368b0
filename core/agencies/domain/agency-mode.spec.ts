import { defaultSetting, effectiveMode, fallsBack, serviceAvailability, type AgencyModeSetting } from './agency-mode';

const now = new Date('2026-03-02T08:00:00Z');
const minutes = (n: number): Date => new Date(now.getTime() + n * 60_000);

describe('effectiveMode', () => {
  const auto = defaultSetting('nrb');

  it('is auto by default, and degraded only once the breaker has been open longer than the limit', () => {
    expect(effectiveMode(auto, now, null, 60_000)).toBe('auto');
    expect(effectiveMode(auto, now, minutes(-0.5), 60_000)).toBe('auto');
    expect(effectiveMode(auto, now, minutes(-1), 60_000)).toBe('degraded');
  });

  it('is manual whatever the breaker says', () => {
    expect(effectiveMode({ ...auto, mode: 'manual', reason: 'down' }, now, null, 60_000)).toBe('manual');
  });

  it('is maintenance only inside the window', () => {
    const maintenance: AgencyModeSetting = { ...auto, mode: 'maintenance', window: { start: minutes(10), end: minutes(70) } };
    expect(effectiveMode(maintenance, now, null, 60_000)).toBe('auto');
    expect(effectiveMode(maintenance, minutes(10), null, 60_000)).toBe('maintenance');
    expect(effectiveMode(maintenance, minutes(69), null, 60_000)).toBe('maintenance');
    expect(effectiveMode(maintenance, minutes(70), null, 60_000)).toBe('auto');
  });

  it('falls back in every mode but auto', () => {
    expect(['auto', 'manual', 'maintenance', 'degraded'].map((m) => fallsBack(m as never))).toEqual([false, true, true, true]);
  });
});

describe('serviceAvailability (before the form)', () => {
  const window = { start: minutes(-10), end: minutes(50) };

  it('says a request goes to the agency in auto, and which fallback it meets otherwise', () => {
    expect(serviceAvailability('store-and-forward', 'auto', { window: null })).toEqual({ agencyMode: 'auto', appliedFallback: null, until: null });
    expect(serviceAvailability('reject', 'manual', { window: null })).toEqual({ agencyMode: 'manual', appliedFallback: 'reject', until: null });
    expect(serviceAvailability('manual', 'degraded', { window: null })).toEqual({ agencyMode: 'degraded', appliedFallback: 'manual', until: null });
  });

  it('in maintenance, says until when', () => {
    expect(serviceAvailability('store-and-forward', 'maintenance', { window })).toEqual({ agencyMode: 'maintenance', appliedFallback: 'store-and-forward', until: window.end });
    // A window set for later does not apply yet: no end to announce.
    expect(serviceAvailability('store-and-forward', 'auto', { window })).toMatchObject({ until: null });
  });
});
