import { stringify } from 'csv-stringify/sync';
import { text } from 'node:stream/consumers';
import type { ExportedEvent } from '../../../core/audit/audit-queries';
import { JsonText } from '../../../core/audit/json-text';
import { EVENT_COLUMNS, EVENT_LINES, exportStream, recordLines } from './audit-export';

/**
 * EVENT_LINES writes each event field by field, without the record the generic writer goes
 * through: its CSV and JSON Lines must be byte for byte what `recordLines` (the writer the
 * transactions still use) and the references (csv-stringify, JSON.stringify) write, for text fields
 * holding every character RFC 4180 or JSON treats specially, and non-ASCII text.
 */
describe('the events export lines', () => {
  const odd = [
    'plain',
    'comma, here',
    'a "quoted" word',
    '"',
    'line\nbreak',
    'carriage\rreturn',
    'crlf\r\n',
    'tab\tand \u0001 \u001f \u007f',
    'back\\slash/',
    'é € 中文 😀 \u2028 \u2029',
    '',
    ' leading and trailing ',
  ];
  const data = [
    { service: 'id-card-replacement', attempt: 1 },
    { text: 'comma, "quote", new\nline é 😀', list: [1, 2.5, null, true], nested: { a: {} } },
    {},
  ];
  const events: ExportedEvent[] = odd.map((value, i) => ({
    chain: i % 16,
    position: 1 + i * 1_000_003,
    entityType: odd[(i + 1) % odd.length],
    entityId: value,
    type: odd[(i + 5) % odd.length],
    actor: odd[(i + 7) % odd.length],
    at: `2026-11-22T08:00:0${i % 10}.${String(i).padStart(3, '0')}Z`,
    data: new JsonText(JSON.stringify(data[i % data.length])),
    prevHash: 'ab'.repeat(32),
    hash: i.toString(16).padStart(64, '0'),
  }));
  const generic = recordLines((event: ExportedEvent) => event, EVENT_COLUMNS);
  const plain = events.map((event) => ({ ...event, data: JSON.parse(event.data.json) as unknown }));

  it('writes each event as CSV exactly as the generic writer and csv-stringify do', () => {
    for (const event of events) expect(EVENT_LINES.csv(event)).toBe(generic.csv(event));
    expect(events.map((event) => EVENT_LINES.csv(event)).join('')).toBe(stringify(plain, { columns: [...EVENT_COLUMNS] }));
  });

  it('writes each event as a JSON line exactly as the generic writer and JSON.stringify do', () => {
    for (const event of events) expect(EVENT_LINES.jsonl(event)).toBe(generic.jsonl(event));
    expect(events.map((event) => EVENT_LINES.jsonl(event)).join('')).toBe(plain.map((event) => `${JSON.stringify(event)}\n`).join(''));
  });

  it('streams a header and the lines, in chunks, whatever the number of pages', async () => {
    async function* pages() {
      for (let page = 0; page < 300; page++) yield events;
    }
    const csv = await text(exportStream(pages(), EVENT_LINES, 'csv'));
    expect(csv).toBe(stringify(Array.from({ length: 300 }, () => plain).flat(), { header: true, columns: [...EVENT_COLUMNS] }));
  });
});
