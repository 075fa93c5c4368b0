/** The public face of contracts/: the service catalogue, its schemas and the contract validator. */
export { loadCatalogue, agencyFileSchema, transactionEnvelopeSchema } from './catalogue.loader';
export { defaultCatalogueDir } from './catalogue.paths';
export { Catalogue } from './catalogue';
export { ContractValidator } from './contract-validator';
export type { CompiledContracts, ServiceContracts } from './contract-validator';
export { CatalogueError, UnknownServiceError, renderProblem } from './catalogue-error';
export type { CatalogueProblem } from './catalogue-error';
export { DEFAULT_RESILIENCE, DEFAULT_RETRY } from './catalogue.defaults';
export { childPointer } from './json-pointer';
export { MAX_FIELD_ERRORS } from './schema-error.format';
export { MAX_FIELDS_PER_OBJECT, MAX_ITEMS_PER_ARRAY, MAX_NESTING_DEPTH } from './forbidden-keys';
export type { JsonSchema, CompiledSchema } from './schema-compiler';
export type { FieldError } from './field-error';
export type * from './catalogue.types';
export type * from './dispatch';
export { MESSAGE_NAMES, SHARED_DEFINITIONS, messageSchema, messageTypeName, validateMessage, isMessageName } from './message-schemas';
export type { MessageName } from './message-schemas';
export type * from './message.types';
