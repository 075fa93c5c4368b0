import * as pg from 'pg';
import { textArrayParam, timestamptzParam } from './pool';

/** pg's conversion of a parameter to the text it sends (pg.utils; not in its type declarations). */
const { prepareValue } = (pg as unknown as { utils: { prepareValue(value: unknown): unknown } }).utils;

/** The parameter texts written ahead of pg (issue 13): each must be what pg would send, or mean the same to PostgreSQL. */
describe('parameters written ahead of pg', () => {
  it('writes a frozen list as the text pg writes for it, once, and hands any other list to pg as it is', () => {
    const lists = [[], ['received'], ['received', 'dispatched', 'retrying'], ['a "quoted" one', 'back\\slash', '', null, 'é😀', '{,}']];
    for (const list of lists) {
      const frozen = Object.freeze([...list]);
      const text = textArrayParam(frozen);
      expect(text).toBe(prepareValue(list));
      // Kept per list: the same string again, not a new one.
      expect(textArrayParam(frozen)).toBe(text);
      const open = [...list];
      expect(textArrayParam(open)).toBe(open);
    }
  });

  it('writes a time as its ISO text, the instant pg writes in the process zone, and leaves null and invalid times to pg', () => {
    const at = new Date('2026-12-07T09:41:02.005Z');
    expect(timestamptzParam(at)).toBe('2026-12-07T09:41:02.005Z');
    expect(new Date(timestamptzParam(at) as string).getTime()).toBe(new Date(prepareValue(at) as string).getTime());
    expect(timestamptzParam(null)).toBeNull();
    expect(timestamptzParam(undefined)).toBeUndefined();
    const invalid = new Date(NaN);
    expect(timestamptzParam(invalid)).toBe(invalid);
  });
});
