import { describe, expect, it } from 'vitest';
import { FIELD_MAX_LENGTH, type LimitedField } from '../../src/safedebit/fields.js';
import { paymentLinkRequestSchema } from '../../src/safedebit/request.js';
import { validRequest } from './fixtures.js';

/** The issue paths the schema reports for a body, or [] when it accepts it. */
function refusedPaths(body: unknown): string[] {
  const parsed = paymentLinkRequestSchema.safeParse(body);
  return parsed.success ? [] : parsed.error.issues.map((issue) => issue.path.join('.'));
}

const REQUIRED_FIELDS = [
  'beneficiary_reference',
  'amount',
  'payment_reference',
  'consumer_reference',
  'url_callback',
  'consumer_email',
  'consumer_phone_number',
] as const;

/** Fields of the table typed String whose only rule is their length. */
const PLAIN_TEXT_FIELDS = (Object.keys(FIELD_MAX_LENGTH) as LimitedField[]).filter(
  (field) =>
    ![
      'amount',
      'consumer_type',
      'sms_option',
      'email_option',
      'link_duration',
      'url_callback',
      'manual_redirect_url',
    ].includes(field),
);

describe('paymentLinkRequestSchema', () => {
  it('accepts the body of the provider documentation example unchanged', () => {
    const example = {
      beneficiary_reference: '395579987182558',
      amount: '1000000',
      payment_reference: 'Facture31102019',
      consumer_reference: 'xxxxxxxxx',
      url_callback: 'https://callback.com',
      consumer_first_name: 'Ghandri',
      consumer_last_name: 'Naoufel',
      consumer_address_street_number: '5',
      consumer_address_street_name: 'Rue de Paris',
      consumer_zip_code: '75002',
      consumer_email: 'test@test.com',
      consumer_phone_number: '0000000000',
    };
    expect(paymentLinkRequestSchema.parse(example)).toEqual(example);
  });

  it.each(REQUIRED_FIELDS)('requires %s', (field) => {
    const { [field]: _removed, ...rest } = validRequest();
    expect(refusedPaths(rest)).toEqual([field]);
  });

  it.each(['beneficiary_reference', 'payment_reference', 'consumer_reference', 'consumer_email'] as const)(
    'refuses an empty %s',
    (field) => {
      expect(refusedPaths(validRequest({ [field]: '' }))).toEqual([field]);
    },
  );

  it.each(PLAIN_TEXT_FIELDS)('caps %s at its documented length', (field) => {
    const max = FIELD_MAX_LENGTH[field];
    expect(refusedPaths({ ...validRequest(), [field]: 'x'.repeat(max) })).toEqual([]);
    expect(refusedPaths({ ...validRequest(), [field]: 'x'.repeat(max + 1) })).toEqual([field]);
  });

  it.each(['url_callback', 'manual_redirect_url'] as const)('takes %s as an http(s) URL within its length', (field) => {
    const base = 'https://paylink.example.com/';
    const longest = base + 'a'.repeat(FIELD_MAX_LENGTH[field] - base.length);
    expect(refusedPaths({ ...validRequest(), [field]: longest })).toEqual([]);
    expect(refusedPaths({ ...validRequest(), [field]: `${longest}a` })).toEqual([field]);
    expect(refusedPaths({ ...validRequest(), [field]: 'ftp://paylink.example.com/' })).toEqual([field]);
    expect(refusedPaths({ ...validRequest(), [field]: 'not a url' })).toEqual([field]);
  });

  it.each(['1', '000100', '9'.repeat(18)])('accepts the amount %s', (amount) => {
    expect(refusedPaths(validRequest({ amount }))).toEqual([]);
  });

  it.each([['0'], ['000'], [''], ['12.50'], ['1e5'], [' 100'], ['1'.repeat(19)], [100]])(
    'refuses the amount %j',
    (amount) => {
      expect(refusedPaths({ ...validRequest(), amount })).toEqual(['amount']);
    },
  );

  it.each(['consumer_type', 'sms_option', 'email_option'] as const)('takes %s as the integer 0 or 1', (field) => {
    expect(refusedPaths(validRequest({ [field]: 0 }))).toEqual([]);
    expect(refusedPaths(validRequest({ [field]: 1 }))).toEqual([]);
    for (const wrong of [2, -1, '1', true]) {
      expect(refusedPaths({ ...validRequest(), [field]: wrong })).toEqual([field]);
    }
  });

  it('keeps the leading zero of a postal code, which must be a string', () => {
    expect(paymentLinkRequestSchema.parse(validRequest({ consumer_zip_code: '01000' })).consumer_zip_code).toBe(
      '01000',
    );
    expect(refusedPaths({ ...validRequest(), consumer_zip_code: 1000 })).toEqual(['consumer_zip_code']);
  });

  it('takes link_duration as a positive integer of at most 16 digits', () => {
    expect(refusedPaths(validRequest({ link_duration: 30 }))).toEqual([]);
    expect(refusedPaths(validRequest({ link_duration: Number.MAX_SAFE_INTEGER }))).toEqual([]);
    for (const wrong of [0, -1, 1.5, '30', Number.MAX_SAFE_INTEGER + 1]) {
      expect(refusedPaths({ ...validRequest(), link_duration: wrong })).toEqual(['link_duration']);
    }
  });

  it.each(['from_bo', 'get_pay_id', 'pay_now', 'multi_pay', 'pay_later'] as const)('takes %s as a boolean', (field) => {
    expect(refusedPaths(validRequest({ [field]: false }))).toEqual([]);
    expect(refusedPaths({ ...validRequest(), [field]: 'true' })).toEqual([field]);
    expect(refusedPaths({ ...validRequest(), [field]: 1 })).toEqual([field]);
  });

  it('counts characters as the form does: an emoji is one', () => {
    const sixteen = '😀'.repeat(FIELD_MAX_LENGTH.consumer_last_name);
    expect(paymentLinkRequestSchema.safeParse(validRequest({ consumer_last_name: sixteen })).success).toBe(true);
    expect(paymentLinkRequestSchema.safeParse(validRequest({ consumer_last_name: `${sixteen}😀` })).success).toBe(
      false,
    );
  });

  it('refuses a key the field table does not list', () => {
    const parsed = paymentLinkRequestSchema.safeParse({ ...validRequest(), consumer_birthday: '1990-01-01' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues).toEqual([
      expect.objectContaining({ code: 'unrecognized_keys', keys: ['consumer_birthday'], path: [] }),
    ]);
  });
});
