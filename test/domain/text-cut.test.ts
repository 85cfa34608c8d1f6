import { describe, expect, it } from 'vitest';
import { cutToCharacters, cutToUnits } from '../../src/domain/text-cut.js';

describe('text cut to a length', () => {
  it('by characters: an emoji counts one, is kept whole, and a cut text ends with …', () => {
    expect(cutToCharacters('Zoë 😀 Dupont', 20)).toBe('Zoë 😀 Dupont');
    expect(cutToCharacters('Zoë 😀 Dupont', 6)).toBe('Zoë 😀…');
    expect(cutToCharacters('abc', 3)).toBe('abc');
  });

  it('by UTF-16 units: never through an emoji, whose first half would be left alone', () => {
    expect(cutToUnits('ab😀cd', 3)).toBe('ab');
    expect(cutToUnits('ab😀cd', 4)).toBe('ab😀');
    expect(cutToUnits('abc', 5)).toBe('abc');
  });
});
