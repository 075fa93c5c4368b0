import { WarmUps } from './scenario';

describe('WarmUps', () => {
  const submit = { url: 'http://127.0.0.1:4101', method: 'POST' as const, path: '/v1/transactions' };

  it('warms a target the run has not loaded yet for the first warm-up, and for the short one afterwards', () => {
    const warmUps = new WarmUps(10, 1);
    expect([warmUps.secondsFor(submit), warmUps.secondsFor(submit), warmUps.secondsFor(submit)]).toEqual([10, 1, 1]);
  });

  it('counts another process (base URL), route or method as a target of its own', () => {
    const warmUps = new WarmUps(10, 1);
    warmUps.secondsFor(submit);
    expect([
      warmUps.secondsFor({ ...submit, url: 'http://127.0.0.1:4102' }),
      warmUps.secondsFor({ ...submit, path: '/v1/bookings' }),
      warmUps.secondsFor({ ...submit, method: 'GET' }),
      warmUps.secondsFor({ url: submit.url, path: submit.path }),
    ]).toEqual([10, 10, 10, 1]);
  });

  it('never warms a first target for less than the later warm-up', () => {
    expect(new WarmUps(1, 5).secondsFor(submit)).toBe(5);
  });
});
