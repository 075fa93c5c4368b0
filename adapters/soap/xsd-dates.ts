/**
 * node-soap turns xsd:date and xsd:dateTime values into JavaScript Dates, which a response schema
 * (`"type": "string"`) then refuses and which shift a calendar day by the process's time zone. The
 * adapter reads them as ISO-8601 text instead (node-soap's `customDeserializer`):
 *   xsd:date      → YYYY-MM-DD, the day the agency wrote (a time zone suffix is dropped)
 *   xsd:dateTime  → with Z or an offset: the instant in UTC (2026-12-05T07:00:00.000Z);
 *                   without one: the agency's text as it is (we cannot know its zone)
 * Text that is neither is kept as it is, for the response schema to judge.
 */
const XSD_DATE = /^(-?\d{4,}-\d{2}-\d{2})(?:Z|[+-]\d{2}:\d{2})?$/;
const WITH_ZONE = /(?:Z|[+-]\d{2}:\d{2})$/;

export function xsdDate(text: string): string {
  const trimmed = text.trim();
  return XSD_DATE.exec(trimmed)?.[1] ?? trimmed;
}

export function xsdDateTime(text: string): string {
  const trimmed = text.trim();
  if (!WITH_ZONE.test(trimmed)) return trimmed;
  const instant = new Date(trimmed);
  return Number.isNaN(instant.getTime()) ? trimmed : instant.toISOString();
}

/** For node-soap's `customDeserializer` option: XSD type name → text reader. */
export const XSD_DATE_DESERIALIZERS = Object.freeze({ date: xsdDate, dateTime: xsdDateTime });
