import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { euroDigits, formatAmount, parseAmount } from '../../src/domain/amount.js';
import { INTL_TAG, LOCALES } from '../../src/i18n/locale.js';

const MAX_CENTS = 100_000_000; // 1 000 000,00 €
const opts = { maxCents: MAX_CENTS };

describe('parseAmount', () => {
  it.each([
    ['1 250,50', 125050],
    ['1250.5', 125050],
    ['1250,5', 125050],
    ['1.250,50', 125050],
    ['1,250.50', 125050],
    ['1\u00A0250,50', 125050],
    ['1\u202F250,50', 125050],
    ['1\u2009250,50', 125050],
    ['125 000', 12500000],
    ['125,000.00', 12500000],
    ['1.000.000', MAX_CENTS],
    ['250.000,00', 25000000],
    ['  12  ', 1200],
    ['€ 12', 1200],
    ['€12', 1200],
    ['12 €', 1200],
    ['12€', 1200],
    ['12\u00A0€', 1200],
    ['EUR 12', 1200],
    ['12 eur', 1200],
    ['12 euros', 1200],
    ['0,05', 5],
    ['0.5', 50],
    ['007', 700],
    ['999', 99900],
    ['1000000', MAX_CENTS],
    ['1 000 000,00 €', MAX_CENTS],
    // As French people write euros and cents by hand: the euro sign in place of the comma.
    ['12€50', 1250],
    ['12€5', 1250],
    ['1 250€05', 125005],
    ['1.250€50', 125050],
  ])('reads %j as %i cents', (input, cents) => {
    expect(parseAmount(input, opts)).toEqual({ ok: true, value: cents });
  });

  it.each([
    ['', 'required'],
    ['   ', 'required'],
    ['abc', 'amount_not_a_number'],
    ['12abc', 'amount_not_a_number'],
    ['1e5', 'amount_not_a_number'],
    ['0x10', 'amount_not_a_number'],
    ['12.', 'amount_not_a_number'],
    ['.5', 'amount_not_a_number'],
    ['1,,5', 'amount_not_a_number'],
    ['1 ,5', 'amount_not_a_number'],
    ['€ 12 €', 'amount_not_a_number'],
    ['-€-12', 'amount_not_a_number'],
    ['12 $', 'amount_not_a_number'],
    ['+12', 'amount_not_a_number'],
    ['12€505', 'amount_not_a_number'],
    ['12 € 50', 'amount_not_a_number'],
    ['12,5€50', 'amount_not_a_number'],
    ['€12€50', 'amount_not_a_number'],
    ['0', 'amount_zero'],
    ['0,00', 'amount_zero'],
    ['-12', 'amount_negative'],
    ['- 12 €', 'amount_negative'],
    ['-€12', 'amount_negative'],
    ['\u221212,50', 'amount_negative'],
    // The minus after the currency mark: not read as 12 €.
    ['€ -12', 'amount_negative'],
    ['EUR \u221212,50', 'amount_negative'],
    ['12,3456', 'amount_too_many_decimals'],
    ['1 250,505', 'amount_too_many_decimals'],
    ['1,250.505', 'amount_too_many_decimals'],
    ['1234,567', 'amount_too_many_decimals'],
    ['0,250', 'amount_too_many_decimals'],
    ['1,25,0', 'amount_bad_grouping'],
    ['1.250.50', 'amount_bad_grouping'],
    ['12 34', 'amount_bad_grouping'],
    ['1 250.000,50', 'amount_bad_grouping'],
    ['1,5 000', 'amount_bad_grouping'],
  ])('rejects %j with %s', (input, code) => {
    expect(parseAmount(input, opts)).toEqual({ ok: false, problem: { code } });
  });

  it('gives both readings of a lone separator before three digits ending in 0', () => {
    expect(parseAmount('1,250', opts)).toEqual({
      ok: false,
      problem: { code: 'amount_ambiguous', params: { asThousands: 125000, asDecimals: 125 } },
    });
    expect(parseAmount('12.340 €', opts)).toEqual({
      ok: false,
      problem: { code: 'amount_ambiguous', params: { asThousands: 1234000, asDecimals: 1234 } },
    });
  });

  it('gives only the thousands reading when the decimal one is not a whole number of cents', () => {
    const thousandsOnly = { ok: false, problem: { code: 'amount_ambiguous', params: { asThousands: 1234500 } } };
    expect(parseAmount('12.345', opts)).toEqual(thousandsOnly);
    expect(parseAmount('12,345', opts)).toEqual(thousandsOnly);
  });

  // Under PAYLINK_MAX_AMOUNT (100 000 € by default), a reading over it is not one to offer: "Write 250000" would be
  // refused at once as too high.
  it('offers only the readings within the maximum, and says an amount too high when none is', () => {
    const max = { maxCents: 10_000_000 };
    // The reading over the maximum is said to be, so that the rep is not steered to one a thousand times smaller.
    expect(parseAmount('250,000', max)).toEqual({
      ok: false,
      problem: {
        code: 'amount_ambiguous',
        params: { asDecimals: 25000, overMaxCents: 25000000, maxCents: 10_000_000 },
      },
    });
    expect(parseAmount('123.456', max)).toEqual({
      ok: false,
      problem: { code: 'amount_too_large', params: { maxCents: 10_000_000 } },
    });
    expect(parseAmount('9,500', max)).toEqual({
      ok: false,
      problem: { code: 'amount_ambiguous', params: { asThousands: 950000, asDecimals: 950 } },
    });
  });

  it('reads an amount pasted with invisible marks around or inside it', () => {
    for (const pasted of ['\u202a1 250,50 €\u202c', '1\u200b250,50', '\ufeff1250.50']) {
      expect(parseAmount(pasted, { maxCents: 100_000_000 }), pasted).toEqual({ ok: true, value: 125050 });
    }
  });

  it('rejects amounts over the maximum, naming it', () => {
    const tooLarge = { ok: false, problem: { code: 'amount_too_large', params: { maxCents: MAX_CENTS } } };
    expect(parseAmount('1000000,01', opts)).toEqual(tooLarge);
    expect(parseAmount('99999999999999999999999', opts)).toEqual(tooLarge);
  });

  it('stays exact up to the largest safe number of cents', () => {
    const maxCents = Number.MAX_SAFE_INTEGER;
    expect(parseAmount('90 071 992 547 409,91', { maxCents })).toEqual({ ok: true, value: maxCents });
    expect(parseAmount('90 071 992 547 409,92', { maxCents })).toEqual({
      ok: false,
      problem: { code: 'amount_too_large', params: { maxCents } },
    });
  });

  it('refuses a maximum that is not a positive safe integer', () => {
    expect(() => parseAmount('12', { maxCents: 0 })).toThrow(RangeError);
    expect(() => parseAmount('12', { maxCents: 2 ** 53 })).toThrow(RangeError);
  });
});

describe('euroDigits', () => {
  it.each([
    [125050, '1250', '50'],
    [5, '0', '05'],
    [100, '1', '00'],
    [0, '0', '00'],
    [Number.MAX_SAFE_INTEGER, '90071992547409', '91'],
  ])('splits %i cents into %s euros and %s cents', (amountCents, euros, cents) => {
    expect(euroDigits(amountCents)).toEqual({ euros, cents });
  });

  it('gives the euros without leading zeros and the cents on two digits, up to the largest safe integer', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: 10_000_000 }), fc.maxSafeNat()), (amountCents) => {
        const { euros, cents } = euroDigits(amountCents);
        expect(euros).toMatch(/^(0|[1-9]\d*)$/);
        expect(cents).toMatch(/^\d\d$/);
        expect(BigInt(euros) * 100n + BigInt(cents)).toBe(BigInt(amountCents));
      }),
    );
  });

  it('refuses what is not a whole, non-negative number of cents', () => {
    expect(() => euroDigits(12.5)).toThrow(RangeError);
    expect(() => euroDigits(-1)).toThrow(RangeError);
    expect(() => euroDigits(Number.NaN)).toThrow(RangeError);
  });
});

describe('formatAmount', () => {
  it.each([
    [125050, 'fr', '1\u202F250,50\u00A0€'],
    [125050, 'en', '€1,250.50'],
    [5, 'fr', '0,05\u00A0€'],
    [5, 'en', '€0.05'],
    [100, 'en', '€1.00'],
    [Number.MAX_SAFE_INTEGER, 'en', '€90,071,992,547,409.91'],
  ] as const)('formats %i cents in %s as %j', (cents, locale, expected) => {
    expect(formatAmount(cents, locale)).toBe(expected);
  });

  it('writes every amount exactly as Intl does, up to the largest safe integer', () => {
    // Intl reads a decimal string exactly (no float in between): the oracle for any number of digits.
    const intl = Object.fromEntries(
      LOCALES.map((l) => [l, new Intl.NumberFormat(INTL_TAG[l], { style: 'currency', currency: 'EUR' })]),
    );
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 0, max: 10_000_000 }), fc.maxSafeNat()),
        fc.constantFrom(...LOCALES),
        (c, l) => {
          const digits = String(c).padStart(3, '0');
          const decimal = `${digits.slice(0, -2)}.${digits.slice(-2)}` as Intl.StringNumericLiteral;
          expect(formatAmount(c, l)).toBe(intl[l]?.format(decimal));
        },
      ),
    );
  });

  it('refuses what is not a whole, non-negative number of cents', () => {
    expect(() => formatAmount(12.5, 'fr')).toThrow(RangeError);
    expect(() => formatAmount(-1, 'fr')).toThrow(RangeError);
  });
});

describe('parseAmount ∘ formatAmount', () => {
  const cents = fc.integer({ min: 1, max: MAX_CENTS });
  const locale = fc.constantFrom(...LOCALES);
  const split = (c: number) => [String(Math.floor(c / 100)), String(c % 100).padStart(2, '0')] as const;

  it('reads back every formatted amount in both locales', () => {
    fc.assert(
      fc.property(cents, locale, (c, l) => {
        expect(parseAmount(formatAmount(c, l), opts)).toEqual({ ok: true, value: c });
      }),
    );
  });

  it('reads back the largest safe amounts', () => {
    const maxCents = Number.MAX_SAFE_INTEGER;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: maxCents }), locale, (c, l) => {
        expect(parseAmount(formatAmount(c, l), { maxCents })).toEqual({ ok: true, value: c });
      }),
    );
  });

  it('reads plain euros,cents and euros.cents', () => {
    fc.assert(
      fc.property(cents, fc.constantFrom(',', '.'), (c, separator) => {
        const [euros, cc] = split(c);
        expect(parseAmount(`${euros}${separator}${cc}`, opts)).toEqual({ ok: true, value: c });
      }),
    );
  });

  it('reads thousands groups in French, English and continental writing, with any currency mark', () => {
    const styles = fc.constantFrom(
      { group: ' ', decimal: ',' },
      { group: '\u00A0', decimal: ',' },
      { group: '\u202F', decimal: ',' },
      { group: '.', decimal: ',' },
      { group: ',', decimal: '.' },
    );
    const marks = fc.constantFrom(['', ''], ['', ' €'], ['', '€'], ['€ ', ''], ['EUR ', ''], ['', ' euros']);
    fc.assert(
      fc.property(cents, styles, marks, (c, { group, decimal }, [before, after]) => {
        const [euros, cc] = split(c);
        const grouped = euros.replace(/\B(?=(\d{3})+$)/g, group);
        expect(parseAmount(`${before}${grouped}${decimal}${cc}${after}`, opts)).toEqual({ ok: true, value: c });
      }),
    );
  });
});
