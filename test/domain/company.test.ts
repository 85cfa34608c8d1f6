import { describe, expect, it } from 'vitest';
import { checkFrenchVat, checkSiren } from '../../src/domain/company.js';

// Real companies' SIRENs; VAT key = (12 + 3 × (SIREN mod 97)) mod 97, worked out by hand.
const COMPANIES = [
  { siren: '732829320', vat: 'FR44732829320' }, // mod 97 = 43 → (12 + 129) mod 97 = 44
  { siren: '552100554', vat: 'FR96552100554' }, // mod 97 = 28 → (12 + 84) mod 97 = 96
  { siren: '443061841', vat: 'FR64443061841' }, // mod 97 = 82 → (12 + 246) mod 97 = 64
];

describe('checkSiren', () => {
  it.each(COMPANIES)('accepts $siren', ({ siren }) => {
    expect(checkSiren(siren)).toEqual({ ok: true, value: siren });
  });

  it('removes the spaces of the printed groups', () => {
    expect(checkSiren('732 829 320')).toEqual({ ok: true, value: '732829320' });
    expect(checkSiren('732\u00A0829\u202F320')).toEqual({ ok: true, value: '732829320' });
  });

  it.each(['73282932', '7328293200', '73282932A', '', '732-829-320'])('refuses %j as not 9 digits', (input) => {
    expect(checkSiren(input)).toEqual({ ok: false, problem: { code: 'siren_format' } });
  });

  it.each(['732829321', '732829302', '552100545'])('refuses %s whose check digit is wrong', (input) => {
    expect(checkSiren(input)).toEqual({ ok: false, problem: { code: 'siren_checksum' } });
  });
});

describe('checkFrenchVat', () => {
  it.each(COMPANIES)('accepts $vat', ({ vat }) => {
    expect(checkFrenchVat(vat)).toEqual({ ok: true, value: vat });
  });

  it('removes spaces and upper-cases', () => {
    expect(checkFrenchVat('fr 44 732 829 320')).toEqual({ ok: true, value: 'FR44732829320' });
  });

  it('accepts the VAT number of the SIREN given with it', () => {
    expect(checkFrenchVat('FR44732829320', '732829320')).toEqual({ ok: true, value: 'FR44732829320' });
  });

  it("refuses another company's VAT number, naming the SIREN", () => {
    expect(checkFrenchVat('FR96552100554', '732829320')).toEqual({
      ok: false,
      problem: { code: 'vat_siren_mismatch', params: { siren: '732829320' } },
    });
  });

  it.each(['DE123456789', 'BE0123456789', 'be 0123 456 789'])('refuses the foreign VAT number %j', (input) => {
    expect(checkFrenchVat(input)).toEqual({ ok: false, problem: { code: 'vat_not_french' } });
  });

  it.each(['FR4473282932', 'FR447328293200', 'FRAB732829320', '44732829320', '', 'FR-44-732829320'])(
    'refuses %j as not FR + 2 digits + SIREN',
    (input) => {
      expect(checkFrenchVat(input)).toEqual({ ok: false, problem: { code: 'vat_format' } });
    },
  );

  it.each([
    'FR45732829320', // wrong key
    'FR47732829321', // key matching a SIREN whose Luhn check fails
  ])('refuses %s as a number that cannot exist', (input) => {
    expect(checkFrenchVat(input)).toEqual({ ok: false, problem: { code: 'vat_checksum' } });
  });
});
