/**
 * USSD screens: numbered lists cut into pages that fit one screen, with room kept for a short
 * note ("Invalid choice.") so a re-prompt shows the same page, numbered the same way.
 */
import { USSD_SCREEN_LIMIT, type UssdOption } from './ussd-state';

/** The text after `CON ` / `END `. */
export const TEXT_LIMIT = USSD_SCREEN_LIMIT - 4;
/** A note on top of a screen is at most this long, newline included. */
export const NOTE_ROOM = 24;
export const LABEL_LIMIT = 40;
const MORE = '\n0 More';

/** Cuts `text` to `limit` characters, marking the cut with `...` (U+2026 is not in GSM-7). */
export function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, Math.max(limit - 3, 0))}...`;
}

/** A whole screen, never over the limit whatever the data (names are catalogue-controlled, not ours). */
export function screen(note: string | undefined, body: string): string {
  return clip(toGsm7(note ? `${clip(note, NOTE_ROOM - 1)}\n${body}` : body), TEXT_LIMIT);
}

/**
 * The GSM 03.38 default alphabet (and its extension table), which every handset shows: a screen
 * with any other character is sent as UCS-2 by some networks (70 characters, not 182) or shown
 * as boxes by others. Carriage return and form feed are left out: a screen's lines end in \n.
 */
const GSM7 = new Set([
  ...'@£$¥èéùìòÇ\nØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
  ...'^{}\\[~]|€',
]);

/** Common characters outside GSM-7 and what stands in for them. */
const LOOKALIKES: ReadonlyMap<string, string> = new Map([
  ...[...'\u2018\u2019\u201a\u2032`\u00b4'].map((char) => [char, "'"] as const),
  ...[...'\u201c\u201d\u201e\u00ab\u00bb'].map((char) => [char, '"'] as const),
  ...[...'\u2010\u2011\u2012\u2013\u2014\u2212\u2022'].map((char) => [char, '-'] as const),
  ['\u2026', '...'],
  ['\u00a0', ' '],
  ['\t', ' '],
  ['\r', ''],
]);

export function isGsm7(text: string): boolean {
  for (const char of text) if (!GSM7.has(char)) return false;
  return true;
}

/** `text` in GSM-7: look-alikes replaced, accents dropped where the plain letter is in the alphabet, anything else `?`. */
export function toGsm7(text: string): string {
  let out = '';
  for (const char of text) {
    const lookalike = LOOKALIKES.get(char);
    if (GSM7.has(char)) out += char;
    else if (lookalike !== undefined) out += lookalike;
    else {
      const plain = char.normalize('NFD').replace(/\p{M}/gu, '');
      out += plain !== '' && isGsm7(plain) ? plain : '?';
    }
  }
  return out;
}

/** Option indexes per page: as many lines as fit under the title, with room for a note and "0 More". */
export function pages(title: string, options: readonly UssdOption[]): number[][] {
  const budget = TEXT_LIMIT - NOTE_ROOM - clip(title, LABEL_LIMIT).length - MORE.length;
  const result: number[][] = [];
  let current: number[] = [];
  let used = 0;
  options.forEach((option, index) => {
    const line = 1 + optionLine(index, option).length;
    if (current.length > 0 && used + line > budget) {
      result.push(current);
      current = [];
      used = 0;
    }
    current.push(index);
    used += line;
  });
  if (current.length > 0) result.push(current);
  return result;
}

function optionLine(index: number, option: UssdOption): string {
  return `${index + 1}. ${clip(option.label, LABEL_LIMIT)}`;
}

export function listScreen(title: string, options: readonly UssdOption[], page: number, note?: string): string {
  const all = pages(title, options);
  const shown = all[page % Math.max(all.length, 1)] ?? [];
  const lines = [clip(title, LABEL_LIMIT), ...shown.map((i) => optionLine(i, options[i]))];
  return screen(note, lines.join('\n') + (all.length > 1 ? MORE : ''));
}

export function pageCount(title: string, options: readonly UssdOption[]): number {
  return pages(title, options).length;
}

/** The option a typed number names (any shown number, on any page), or undefined. */
export function chosen(options: readonly UssdOption[], input: string): UssdOption | undefined {
  if (!/^\d{1,3}$/.test(input)) return undefined;
  const n = Number(input);
  return n >= 1 && n <= options.length ? options[n - 1] : undefined;
}
