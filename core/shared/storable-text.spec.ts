import { isStorableText } from './storable-text';

describe('isStorableText', () => {
  it.each([
    ['plain text', 'NRB system down since 09:10', true],
    ['Swahili and a paired emoji', 'Mfumo umeanguka 😀', true],
    ['empty', '', true],
    ['a NUL', 'down\u0000now', false],
    ['a lone high surrogate', 'down \ud800 now', false],
    ['a lone high surrogate at the end', 'cut 😀'.slice(0, 5), false],
    ['a lone low surrogate', '\udc00 down', false],
    ['a reversed pair', '\ude00\ud83d', false],
  ])('%s → %s', (_label, value, expected) => {
    expect(isStorableText(value)).toBe(expected);
  });
});
