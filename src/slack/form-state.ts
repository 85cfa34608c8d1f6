import type { PaymentFormInput } from '../domain/payment-form.js';

/** The text fields of the form, in the order the modal shows them. Their names are SAFEDEBIT's. */
export const TEXT_FIELDS = [
  'amount',
  'payment_reference',
  'consumer_reference',
  'consumer_email',
  'consumer_phone_number',
  'consumer_first_name',
  'consumer_last_name',
  'reference_label',
  'social_reference',
  'siren',
  'tva_interco',
  'consumer_address_street_number',
  'consumer_address_street_name',
  'consumer_zip_code',
  'consumer_city',
] as const;
export type TextField = (typeof TEXT_FIELDS)[number];

const REQUIRED_TEXT_FIELDS = [
  'amount',
  'payment_reference',
  'consumer_reference',
  'consumer_email',
  'consumer_phone_number',
] as const satisfies readonly TextField[];

type StateValues = Record<string, Record<string, unknown>>;

/** The single element of an input block: its block_id names the field, whatever its action_id. */
function elementState(values: StateValues, blockId: string): Record<string, unknown> | undefined {
  const block = values[blockId];
  if (block === null || typeof block !== 'object') return undefined;
  const element = Object.values(block)[0];
  return element !== null && typeof element === 'object' ? (element as Record<string, unknown>) : undefined;
}

function textOf(values: StateValues, blockId: string): string {
  const value = elementState(values, blockId)?.value;
  return typeof value === 'string' ? value : '';
}

function selectedValue(values: StateValues, blockId: string): string | undefined {
  const option = elementState(values, blockId)?.selected_option as { value?: unknown } | null | undefined;
  return typeof option?.value === 'string' ? option.value : undefined;
}

function selectedValues(values: StateValues, blockId: string): string[] {
  const options = elementState(values, blockId)?.selected_options;
  if (!Array.isArray(options)) return [];
  return options.flatMap((option) => (typeof option?.value === 'string' ? [option.value] : []));
}

/**
 * Reads a submitted modal's `state.values` into the form's plain input. Anything missing or of the
 * wrong shape reads as empty, so the validation (not a crash) answers a malformed submission.
 */
export function formInputFromState(state: unknown): PaymentFormInput {
  const values = ((state as { values?: unknown } | undefined)?.values ?? {}) as StateValues;
  const input: PaymentFormInput = {
    amount: '',
    payment_reference: '',
    consumer_reference: '',
    consumer_email: '',
    consumer_phone_number: '',
    delivery: selectedValues(values, 'delivery').filter((value) => value === 'sms' || value === 'email'),
  };
  for (const field of TEXT_FIELDS) {
    const text = textOf(values, field);
    if (text !== '' || (REQUIRED_TEXT_FIELDS as readonly string[]).includes(field)) input[field] = text;
  }
  const consumerType = selectedValue(values, 'consumer_type');
  if (consumerType === 'individual' || consumerType === 'company') input.consumer_type = consumerType;
  return input;
}
