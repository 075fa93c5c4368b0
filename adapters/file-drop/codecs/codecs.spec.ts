import { chunksOf } from '../bounded-read';
import { UnreadableFileError, type AgencyAnswer, type RequestDocument } from '../file-drop-document';
import { codecFor } from './index';

const xml = codecFor('xml');
const csv = codecFor('csv');
const read = (format: 'json' | 'xml' | 'csv', content: string | Buffer): Promise<AgencyAnswer> =>
  codecFor(format).readAnswer(chunksOf(Buffer.isBuffer(content) ? content : Buffer.from(content)));

const request: RequestDocument = {
  transactionId: '7b0c6f5e-3a1d-4c6e-9f43-2b9f1f0a9d11',
  service: 'good-conduct-certificate',
  documentType: 'GCC-APPLICATION',
  attempt: 2,
  writtenAt: '2026-11-22T10:00:00.000Z',
  payload: { idNumber: '23456789', fullName: "Kipchoge O'Brien, \"Jr\" <&>", address: { town: 'Eldoret', box: '12' } },
};

const accepted: AgencyAnswer = {
  transactionId: request.transactionId,
  status: 'accepted',
  reference: 'DCI-000042',
  result: { reference: 'DCI-000042', expectedCollectionDate: '2026-12-07' },
};
const rejected: AgencyAnswer = { transactionId: request.transactionId, status: 'rejected', code: 'RECORD_FOUND', reason: 'Apply in person, at "HQ"' };

describe.each(['json', 'xml', 'csv'] as const)('%s files', (format) => {
  const codec = codecFor(format);

  it('writes a request the agency reads back field for field', async () => {
    const back = await codec.decodeRequest(await codec.encodeRequest(request));
    expect(back.transactionId).toBe(request.transactionId);
    expect(back.service).toBe('good-conduct-certificate');
    expect(back.documentType).toBe('GCC-APPLICATION');
    expect(Number(back.attempt)).toBe(2);
    expect(back.payload).toEqual(request.payload);
  });

  it('reads accepted and rejected answers, the reference part of the result', async () => {
    await expect(read(format, await codec.encodeAnswer(accepted))).resolves.toEqual(accepted);
    await expect(read(format, await codec.encodeAnswer(rejected))).resolves.toEqual(rejected);
  });

  it('reads an answer that arrives in many small chunks, split inside multi-byte characters', async () => {
    const answer: AgencyAnswer = { ...rejected, reason: 'Ombi limekataliwa — tafadhali fika makao makuu “DCI”' };
    const whole = await codec.encodeAnswer(answer);
    async function* bytes(): AsyncGenerator<Buffer> {
      for (let i = 0; i < whole.length; i += 3) yield whole.subarray(i, i + 3);
    }
    await expect(codec.readAnswer(bytes())).resolves.toEqual(answer);
  });

  it('refuses garbage, half-written files and answers without a status', async () => {
    const whole = await codec.encodeAnswer(accepted);
    await expect(read(format, '%PDF-1.4 \u0000 not an answer')).rejects.toThrow(UnreadableFileError);
    await expect(read(format, whole.subarray(0, Math.floor(whole.length / 2)))).rejects.toThrow(UnreadableFileError);
    const noStatus = (await codec.encodeAnswer(rejected)).toString('utf8').replace('rejected', 'maybe');
    await expect(read(format, noStatus)).rejects.toThrow(/status must be "accepted" or "rejected"/);
  });
});

describe('format details', () => {
  it('JSON: an accepted answer without a reference is unreadable', async () => {
    await expect(read('json', JSON.stringify({ transactionId: 'x', status: 'accepted' }))).rejects.toThrow(/reference is missing/);
  });

  it('XML: refuses a DOCTYPE (no entity expansion) and processing instructions, and accepts CDATA and comments', async () => {
    const doctype = '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><answer><status>&x;</status></answer>';
    const billionLaughs = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><answer><status>&lol2;</status></answer>';
    const external = '<!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><answer><reason>&xxe;</reason></answer>';
    await expect(read('xml', doctype)).rejects.toThrow(/DOCTYPE/);
    await expect(read('xml', billionLaughs)).rejects.toThrow(/DOCTYPE/);
    await expect(read('xml', external)).rejects.toThrow(/DOCTYPE/);
    await expect(read('xml', '<answer><?php echo 1 ?><status>rejected</status></answer>')).rejects.toThrow(/processing instructions/);
    const body = `<answer><!-- from DCI batch 7 --><transactionId>t-1</transactionId><status>rejected</status><code>X</code><reason><![CDATA[a < b & c]]></reason></answer>`;
    await expect(read('xml', body)).resolves.toEqual({ transactionId: 't-1', status: 'rejected', code: 'X', reason: 'a < b & c' });
  });

  it('XML: a wrongly closed element, an unknown entity and mixed content are unreadable', async () => {
    await expect(read('xml', '<answer><status>accepted</answer></status>')).rejects.toThrow(UnreadableFileError);
    await expect(read('xml', '<answer><status>&nbsp;rejected</status></answer>')).rejects.toThrow(UnreadableFileError);
    await expect(read('xml', '<answer>text<status>rejected</status></answer>')).rejects.toThrow(/mixes text and elements/);
  });

  it('XML: escapes what it writes, and reads lists back', async () => {
    const back = await xml.decodeRequest(await xml.encodeRequest({ ...request, payload: { names: ['a<b', 'c&d'] } }));
    expect(back.payload).toEqual({ names: ['a<b', 'c&d'] });
  });

  it('CSV: extra columns are result fields; two data rows are refused', async () => {
    const body = 'transactionId,status,reference,expectedCollectionDate\nt-1,accepted,DCI-1,2026-12-07\n';
    await expect(read('csv', body)).resolves.toEqual({
      transactionId: 't-1',
      status: 'accepted',
      reference: 'DCI-1',
      result: { reference: 'DCI-1', expectedCollectionDate: '2026-12-07' },
    });
    await expect(read('csv', `${body}t-2,accepted,DCI-2,2026-12-08\n`)).rejects.toThrow(/one data row/);
    await expect(read('csv', 'transactionId,status\nt-1\n')).rejects.toThrow(/not valid CSV/);
  });

  it('CSV: quotes, commas and line breaks survive inside a cell', async () => {
    const back = await csv.decodeRequest(await csv.encodeRequest({ ...request, payload: { note: 'line one\nline "two", end' } }));
    expect(back.payload).toEqual({ note: 'line one\nline "two", end' });
  });
});
