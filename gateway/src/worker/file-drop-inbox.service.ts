import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AgencyCallError } from '../../../adapters/agency-adapter.port';
import { parseFileDropConfig } from '../../../adapters/file-drop/file-drop-config';
import { answerOutcome, type AgencyAnswer } from '../../../adapters/file-drop/file-drop-document';
import { InboxPoller, type AnswerHandling } from '../../../adapters/file-drop/inbox-poller';
import { RecordAgencyAnswer } from '../../../core/transactions/use-cases/record-agency-answer';
import { Catalogue } from '../../../contracts/src/catalogue';
import { agencyEnvironment } from '../config/env.schema';
import { ENDPOINT_OVERRIDES } from '../runtime/tokens';

/**
 * The worker's side of file-drop agencies: one inbox poller per agency, each handing the answers
 * it reads to the core, which completes or rejects the transaction they name. An agency whose
 * folders are misconfigured is logged and skipped; its transactions time out into the retry path.
 */
@Injectable()
export class FileDropInboxService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('FileDropInbox');
  private readonly pollers: InboxPoller[] = [];

  constructor(
    private readonly catalogue: Catalogue,
    @Inject(ENDPOINT_OVERRIDES) private readonly endpointOverrides: Readonly<Record<string, string>>,
    private readonly answers: RecordAgencyAnswer,
  ) {}

  onApplicationBootstrap(): void {
    for (const agency of this.catalogue.agencies) {
      if (agency.adapter.kind !== 'file-drop') continue;
      try {
        const config = parseFileDropConfig(agency, { env: agencyEnvironment, endpointOverride: this.endpointOverrides[agency.code] });
        const poller = new InboxPoller({
          agencyCode: agency.code,
          config,
          onAnswer: (answer, fileName) => this.record(agency.code, answer, fileName),
          logger: { log: (message) => this.logger.log(message), warn: (message) => this.logger.warn(message) },
        });
        poller.start();
        this.pollers.push(poller);
        this.logger.log(`polling the inbox of ${agency.code} every ${config.pollIntervalMs} ms`);
      } catch (error) {
        const reason = error instanceof AgencyCallError ? error.reason : (error as Error).message;
        this.logger.error(`inbox of ${agency.code} not polled: ${reason}`);
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.pollers.map((poller) => poller.close()));
    this.pollers.length = 0;
  }

  private async record(agencyCode: string, answer: AgencyAnswer, fileName: string): Promise<AnswerHandling> {
    const result = await this.answers.execute({ agencyCode, transactionId: answer.transactionId, source: fileName, outcome: answerOutcome(answer) });
    return result.kind;
  }
}
