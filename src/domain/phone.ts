// The "max" metadata bundle is the one that tells mobile numbers from fixed lines reliably.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { FIELD_MAX_LENGTH } from '../safedebit/fields.js';
import { withoutFormatMarks } from './pasted-text.js';
import type { Checked } from './problem.js';

export type PhoneProblemCode = 'required' | 'too_long' | 'phone_invalid' | 'phone_not_mobile';

// Digits, `+`, and the punctuation people write numbers with. libphonenumber would otherwise pick a
// number out of any text ("call 0612345678 now") and accept it.
const PHONE_CHARACTERS = /^[\d+().\-/ \u00A0\u2009\u202F]+$/u;

// Types that can receive the SMS carrying the payment link; FIXED_LINE_OR_MOBILE is what the
// metadata says for countries (e.g. the US) that do not tell the two apart.
const SMS_CAPABLE_TYPES: ReadonlySet<string> = new Set(['MOBILE', 'FIXED_LINE_OR_MOBILE']);

/**
 * France's overseas departments and collectivities: their numbers are written like mainland ones (0692 12 34 56 in
 * Réunion, 0696… in Martinique, 0708 41 12 34 for a Saint-Pierre-et-Miquelon mobile), but belong to their own
 * numbering plans; Mayotte's (0639…) share Réunion's +262, Saint-Barthélemy's and Saint-Martin's Guadeloupe's +590,
 * and are read with them.
 */
const OVERSEAS_REGIONS = ['RE', 'GP', 'MQ', 'GF', 'PM'] as const;

/**
 * A valid number as a French rep writes it, else undefined: mainland first, then overseas for a 0-and-9-digits one
 * mainland lacks. Validity is checked once here: with the "max" metadata it is the costly part of the parse.
 */
function parseAsFrench(text: string) {
  // A French number starts with its 0, another with its country code: libphonenumber would read `612 34 56 78`, a
  // Spanish mobile whose +34 was left out, as France's 06 12 34 56 78, and the SMS would go to a stranger.
  if (!/^[+0]/.test(text.replace(/[^\d+]/g, ''))) return undefined;
  const mainland = parsePhoneNumberFromString(text, 'FR');
  if (mainland?.isValid()) return mainland;
  if (!/^0\d{9}$/.test(text.replace(/\D/g, ''))) return undefined;
  for (const region of OVERSEAS_REGIONS) {
    const overseas = parsePhoneNumberFromString(text, region);
    if (overseas?.isValid()) return overseas;
  }
  return undefined;
}

/**
 * French numbers in any writing (`06 12 34 56 78`, `+33 (0)6…`, `0033 6…`) become the national
 * 10 digits `0612345678`, as in SAFEDEBIT's example; valid foreign numbers become E.164.
 */
export function normalizePhone(input: string, opts: { requireMobile: boolean }): Checked<string, PhoneProblemCode> {
  // Word and Outlook put non-breaking hyphens or en dashes between the pairs of a number they were given.
  const text = withoutFormatMarks(input)
    .trim()
    .replace(/[\u2010-\u2013\u2212]/gu, '-');
  const max = FIELD_MAX_LENGTH.consumer_phone_number;
  if (text === '') return { ok: false, problem: { code: 'required' } };
  if (text.length > max) return { ok: false, problem: { code: 'too_long', params: { max } } };
  if (!PHONE_CHARACTERS.test(text)) return { ok: false, problem: { code: 'phone_invalid' } };

  // libphonenumber reads a no-break space between digits, but neither a thin nor a narrow no-break space.
  const phone = parseAsFrench(text.replace(/[\u2009\u202F]/gu, ' '));
  if (!phone) return { ok: false, problem: { code: 'phone_invalid' } };
  if (opts.requireMobile && !SMS_CAPABLE_TYPES.has(phone.getType() ?? '')) {
    return { ok: false, problem: { code: 'phone_not_mobile' } };
  }
  return { ok: true, value: phone.country === 'FR' ? `0${phone.nationalNumber}` : phone.number };
}
