/**
 * Text PostgreSQL can keep: no U+0000 (text and jsonb refuse it) and no unpaired UTF-16 surrogate
 * (jsonb refuses its `\udXXX` escape; a text column would silently turn it into U+FFFD). Checked on
 * free text a caller sends before it reaches a jsonb column or the audit log, so that such input is
 * a 422 naming the field, not a failed statement.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const NOT_STORABLE_MESSAGE = 'must not contain NUL (U+0000) or unpaired surrogate characters';

export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && !LONE_SURROGATE.test(value);
}
