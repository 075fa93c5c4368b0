import { Controller, Get, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type {
  AuditEvent as AuditEventMessage,
  AuditEventPage,
  AuditEventQuery,
  AuditExportQuery,
  AuditKeys,
  AuditSeal,
  AuditSealPage,
  AuditSealQuery,
  AuditTrail,
  AuditTransactionPage,
  AuditTransactionQuery,
  AuditVerification,
} from '../../../contracts/src/message.types';
import { publicEvent, type AuditEvent } from '../../../core/audit/audit-event';
import type { AuditFinding } from '../../../core/audit/audit-finding';
import { PublishedKeys } from '../../../core/signing/published-keys';
import type { Seal } from '../../../core/audit/seal';
import { SealStore } from '../../../core/audit/seal-store';
import type { AuditSealer } from '../../../core/audit/sealer';
import { ReadAudit } from '../../../core/audit/use-cases/read-audit';
import { AuditVerifier } from '../../../core/audit/verify-audit';
import { DomainError } from '../../../core/shared/errors';
import { CurrentPrincipal, Public, Can, type Principal } from '../auth';
import { ApiMessageResponse } from '../docs/message-schemas';
import { ApiProblemResponse } from '../docs/problem.schema';
import { ValidQuery } from '../http/valid-query';
import { DB_POOL } from '../runtime/tokens';
import { transactionId } from '../transactions/transaction-id';
import { SEALER } from './audit-core.module';
import { decodeEventCursor, decodeTransactionCursor, encodeEventCursor, encodeTransactionCursor, eventFilter, pageLimit, transactionQuery } from './audit-query.params';
import { EVENT_LINES, EXPORT_MEDIA_TYPES, exportStream, TRANSACTION_LINES, transactionRecord } from './audit-export';

/** How many findings GET /v1/audit/verify lists (npm run audit:verify lists every one). */
const MAX_FINDINGS = 1000;

/**
 * The auditors' API: read-only views of the log for auditors and admins (the whole of it) and
 * agency clients (their own agency's part), verify, the seals and the keys that sign them.
 * Who sees how much is decided by the authorization policy (core/authorization).
 */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('v1')
export class AuditController {
  constructor(
    private readonly read: ReadAudit,
    private readonly verifier: AuditVerifier,
    private readonly seals: SealStore,
    @Inject(SEALER) private readonly sealer: AuditSealer | null,
    @Inject(DB_POOL) private readonly pool: import('pg').Pool,
  ) {}

  @Get('audit/transactions')
  @Can('audit.read')
  @ApiOperation({
    summary: 'Transactions by agency, service, centre, channel, officer, state, time and citizen; newest first, cursor pages',
    description: 'An agency client sees its own agency only. `citizen` is a national ID number, matched through its keyed hash and never echoed.',
  })
  @ApiMessageResponse(200, 'audit-transaction-page')
  @ApiProblemResponse(422, 'A filter, the limit or the cursor is not valid (query parameters named)')
  async transactions(@ValidQuery('audit-transaction-query') query: AuditTransactionQuery, @CurrentPrincipal() principal: Principal): Promise<AuditTransactionPage> {
    const page = await this.read.transactions(principal, transactionQuery(query), decodeTransactionCursor(query.cursor), pageLimit(query.limit));
    return {
      items: page.items.map((tx) => transactionRecord(tx) as AuditTransactionPage['items'][number]),
      nextCursor: page.next ? encodeTransactionCursor(page.next) : null,
    };
  }

  @Get('transactions/:id/events')
  @Can('audit.read')
  @ApiOperation({ summary: "A transaction's whole audit trail: actor, time, data, chain, position, previous and own hash" })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiMessageResponse(200, 'audit-trail')
  @ApiProblemResponse(404, 'No such transaction, or another agency\'s (agency clients)')
  @ApiProblemResponse(422, 'The id is not a UUID')
  async trail(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<AuditTrail> {
    const events = await this.read.trail(principal, transactionId(id));
    return { transactionId: id, items: events.map(eventMessage) };
  }

  @Get('audit/events')
  @Can('audit.read')
  @ApiOperation({
    summary: 'Audit events: administrative actions by default (mode switches, capacity and centre changes, seals, key rotations, personal-data reads…); filters; newest first',
    description: 'Without `entityType`, every entity but transactions. Replays and resolutions are events of their transactions: `?entityType=transaction&type=conflict_resolved`.',
  })
  @ApiMessageResponse(200, 'audit-event-page')
  @ApiProblemResponse(422, 'A filter, the limit or the cursor is not valid (query parameters named)')
  async events(@ValidQuery('audit-event-query') query: AuditEventQuery, @CurrentPrincipal() principal: Principal): Promise<AuditEventPage> {
    const page = await this.read.events(principal, eventFilter(query), decodeEventCursor(query.cursor), pageLimit(query.limit));
    return { items: page.items.map(eventMessage), nextCursor: page.next ? encodeEventCursor(page.next) : null };
  }

  @Get('audit/export')
  @Can('audit.read')
  @ApiOperation({
    summary: 'Transactions (`of=transactions`) or events (`of=events`) with the same filters, streamed as CSV or JSON Lines at constant memory',
  })
  @ApiProduces(EXPORT_MEDIA_TYPES.csv, EXPORT_MEDIA_TYPES.jsonl)
  @ApiResponse({
    status: 200,
    description: 'Every matching row, newest first; CSV has a header row; `data` is JSON text in CSV',
    content: { [EXPORT_MEDIA_TYPES.csv]: { schema: { type: 'string' } }, [EXPORT_MEDIA_TYPES.jsonl]: { schema: { type: 'string' } } },
  })
  @ApiProblemResponse(422, 'A filter is not valid, or belongs to the other kind of export (query parameters named)')
  async export(@ValidQuery('audit-export-query') query: AuditExportQuery, @CurrentPrincipal() principal: Principal, @Res() reply: FastifyReply): Promise<void> {
    const format = query.format ?? 'csv';
    // The guard's @Can refused any caller the policy refuses before the first byte; the use case's
    // generators narrow to the caller's scope when the stream starts.
    const stream =
      query.of === 'events'
        ? exportStream(this.read.exportEvents(principal, eventFilter(query)), EVENT_LINES, format)
        : exportStream(this.read.exportTransactions(principal, transactionQuery(query)), TRANSACTION_LINES, format);
    const name = `kiungo-${query.of ?? 'transactions'}.${format === 'csv' ? 'csv' : 'jsonl'}`;
    await reply.header('content-type', EXPORT_MEDIA_TYPES[format]).header('content-disposition', `attachment; filename="${name}"`).send(stream);
  }

  @Get('audit/verify')
  @Can('audit.verify')
  @ApiOperation({
    summary: 'Verify the whole log: every broken chain link, every seal that does not hold, every transaction row that disagrees with its events',
    description: 'Each finding names its chain, position, entity and reason. At most 1000 are listed (`findingsTotal` counts all; npm run audit:verify lists every one).',
  })
  @ApiMessageResponse(200, 'audit-verification')
  async verify(): Promise<AuditVerification> {
    const report = await this.verifier.verify(undefined, { maxFindings: MAX_FINDINGS });
    return {
      ok: report.ok,
      findings: report.findings.map(findingMessage),
      findingsTotal: report.findingsTotal,
      chains: report.shards,
      eventsChecked: report.eventsChecked,
      seals: { checked: report.seals.checked, last: report.seals.last },
      unsealedEvents: report.unsealedEvents,
      rowsChecked: report.rowsChecked,
    };
  }

  @Get('audit/seals')
  @Can('audit.read')
  @ApiOperation({ summary: 'The seals, oldest first: keep copies of them away from Kiungo' })
  @ApiMessageResponse(200, 'audit-seal-page')
  @ApiProblemResponse(422, '`after` or `limit` is not valid (query parameters named)')
  async sealList(@ValidQuery('audit-seal-query') query: AuditSealQuery): Promise<AuditSealPage> {
    const limit = pageLimit(query.limit);
    const page = await this.seals.page(this.pool, Number(query.after ?? 0), limit + 1);
    const items = page.slice(0, limit);
    return { items: items.map(sealMessage), nextAfter: page.length > limit ? String(items[items.length - 1].statement.sealNo) : null };
  }

  @Post('audit/seals')
  @HttpCode(201)
  @Can('audit.seal')
  @ApiOperation({ summary: 'Seal every chain head now (besides the worker\'s interval); recorded as an audit event naming the admin' })
  @ApiMessageResponse(201, 'audit-seal')
  @ApiProblemResponse(503, 'No seal key is configured (KIUNGO_SEAL_KEY)')
  async sealNow(@CurrentPrincipal() principal: Principal): Promise<AuditSeal> {
    if (!this.sealer) throw new DomainError('unavailable', 'sealing-off', 'No seal key is configured: set KIUNGO_SEAL_KEY or KIUNGO_SEAL_KEY_FILE.');
    return sealMessage(await this.sealer.seal(principal.subject));
  }
}

function eventMessage(event: AuditEvent): AuditEventMessage {
  return publicEvent(event);
}

function sealMessage(seal: Seal): AuditSeal {
  return seal as unknown as AuditSeal;
}

function findingMessage(finding: AuditFinding): AuditVerification['findings'][number] {
  const { shard, seq, ...rest } = finding;
  return { ...rest, ...(shard !== undefined ? { chain: shard } : {}), ...(seq !== undefined ? { position: seq } : {}) };
}

/** The public keys of the seals: public, so that anyone holding a seal or an archive can check it. */
@ApiTags('audit')
@Controller('v1')
export class AuditKeysController {
  constructor(private readonly keys: PublishedKeys) {}

  @Get('audit/keys')
  @Public()
  @ApiOperation({ summary: 'The public keys of the audit seals: the active one and every key that ever signed a seal' })
  @ApiMessageResponse(200, 'audit-keys')
  keysList(): AuditKeys {
    return { keys: this.keys.list() };
  }
}
