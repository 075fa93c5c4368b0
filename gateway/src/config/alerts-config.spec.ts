import { DEFAULT_ALERT_POLICY } from '../../../core/alerts/domain/alert-policy';
import { ConfigError, loadConfig } from './env.schema';

const production = { DATABASE_URL: 'postgres://db/kiungo', KIUNGO_DEV_TOKENS: '1', KIUNGO_DATA_KEY: Buffer.alloc(32, 7).toString('base64') };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...production, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.variable).sort();
    throw error;
  }
  return [];
}

describe('alert settings (KIUNGO_ALERT_*)', () => {
  it('default to the built-in rules, every 15 s, no channel', () => {
    expect(loadConfig(production).alerts).toEqual({ intervalMs: 15_000, policy: DEFAULT_ALERT_POLICY, smsTo: [] });
  });

  it('take thresholds for every agency and per agency, and the three channels', () => {
    const { alerts } = loadConfig({
      ...production,
      KIUNGO_ALERT_RULES: '{"defaults":{"backlog":1000},"agencies":{"nrb":{"breakerOpenSeconds":60}}}',
      KIUNGO_ALERT_THROTTLE_S: '600',
      KIUNGO_ALERT_SMS_TO: '+254700000001, +254700000002',
      KIUNGO_ALERT_SMTP_URL: 'smtps://alerts:pw@mail.huduma.test',
      KIUNGO_ALERT_EMAIL_FROM: 'kiungo@huduma.test',
      KIUNGO_ALERT_EMAIL_TO: 'toc@huduma.test',
      KIUNGO_ALERT_WEBHOOK_URL: 'https://chat.huduma.test/hooks/toc',
    });
    expect(alerts.policy).toMatchObject({ defaults: { ...DEFAULT_ALERT_POLICY.defaults, backlog: 1000 }, agencies: { nrb: { breakerOpenSeconds: 60 } }, throttleSeconds: 600 });
    expect(alerts.smsTo).toEqual(['+254700000001', '+254700000002']);
    expect(alerts.email).toEqual({ smtpUrl: 'smtps://alerts:pw@mail.huduma.test', from: 'kiungo@huduma.test', to: ['toc@huduma.test'] });
    expect(alerts.webhookUrl).toBe('https://chat.huduma.test/hooks/toc');
  });

  it('name every bad variable, never showing an SMTP password or a phone number', () => {
    expect(problems({ KIUNGO_ALERT_RULES: '{"defaults":{"backlog":-1}}' })).toEqual(['KIUNGO_ALERT_RULES']);
    expect(problems({ KIUNGO_ALERT_RULES: '{"agencies":{"nrb":{"breakerOpen":60}}}' })).toEqual(['KIUNGO_ALERT_RULES']);
    expect(problems({ KIUNGO_ALERT_RULES: 'not json' })).toEqual(['KIUNGO_ALERT_RULES']);
    expect(problems({ KIUNGO_ALERT_SMTP_URL: 'http://user:pw@mail' })).toEqual(['KIUNGO_ALERT_EMAIL_FROM', 'KIUNGO_ALERT_EMAIL_TO', 'KIUNGO_ALERT_SMTP_URL']);
    expect(problems({ KIUNGO_ALERT_SMS_TO: '0712345678', KIUNGO_ALERT_INTERVAL_MS: '10' })).toEqual(['KIUNGO_ALERT_INTERVAL_MS', 'KIUNGO_ALERT_SMS_TO']);
    const message = (() => {
      try {
        loadConfig({ ...production, KIUNGO_ALERT_SMTP_URL: 'http://user:s3cret@mail', KIUNGO_ALERT_SMS_TO: '0712345678' });
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    expect(message).not.toContain('s3cret');
    expect(message).not.toContain('0712345678');
  });
});
