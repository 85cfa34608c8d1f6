import { OPTIONAL_TEXT_FIELDS, type PaymentFormInput, REQUIRED_INPUT_FIELDS } from '../domain/payment-form.js';

/** The form's text inputs (every input but the customer type and the delivery checkboxes). */
export const TEXT_FIELDS = [...REQUIRED_INPUT_FIELDS, ...OPTIONAL_TEXT_FIELDS] as const;
export type TextField = (typeof TEXT_FIELDS)[number];

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
    if (text !== '' || (REQUIRED_INPUT_FIELDS as readonly string[]).includes(field)) input[field] = text;
  }
  const consumerType = selectedValue(values, 'consumer_type');
  if (consumerType === 'individual' || consumerType === 'company') input.consumer_type = consumerType;
  for (const choice of ['payment_type', 'payment_lang'] as const) {
    const chosen = selectedValue(values, choice);
    if (chosen !== undefined) input[choice] = chosen;
  }
  return input;
}
