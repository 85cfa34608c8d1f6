export const LOCALES = ['fr', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** Each language in its own words, as a customer's language is offered. */
export const LANGUAGE_NAMES: Readonly<Record<Locale, string>> = { fr: 'Français', en: 'English' };

/** BCP 47 tags used with Intl and date-fns for each supported locale. */
export const INTL_TAG: Record<Locale, string> = { fr: 'fr-FR', en: 'en-GB' };
