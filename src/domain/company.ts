import { type Country, checkVAT, countries } from 'jsvat';
import type { Checked } from './problem.js';

export type SirenProblemCode = 'siren_format' | 'siren_checksum' | 'siren_placeholder';
export type VatProblemCode = 'vat_not_eu' | 'vat_format' | 'vat_checksum' | 'vat_siren_mismatch';

// SIREN and VAT numbers are printed in groups (`732 829 320`, `FR 44 732829320`).
const SPACES = /[ \u00A0\u2009\u202F]/gu;
// VAT numbers are also printed with dots or hyphens between the groups (`BE 0417.497.106`).
const VAT_SEPARATORS = /[ \u00A0\u2009\u202F.-]/gu;

/** The 27 member states (ISO codes; Greece's VAT prefix is EL, which jsvat knows). */
const EU_MEMBER_STATE_CODES: ReadonlySet<string> = new Set(
  'AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK'.split(' '),
);
/**
 * jsvat also knows non-members (United Kingdom, Switzerland, Norway…) and the `EU` numbers of the non-Union OSS
 * scheme: none of them is an intra-community VAT number.
 */
const EU_MEMBER_STATES: readonly Country[] = countries.filter((country) =>
  EU_MEMBER_STATE_CODES.has(country.codes[0] ?? ''),
);

/** A French company number: 9 digits with a Luhn check digit. Returns the 9 digits. */
export function checkSiren(input: string): Checked<string, SirenProblemCode> {
  const siren = input.replace(SPACES, '');
  if (!/^\d{9}$/.test(siren)) return { ok: false, problem: { code: 'siren_format' } };
  if (!passesLuhn(siren)) return { ok: false, problem: { code: 'siren_checksum' } };
  // Nine zeros pass the check digit, and name no company: a placeholder typed to get past the field.
  if (/^0+$/.test(siren)) return { ok: false, problem: { code: 'siren_placeholder' } };
  return { ok: true, value: siren };
}

/**
 * An intra-community VAT number of any EU member state, its format and check digits checked by jsvat, returned
 * without separators (`FR44732829320`, `DE136695976`). A French number also carries a SIREN, which must pass
 * its own check (unless it is Monaco's 000…) and, when the form gives a SIREN, be that one.
 */
export function checkEuVat(input: string, siren?: string): Checked<string, VatProblemCode> {
  const vat = input.replace(VAT_SEPARATORS, '').toUpperCase();
  // Irish numbers may hold `+` or `*`; anything else (jsvat would drop `/`) is not a VAT number.
  if (!/^[A-Z]{2}[0-9A-Z+*]+$/.test(vat)) return { ok: false, problem: { code: 'vat_format' } };
  const checked = checkVAT(vat, EU_MEMBER_STATES);
  if (!checked.isSupportedCountry) return { ok: false, problem: { code: 'vat_not_eu' } };
  if (!checked.isValidFormat) return { ok: false, problem: { code: 'vat_format' } };
  if (!checked.isValid) return { ok: false, problem: { code: 'vat_checksum' } };
  if (vat.startsWith('FR')) {
    const vatSiren = vat.slice(-9);
    // Monaco's companies get French numbers whose nine digits (000…) are no SIREN: only their key is checked. Nine
    // zeros, which pass every check, are a placeholder, as in the SIREN field.
    const monaco = vatSiren.startsWith('000');
    if ((!monaco && !passesLuhn(vatSiren)) || /^0+$/.test(vatSiren)) {
      return { ok: false, problem: { code: 'vat_checksum' } };
    }
    if (siren !== undefined && vatSiren !== siren) {
      return { ok: false, problem: { code: 'vat_siren_mismatch', params: { siren } } };
    }
  }
  return { ok: true, value: vat };
}

function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    const digit = Number(digits[digits.length - 1 - i]);
    // Every second digit from the right is doubled, and 2-digit results count as the sum of their digits.
    const weighted = i % 2 === 1 ? digit * 2 : digit;
    sum += weighted > 9 ? weighted - 9 : weighted;
  }
  return sum % 10 === 0;
}
