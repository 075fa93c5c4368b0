import type { Clock } from '../../shared/clock';
import type { NoticeChoicesRepository, NoticeChoices } from '../notice-choices';
import type { ManageCentres } from './manage-centres';

/** GET/PUT /v1/centres/{code}/notice-choices: the optional citizen SMS of a centre, each change audited. */
export class CentreNoticeChoices {
  constructor(
    private readonly centres: Pick<ManageCentres, 'get'>,
    private readonly choices: NoticeChoicesRepository,
    private readonly clock: Clock,
  ) {}

  async get(code: string): Promise<NoticeChoices> {
    const centre = await this.centres.get(code);
    return this.choices.find(centre.code);
  }

  /** `choices` is valid against notice-choices.v1.json (checked at the edge). */
  async set(code: string, choices: NoticeChoices, actor: string): Promise<NoticeChoices> {
    const centre = await this.centres.get(code);
    const now = this.clock.now();
    await this.choices.save(centre.code, choices, actor, {
      entityType: 'centre',
      entityId: centre.code,
      type: 'notice_choices_set',
      actor,
      data: { hourBeforeReminder: choices.hourBeforeReminder, callAheadPlaces: choices.callAheadPlaces },
      occurredAt: now,
    });
    return choices;
  }
}
