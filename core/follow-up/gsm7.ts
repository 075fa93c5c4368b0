/**
 * The GSM 03.38 default alphabet (without the escape table): every character of a USSD screen or
 * an SMS we send to a feature phone comes from it, so that no network turns it into `?` and no SMS
 * falls back to UCS-2 (70 characters a segment instead of 160).
 */
const GSM7 = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);

export function isGsm7(text: string): boolean {
  for (const character of text) if (!GSM7.has(character)) return false;
  return true;
}

/** Replaces what is not GSM-7 by `?`: for values that come from outside (an agency's reference or code). */
export function gsm7Only(text: string): string {
  return [...text].map((character) => (GSM7.has(character) ? character : '?')).join('');
}

/** At most `limit` characters, a cut marked with `..` (the ellipsis character is not GSM-7). */
export function fitGsm7(text: string, limit: number): string {
  const safe = gsm7Only(text);
  return safe.length <= limit ? safe : `${safe.slice(0, limit - 2)}..`;
}
