import { describe, expect, it } from 'vitest';
import type { PaymentFormProblemCode } from '../../src/domain/payment-form.js';
import { classifyStatus } from '../../src/domain/payment-status.js';
import { buildThankYouPage } from '../../src/http/html.js';
import { linkReportTexts } from '../../src/i18n/link-reports.js';
import { LOCALES, type Locale } from '../../src/i18n/locale.js';
import { messagesFor, refusedFormGone } from '../../src/i18n/messages.js';
import { describeProblem } from '../../src/i18n/problems.js';
import { SANDBOX_TEXTS } from '../../src/i18n/sandbox.js';
import { describeStatus } from '../../src/i18n/statuses.js';
import { describeRefusal, REFUSAL_CATALOG } from '../../src/safedebit/error-catalog.js';

/**
 * Every text a table of texts holds: its strings, and what its functions give for placeholder arguments (a word with
 * no space, so that what is found is the text's own).
 */
function textsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'function') return textsOf(value('X', 'X', 'X'));
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(textsOf);
  return [];
}

/**
 * What a French typographer would mark: a breaking space before « : ; ! ? » or inside guillemets, where Slack or a
 * browser may wrap the line, leaving the sign alone at the start of the next. A `:emoji:` is no colon.
 */
function breakingSpaces(text: string): string[] {
  const before = [...text.matchAll(/ ([:;!?»])(?![a-z0-9_+-]+:)/g)].map((match) => `«${match[0]}»`);
  const after = [...text.matchAll(/« /g)].map((match) => `«${match[0]}»`);
  return [...before, ...after];
}

/** Every code the form's rules return: a code added to them and not here is a type error. */
const EVERY_PROBLEM_CODE: Record<PaymentFormProblemCode, true> = {
  required: true,
  too_long: true,
  not_printable: true,
  control_character: true,
  email_invalid: true,
  zip_code_invalid: true,
  zip_code_letters: true,
  option_not_offered: true,
  amount_not_a_number: true,
  amount_zero: true,
  amount_negative: true,
  amount_too_many_decimals: true,
  amount_ambiguous: true,
  amount_bad_grouping: true,
  amount_too_large: true,
  phone_invalid: true,
  phone_not_mobile: true,
  siren_format: true,
  siren_checksum: true,
  siren_placeholder: true,
  vat_not_eu: true,
  vat_format: true,
  vat_checksum: true,
  vat_siren_mismatch: true,
};

/** Every problem's sentence, with params such as its rule gives (a thousands-sized amount where one is shown). */
const problemTexts = (locale: Locale) =>
  Object.keys(EVERY_PROBLEM_CODE).map((code) =>
    describeProblem(
      { code, params: { asThousands: 1234500, asDecimals: 125, maxCents: 100_000_000, max: 1000, siren: '732829320' } },
      locale,
    ),
  );

const FRENCH: Record<string, string[]> = {
  messages: textsOf(messagesFor('fr')),
  'link reports': textsOf(linkReportTexts('fr')),
  problems: problemTexts('fr'),
  refusals: [
    ...Object.keys(REFUSAL_CATALOG).map((code) => describeRefusal({ code, message: 'X' }, 'fr').message),
    describeRefusal({ code: 'PAY_042', message: 'X' }, 'fr').message,
    describeRefusal({ message: 'X' }, 'fr').message,
  ],
  statuses: [describeStatus(classifyStatus('ON_HOLD'), 'fr'), buildThankYouPage('fr')],
  sandbox: textsOf(SANDBOX_TEXTS.fr),
};

describe('typography', () => {
  it.each(Object.entries(FRENCH))('%s: a non-breaking space before « : ; ! ? » and inside guillemets', (_, texts) => {
    expect(texts.length).toBeGreaterThan(0);
    expect(texts.flatMap(breakingSpaces)).toEqual([]);
  });

  it.each(LOCALES)('%s: no line break inside a number given as an example (amount, phone, SIREN)', (locale) => {
    const texts = [...textsOf(messagesFor(locale)), ...textsOf(linkReportTexts(locale)), ...problemTexts(locale)];
    expect(texts.filter((text) => /\d \d/.test(text))).toEqual([]);
  });

  it.each([
    ['fr', '6\u202F000 liens'],
    ['en', '6,000 links'],
  ] as const)(
    '%s: groups the digits of a count of links as amounts are grouped (a month exported)',
    (locale, count) => {
      const t = linkReportTexts(locale);
      expect(t.exportComment('X', 6_000)).toContain(count);
      expect(t.exportDone('X', 6_000)).toContain(`(${count})`);
      expect(t.linkCount(6_000, 'X')).toBe(`${count} · X`);
    },
  );

  it.each([
    ['fr', '10 sur 6\u202F000', 'des 6\u202F000 liens'],
    ['en', '10 of 6,000', 'of 6,000 links'],
  ] as const)('%s: groups the digits of how many links matched a list or a status', (locale, listed, statused) => {
    const t = linkReportTexts(locale);
    expect(t.listShown(10, 6_000)).toBe(listed);
    expect(t.statusShown(5, 6_000)).toContain(statused);
  });

  it('leaves English alone', () => {
    for (const locale of LOCALES.filter((locale) => locale !== 'fr')) {
      expect(textsOf(messagesFor(locale)).join('\n')).not.toMatch(/[\u00A0\u202F][:;!?]/);
    }
  });
});

describe('a refusal told with the form gone', () => {
  it.each([
    [
      'en',
      '“consumer_email invalid”',
      ':no_entry: SAFEDEBIT refused the link: “consumer_email invalid”. Fix that, then',
    ],
    [
      'fr',
      '«\u00A0email invalide\u00A0»',
      'SAFEDEBIT a refusé le lien\u00A0: «\u00A0email invalide\u00A0». Une fois ce point',
    ],
    ['en', 'This reference is used (EXIST_005).', 'This reference is used (EXIST_005). Fix that, then'],
  ] as const)('ends SAFEDEBIT’s words with a full stop before how to ask again (%s)', (locale, words, said) => {
    expect(refusedFormGone(locale, words, true, '`/paylink`')).toContain(said);
  });
});
