import { getByPointer, parsePointer, setByPointer } from './json-pointer';

describe('JSON pointer', () => {
  const document = { a: { 'b/c': [10, { 'd~e': 'x' }] }, zero: 0 };

  it('reads values, with ~1 and ~0 escapes and array indexes', () => {
    expect(getByPointer(document, '/a/b~1c/0')).toBe(10);
    expect(getByPointer(document, '/a/b~1c/1/d~0e')).toBe('x');
    expect(getByPointer(document, '/zero')).toBe(0);
    expect(getByPointer(document, '')).toBe(document);
  });

  it('answers undefined for paths that do not exist', () => {
    expect(getByPointer(document, '/a/missing/deeper')).toBeUndefined();
    expect(getByPointer(document, '/a/b~1c/7')).toBeUndefined();
    expect(getByPointer(document, '/a/b~1c/-')).toBeUndefined();
    expect(getByPointer(document, '/zero/toString')).toBeUndefined();
    expect(getByPointer({}, '/constructor')).toBeUndefined();
  });

  it('writes values, creating objects on the way', () => {
    const target: Record<string, unknown> = { keep: true };
    setByPointer(target, '/applicant/name', 'Wanjiku');
    setByPointer(target, '/applicant/id', '1');

    expect(target).toEqual({ keep: true, applicant: { name: 'Wanjiku', id: '1' } });
  });

  it('refuses pointers without a leading slash and writes to the prototype', () => {
    expect(() => parsePointer('a/b')).toThrow(SyntaxError);
    expect(() => setByPointer({}, '/__proto__/polluted', true)).toThrow(SyntaxError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
