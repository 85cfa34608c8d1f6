import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizePhone } from '../../src/domain/phone.js';

const mobile = { requireMobile: true };
const anyPhone = { requireMobile: false };

describe('normalizePhone', () => {
  it.each([
    '06 12 34 56 78',
    '0612345678',
    '06.12.34.56.78',
    '06-12-34-56-78',
    '06/12/34/56/78',
    '+33 6 12 34 56 78',
    '+33612345678',
    '+33 (0)6 12 34 56 78',
    '(+33) 6 12 34 56 78',
    '0033 6 12 34 56 78',
    '0033612345678',
    '06\u00A012\u00A034\u00A056\u00A078',
    // A narrow no-break space (a French macOS keyboard, a number formatted by Intl), a thin space.
    '06\u202F12\u202F34\u202F56\u202F78',
    '+33\u20096\u200912\u200934\u200956\u200978',
    '  06 12 34 56 78  ',
  ])('writes the French mobile %j as 0612345678', (input) => {
    expect(normalizePhone(input, mobile)).toEqual({ ok: true, value: '0612345678' });
  });

  it.each([
    ['+44 7400 123456', '+447400123456'],
    ['+32 470 12 34 56', '+32470123456'],
    ['0049 151 23456789', '+4915123456789'],
    ['+49\u2009151\u202F23456789', '+4915123456789'],
    ['0692\u202F12\u202F34\u202F56', '+262692123456'],
    ['+1 201 555 0123', '+12015550123'], // FIXED_LINE_OR_MOBILE: the US does not tell them apart
  ])('writes the foreign mobile %j in E.164 as %s', (input, expected) => {
    expect(normalizePhone(input, mobile)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['0692 12 34 56', '+262692123456'], // Réunion
    ['0696 12 34 56', '+596696123456'], // Martinique
    ['06 90 12 34 56', '+590690123456'], // Guadeloupe
    ['0694 12 34 56', '+594694123456'], // French Guiana
    ['0639 69 12 34', '+262639691234'], // Mayotte
  ])('reads the overseas French mobile %j written the French way, in E.164 as %s', (input, expected) => {
    expect(normalizePhone(input, mobile)).toEqual({ ok: true, value: expected });
  });

  it('reads a Saint-Pierre-et-Miquelon mobile written the French way, and one of six digits in international form', () => {
    expect(normalizePhone('0708 41 12 34', mobile)).toEqual({ ok: true, value: '+508708411234' });
    expect(normalizePhone('+508 55 12 34', mobile)).toEqual({ ok: true, value: '+508551234' });
  });

  it('tells an overseas fixed line from a mobile', () => {
    expect(normalizePhone('0590 12 34 56', mobile)).toEqual({ ok: false, problem: { code: 'phone_not_mobile' } });
    expect(normalizePhone('0590 12 34 56', anyPhone)).toEqual({ ok: true, value: '+590590123456' });
  });

  it('accepts a fixed line when no SMS is sent', () => {
    expect(normalizePhone('01 23 45 67 89', anyPhone)).toEqual({ ok: true, value: '0123456789' });
    expect(normalizePhone('+44 20 7946 0958', anyPhone)).toEqual({ ok: true, value: '+442079460958' });
  });

  it.each([
    '01 23 45 67 89',
    '09 70 12 34 56', // VoIP
    '+44 20 7946 0958',
  ])('refuses %j when the link goes by SMS', (input) => {
    expect(normalizePhone(input, mobile)).toEqual({ ok: false, problem: { code: 'phone_not_mobile' } });
  });

  it.each([
    '0612',
    '06 12 34 56 78 9',
    '07 00 00 00 00', // 070-072 are not allocated
    '+44 7700 900123', // Ofcom's range reserved for fiction
    'abc',
    'call 0612345678 now',
    '0612345678 ext 12',
    '06 12 34 56 78 x5',
  ])('refuses %j as invalid', (input) => {
    expect(normalizePhone(input, anyPhone)).toEqual({ ok: false, problem: { code: 'phone_invalid' } });
  });

  it.each([
    '612 34 56 78', // a Spanish mobile whose +34 was left out
    '612345678',
    '6 12 34 56 78',
    '(6) 12 34 56 78',
  ])(
    'refuses %j, with neither the 0 a French number starts with nor a country code, rather than guess France',
    (input) => {
      // Read as 06 12 34 56 78, SAFEDEBIT would text the customer's payment link to whoever holds that French number.
      expect(normalizePhone(input, mobile)).toEqual({ ok: false, problem: { code: 'phone_invalid' } });
      expect(normalizePhone(input, anyPhone)).toEqual({ ok: false, problem: { code: 'phone_invalid' } });
    },
  );

  it.each([
    '06\u201112\u201134\u201156\u201178', // non-breaking hyphens, as Outlook and Word put them
    '06\u201012\u201034\u201056\u201078',
    '06\u201312\u201334\u201356\u201378', // en dashes
    '+33\u20116\u201112\u201134\u201156\u201178',
  ])('reads %j, written with a dash other than the hyphen-minus', (input) => {
    expect(normalizePhone(input, mobile)).toEqual({ ok: true, value: '0612345678' });
  });

  it('reads a number pasted with invisible marks around or inside it (WhatsApp, iOS Contacts, a web page)', () => {
    for (const pasted of [
      '\u202a+33 6 12 34 56 78\u202c',
      '\u202d+33 6 12 34 56 78\u202c',
      '06 12 34 56 78\u200b',
      '06\u206012 34 56 78',
    ]) {
      expect(normalizePhone(pasted, { requireMobile: true }), pasted).toEqual({ ok: true, value: '0612345678' });
    }
  });

  it('requires a number', () => {
    expect(normalizePhone('  ', anyPhone)).toEqual({ ok: false, problem: { code: 'required' } });
  });

  it('refuses more than 32 characters before reading them', () => {
    expect(normalizePhone('0'.repeat(33), anyPhone)).toEqual({
      ok: false,
      problem: { code: 'too_long', params: { max: 32 } },
    });
  });

  it('writes any French mobile, however it is written, as its 10 national digits', () => {
    // French mobiles are 06 (save parts of 063 and 069) and 073 to 079; these are the wholly mobile ranges.
    const significant = fc
      .tuple(
        fc.constantFrom('60', '61', '62', '64', '65', '66', '67', '68', '73', '74', '75', '76', '77', '78', '79'),
        fc.stringMatching(/^\d{7}$/),
      )
      .map(([start, rest]) => `${start}${rest}`);
    const prefix = fc.constantFrom('0', '+33', '+33 ', '0033', '0033 ', '+33 (0)', '+33(0)', '(+33) ');
    const separator = fc.constantFrom('', ' ', '.', '-', '\u00A0', '\u2009', '\u202F');
    fc.assert(
      fc.property(significant, prefix, fc.array(separator, { minLength: 4, maxLength: 4 }), (digits, start, seps) => {
        const pairs = [digits.slice(1, 3), digits.slice(3, 5), digits.slice(5, 7), digits.slice(7, 9)];
        const written = `${start}${digits[0]}${pairs.map((pair, i) => `${seps[i]}${pair}`).join('')}`;
        expect(normalizePhone(written, mobile)).toEqual({ ok: true, value: `0${digits}` });
      }),
    );
  });
});
