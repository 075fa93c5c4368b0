/**
 * Africa's Talking's bulk SMS endpoint, as a real local HTTP server: it records what it received
 * (headers and the form) and answers as told (by default: accepted, status 101 "Success").
 *   POST /version1/messaging   username, to, message, from (form-encoded), `apiKey` header
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedSms {
  headers: IncomingHttpHeaders;
  form: URLSearchParams;
}

export type SmsProviderAnswer = (body: string) => { status: number; json: unknown };

export interface SmsProviderSimulator {
  /** The messaging URL to configure as AT_SMS_URL. */
  readonly url: string;
  readonly received: ReceivedSms[];
  /** The next `n` messages are answered 500 (after being recorded). */
  failNext(n: number): void;
  close(): Promise<void>;
}

const accepted: SmsProviderAnswer = () => ({
  status: 201,
  json: { SMSMessageData: { Message: 'Sent to 1/1', Recipients: [{ statusCode: 101, status: 'Success', messageId: `ATXid_${Date.now()}` }] } },
});

export async function startSmsProvider(answer: SmsProviderAnswer = accepted): Promise<SmsProviderSimulator> {
  const received: ReceivedSms[] = [];
  let failing = 0;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push({ headers: request.headers, form: new URLSearchParams(body) });
      const { status, json } = failing > 0 ? { status: 500, json: {} } : answer(body);
      if (failing > 0) failing--;
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/version1/messaging`,
    received,
    failNext: (n) => {
      failing = n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
