const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id of ours (any UUID version, either case): check it before it reaches a `uuid` column. */
export function isUuid(text: string): boolean {
  return UUID.test(text);
}
