import { describe, expect, it } from 'vitest';
import type { PaymentFormProblemCode } from '../../src/domain/payment-form.js';
import type { Problem } from '../../src/domain/problem.js';
import { LOCALES } from '../../src/i18n/locale.js';
import { describeProblem } from '../../src/i18n/problems.js';

// One problem per code, with the params its rule gives: a code missing here is a type error.
const SAMPLES: Record<PaymentFormProblemCode, Problem> = {
  required: { code: 'required' },
  too_long: { code: 'too_long', params: { max: 16 } },
  not_printable: { code: 'not_printable' },
  control_character: { code: 'control_character' },
  email_invalid: { code: 'email_invalid' },
  zip_code_invalid: { code: 'zip_code_invalid' },
  zip_code_letters: { code: 'zip_code_letters' },
  option_not_offered: { code: 'option_not_offered' },
  amount_not_a_number: { code: 'amount_not_a_number' },
  amount_zero: { code: 'amount_zero' },
  amount_negative: { code: 'amount_negative' },
  amount_too_many_decimals: { code: 'amount_too_many_decimals' },
  amount_ambiguous: { code: 'amount_ambiguous', params: { asThousands: 125000, asDecimals: 125 } },
  amount_bad_grouping: { code: 'amount_bad_grouping' },
  amount_too_large: { code: 'amount_too_large', params: { maxCents: 100_000_000 } },
  phone_invalid: { code: 'phone_invalid' },
  phone_not_mobile: { code: 'phone_not_mobile' },
  siren_format: { code: 'siren_format' },
  siren_checksum: { code: 'siren_checksum' },
  siren_placeholder: { code: 'siren_placeholder' },
  vat_not_eu: { code: 'vat_not_eu' },
  vat_format: { code: 'vat_format' },
  vat_checksum: { code: 'vat_checksum' },
  vat_siren_mismatch: { code: 'vat_siren_mismatch', params: { siren: '732829320' } },
};

describe('describeProblem', () => {
  const cases = Object.values(SAMPLES).flatMap((problem) =>
    LOCALES.map((locale) => [problem.code, locale, problem] as const),
  );

  it.each(cases)('describes %s in %s in one short sentence', (_code, locale, problem) => {
    const sentence = describeProblem(problem, locale);
    expect(sentence).toMatch(/^\S.*[.?]$/);
    expect(sentence.length).toBeLessThanOrEqual(150);
    expect(sentence).not.toMatch(/undefined|NaN|\{|\}/);
  });

  it('asks about the one reading of an ambiguous amount within the maximum, saying the other is over it', () => {
    const decimalsOnly = {
      code: 'amount_ambiguous',
      params: { asDecimals: 25000, overMaxCents: 25000000, maxCents: 10000000 },
    } as const;
    expect(describeProblem(decimalsOnly, 'en')).toBe(
      'Ambiguous amount: €250,000.00 is over the €100,000.00 maximum. Did you mean €250.00? Write 250.00.',
    );
    expect(describeProblem(decimalsOnly, 'fr')).toBe(
      'Montant ambigu\u00A0: 250\u202F000,00\u00A0€ dépasse le maximum de 100\u202F000,00\u00A0€. Vouliez-vous dire 250,00\u00A0€\u202F? Écrivez 250,00.',
    );
  });

  // Typed as shown, each example is an amount the form takes under its default maximum (100 000 €).
  it('gives examples of grouping the form takes as written', () => {
    const grouping = { code: 'amount_bad_grouping' } as const;
    expect(describeProblem(grouping, 'en')).toBe(
      'Misplaced thousands separators: group digits by 3 (12,500.00) or leave them out (12500).',
    );
    expect(describeProblem(grouping, 'fr')).toBe(
      'Milliers mal séparés\u00A0: groupez les chiffres par 3 (12\u202F500,00) ou ne les séparez pas (12500).',
    );
  });

  it('speaks each language', () => {
    expect(describeProblem(SAMPLES.required, 'fr')).toBe('Ce champ est obligatoire.');
    expect(describeProblem(SAMPLES.required, 'en')).toBe('This field is required.');
  });

  it('fills in the limits', () => {
    expect(describeProblem(SAMPLES.too_long, 'fr')).toBe('16 caractères au maximum.');
    expect(describeProblem(SAMPLES.amount_too_large, 'fr')).toBe(
      'Montant trop élevé\u00A0: 1\u202F000\u202F000,00\u00A0€ au maximum.',
    );
    expect(describeProblem(SAMPLES.amount_too_large, 'en')).toBe('Amount too high: €1,000,000.00 at most.');
    expect(describeProblem(SAMPLES.vat_siren_mismatch, 'en')).toBe('This VAT number does not match SIREN 732829320.');
  });

  it('offers both readings of an ambiguous amount and how to write each', () => {
    expect(describeProblem(SAMPLES.amount_ambiguous, 'fr')).toBe(
      'Montant ambigu\u00A0: 1\u202F250,00\u00A0€ ou 1,25\u00A0€\u202F? Écrivez 1250 ou 1,25.',
    );
    expect(describeProblem(SAMPLES.amount_ambiguous, 'en')).toBe(
      'Ambiguous amount: €1,250.00 or €1.25? Write 1250 or 1.25.',
    );
  });

  it('offers the thousands reading alone when the decimal one is no amount', () => {
    const problem = { code: 'amount_ambiguous', params: { asThousands: 1234500 } };
    expect(describeProblem(problem, 'fr')).toBe(
      'Montant ambigu\u00A0: vouliez-vous dire 12\u202F345,00\u00A0€\u202F? Écrivez 12345.',
    );
    expect(describeProblem(problem, 'en')).toBe('Ambiguous amount: did you mean €12,345.00? Write 12345.');
  });

  it('still names a code from outside the form rules', () => {
    expect(describeProblem({ code: 'EXIST_005' }, 'fr')).toBe('Valeur refusée (EXIST_005).');
    expect(describeProblem({ code: 'toString' }, 'en')).toBe('Value refused (toString).');
  });
});
