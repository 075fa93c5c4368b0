import type { FallbackPolicy } from '../../../contracts/src/catalogue.types';
import { localParts } from '../../centres/domain/local-time';
import type { EffectiveMode } from './agency-mode';

/** What a citizen asking for a service of an agency that is down will get. */
export type NoticeExpectation = 'provisional-reference' | 'paper-process' | 'come-back';

/** One line for one service while its agency is out of `auto`: on a ticket, on the hall board, in an SMS. */
export interface ServiceNotice {
  service: string;
  agency: string;
  mode: Exclude<EffectiveMode, 'auto'>;
  expect: NoticeExpectation;
  /** When to come back (the end of a maintenance window), for `come-back`. */
  comeBackAt: string | null;
  /** The line in English and in Swahili. */
  text: { en: string; sw: string };
}

export interface NoticeFacts {
  serviceCode: string;
  serviceName: string;
  agencyCode: string;
  agencyName: string;
  fallback: FallbackPolicy;
  mode: EffectiveMode;
  /** The end of the maintenance window, when there is one. */
  until: Date | null;
  timeZone: string;
}

const EXPECT: Record<FallbackPolicy, NoticeExpectation> = {
  'store-and-forward': 'provisional-reference',
  manual: 'paper-process',
  reject: 'come-back',
};

/** Null while the agency is in `auto`. The service's fallback policy says what the citizen gets. */
export function serviceNotice(facts: NoticeFacts): ServiceNotice | null {
  if (facts.mode === 'auto') return null;
  const expect = EXPECT[facts.fallback];
  const at = facts.until ? localParts(facts.until, facts.timeZone).time : null;
  const en: Record<NoticeExpectation, string> = {
    'provisional-reference': 'Provisional reference only; it is submitted when the system is back.',
    'paper-process': 'Paper forms only for now.',
    'come-back': at ? `Not available; please come back after ${at}.` : 'Not available; please come back later.',
  };
  const sw: Record<NoticeExpectation, string> = {
    'provisional-reference': 'Utapewa namba ya muda; ombi litatumwa mfumo ukirudi.',
    'paper-process': 'Fomu za karatasi tu kwa sasa.',
    'come-back': at ? `Haipatikani; tafadhali rudi baada ya saa ${at}.` : 'Haipatikani; tafadhali rudi baadaye.',
  };
  return {
    service: facts.serviceCode,
    agency: facts.agencyCode,
    mode: facts.mode,
    expect,
    comeBackAt: expect === 'come-back' && facts.until ? facts.until.toISOString() : null,
    text: {
      en: `${facts.serviceName}: the ${facts.agencyName} system is down. ${en[expect]}`,
      sw: `${facts.serviceName}: mfumo wa ${facts.agencyName} haupatikani. ${sw[expect]}`,
    },
  };
}
