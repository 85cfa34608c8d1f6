/**
 * SAFEDEBIT `get_link_payment` fields and their maximum lengths, from the field table of SAFEDEBIT's
 * documentation. The modal's text inputs' block_ids use these same names (its delivery and payment-type choices fill
 * SAFEDEBIT's option flags: see src/constants.ts).
 */
export const FIELD_MAX_LENGTH = {
  beneficiary_reference: 32,
  amount: 18,
  payment_reference: 64,
  consumer_type: 1,
  consumer_reference: 32,
  consumer_id: 32,
  url_callback: 128,
  consumer_first_name: 16,
  consumer_last_name: 16,
  consumer_address_street_number: 16,
  consumer_address_street_name: 70,
  consumer_zip_code: 16,
  consumer_city: 35,
  consumer_email: 70,
  consumer_phone_number: 32,
  social_reference: 32,
  siren: 9,
  sms_option: 1,
  email_option: 1,
  payment_scenario: 64,
  bic_bank: 16,
  transaction_id: 64,
  basket_id: 64,
  manual_redirect_url: 256,
  reference_label: 256,
  tva_interco: 16,
  link_duration: 16,
} as const;

export type LimitedField = keyof typeof FIELD_MAX_LENGTH;
