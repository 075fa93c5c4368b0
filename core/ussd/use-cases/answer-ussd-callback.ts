/**
 * One Africa's Talking USSD callback: `text` is every answer of the session so far joined by `*`.
 * The session's state lives in PostgreSQL (sealed), keyed by `sessionId`, so the next callback may
 * reach any replica, or one restarted in between. What is new in `text` is what follows the part
 * already answered; a callback repeated by the network gets the same screen again, unchanged,
 * the last one (END) included.
 */
import { kenyanMobile, phoneLookupHash } from '../../bookings/domain/booking';
import type { Clock } from '../../shared/clock';
import type { UssdCallback as UssdCallbackBody } from '../../../contracts/src/message.types';
import { DomainError } from '../../shared/errors';
import type { PersonalDataVault } from '../../shared/personal-data';
import type { UssdReply, UssdState } from '../domain/ussd-state';
import { NOTES, type UssdMenu, type UssdTurn } from '../ussd-menu';
import type { StoredUssdSession, UssdSessionRepository } from '../ussd-session.repository';

/** Africa's Talking ends a session after about 180 s; ours expires with it, counted from the last answer. */
export const USSD_SESSION_TTL_MS = 180_000;
/** No conversation of ours needs more typed: longer `text` is a confused gateway or a probe. */
export const USSD_TEXT_LIMIT = 500;
const PURGE_BATCH = 100;

export interface UssdCallback {
  sessionId: string;
  serviceCode: string;
  phoneNumber: string;
  text: string;
}

/** Sealed as a whole: it holds the ID number once typed (in `menu` and among the answers of `lastText`). */
export interface SessionPayload {
  menu: UssdState;
  /** How many `*`-separated answers of `text` are already taken into account. */
  consumed: number;
  lastText: string;
  lastReply: UssdReply;
}

export class AnswerUssdCallback {
  constructor(
    private readonly sessions: UssdSessionRepository,
    private readonly menu: UssdMenu,
    private readonly vault: PersonalDataVault,
    private readonly clock: Clock,
    private readonly ttlMs = USSD_SESSION_TTL_MS,
  ) {}

  /** `body` is valid against ussd-callback.v1.json (checked at the edge). */
  async execute(body: UssdCallbackBody): Promise<UssdReply> {
    const callback: UssdCallback = { sessionId: body.sessionId, serviceCode: body.serviceCode ?? '', phoneNumber: body.phoneNumber, text: body.text ?? '' };
    // The gateway shows only CON/END text: too long an input ends the session with words, not a problem+json.
    if (callback.text.length > USSD_TEXT_LIMIT) return { kind: 'END', text: 'Too many answers in one session. Please dial again.' };
    const phone = kenyanMobile(callback.phoneNumber);
    if (!phone) return { kind: 'END', text: 'Sorry, booking by USSD needs a Kenyan mobile number.' };
    const phoneHash = phoneLookupHash(this.vault, phone);
    const answers = callback.text === '' ? [] : callback.text.split('*');
    const now = this.clock.now();

    const stored = await this.sessions.find(callback.sessionId);
    if (stored && stored.phoneHash !== phoneHash) return { kind: 'END', text: 'This session belongs to another phone. Please dial again.' };

    const live = stored && stored.expiresAt.getTime() > now.getTime() ? stored : null;
    let turn: UssdTurn;
    if (answers.length === 0 || !live) {
      if (answers.length === 0) await this.sessions.purgeExpired(now, PURGE_BATCH);
      // Answers to a session we no longer hold (expired, purged) are not replayed: start again.
      turn = this.menu.start(answers.length === 0 ? undefined : NOTES.timedOut);
    } else {
      const payload = this.open(live);
      if (callback.text === payload.lastText) return payload.lastReply;
      const continues = payload.lastText === '' || callback.text.startsWith(`${payload.lastText}*`);
      const input = continues ? answers.slice(payload.consumed).join('*') : answers[answers.length - 1];
      turn = await this.menu.answer(payload.menu, input, phone);
    }

    // An END is kept too (its state is the bare menu) until the session expires, so that a final
    // callback the network repeats gets the same last screen again, not "Session timed out".
    const payload: SessionPayload = { menu: turn.state, consumed: answers.length, lastText: callback.text, lastReply: turn.reply };
    const saved = await this.sessions.save(
      { sessionId: callback.sessionId, phoneHash, stateSealed: this.vault.seal(payload), at: now, expiresAt: new Date(now.getTime() + this.ttlMs) },
      stored ? stored.version : null,
    );
    if (!saved) return this.concurrentAnswer(callback);
    return turn.reply;
  }

  /** Another replica saved this session first (a callback the network sent twice): answer as it did. */
  private async concurrentAnswer(callback: UssdCallback): Promise<UssdReply> {
    const winner = await this.sessions.find(callback.sessionId);
    const payload = winner ? this.open(winner) : null;
    if (payload && payload.lastText === callback.text) return payload.lastReply;
    throw new DomainError('conflict', 'ussd-session-busy', 'This USSD session was answered by another request at the same time.');
  }

  private open(session: StoredUssdSession): SessionPayload {
    return this.vault.open<SessionPayload>(session.stateSealed);
  }
}
