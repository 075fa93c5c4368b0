import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { AlertNotice } from '../../core/alerts/alert-channel.port';
import { EmailAlertChannel } from '../../core/alerts/channels/email-alert.channel';
import { WebhookAlertChannel } from '../../core/alerts/channels/webhook-alert.channel';

const NOTICE: AlertNotice = {
  state: 'firing',
  rule: 'breaker-open',
  subject: 'nrb',
  detail: 'breaker of nrb open for 312 s',
  value: 312,
  threshold: 120,
  firedAt: new Date('2026-11-24T07:00:00.000Z'),
  at: new Date('2026-11-24T07:00:00.000Z'),
};

/** The alert channels against real local listeners: an SMTP server (smtp-server) and an HTTP server. */
describe('alert channels', () => {
  it('sends an alert e-mail over SMTP with authentication', async () => {
    const received: Array<{ from: string; to: string[]; data: string; user?: string }> = [];
    const smtp = new SMTPServer({
      authOptional: false,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      onAuth(auth, _session, callback) {
        if (auth.username === 'kiungo' && auth.password === 's3cret') callback(null, { user: auth.username });
        else callback(new Error('bad credentials'));
      },
      onData(stream, session, callback) {
        let data = '';
        stream.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
        stream.on('end', () => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            data,
            user: session.user as string | undefined,
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const port = (smtp.server.address() as AddressInfo).port;
    const channel = new EmailAlertChannel({ smtpUrl: `smtp://kiungo:s3cret@127.0.0.1:${port}`, from: 'alerts@kiungo.test', to: ['toc@huduma.test', 'oncall@huduma.test'] });
    try {
      await channel.send(NOTICE);
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({ from: 'alerts@kiungo.test', to: ['toc@huduma.test', 'oncall@huduma.test'], user: 'kiungo' });
      expect(received[0].data).toContain('Subject: [Kiungo ALERT] breaker-open nrb');
      expect(received[0].data).toContain('breaker of nrb open for 312 s');
      expect(received[0].data).toContain('deploy/RUNBOOK.md');

      const wrong = new EmailAlertChannel({ smtpUrl: `smtp://kiungo:wrong@127.0.0.1:${port}`, from: 'alerts@kiungo.test', to: ['toc@huduma.test'] });
      await expect(wrong.send(NOTICE)).rejects.toThrow();
      wrong.close();
      expect(received).toHaveLength(1);
    } finally {
      channel.close();
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });

  it('posts the notice as JSON to a webhook, and rejects on a non-2xx answer', async () => {
    const bodies: unknown[] = [];
    let status = 204;
    const server: Server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        bodies.push({ contentType: request.headers['content-type'], body: JSON.parse(body) });
        response.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const channel = new WebhookAlertChannel(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`);
    try {
      await channel.send({ ...NOTICE, state: 'resolved' });
      expect(bodies).toEqual([
        {
          contentType: 'application/json',
          body: {
            title: '[Kiungo resolved] breaker-open nrb',
            state: 'resolved',
            rule: 'breaker-open',
            subject: 'nrb',
            detail: 'breaker of nrb open for 312 s',
            value: 312,
            threshold: 120,
            firedAt: '2026-11-24T07:00:00.000Z',
            at: '2026-11-24T07:00:00.000Z',
          },
        },
      ]);
      status = 500;
      await expect(channel.send(NOTICE)).rejects.toThrow('webhook answered HTTP 500');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
