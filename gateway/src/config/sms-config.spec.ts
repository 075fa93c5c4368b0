import { ConfigError, loadConfig } from './env.schema';

const production = { DATABASE_URL: 'postgres://db/kiungo', KIUNGO_DEV_TOKENS: '1', KIUNGO_DATA_KEY: Buffer.alloc(32, 7).toString('base64') };

describe('SMS, seeding and booking-job settings', () => {
  it('default to the outbox driver, seeding only in embedded mode, jobs every minute', () => {
    const config = loadConfig(production);
    expect(config.sms).toEqual({ driver: 'outbox' });
    expect(config.seedDemoCentres).toBe(false);
    expect(config.bookingJobsIntervalMs).toBe(60_000);
    expect(loadConfig({ ...production, KIUNGO_SEED_CENTRES: '1' }).seedDemoCentres).toBe(true);
  });

  it("configure the Africa's Talking driver", () => {
    const config = loadConfig({ ...production, KIUNGO_SMS_DRIVER: 'africastalking', AT_USERNAME: 'huduma', AT_API_KEY: 'k3y', AT_SENDER_ID: 'HUDUMA' });
    expect(config.sms).toEqual({ driver: 'africastalking', url: 'https://api.africastalking.com/version1/messaging', username: 'huduma', apiKey: 'k3y', senderId: 'HUDUMA' });
  });

  it('name every missing or bad variable, never showing the API key', () => {
    let error: unknown;
    try {
      loadConfig({ ...production, KIUNGO_SMS_DRIVER: 'africastalking', AT_SMS_URL: 'ftp://x', KIUNGO_BOOKING_JOBS_INTERVAL_MS: '5' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['AT_API_KEY', 'AT_SMS_URL', 'AT_USERNAME', 'KIUNGO_BOOKING_JOBS_INTERVAL_MS']);
    expect(() => loadConfig({ ...production, KIUNGO_SMS_DRIVER: 'pigeon' })).toThrow(/KIUNGO_SMS_DRIVER/);
  });
});
