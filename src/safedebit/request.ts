import { z } from 'zod';
import { FIELD_MAX_LENGTH, type LimitedField } from './fields.js';

/**
 * A String field of the provider's table, capped at its documented length in characters (code points), as
 * the form counts them: an emoji is one character to the rep, two UTF-16 units to `string.length`.
 */
const text = (field: LimitedField) =>
  z.string().superRefine((value, ctx) => {
    const maximum = FIELD_MAX_LENGTH[field];
    if (Array.from(value).length > maximum) {
      ctx.addIssue({ code: 'too_big', origin: 'string', maximum, inclusive: true, input: value });
    }
  });
/** Required text must say something: SAFEDEBIT asks for these fields to be filled in. */
const requiredText = (field: LimitedField) => text(field).min(1);
const httpUrl = (field: LimitedField) => z.url({ protocol: /^https?$/ }).max(FIELD_MAX_LENGTH[field]);
/** The table's `Integer - 1` options: 0 or 1. */
const zeroOrOne = z.union([z.literal(0), z.literal(1)]);

/** Cents as a string of 1 to 18 digits, not all zeros: a payment link for nothing is a mistake. */
const amountInCents = z
  .string()
  .regex(new RegExp(`^(?!0+$)\\d{1,${FIELD_MAX_LENGTH.amount}}$`), 'expected a positive amount in cents, as digits');

/** `z.int()` keeps to safe integers; the table caps the number of digits. */
const linkDuration = z
  .int()
  .positive()
  .refine((value) => String(value).length <= FIELD_MAX_LENGTH.link_duration, 'too many digits');

/**
 * The JSON body of `get_link_payment`, after the field table of SAFEDEBIT's documentation.
 * Strict: a key the table does not list is refused, so nothing unexpected is ever sent.
 */
export const paymentLinkRequestSchema = z.strictObject({
  beneficiary_reference: requiredText('beneficiary_reference'),
  amount: amountInCents,
  payment_reference: requiredText('payment_reference'),
  consumer_type: zeroOrOne.optional(),
  consumer_reference: requiredText('consumer_reference'),
  consumer_id: text('consumer_id').optional(),
  url_callback: httpUrl('url_callback'),
  consumer_first_name: text('consumer_first_name').optional(),
  consumer_last_name: text('consumer_last_name').optional(),
  consumer_address_street_number: text('consumer_address_street_number').optional(),
  consumer_address_street_name: text('consumer_address_street_name').optional(),
  // Typed Integer by the docs, but their own example sends a string, and "01000" must keep its zero.
  consumer_zip_code: text('consumer_zip_code').optional(),
  consumer_city: text('consumer_city').optional(),
  consumer_email: requiredText('consumer_email'),
  consumer_phone_number: requiredText('consumer_phone_number'),
  social_reference: text('social_reference').optional(),
  siren: text('siren').optional(),
  sms_option: zeroOrOne.optional(),
  email_option: zeroOrOne.optional(),
  payment_scenario: text('payment_scenario').optional(),
  bic_bank: text('bic_bank').optional(),
  // The table gives no length for these five.
  merchant_id: z.string().optional(),
  shop_id: z.string().optional(),
  shop_reference: z.string().optional(),
  payment_lang: z.string().optional(),
  list_beneficiary_reference: z.string().optional(),
  from_bo: z.boolean().optional(),
  get_pay_id: z.boolean().optional(),
  pay_now: z.boolean().optional(),
  multi_pay: z.boolean().optional(),
  pay_later: z.boolean().optional(),
  transaction_id: text('transaction_id').optional(),
  basket_id: text('basket_id').optional(),
  manual_redirect_url: httpUrl('manual_redirect_url').optional(),
  reference_label: text('reference_label').optional(),
  tva_interco: text('tva_interco').optional(),
  link_duration: linkDuration.optional(),
});

export type PaymentLinkRequest = z.infer<typeof paymentLinkRequestSchema>;
