import { AMOUNT_TYPED_MAX_LENGTH, type AmountProblemCode, parseAmount } from '../domain/amount.js';
import { type Month, parseMonth } from '../domain/month.js';

export interface CommandPrefill {
  amount?: string;
  payment_reference?: string;
  /**
   * The amount's value when spaces group its thousands and its last group is three bare digits (`50 123`), which also
   * reads as a shorter amount and a reference (50 €, reference 123): the form says how it read it.
   */
  groupedAmountCents?: number;
}

/** What `/paylink <text>` asks for: a report on the ledger, help, or the form (pre-filled from the text). */
export type PaylinkCommand =
  | { kind: 'help' }
  | { kind: 'list'; only?: 'awaiting' | 'paid' }
  | { kind: 'status'; reference: string }
  | { kind: 'export'; month: Month }
  /** A report's keyword with what it cannot take: the answer says how to write it. */
  | { kind: 'usage'; of: 'list' | 'status' | 'export' }
  /** A report's keyword mistyped (`stauts F-2026-031`): the answer gives the request `meant`, as it would be typed. */
  | { kind: 'mistyped'; of: 'list' | 'status' | 'export'; meant: string }
  | { kind: 'form'; prefill: CommandPrefill };

/** Each report's keyword, in English and in French. */
const KEYWORDS: Readonly<Record<string, 'list' | 'status' | 'export'>> = {
  list: 'list',
  liste: 'list',
  status: 'status',
  statut: 'status',
  export: 'export',
  exporter: 'export',
};
const LIST_FILTERS: Readonly<Record<string, 'awaiting' | 'paid'>> = {
  open: 'awaiting',
  unpaid: 'awaiting',
  ouverts: 'awaiting',
  impayés: 'awaiting',
  impayes: 'awaiting',
  paid: 'paid',
  payés: 'paid',
  payes: 'paid',
};

/**
 * `/paylink list [open|paid]`, `/paylink status <payment reference>`, `/paylink export <YYYY-MM>`, `/paylink help
 * [keyword]`; anything else pre-fills the form, as `/paylink 1 250,50 F-2026-031` always did. Keywords are whole first
 * words, any case. `slackText` is the command's text as Slack sends it.
 */
export function parsePaylinkCommand(slackText: string): PaylinkCommand {
  const text = typedText(slackText);
  const trimmed = text.trim();
  const [first = '', ...rest] = trimmed.split(/\s+/);
  const keywordOf = (word: string) =>
    Object.hasOwn(KEYWORDS, word.toLowerCase()) ? KEYWORDS[word.toLowerCase()] : undefined;
  // `help`, or help about one keyword (`help status`): how to write that one.
  if (/^(help|aide|\?)$/i.test(first)) {
    const about = keywordOf(rest[0] ?? '');
    return about ? { kind: 'usage', of: about } : { kind: 'help' };
  }
  const keyword = keywordOf(first);
  const argument = trimmed.slice(first.length).trim();
  if (keyword === 'list') {
    if (argument === '') return { kind: 'list' };
    const only = rest.length === 1 && Object.hasOwn(LIST_FILTERS, argument.toLowerCase());
    return only ? { kind: 'list', only: LIST_FILTERS[argument.toLowerCase()] } : { kind: 'usage', of: 'list' };
  }
  if (keyword === 'status')
    return argument === '' ? { kind: 'usage', of: 'status' } : { kind: 'status', reference: argument };
  if (keyword === 'export') {
    const month = parseMonth(argument);
    return month ? { kind: 'export', month } : { kind: 'usage', of: 'export' };
  }
  // `stauts F-2026-031`: the request meant, not a form for a link whose reference would be what was mistyped.
  const near = keywordNear(first);
  const of = near === undefined ? undefined : KEYWORDS[near];
  if (near && of && takes(of, argument)) return { kind: 'mistyped', of, meant: `${near} ${argument}`.trim() };
  return { kind: 'form', prefill: parseCommandText(text) };
}

/**
 * Whether `argument` is what a mistyped keyword is surely followed by, rather than the rest of a reference that starts
 * with a word near it (`Statuts SAS Dupont`, `Lits`): a list's filter, a reference of one word with a digit in it, an
 * export's month or nothing.
 */
function takes(keyword: 'list' | 'status' | 'export', argument: string): boolean {
  if (keyword === 'list') return Object.hasOwn(LIST_FILTERS, argument.toLowerCase());
  if (keyword === 'status') return /^\S*\d\S*$/.test(argument);
  return argument === '' || parseMonth(argument) !== undefined;
}

/**
 * The keyword (in English or French) a word of letters is, typed with two letters swapped, one missing or one too many
 * (`stauts`, `satus`, `lsit`, `lists`), if any: not with one letter for another, which real words are (`statue`,
 * `expert`, `piste`). Words of 4 letters or more only, digits never: a reference.
 */
function keywordNear(word: string): string | undefined {
  const typed = word.toLowerCase();
  if (typed.length < 4 || !/^\p{L}+$/u.test(typed)) return undefined;
  return Object.keys(KEYWORDS).find((keyword) => oneEditApart(typed, keyword));
}

/** Whether `a` is `b` with one letter added or missing, or two neighbours swapped. */
function oneEditApart(a: string, b: string): boolean {
  if (a === b || Math.abs(a.length - b.length) > 1) return false;
  let at = 0;
  while (a[at] !== undefined && a[at] === b[at]) at += 1;
  if (a.length === b.length) return a[at] === b[at + 1] && a[at + 1] === b[at] && a.slice(at + 2) === b.slice(at + 2);
  const [longer, shorter] = a.length > b.length ? [a, b] : [b, a];
  return longer.slice(at + 1) === shorter.slice(at);
}

/**
 * Refusals of what is written as an amount but whose value is wrong or unclear: kept as the amount, so that the
 * form asks about it on submission, rather than read as part of the reference (or a shorter amount kept instead).
 */
const AMOUNT_VALUE_PROBLEMS: ReadonlySet<AmountProblemCode> = new Set([
  'amount_zero',
  'amount_negative',
  'amount_too_many_decimals',
  'amount_ambiguous',
  'amount_too_large',
]);

/**
 * `/paylink 1 250,50 F-2026-031` → amount "1 250,50", reference "F-2026-031". The amount is the longest
 * run of leading words written as an amount (so "1 250,50" keeps its space, and "1,250" is asked about in the
 * form, not taken for a reference), the rest the reference. Text that does not start with an amount is all
 * reference.
 */
export function parseCommandText(text: string): CommandPrefill {
  const words = text.trim().split(/\s+/).filter(Boolean);
  // Only runs an amount's input could hold: each run tried is read whole, and a long pasted text (a spreadsheet's
  // column) tried run by run took seconds before the ack.
  let longest = 0;
  for (let length = -1; longest < words.length; longest += 1) {
    length += 1 + (words[longest]?.length ?? 0);
    if (length > AMOUNT_TYPED_MAX_LENGTH) break;
  }
  for (let count = longest; count >= 1; count -= 1) {
    const amount = words.slice(0, count).join(' ');
    const checked = parseAmount(amount, { maxCents: Number.MAX_SAFE_INTEGER });
    if (checked.ok || AMOUNT_VALUE_PROBLEMS.has(checked.problem.code)) {
      const reference = words.slice(count).join(' ');
      const grouped = checked.ok && count > 1 && /^\d{3}$/.test(words[count - 1] ?? '');
      return {
        amount,
        ...(reference ? { payment_reference: reference } : {}),
        ...(grouped ? { groupedAmountCents: checked.value } : {}),
      };
    }
  }
  return words.length > 0 ? { payment_reference: words.join(' ') } : {};
}

/** Slack sends what the rep typed with `&`, `<` and `>` written `&amp;`, `&lt;`, `&gt;` (`&amp;` last: `&amp;lt;`). */
function typedText(slackText: string): string {
  // Composed (NFC), so that `payés` pasted with its accent as a separate mark is the keyword it reads as.
  return slackText.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').normalize('NFC');
}
