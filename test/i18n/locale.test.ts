import { describe, expect, it } from 'vitest';
import { LOCALES, localeOf, preferredLocale } from '../../src/i18n/locale.js';

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

describe('preferredLocale', () => {
  it.each([
    ['fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7', 'fr'],
    ['de-DE, en;q=0.5, fr;q=0.8', 'fr'],
    ['en;q=0.5, fr;q=0.5', 'en'],
    ['fr;q=0, en-GB', 'en'],
    ['EN-us', 'en'],
  ] as const)('%j prefers %s', (header, locale) => {
    const other = locale === 'fr' ? 'en' : 'fr';
    expect(preferredLocale(header, other)).toBe(locale);
  });

  it.each(['', 'de-DE,it;q=0.5', '*', 'fr;q=abc', undefined])('%j names none: the fallback', (header) => {
    for (const fallback of LOCALES) expect(preferredLocale(header, fallback)).toBe(fallback);
  });
});
