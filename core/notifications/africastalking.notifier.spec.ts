import { startSmsProvider } from '../../test/simulators/sms-provider/africastalking.simulator';
import { AfricasTalkingNotifier } from './africastalking.notifier';
import type { Notification, NotificationReceipt, SmsMessage } from './notifier.port';

interface Recorded {
  message: SmsMessage;
  driver: string;
  receipt: NotificationReceipt;
}

/** A real HTTP server standing in for the provider: what it received, and what it answers. */
async function startProvider(answer: (request: unknown, body: string) => { status: number; json: unknown }) {
  const provider = await startSmsProvider((body) => answer(undefined, body));
  return { url: provider.url, received: provider.received, close: provider.close };
}

const message: Notification = { to: '+254712345678', template: 'booking-confirmed', data: { reference: 'K7QM-4X3P', service: 'ID card', centre: 'GPO', when: 'Tue 24 Nov, 09:30' } };

describe("Africa's Talking SMS driver", () => {
  it('posts the form the provider expects and records the message as sent', async () => {
    const provider = await startProvider(() => ({
      status: 201,
      json: { SMSMessageData: { Message: 'Sent to 1/1', Recipients: [{ statusCode: 101, status: 'Success', messageId: 'ATXid_1' }] } },
    }));
    const log: Recorded[] = [];
    const notifier = new AfricasTalkingNotifier({ url: provider.url, username: 'huduma', apiKey: 'secret-key', senderId: 'HUDUMA' }, {
      record: async (message, driver, receipt) => void log.push({ message, driver, receipt }),
    });
    try {
      expect(await notifier.send(message)).toEqual({ status: 'sent', providerRef: 'ATXid_1' });
      expect(provider.received).toHaveLength(1);
      const { headers, form } = provider.received[0];
      expect(headers.apikey).toBe('secret-key');
      expect(headers.accept).toBe('application/json');
      expect(Object.fromEntries(form)).toEqual({ username: 'huduma', to: '+254712345678', from: 'HUDUMA', message: expect.stringContaining('K7QM-4X3P') });
      expect(log).toHaveLength(1);
      expect(log[0]).toMatchObject({ driver: 'africastalking', receipt: { status: 'sent' } });
    } finally {
      await provider.close();
    }
  });

  it('reports a refused or failed send without throwing, and without the phone number', async () => {
    const provider = await startProvider((_request, body) =>
      body.includes('254700000000')
        ? { status: 500, json: {} }
        : { status: 201, json: { SMSMessageData: { Recipients: [{ statusCode: 406, status: 'UserInBlacklist', number: '+254712345678' }] } } },
    );
    const log: Recorded[] = [];
    const notifier = new AfricasTalkingNotifier({ url: provider.url, username: 'huduma', apiKey: 'k' }, { record: async (m, d, r) => void log.push({ message: m, driver: d, receipt: r }) });
    try {
      const refused = await notifier.send(message);
      expect(refused).toMatchObject({ status: 'failed' });
      expect(JSON.stringify(refused)).not.toContain('712345678');
      expect(await notifier.send({ ...message, to: '+254700000000' })).toMatchObject({ status: 'failed', error: 'HTTP 500' });
      expect(log.map((l) => l.receipt.status)).toEqual(['failed', 'failed']);
    } finally {
      await provider.close();
    }
  });

  it('reports an unreachable provider as failed', async () => {
    const notifier = new AfricasTalkingNotifier({ url: 'http://127.0.0.1:9/version1/messaging', username: 'u', apiKey: 'k', timeoutMs: 1000 }, { record: async () => undefined });
    expect(await notifier.send(message)).toMatchObject({ status: 'failed' });
  });
});
