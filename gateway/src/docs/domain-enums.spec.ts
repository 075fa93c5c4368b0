/**
 * Where a message schema lists values the domain also names (states, channels, modes), the two
 * lists stay equal: a state added to the domain but not to the schema would be refused at the edge
 * or break a documented response; one added only to the schema would reach code that cannot
 * handle it.
 */
import { messageSchema, SHARED_DEFINITIONS, type MessageName } from '../../../contracts/src';
import { AGENCY_MODES } from '../../../core/agencies/domain/agency-mode';
import { BOOKING_CHANNELS, BOOKING_STATUSES } from '../../../core/bookings/domain/booking';
import { PRIORITY_CLASSES, TICKET_STATES, WALK_IN_PRIORITIES } from '../../../core/walk-in/domain/ticket';
import { CHANNELS, TRANSACTION_STATES } from '../../../core/transactions/domain/transaction';
import { REPLAY_TASK_STATUSES, REPLAYABLE_STATES } from '../../../core/replay-tasks/domain/replay-task';

function at(schema: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>((node, segment) => (node as Record<string, unknown> | undefined)?.[segment], schema);
}

const shared = (pointer: string) => at(SHARED_DEFINITIONS, pointer);
const of = (message: MessageName, pointer: string) => at(messageSchema(message), pointer);

const PAIRS: Array<[string, unknown, readonly unknown[]]> = [
  ['common #/$defs/transactionState', shared('/$defs/transactionState/enum'), TRANSACTION_STATES],
  ['common #/$defs/channel', shared('/$defs/channel/enum'), CHANNELS],
  ['transaction-envelope /channel', of('transaction-envelope', '/properties/channel/enum'), CHANNELS],
  ['agency-mode-change /mode', of('agency-mode-change', '/properties/mode/enum'), AGENCY_MODES],
  ['agency /modeSetting/mode', of('agency', '/properties/modeSetting/properties/mode/enum'), AGENCY_MODES],
  ['agency effective mode', of('agency', '/$defs/effectiveMode/enum'), [...AGENCY_MODES, 'degraded']],
  ['new-booking /channel', of('new-booking', '/properties/channel/enum'), BOOKING_CHANNELS],
  ['booking /status', of('booking', '/properties/status/enum'), BOOKING_STATUSES],
  ['ticket-request /priority', of('ticket-request', '/properties/priority/enum'), WALK_IN_PRIORITIES],
  ['ticket /priority', of('ticket', '/$defs/ticketFields/properties/priority/enum'), PRIORITY_CLASSES],
  ['ticket /state', of('ticket', '/$defs/ticketFields/properties/state/enum'), TICKET_STATES],
  ['replay-task /status', of('replay-task', '/properties/status/enum'), REPLAY_TASK_STATUSES],
  ['replay-task-request /filters/states', of('replay-task-request', '/$defs/filters/properties/states/items/enum'), REPLAYABLE_STATES],
  ['replay-task-preview /items/state', of('replay-task-preview', '/properties/items/items/properties/state/enum'), REPLAYABLE_STATES],
];

it.each(PAIRS)('%s lists exactly the domain values, in their order', (_name, listed, domain) => {
  expect(listed).toEqual([...domain]);
});
