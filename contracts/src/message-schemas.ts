/**
 * The schemas of Kiungo's own messages: every request and response body of the HTTP API, the
 * transaction envelope and the agency file, each a file in contracts/schemas/ with fixtures in
 * contracts/fixtures/<name>/. They are compiled once, by one Ajv instance, the first time one is
 * used; the gateway validates request bodies with them at the edge, documents request and response
 * bodies with them (OpenAPI components) and its tests check real responses against them.
 * TypeScript types generated from them: message.types.ts (`npm run contracts:types`).
 */
import type { ValidateFunction } from 'ajv/dist/2020';
import agencyFile from '../schemas/agency-file.v1.json';
import agencyList from '../schemas/agency-list.v1.json';
import agencyModeChange from '../schemas/agency-mode-change.v1.json';
import agency from '../schemas/agency.v1.json';
import auditEvent from '../schemas/audit-event.v1.json';
import auditEventPage from '../schemas/audit-event-page.v1.json';
import auditEventQuery from '../schemas/audit-event-query.v1.json';
import auditExportQuery from '../schemas/audit-export-query.v1.json';
import auditKeys from '../schemas/audit-keys.v1.json';
import auditSeal from '../schemas/audit-seal.v1.json';
import auditSealPage from '../schemas/audit-seal-page.v1.json';
import auditSealQuery from '../schemas/audit-seal-query.v1.json';
import auditTrail from '../schemas/audit-trail.v1.json';
import auditTransactionPage from '../schemas/audit-transaction-page.v1.json';
import auditTransactionQuery from '../schemas/audit-transaction-query.v1.json';
import auditVerification from '../schemas/audit-verification.v1.json';
import bookingBulkChange from '../schemas/booking-bulk-change.v1.json';
import bookingBulkResult from '../schemas/booking-bulk-result.v1.json';
import bookingList from '../schemas/booking-list.v1.json';
import bookingReschedule from '../schemas/booking-reschedule.v1.json';
import booking from '../schemas/booking.v1.json';
import calledTicket from '../schemas/called-ticket.v1.json';
import capacityChange from '../schemas/capacity-change.v1.json';
import centreDayKpis from '../schemas/centre-day-kpis.v1.json';
import centreDefinition from '../schemas/centre-definition.v1.json';
import centreList from '../schemas/centre-list.v1.json';
import centre from '../schemas/centre.v1.json';
import common from '../schemas/common.v1.json';
import counterSession from '../schemas/counter-session.v1.json';
import erasureRequest from '../schemas/erasure-request.v1.json';
import erasure from '../schemas/erasure.v1.json';
import feedbackReceipt from '../schemas/feedback-receipt.v1.json';
import feedback from '../schemas/feedback.v1.json';
import freeSlots from '../schemas/free-slots.v1.json';
import issuedTicket from '../schemas/issued-ticket.v1.json';
import liveness from '../schemas/liveness.v1.json';
import newBooking from '../schemas/new-booking.v1.json';
import noticeChoices from '../schemas/notice-choices.v1.json';
import opsOverview from '../schemas/ops-overview.v1.json';
import opsSession from '../schemas/ops-session.v1.json';
import problem from '../schemas/problem.v1.json';
import rangeKpis from '../schemas/range-kpis.v1.json';
import readiness from '../schemas/readiness.v1.json';
import receiptKeys from '../schemas/receipt-keys.v1.json';
import receiptVerification from '../schemas/receipt-verification.v1.json';
import receiptVerifyQuery from '../schemas/receipt-verify-query.v1.json';
import replayTaskList from '../schemas/replay-task-list.v1.json';
import replayTaskPreview from '../schemas/replay-task-preview.v1.json';
import replayTaskRequest from '../schemas/replay-task-request.v1.json';
import replayTask from '../schemas/replay-task.v1.json';
import serviceList from '../schemas/service-list.v1.json';
import smsInbound from '../schemas/sms-inbound.v1.json';
import service from '../schemas/service.v1.json';
import serviceNotice from '../schemas/service-notice.v1.json';
import ticketCompletion from '../schemas/ticket-completion.v1.json';
import ticketRequest from '../schemas/ticket-request.v1.json';
import ticketTransfer from '../schemas/ticket-transfer.v1.json';
import ticket from '../schemas/ticket.v1.json';
import transactionEnvelope from '../schemas/transaction-envelope.v1.json';
import ussdCallback from '../schemas/ussd-callback.v1.json';
import conflictResolution from '../schemas/conflict-resolution.v1.json';
import manualOutcome from '../schemas/manual-outcome.v1.json';
import manualOutcomeResult from '../schemas/manual-outcome-result.v1.json';
import reconciliationQuery from '../schemas/reconciliation-query.v1.json';
import transactionPage from '../schemas/transaction-page.v1.json';
import transactionQuery from '../schemas/transaction-query.v1.json';
import transactionSummary from '../schemas/transaction-summary.v1.json';
import transaction from '../schemas/transaction.v1.json';
import acknowledgmentQuery from '../schemas/acknowledgment-query.v1.json';
import bookingQuery from '../schemas/booking-query.v1.json';
import centreKpiQuery from '../schemas/centre-kpi-query.v1.json';
import freeSlotsQuery from '../schemas/free-slots-query.v1.json';
import kpiRangeQuery from '../schemas/kpi-range-query.v1.json';
import { deepFreeze } from './deep-freeze';
import type { FieldError } from './field-error';
import { createSchemaCompiler, type JsonSchema } from './schema-compiler';
import { validateValue } from './validate-value';

/** Message name (the schema's file name without `.v1.json`) → its schema. */
const MESSAGES = {
  agency,
  'agency-file': agencyFile,
  'agency-list': agencyList,
  'agency-mode-change': agencyModeChange,
  'audit-event': auditEvent,
  'audit-event-page': auditEventPage,
  'audit-event-query': auditEventQuery,
  'audit-export-query': auditExportQuery,
  'audit-keys': auditKeys,
  'audit-seal': auditSeal,
  'audit-seal-page': auditSealPage,
  'audit-seal-query': auditSealQuery,
  'audit-trail': auditTrail,
  'audit-transaction-page': auditTransactionPage,
  'audit-transaction-query': auditTransactionQuery,
  'audit-verification': auditVerification,
  booking,
  'booking-bulk-change': bookingBulkChange,
  'booking-bulk-result': bookingBulkResult,
  'booking-list': bookingList,
  'booking-reschedule': bookingReschedule,
  'called-ticket': calledTicket,
  'capacity-change': capacityChange,
  centre,
  'centre-day-kpis': centreDayKpis,
  'centre-definition': centreDefinition,
  'centre-list': centreList,
  'counter-session': counterSession,
  erasure,
  'erasure-request': erasureRequest,
  feedback,
  'feedback-receipt': feedbackReceipt,
  'free-slots': freeSlots,
  'issued-ticket': issuedTicket,
  liveness,
  'new-booking': newBooking,
  'notice-choices': noticeChoices,
  'ops-overview': opsOverview,
  'ops-session': opsSession,
  problem,
  'range-kpis': rangeKpis,
  readiness,
  'receipt-keys': receiptKeys,
  'receipt-verification': receiptVerification,
  'receipt-verify-query': receiptVerifyQuery,
  'replay-task': replayTask,
  'replay-task-list': replayTaskList,
  'replay-task-preview': replayTaskPreview,
  'replay-task-request': replayTaskRequest,
  service,
  'service-list': serviceList,
  'service-notice': serviceNotice,
  'sms-inbound': smsInbound,
  ticket,
  'ticket-completion': ticketCompletion,
  'ticket-request': ticketRequest,
  'ticket-transfer': ticketTransfer,
  'transaction-envelope': transactionEnvelope,
  'ussd-callback': ussdCallback,
  'acknowledgment-query': acknowledgmentQuery,
  'booking-query': bookingQuery,
  'centre-kpi-query': centreKpiQuery,
  'free-slots-query': freeSlotsQuery,
  'kpi-range-query': kpiRangeQuery,
  'conflict-resolution': conflictResolution,
  'manual-outcome': manualOutcome,
  'manual-outcome-result': manualOutcomeResult,
  'reconciliation-query': reconciliationQuery,
  'transaction-page': transactionPage,
  'transaction-query': transactionQuery,
  'transaction-summary': transactionSummary,
  transaction,
} as const;

export type MessageName = keyof typeof MESSAGES;

export const MESSAGE_NAMES = Object.freeze(Object.keys(MESSAGES).sort() as MessageName[]);

/** Definitions the messages share (`common.v1.json#/$defs/…`); not a message itself. */
export const SHARED_DEFINITIONS: JsonSchema = deepFreeze(common);

const SCHEMAS: ReadonlyMap<MessageName, JsonSchema> = new Map(MESSAGE_NAMES.map((name) => [name, deepFreeze(MESSAGES[name]) as JsonSchema]));

export function messageSchema(name: MessageName): JsonSchema {
  const schema = SCHEMAS.get(name);
  if (!schema) throw new Error(`No message schema named "${String(name)}"`);
  return schema;
}

export function isMessageName(name: string): name is MessageName {
  return SCHEMAS.has(name as MessageName);
}

/** `agency-mode-change` → `AgencyModeChange`: the name of its OpenAPI component and of its TypeScript type. */
export function messageTypeName(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}

let compiled: ReadonlyMap<MessageName, ValidateFunction> | undefined;

/** The compiled validator of one message (every message is compiled on the first call). */
export function messageValidator(name: MessageName): ValidateFunction {
  compiled ??= compileAll();
  const validate = compiled.get(name);
  if (!validate) throw new Error(`No message schema named "${String(name)}"`);
  return validate;
}

/**
 * `value` against the message's schema: [] when it is valid, else every failing field (JSON
 * pointers, prefixed with `prefix`), reserved keys first, at most MAX_FIELD_ERRORS.
 */
export function validateMessage(name: MessageName, value: unknown, prefix = ''): FieldError[] {
  return validateValue(messageValidator(name), value, prefix);
}

function compileAll(): ReadonlyMap<MessageName, ValidateFunction> {
  const compiler = createSchemaCompiler();
  compiler.addSchema(SHARED_DEFINITIONS);
  for (const schema of SCHEMAS.values()) compiler.addSchema(schema);
  return new Map(MESSAGE_NAMES.map((name) => [name, compiler.getSchema(String(messageSchema(name).$id))!]));
}
