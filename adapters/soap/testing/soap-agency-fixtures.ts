/**
 * SOAP agency definitions for adapter specs and integration tests, shaped like the catalogue
 * loader's output, answering the SOAP agency simulator's generic WSDL (SubmitApplication).
 */
import path from 'node:path';
import type { AgencyDefinition, ServiceDefinition } from '../../../contracts/src/catalogue.types';
import { restAgencyDefinition, type AgencyFixtureOverrides } from '../../testing/agency-fixtures';

/** The folder of the simulator's generic WSDL (`agency.wsdl`). */
export const SIMULATOR_WSDL_FOLDER = path.resolve(__dirname, '..', '..', '..', 'test', 'simulators', 'soap-agency');

export function soapService(code = 'permit-apply', operation: Record<string, unknown> = {}, agencyCode = 'kra'): ServiceDefinition {
  return {
    code,
    name: `Service ${code}`,
    description: 'A SOAP service used in tests',
    agencyCode,
    requestSchemaId: `https://kiungo.test/schemas/${agencyCode}/${code}.request.v1.json`,
    responseSchemaId: `https://kiungo.test/schemas/${agencyCode}/${code}.response.v1.json`,
    operation: { operation: 'SubmitApplication', agencyRefPointer: '/Reference', ...operation },
    fallback: 'store-and-forward',
    manualInstructions: 'Use form P1.',
    bookable: false,
    createsApplication: true,
    feeKes: 0,
    retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 },
  };
}

export function soapAgencyDefinition(overrides: AgencyFixtureOverrides = {}): AgencyDefinition {
  const code = overrides.code ?? 'kra';
  const base = restAgencyDefinition({ ...overrides, code, services: overrides.services ?? [soapService('permit-apply', {}, code)] });
  return {
    ...base,
    adapter: {
      kind: 'soap',
      wsdl: 'agency.wsdl',
      endpoint: 'http://soap-agency.test/soap/agency',
      statusOperation: { operation: 'GetApplicationStatus', referenceField: 'Reference', statePointer: '/Status' },
      ...overrides.adapter,
    },
    sourceFile: path.join(SIMULATOR_WSDL_FOLDER, 'agency.json'),
    folder: SIMULATOR_WSDL_FOLDER,
  };
}
