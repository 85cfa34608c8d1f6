export const LOCALES = ['fr', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** Each language in its own words, as a customer's language is offered. */
export const LANGUAGE_NAMES: Readonly<Record<Locale, string>> = { fr: 'Français', en: 'English' };

/** BCP 47 tags used with Intl and date-fns for each supported locale. */
export const INTL_TAG: Record<Locale, string> = { fr: 'fr-FR', en: 'en-GB' };

/** The locale a language tag names (`fr`, `en`, `en-US`, `fr_FR`, any case), or `fallback` for anything else. */
export function localeOf(tag: string | null | undefined, fallback: Locale): Locale {
  const language = tag?.trim().slice(0, 2).toLowerCase();
  const rest = tag?.trim().slice(2) ?? '';
  const known = LOCALES.find((locale) => locale === language);
  return known !== undefined && (rest === '' || /^[-_]/.test(rest)) ? known : fallback;
}
