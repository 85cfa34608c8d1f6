export const LOCALES = ['fr', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** Each language in its own words, as a customer's language is offered. */
export const LANGUAGE_NAMES: Readonly<Record<Locale, string>> = { fr: 'Français', en: 'English' };

/** BCP 47 tags used with Intl and date-fns for each supported locale. */
export const INTL_TAG: Record<Locale, string> = { fr: 'fr-FR', en: 'en-GB' };

/** The locale a language tag names (`fr`, `en`, `en-US`, `fr_FR`, any case), or `fallback` for anything else. */
export function localeOf(tag: string | null | undefined, fallback: Locale): Locale {
  return namedLocale(tag) ?? fallback;
}

/**
 * The supported locale a browser prefers most, by its `Accept-Language` header (`fr-CH, fr;q=0.9, en;q=0.8, *;q=0.5`),
 * or `fallback` when it names none of them.
 */
export function preferredLocale(acceptLanguage: string | undefined, fallback: Locale): Locale {
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((entry, order) => {
      const [tag, ...parameters] = entry.split(';');
      const q = parameters.map((parameter) => parameter.trim()).find((parameter) => /^q=/i.test(parameter));
      const weight = q === undefined ? 1 : Number(q.slice(2));
      return { locale: namedLocale(tag), weight: Number.isFinite(weight) ? weight : 0, order };
    })
    .filter((entry) => entry.locale !== undefined && entry.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.order - b.order);
  return ranked[0]?.locale ?? fallback;
}

function namedLocale(tag: string | null | undefined): Locale | undefined {
  const language = tag?.trim().slice(0, 2).toLowerCase();
  const rest = tag?.trim().slice(2) ?? '';
  const known = LOCALES.find((locale) => locale === language);
  return known !== undefined && (rest === '' || /^[-_]/.test(rest)) ? known : undefined;
}
