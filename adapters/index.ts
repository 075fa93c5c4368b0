/** The public face of adapters/: the port, the resilience wrapper, the registry, the REST kind. */
export {
  AgencyCallError,
  type AdapterFactory,
  type AdapterFactoryOptions,
  type AgencyAdapter,
  type ApplicationStatus,
  type CallContext,
  type ProbeContext,
  type SubmitResult,
} from './agency-adapter.port';
export { AdapterKinds, defaultAdapterKinds } from './adapter-kinds';
export {
  AgencyRegistry,
  UnknownAgencyError,
  type AgencyBreakerListener,
  type AgencyRegistryOptions,
  type AgencyStatus,
} from './registry';
export {
  ResilientAgency,
  type AgencyFailure,
  type BreakerListener,
  type DispatchOptions,
  type ResilientAgencyOptions,
  type ResilientAgencyStats,
  type TransientOutcome,
} from './resilience/resilient-agency';
export { RestAdapter, createRestAdapter } from './rest/rest.adapter';
export { type RestAgencyConfig, type RestAuth, type RestOperation } from './rest/rest-config';
export { SoapAdapter, createSoapAdapter, type SoapAdapterLog } from './soap/soap.adapter';
export * from './file-drop';
