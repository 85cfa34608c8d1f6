import { describe, expect, it } from 'vitest';
import { LOCALES, localeOf } from '../../src/i18n/locale.js';

describe('localeOf', () => {
  it.each([
    ['fr', 'fr'],
    ['EN', 'en'],
    [' en-US ', 'en'],
    ['fr_FR', 'fr'],
  ] as const)('%j names %s', (tag, locale) => {
    const other = locale === 'fr' ? 'en' : 'fr';
    expect(localeOf(tag, other)).toBe(locale);
  });

  it.each(['de', 'english', 'fra', 'enfr', '', null, undefined])('%j names none: the fallback', (tag) => {
    for (const fallback of LOCALES) expect(localeOf(tag, fallback)).toBe(fallback);
  });
});
