import { describe, expect, it } from 'vitest';
import { checkEuVat, checkSiren } from '../../src/domain/company.js';

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

  it('refuses 000 000 000, a placeholder that passes the check digit but names no company', () => {
    expect(checkSiren('000 000 000')).toEqual({ ok: false, problem: { code: 'siren_placeholder' } });
  });
});

describe('checkEuVat', () => {
  it.each(COMPANIES)('accepts the French $vat', ({ vat }) => {
    expect(checkEuVat(vat)).toEqual({ ok: true, value: vat });
  });

  // Numbers of real companies, each passing jsvat's checks (Deutsche Telekom, AB InBev, Eni).
  it.each([
    ['DE136695976', 'DE136695976'],
    ['BE 0417.497.106', 'BE0417497106'],
    ['IT 00743110157', 'IT00743110157'],
    ['el 094 259 216', 'EL094259216'],
  ])('accepts the EU VAT number %j as %s', (input, value) => {
    expect(checkEuVat(input)).toEqual({ ok: true, value });
  });

  it('removes spaces, dots and hyphens, and upper-cases', () => {
    expect(checkEuVat('fr 44 732 829 320')).toEqual({ ok: true, value: 'FR44732829320' });
    expect(checkEuVat('FR 44 732829320')).toEqual({ ok: true, value: 'FR44732829320' });
    expect(checkEuVat('FR-44-732.829.320')).toEqual({ ok: true, value: 'FR44732829320' });
  });

  it('accepts the VAT number of the SIREN given with it', () => {
    expect(checkEuVat('FR44732829320', '732829320')).toEqual({ ok: true, value: 'FR44732829320' });
  });

  it("refuses another company's VAT number, naming the SIREN", () => {
    expect(checkEuVat('FR96552100554', '732829320')).toEqual({
      ok: false,
      problem: { code: 'vat_siren_mismatch', params: { siren: '732829320' } },
    });
  });

  it.each(['GB980780684', 'CHE116281710', 'NO923609016MVA', 'XI980780684', 'EU372000041', 'US123456789'])(
    'refuses %s, which is not the number of an EU member state',
    (input) => {
      expect(checkEuVat(input)).toEqual({ ok: false, problem: { code: 'vat_not_eu' } });
    },
  );

  it.each('AT BE BG CY CZ DE DK EE EL ES FI FR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK'.split(' '))(
    'knows %s as the prefix of a member state',
    (prefix) => {
      expect(checkEuVat(`${prefix}0`)).toEqual({ ok: false, problem: { code: 'vat_format' } });
    },
  );

  it.each([
    'FR4473282932', // one digit short
    'FR447328293200',
    'DE13669597', // eight digits instead of nine
    'GR094259216', // Greece's prefix is EL
    '44732829320', // no country code
    'FR 44/732829320',
    '',
  ])('refuses %j as malformed', (input) => {
    expect(checkEuVat(input)).toEqual({ ok: false, problem: { code: 'vat_format' } });
  });

  it.each([
    'DE136695977',
    'BE0417497107',
    'IT00743110158',
    'FR45732829320', // wrong key
    'FR47732829321', // key matching a SIREN whose Luhn check fails
  ])('refuses %s, whose check digits are wrong', (input) => {
    expect(checkEuVat(input)).toEqual({ ok: false, problem: { code: 'vat_checksum' } });
  });

  // Monaco has no VAT register of its own: its companies get French numbers whose nine digits, 000…, are no SIREN
  // (VIES lists them; python-stdnum's fr/tva skips the SIREN check for them). Their key is still checked.
  it.each(['FR40000066034', 'FR26000040583', 'FR28000113851'])("accepts Monaco's %s, which carries no SIREN", (vat) => {
    expect(checkEuVat(vat)).toEqual({ ok: true, value: vat });
  });

  it("refuses a Monaco number whose key is wrong, or given with a company's SIREN", () => {
    expect(checkEuVat('FR41000066034')).toEqual({ ok: false, problem: { code: 'vat_checksum' } });
    // Its key right, nine zeros are still no number: a placeholder.
    expect(checkEuVat('FR12000000000')).toEqual({ ok: false, problem: { code: 'vat_checksum' } });
    expect(checkEuVat('FR40000066034', '732829320')).toMatchObject({ problem: { code: 'vat_siren_mismatch' } });
  });
});
