/**
 * What `npm run adapter:new` writes: one agency with one service, its schemas and fixtures,
 * for each adapter kind, pointed at the matching simulator's default address so that the new
 * folder passes `adapter:check --live` before anyone edits it.
 */
export type ScaffoldKind = 'rest' | 'soap' | 'file-drop';

export const SCAFFOLD_KINDS: readonly ScaffoldKind[] = ['rest', 'soap', 'file-drop'];

export interface ScaffoldNames {
  code: string;
  /** Upper-case code, for environment variable names and references. */
  upper: string;
  service: string;
}

export function adapterBlock(kind: ScaffoldKind, names: ScaffoldNames): Record<string, unknown> {
  switch (kind) {
    case 'rest':
      return {
        kind: 'rest',
        baseUrl: 'http://127.0.0.1:4101',
        baseUrlEnv: `${names.upper}_BASE_URL`,
        auth: { type: 'none' },
        healthPath: '/health',
        statusPath: '/api/v1/applications/{agencyRef}',
      };
    case 'soap':
      return {
        kind: 'soap',
        wsdl: 'wsdl/agency.wsdl',
        endpoint: 'http://127.0.0.1:4201/soap/agency',
        endpointEnv: `${names.upper}_SOAP_ENDPOINT`,
        security: { type: 'none' },
        transactionIdField: 'TransactionId',
        statusOperation: { operation: 'GetApplicationStatus', referenceField: 'Reference', statePointer: '/Status' },
      };
    case 'file-drop':
      return {
        kind: 'file-drop',
        format: 'json',
        outbox: 'exchange/outbox',
        inbox: 'exchange/inbox',
        outboxEnv: `${names.upper}_OUTBOX_DIR`,
        inboxEnv: `${names.upper}_INBOX_DIR`,
        pollIntervalMs: 1000,
        settleMs: 1000,
        answerTimeoutMs: 900000,
      };
  }
}

export function operationBlock(kind: ScaffoldKind): Record<string, unknown> {
  switch (kind) {
    case 'rest':
      return {
        method: 'POST',
        path: '/api/v1/applications',
        requestMap: { idNumber: '/idNumber', fullName: '/fullName', phone: '/phone' },
        agencyRefPointer: '/reference',
        resultMap: { reference: '/reference', status: '/status' },
      };
    case 'soap':
      return {
        operation: 'SubmitApplication',
        requestMap: { IdNumber: '/idNumber', FullName: '/fullName', PhoneNumber: '/phone' },
        agencyRefPointer: '/Reference',
        resultMap: { reference: '/Reference', status: '/Status', receivedAt: '/ReceivedAt' },
      };
    case 'file-drop':
      return { documentType: 'APPLICATION' };
  }
}

export function requestSchema(names: ScaffoldNames): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://kiungo.dev/schemas/${names.code}/${names.service}.request.v1.json`,
    title: `${names.upper} application: request`,
    type: 'object',
    additionalProperties: false,
    required: ['idNumber', 'fullName'],
    properties: {
      idNumber: { type: 'string', pattern: '^[0-9]{7,8}$', maxLength: 8, description: 'a Kenyan national ID number: 7 or 8 digits' },
      fullName: {
        type: 'string',
        pattern: "^[A-Za-z][A-Za-z' .-]*$",
        minLength: 3,
        maxLength: 120,
        description: 'a full name: letters, spaces, apostrophes, dots and dashes',
      },
      phone: {
        type: 'string',
        pattern: '^\\+254[17][0-9]{8}$',
        maxLength: 13,
        description: 'a Kenyan mobile number in international form: +2547 or +2541 followed by 8 digits',
      },
    },
  };
}

export function responseSchema(names: ScaffoldNames): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://kiungo.dev/schemas/${names.code}/${names.service}.response.v1.json`,
    title: `${names.upper} application: result`,
    type: 'object',
    additionalProperties: false,
    required: ['reference'],
    properties: {
      reference: { type: 'string', minLength: 1, maxLength: 64, description: 'the agency reference of the application' },
      status: { type: 'string', minLength: 1, maxLength: 40, description: 'the agency status of the application' },
      receivedAt: { type: 'string', maxLength: 40, description: 'when the agency received the application' },
    },
  };
}

/** name → content, under fixtures/<service>.request and fixtures/<service>.response. */
export function fixtureFiles(names: ScaffoldNames): Record<string, unknown> {
  const request = `fixtures/${names.service}.request`;
  const response = `fixtures/${names.service}.response`;
  return {
    [`${request}/ok/with-phone.json`]: { idNumber: '23456789', fullName: 'Wanjiku Kamau', phone: '+254712345678' },
    [`${request}/ok/without-phone.json`]: { idNumber: '9876543', fullName: "Otieno O'Brien Odhiambo" },
    [`${request}/not-ok/id-number-with-letters.json`]: { idNumber: 'A2345678', fullName: 'Wanjiku Kamau' },
    [`${request}/not-ok/missing-full-name.json`]: { idNumber: '23456789' },
    [`${request}/expected-errors.json`]: {
      'id-number-with-letters.json': { field: '/idNumber', message: 'must be a Kenyan national ID number: 7 or 8 digits' },
      'missing-full-name.json': { field: '/fullName', message: 'is required' },
    },
    [`${response}/ok/accepted.json`]: { reference: `${names.upper}-000001`, status: 'ACCEPTED' },
    [`${response}/not-ok/missing-reference.json`]: { status: 'ACCEPTED' },
    [`${response}/expected-errors.json`]: { 'missing-reference.json': { field: '/reference', message: 'is required' } },
  };
}
