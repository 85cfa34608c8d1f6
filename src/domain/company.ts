import type { Checked } from './problem.js';

export type SirenProblemCode = 'siren_format' | 'siren_checksum';
export type VatProblemCode = 'vat_not_french' | 'vat_format' | 'vat_checksum' | 'vat_siren_mismatch';

// SIREN and VAT numbers are printed in groups (`732 829 320`, `FR 44 732829320`).
const SPACES = /[ \u00A0\u2009\u202F]/gu;

/** A French company number: 9 digits with a Luhn check digit. Returns the 9 digits. */
export function checkSiren(input: string): Checked<string, SirenProblemCode> {
  const siren = input.replace(SPACES, '');
  if (!/^\d{9}$/.test(siren)) return { ok: false, problem: { code: 'siren_format' } };
  if (!passesLuhn(siren)) return { ok: false, problem: { code: 'siren_checksum' } };
  return { ok: true, value: siren };
}

/**
 * A French intra-community VAT number, `FR` + 2-digit key + SIREN, returned as `FR44732829320`.
 * When the form also gives a SIREN, the VAT number must be that company's.
 */
export function checkFrenchVat(input: string, siren?: string): Checked<string, VatProblemCode> {
  const vat = input.replace(SPACES, '').toUpperCase();
  const parts = /^FR(?<key>\d{2})(?<siren>\d{9})$/.exec(vat)?.groups;
  if (!parts?.key || !parts.siren) {
    return {
      ok: false,
      problem: { code: /^[A-Z]{2}/.test(vat) && !vat.startsWith('FR') ? 'vat_not_french' : 'vat_format' },
    };
  }
  if (!passesLuhn(parts.siren) || Number(parts.key) !== vatKey(parts.siren)) {
    return { ok: false, problem: { code: 'vat_checksum' } };
  }
  if (siren !== undefined && parts.siren !== siren) {
    return { ok: false, problem: { code: 'vat_siren_mismatch', params: { siren } } };
  }
  return { ok: true, value: vat };
}

/** The French VAT key of a SIREN: (12 + 3 × (SIREN mod 97)) mod 97. A 9-digit SIREN is a safe integer. */
function vatKey(siren: string): number {
  return (12 + 3 * (Number(siren) % 97)) % 97;
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
