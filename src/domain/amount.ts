import { INTL_TAG, LOCALES, type Locale } from '../i18n/locale.js';
import { withoutFormatMarks } from './pasted-text.js';
import type { Checked, Problem } from './problem.js';

export type AmountProblemCode =
  | 'required'
  | 'amount_not_a_number'
  | 'amount_zero'
  | 'amount_negative'
  | 'amount_too_many_decimals'
  | 'amount_ambiguous'
  | 'amount_bad_grouping'
  | 'amount_too_large';

/** The longest amount a rep types ("1 000 000 000,00 EUR" and room to spare): the form's input takes no more. */
export const AMOUNT_TYPED_MAX_LENGTH = 32;

// Regular, no-break, thin and narrow no-break spaces: Intl's French output uses U+202F and U+00A0,
// and people paste amounts from documents that use any of them.
const SPACE = '[ \\u00A0\\u2009\\u202F]';
const CURRENCY = '(?:€|eur(?:os?)?)';
const MINUS = '[-\\u2212]';
const AMOUNT_SHAPE = new RegExp(
  `^(?<minusBefore>${MINUS})?${SPACE}*(?<currencyBefore>${CURRENCY})?${SPACE}*(?<minusAfter>${MINUS})?${SPACE}*` +
    `(?<number>\\d(?:[\\d.,]|${SPACE})*?)${SPACE}*(?<currencyAfter>${CURRENCY})?$`,
  'iu',
);
/**
 * `12€50`, as French people write 12,50 € by hand: the euro sign in place of the decimal comma, touching the digits
 * (`/paylink 12 € 50` stays 12 € and the reference 50).
 */
const EURO_SIGN_AS_COMMA = new RegExp(`^(?<euros>\\d(?:[\\d.]|${SPACE})*?\\d|\\d)€(?<cents>\\d{1,2})$`, 'u');
const NUMBER_TOKENS = new RegExp(`\\d+|${SPACE}+|[.,]`, 'gu');
const SPACE_ONLY = new RegExp(`^${SPACE}+$`, 'u');

/**
 * Reads an amount in euros as a French or English person writes it (`1 250,50`, `1,250.50`,
 * `1.250,50 €`, `€12`) into integer cents. Digits are handled as strings and BigInt, never floats,
 * so no amount is silently rounded.
 */
export function parseAmount(input: string, opts: { maxCents: number }): Checked<number, AmountProblemCode> {
  if (!Number.isSafeInteger(opts.maxCents) || opts.maxCents < 1) {
    throw new RangeError(`maxCents must be a positive safe integer, got ${opts.maxCents}`);
  }
  const trimmed = withoutFormatMarks(input).trim();
  if (trimmed === '') return fail('required');
  const handWritten = EURO_SIGN_AS_COMMA.exec(trimmed)?.groups;
  const text = handWritten ? `${handWritten.euros},${handWritten.cents}` : trimmed;

  const shape = AMOUNT_SHAPE.exec(text)?.groups;
  if (!shape?.number || !/\d$/.test(shape.number)) return fail('amount_not_a_number');
  const { minusBefore, currencyBefore, minusAfter, currencyAfter } = shape;
  if ((minusBefore && minusAfter) || (currencyBefore && currencyAfter)) return fail('amount_not_a_number');
  if (minusBefore || minusAfter) return fail('amount_negative');

  const digits = splitDigits(shape.number);
  if (!digits.ok) return readingsWithin(digits, opts.maxCents);
  const cents = BigInt(digits.value.integer) * 100n + BigInt(digits.value.fraction.padEnd(2, '0'));

  if (cents === 0n) return fail('amount_zero');
  if (cents > BigInt(opts.maxCents)) return fail('amount_too_large', { maxCents: opts.maxCents });
  return { ok: true, value: Number(cents) };
}

/** How a locale writes euros, read once from Intl: the characters around the number and between its digits. */
interface EuroPattern {
  prefix: string;
  group: string;
  decimal: string;
  suffix: string;
}

/**
 * Intl formats 1 234 567,89 € once per locale; every amount is then written with the same characters
 * (Intl's own narrow no-break spaces in French). Formatting each amount through Intl cost more than the
 * rest of the flow's own code put together under load.
 */
function learnEuroPattern(locale: Locale): EuroPattern {
  const parts = new Intl.NumberFormat(INTL_TAG[locale], { style: 'currency', currency: 'EUR' }).formatToParts(
    1234567.89,
  );
  const numberParts = new Set(['integer', 'group', 'decimal', 'fraction']);
  const first = parts.findIndex((part) => numberParts.has(part.type));
  const last = parts.findLastIndex((part) => numberParts.has(part.type));
  const text = (from: number, to: number) =>
    parts
      .slice(from, to)
      .map((part) => part.value)
      .join('');
  return {
    prefix: text(0, first),
    group: parts.find((part) => part.type === 'group')?.value ?? '',
    decimal: parts.find((part) => part.type === 'decimal')?.value ?? '.',
    suffix: text(last + 1, parts.length),
  };
}

const EURO_PATTERNS = Object.fromEntries(LOCALES.map((locale) => [locale, learnEuroPattern(locale)])) as Record<
  Locale,
  EuroPattern
>;

/**
 * `125050` cents → `{ euros: '1250', cents: '50' }`, `5` → `{ euros: '0', cents: '05' }`. The digits are split two
 * from the end, with no division, so the largest safe amounts come out exact.
 */
export function euroDigits(amountCents: number): { euros: string; cents: string } {
  if (!Number.isSafeInteger(amountCents) || amountCents < 0) {
    throw new RangeError(`cents must be a non-negative safe integer, got ${amountCents}`);
  }
  const digits = String(amountCents).padStart(3, '0');
  return { euros: digits.slice(0, -2), cents: digits.slice(-2) };
}

/** `125050` cents → `1250,50` / `1250.50` with `decimal`: no grouping, nothing a spreadsheet or a form misreads. */
export function plainEuros(amountCents: number, decimal: string): string {
  const digits = euroDigits(amountCents);
  return `${digits.euros}${decimal}${digits.cents}`;
}

/** `1 250,50 €` in French (with Intl's own narrow no-break spaces), `€1,250.50` in English. */
export function formatAmount(amountCents: number, locale: Locale): string {
  const { euros, cents } = euroDigits(amountCents);
  const pattern = EURO_PATTERNS[locale];
  const firstGroup = euros.length % 3 || 3;
  let grouped = euros.slice(0, firstGroup);
  for (let at = firstGroup; at < euros.length; at += 3) grouped += pattern.group + euros.slice(at, at + 3);
  return `${pattern.prefix}${grouped}${pattern.decimal}${cents}${pattern.suffix}`;
}

interface AmountDigits {
  integer: string;
  fraction: string;
}

/**
 * Splits `1 250,50` into integer and fraction digits. A comma or dot is the decimal separator when
 * it is the last separator and not also used between thousands groups; everything else must be
 * thousands grouping with a single kind of separator and groups of three.
 */
function splitDigits(number: string): Checked<AmountDigits, AmountProblemCode> {
  const groups: string[] = [];
  const separators: string[] = [];
  for (const [token] of number.matchAll(NUMBER_TOKENS)) {
    if (/^\d/.test(token)) groups.push(token);
    else separators.push(SPACE_ONLY.test(token) ? ' ' : token);
  }
  // Two separators in a row (`1,,5`, `1 .5`) leave fewer groups than separators + 1.
  if (groups.length !== separators.length + 1) return fail('amount_not_a_number');
  if (separators.length === 0) return { ok: true, value: { integer: number, fraction: '' } };

  const last = separators[separators.length - 1];
  const lastGroup = groups[groups.length - 1] ?? '';
  const decimalSeparator = last === '.' || last === ',' ? last : undefined;
  const decimalUsedOnce =
    decimalSeparator !== undefined && separators.indexOf(decimalSeparator) === separators.length - 1;

  if (!decimalUsedOnce) return thousandsOnly(groups, separators);

  const integerGroups = groups.slice(0, -1);
  const groupingSeparators = separators.slice(0, -1);
  if (groupingSeparators.length === 0 && lastGroup.length === 3 && isThousandsGrouping(groups)) {
    // `1,250` / `12.345`: a lone separator before exactly three digits reads either way.
    return fail('amount_ambiguous', ambiguousReadings(groups));
  }
  if (lastGroup.length > 2) return fail('amount_too_many_decimals');
  const integer = thousandsOnly(integerGroups, groupingSeparators);
  if (!integer.ok) return integer;
  return { ok: true, value: { integer: integer.value.integer, fraction: lastGroup } };
}

function thousandsOnly(groups: string[], separators: string[]): Checked<AmountDigits, AmountProblemCode> {
  const singleKind = separators.every((separator) => separator === separators[0]);
  if (separators.length > 0 && (!singleKind || !isThousandsGrouping(groups))) return fail('amount_bad_grouping');
  return { ok: true, value: { integer: groups.join(''), fraction: '' } };
}

/** `1`/`12`/`123` followed by groups of exactly three digits, without a leading zero. */
function isThousandsGrouping(groups: string[]): boolean {
  const [first, ...rest] = groups;
  return first !== undefined && /^[1-9]\d{0,2}$/.test(first) && rest.every((group) => group.length === 3);
}

/**
 * Both readings of `1,250`, in cents: 1 250 € and 1,25 €. The decimal reading is only offered when
 * it is a whole number of cents (`12.345` can only be 12 345 € as an amount).
 */
function ambiguousReadings([integer = '', threeDigits = '']: string[]): Record<string, number> {
  const asThousands = Number(BigInt(integer + threeDigits) * 100n);
  if (!threeDigits.endsWith('0')) return { asThousands };
  return { asThousands, asDecimals: Number(BigInt(integer + threeDigits.slice(0, 2))) };
}

/**
 * An ambiguous amount's readings over the maximum are not offered ("Write 250000" would be refused at once as too high),
 * but said to be (`overMaxCents`, the thousands reading, the larger), so that the rep who meant it is not steered to
 * the other, a thousand times smaller; with none left, the amount is too high whichever was meant.
 */
function readingsWithin(
  failed: { ok: false; problem: Problem<AmountProblemCode> },
  maxCents: number,
): { ok: false; problem: Problem<AmountProblemCode> } {
  if (failed.problem.code !== 'amount_ambiguous') return failed;
  const { asThousands, asDecimals } = failed.problem.params ?? {};
  if (Number(asThousands) <= maxCents) return failed;
  if (asDecimals === undefined || Number(asDecimals) > maxCents) return fail('amount_too_large', { maxCents });
  return fail('amount_ambiguous', { asDecimals: Number(asDecimals), overMaxCents: Number(asThousands), maxCents });
}

function fail(
  code: AmountProblemCode,
  params?: Record<string, number>,
): { ok: false; problem: Problem<AmountProblemCode> } {
  return { ok: false, problem: params ? { code, params } : { code } };
}
