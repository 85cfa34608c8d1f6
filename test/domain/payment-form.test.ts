import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  OPTIONAL_TEXT_FIELDS,
  type PaymentFormInput,
  type PaymentFormOptions,
  REQUIRED_INPUT_FIELDS,
  validatePaymentForm,
} from '../../src/domain/payment-form.js';

const opts: PaymentFormOptions = { maxCents: 100_000_000, paymentTypes: ['now'], defaultLang: 'fr' };

const minimal: PaymentFormInput = {
  amount: '1 250,50 €',
  payment_reference: 'FAC-2024-0042',
  consumer_reference: 'CLI-17',
  consumer_email: 'jean.dupont@example.com',
  consumer_phone_number: '+33 6 12 34 56 78',
  delivery: ['sms', 'email'],
};

const company: PaymentFormInput = {
  ...minimal,
  consumer_type: 'company',
  social_reference: 'ACME SAS',
  siren: '732 829 320',
  tva_interco: 'fr 44 732829320',
};

function problemsOf(input: PaymentFormInput) {
  const result = validatePaymentForm(input, opts);
  if (result.ok) throw new Error(`expected problems, got ${JSON.stringify(result.value)}`);
  return result.problems;
}

describe('validatePaymentForm', () => {
  it('normalizes a minimal form, leaving optional values undefined', () => {
    expect(validatePaymentForm(minimal, opts)).toEqual({
      ok: true,
      value: {
        amountCents: 125050,
        payment_reference: 'FAC-2024-0042',
        consumer_reference: 'CLI-17',
        consumer_email: 'jean.dupont@example.com',
        consumer_phone_number: '0612345678',
        consumer_first_name: undefined,
        consumer_last_name: undefined,
        reference_label: undefined,
        consumer_address_street_number: undefined,
        consumer_address_street_name: undefined,
        consumer_zip_code: undefined,
        consumer_city: undefined,
        consumerType: undefined,
        smsOption: 1,
        emailOption: 1,
        paymentType: 'now',
        paymentLang: 'fr',
      },
    });
  });

  it('sends the references with plain spaces where they were pasted with no-break or thin ones (a PDF, an email)', () => {
    const result = validatePaymentForm(
      { ...minimal, payment_reference: 'FAC\u00a02026\u202f031', consumer_reference: 'CLIENT\u2009 42' },
      opts,
    );
    expect(result).toMatchObject({
      ok: true,
      value: { payment_reference: 'FAC 2026 031', consumer_reference: 'CLIENT  42' },
    });
  });

  it('trims every value and maps the consumer type and delivery options', () => {
    const result = validatePaymentForm(
      {
        amount: ' 12 ',
        payment_reference: '  FAC-1  ',
        consumer_reference: ' C1 ',
        consumer_email: ' a@b.fr ',
        consumer_phone_number: ' 01 23 45 67 89 ',
        consumer_first_name: ' Élodie ',
        consumer_last_name: '  ',
        reference_label: ' Acompte ',
        consumer_type: 'individual',
        consumer_address_street_number: ' 12 bis ',
        consumer_address_street_name: ' rue de la Paix ',
        consumer_zip_code: ' 01000 ',
        consumer_city: ' Bourg-en-Bresse ',
        delivery: ['email'],
      },
      opts,
    );
    expect(result).toEqual({
      ok: true,
      value: {
        amountCents: 1200,
        payment_reference: 'FAC-1',
        consumer_reference: 'C1',
        consumer_email: 'a@b.fr',
        consumer_phone_number: '0123456789',
        consumer_first_name: 'Élodie',
        consumer_last_name: undefined,
        reference_label: 'Acompte',
        consumer_address_street_number: '12 bis',
        consumer_address_street_name: 'rue de la Paix',
        consumer_zip_code: '01000',
        consumer_city: 'Bourg-en-Bresse',
        consumerType: 0,
        smsOption: 0,
        emailOption: 1,
        paymentType: 'now',
        paymentLang: 'fr',
      },
    });
  });

  it("takes the payment type and the customer's language chosen among those offered", () => {
    const offering: PaymentFormOptions = { ...opts, paymentTypes: ['now', 'multi'], defaultLang: 'fr' };
    const result = validatePaymentForm({ ...minimal, payment_type: 'multi', payment_lang: 'en' }, offering);
    expect(result.ok && [result.value.paymentType, result.value.paymentLang]).toEqual(['multi', 'en']);
    expect(validatePaymentForm({ ...minimal, payment_type: 'later', payment_lang: 'de' }, offering)).toEqual({
      ok: false,
      problems: { payment_type: { code: 'option_not_offered' }, payment_lang: { code: 'option_not_offered' } },
    });
  });

  it('defaults to the first payment type and the default language when the modal did not ask', () => {
    const offering: PaymentFormOptions = { ...opts, paymentTypes: ['later', 'now'], defaultLang: 'en' };
    const result = validatePaymentForm(minimal, offering);
    expect(result.ok && [result.value.paymentType, result.value.paymentLang]).toEqual(['later', 'en']);
  });

  it('keeps normalized company details for a company', () => {
    const result = validatePaymentForm(company, opts);
    expect(result.ok && result.value).toMatchObject({
      consumerType: 1,
      social_reference: 'ACME SAS',
      siren: '732829320',
      tva_interco: 'FR44732829320',
    });
  });

  it('neither checks nor keeps company details for an individual', () => {
    const result = validatePaymentForm(
      { ...company, consumer_type: 'individual', siren: '123', tva_interco: 'DE1' },
      opts,
    );
    expect(result.ok).toBe(true);
    expect(result.ok && [result.value.social_reference, result.value.siren, result.value.tva_interco]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('collects every problem at once, each under its field', () => {
    expect(
      problemsOf({
        amount: '1,250',
        payment_reference: '',
        consumer_reference: 'C\u0007',
        consumer_email: 'jean dupont@example',
        consumer_phone_number: '01 23 45 67 89',
        consumer_first_name: 'Jean-Christophe-Marie',
        consumer_zip_code: '75',
        consumer_type: 'company',
        siren: '732829321',
        tva_interco: 'GB980780684',
        delivery: ['sms'],
      }),
    ).toEqual({
      amount: { code: 'amount_ambiguous', params: { asThousands: 125000, asDecimals: 125 } },
      payment_reference: { code: 'required' },
      consumer_reference: { code: 'not_printable' },
      consumer_email: { code: 'email_invalid' },
      consumer_phone_number: { code: 'phone_not_mobile' },
      consumer_first_name: { code: 'too_long', params: { max: 16 } },
      consumer_zip_code: { code: 'zip_code_invalid' },
      siren: { code: 'siren_checksum' },
      tva_interco: { code: 'vat_not_eu' },
    });
  });

  it('accepts a fixed line when the link is not sent by SMS', () => {
    const result = validatePaymentForm({ ...minimal, consumer_phone_number: '01 23 45 67 89', delivery: [] }, opts);
    expect(result.ok && [result.value.consumer_phone_number, result.value.smsOption, result.value.emailOption]).toEqual(
      ['0123456789', 0, 0],
    );
  });

  it('requires the VAT number to be the given SIREN', () => {
    expect(problemsOf({ ...company, tva_interco: 'FR96552100554' })).toEqual({
      tva_interco: { code: 'vat_siren_mismatch', params: { siren: '732829320' } },
    });
  });

  it('checks the VAT number alone when the SIREN is left empty', () => {
    const result = validatePaymentForm({ ...company, siren: ' ', tva_interco: 'FR96552100554' }, opts);
    expect(result.ok && [result.value.siren, result.value.tva_interco]).toEqual([undefined, 'FR96552100554']);
  });

  it.each([
    ['payment_reference', 'F'.repeat(65), 64],
    ['consumer_reference', 'C'.repeat(33), 32],
    ['consumer_email', `${'a'.repeat(63)}@exa.com`, 70],
    ['consumer_last_name', 'Dupont-Lajoie-Martin', 16],
    ['reference_label', 'L'.repeat(257), 256],
    ['consumer_address_street_number', '1'.repeat(17), 16],
    ['consumer_address_street_name', 'R'.repeat(71), 70],
    ['consumer_city', 'V'.repeat(36), 35],
  ] as const)("refuses a %s longer than SAFEDEBIT's %i characters", (field, value, max) => {
    expect(problemsOf({ ...minimal, [field]: value })).toEqual({ [field]: { code: 'too_long', params: { max } } });
  });

  it('counts characters, not UTF-16 units', () => {
    const result = validatePaymentForm({ ...minimal, consumer_last_name: '😀'.repeat(16) }, opts);
    expect(result.ok && result.value.consumer_last_name).toBe('😀'.repeat(16));
  });

  it('counts an accent typed or pasted as a separate mark as part of its letter, and sends the letter composed', () => {
    const decomposed = 'Marie-Hélène-Éva'.normalize('NFD');
    expect(Array.from(decomposed).length).toBeGreaterThan(16);
    const result = validatePaymentForm(
      { ...minimal, consumer_first_name: decomposed, payment_reference: 'Réf-É'.normalize('NFD') },
      opts,
    );
    expect(result.ok && [result.value.consumer_first_name, result.value.payment_reference]).toEqual([
      'Marie-Hélène-Éva',
      'Réf-É',
    ]);
  });

  it('takes a company without its name, as SAFEDEBIT does', () => {
    const result = validatePaymentForm({ ...company, social_reference: ' ' }, opts);
    expect(result.ok && [result.value.consumerType, result.value.social_reference]).toEqual([1, undefined]);
  });

  it.each([
    '',
    'jean',
    'jean@',
    '@example.com',
    'jean@example',
    'jean@@example.com',
    'je an@example.com',
    'j@ex..com',
    'jean@example.c',
    'jean@example.12',
    'jean@example.c0m',
    'jean@example.com,',
    'jean@example.co_m',
    'jean@example.xn--',
  ])('refuses the email %j', (email) => {
    const code = email === '' ? 'required' : 'email_invalid';
    expect(problemsOf({ ...minimal, consumer_email: email })).toEqual({ consumer_email: { code } });
  });

  it.each([
    'jean@example.fr',
    'JEAN@EXAMPLE.COM',
    'jean@mail.example.museum',
    'jean@пример.рф',
    'jean@xn--e1afmkfd.xn--p1ai',
    'jean@example.XN--P1AI',
    'jean@example.भारत',
  ])('accepts the email %j', (email) => {
    const result = validatePaymentForm({ ...minimal, consumer_email: email }, opts);
    expect(result.ok && result.value.consumer_email).toBe(email);
  });

  it('refuses an email whose top-level domain holds anything but letters', () => {
    // One character that is not a letter, nor a mark that would join the letter before it, nor a dot (which would
    // only start another label).
    const notALetter = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 1 })
      .filter((c) => c !== '.' && !/^[\p{L}\p{M}]/u.test(c));
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'abcdefgh'), minLength: 1 }),
        notALetter,
        fc.nat(),
        (letters, odd, at) => {
          const cut = at % (letters.length + 1);
          const tld = letters.slice(0, cut) + odd + letters.slice(cut);
          fc.pre(!/^xn--/i.test(tld));
          // Whitespace at the end is trimmed off what was typed, as anywhere in the form.
          fc.pre(!(cut === letters.length && /^\s+$/u.test(odd)));
          const result = validatePaymentForm({ ...minimal, consumer_email: `jean@example.${tld}` }, opts);
          expect(result.ok).toBe(false);
        },
      ),
    );
  });

  it.each(['FAC\n42', 'FAC\t42', 'FAC\u200B42', 'FAC\u202E42', 'FAC\u202842'])(
    'refuses the invisible character in payment reference %j',
    (reference) => {
      expect(problemsOf({ ...minimal, payment_reference: reference })).toEqual({
        payment_reference: { code: 'not_printable' },
      });
    },
  );

  it.each([
    ['75002', 'French'],
    ['01000', 'French, leading zero kept'],
    ['97400', 'French overseas'],
    ['1000', 'Belgian'],
    ['101', 'Icelandic (Reykjavík): Iceland is in SEPA, and SAFEDEBIT types it a number of up to 16 digits'],
    ['10115', 'German'],
    ['1234567890', 'ten digits'],
  ])('accepts the zip code %s (%s)', (zip) => {
    const result = validatePaymentForm({ ...minimal, consumer_zip_code: zip }, opts);
    expect(result.ok && result.value.consumer_zip_code).toBe(zip);
  });

  it.each(['75', '12345678901', '75 002', '00-950', '+75002'])('refuses the zip code %j', (zip) => {
    expect(problemsOf({ ...minimal, consumer_zip_code: zip })).toEqual({
      consumer_zip_code: { code: 'zip_code_invalid' },
    });
  });

  it.each(['SW1A 1AA', '1012 AB', 'K1A 0B1', 'D02 X285'])('says SAFEDEBIT takes digits only for %j', (zip) => {
    expect(problemsOf({ ...minimal, consumer_zip_code: zip })).toEqual({
      consumer_zip_code: { code: 'zip_code_letters' },
    });
  });
});

describe('control characters', () => {
  /** A company form with every text field filled in validly. */
  const everything: PaymentFormInput = {
    ...company,
    consumer_first_name: 'Jean',
    consumer_last_name: 'Dupont',
    reference_label: 'Acompte commande 42',
    consumer_address_street_number: '12 bis',
    consumer_address_street_name: 'rue de la Paix',
    consumer_zip_code: '75002',
    consumer_city: 'Paris',
  };
  const textFields = [...REQUIRED_INPUT_FIELDS, ...OPTIONAL_TEXT_FIELDS];
  /** C0 and C1 controls, DEL, and the Unicode line and paragraph separators. */
  const controlCharacter = fc
    .oneof(fc.integer({ min: 0x00, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f }), fc.constantFrom(0x2028, 0x2029))
    .map((codePoint) => String.fromCodePoint(codePoint));
  const CONTROL = /[\p{Cc}\u2028\u2029]/u;

  it('the form used here is valid', () => {
    expect(validatePaymentForm(everything, opts).ok).toBe(true);
  });

  it('refuses one inside any text field, under that field alone', () => {
    fc.assert(
      fc.property(fc.constantFrom(...textFields), controlCharacter, fc.nat(), (field, control, at) => {
        fc.pre(!(field === 'reference_label' && control === '\n'));
        const valid = everything[field] ?? '';
        // Inside the value: at either end it would be trimmed away like any space.
        const cut = 1 + (at % (valid.length - 1));
        const problems = problemsOf({ ...everything, [field]: valid.slice(0, cut) + control + valid.slice(cut) });
        const code = field === 'reference_label' ? 'control_character' : 'not_printable';
        expect(problems).toEqual({ [field]: { code } });
      }),
    );
  });

  it('never lets one through, whatever is typed', () => {
    fc.assert(
      fc.property(fc.constantFrom(...textFields), fc.string({ unit: 'binary', maxLength: 20 }), (field, typed) => {
        const result = validatePaymentForm({ ...everything, [field]: typed }, opts);
        if (!result.ok) return;
        const { reference_label: label = '', ...others } = result.value;
        expect(label.replace(/\r?\n/g, '')).not.toMatch(CONTROL);
        for (const value of Object.values(others)) if (typeof value === 'string') expect(value).not.toMatch(CONTROL);
      }),
    );
  });

  it('takes line breaks in the payment label only', () => {
    const label = 'Acompte\nFacture 42\r\nMerci';
    const result = validatePaymentForm({ ...everything, reference_label: label }, opts);
    expect(result.ok && result.value.reference_label).toBe(label);
    expect(problemsOf({ ...everything, consumer_city: 'Paris\n15e' })).toEqual({
      consumer_city: { code: 'not_printable' },
    });
    expect(problemsOf({ ...everything, reference_label: 'Acompte\u2028Facture' })).toEqual({
      reference_label: { code: 'control_character' },
    });
    // A carriage return alone is no line break (the property tests draw it only now and then).
    expect(problemsOf({ ...everything, reference_label: 'Acompte\rFacture' })).toEqual({
      reference_label: { code: 'control_character' },
    });
  });

  it("does not look at an individual's company details, which are not sent", () => {
    const individual = { ...everything, consumer_type: 'individual' as const };
    expect(validatePaymentForm({ ...individual, siren: '732\t829320', social_reference: 'ACME\nSARL' }, opts).ok).toBe(
      true,
    );
  });
});
