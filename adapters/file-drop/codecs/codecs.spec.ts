import { UnreadableFileError, type AgencyAnswer, type RequestDocument } from '../file-drop-document';
import { codecFor } from './index';

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

  it('writes a request the agency reads back field for field', () => {
    const read = codec.decodeRequest(codec.encodeRequest(request));
    expect(read.transactionId).toBe(request.transactionId);
    expect(read.service).toBe('good-conduct-certificate');
    expect(read.documentType).toBe('GCC-APPLICATION');
    expect(Number(read.attempt)).toBe(2);
    expect(read.payload).toEqual(request.payload);
  });

  it('reads accepted and rejected answers, the reference part of the result', () => {
    expect(codec.decodeAnswer(codec.encodeAnswer(accepted))).toEqual(accepted);
    expect(codec.decodeAnswer(codec.encodeAnswer(rejected))).toEqual(rejected);
  });

  it('refuses garbage, half-written files and answers without a status', () => {
    const whole = codec.encodeAnswer(accepted);
    expect(() => codec.decodeAnswer(Buffer.from('%PDF-1.4 \u0000 not an answer'))).toThrow(UnreadableFileError);
    expect(() => codec.decodeAnswer(whole.subarray(0, Math.floor(whole.length / 2)))).toThrow(UnreadableFileError);
    const noStatus = codec.encodeAnswer({ ...rejected, status: 'rejected' }).toString('utf8').replace('rejected', 'maybe');
    expect(() => codec.decodeAnswer(Buffer.from(noStatus))).toThrow(/status must be "accepted" or "rejected"/);
  });
});

describe('format details', () => {
  it('JSON: an accepted answer without a reference is unreadable', () => {
    const body = Buffer.from(JSON.stringify({ transactionId: 'x', status: 'accepted' }));
    expect(() => codecFor('json').decodeAnswer(body)).toThrow(/reference is missing/);
  });

  it('XML: refuses a DOCTYPE (no entity expansion) and accepts CDATA and comments', () => {
    const xml = codecFor('xml');
    const doctype = '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><answer><status>rejected</status></answer>';
    expect(() => xml.decodeAnswer(Buffer.from(doctype))).toThrow(/DOCTYPE/);
    const body = `<answer><!-- from DCI batch 7 --><transactionId>t-1</transactionId><status>rejected</status><code>X</code><reason><![CDATA[a < b & c]]></reason></answer>`;
    expect(xml.decodeAnswer(Buffer.from(body))).toEqual({ transactionId: 't-1', status: 'rejected', code: 'X', reason: 'a < b & c' });
  });

  it('XML: a wrongly closed element is unreadable', () => {
    expect(() => codecFor('xml').decodeAnswer(Buffer.from('<answer><status>accepted</answer></status>'))).toThrow(UnreadableFileError);
  });

  it('CSV: extra columns are result fields; two data rows are refused', () => {
    const csv = codecFor('csv');
    const body = 'transactionId,status,reference,expectedCollectionDate\nt-1,accepted,DCI-1,2026-12-07\n';
    expect(csv.decodeAnswer(Buffer.from(body))).toEqual({
      transactionId: 't-1',
      status: 'accepted',
      reference: 'DCI-1',
      result: { reference: 'DCI-1', expectedCollectionDate: '2026-12-07' },
    });
    expect(() => csv.decodeAnswer(Buffer.from(`${body}t-2,accepted,DCI-2,2026-12-08\n`))).toThrow(/one data row/);
  });

  it('CSV: quotes, commas and line breaks survive inside a cell', () => {
    const csv = codecFor('csv');
    const read = csv.decodeRequest(csv.encodeRequest({ ...request, payload: { note: 'line one\nline "two", end' } }));
    expect(read.payload).toEqual({ note: 'line one\nline "two", end' });
  });
});
