import type { ViewOutput, ViewStateValue } from '@slack/bolt';
import {
  CONSUMER_TYPE_BLOCK_ID,
  DELIVERY_BLOCK_ID,
  PAYMENT_LANG_BLOCK_ID,
  PAYMENT_TYPE_BLOCK_ID,
} from '../constants.js';
import { type PaymentFormInput, REQUIRED_INPUT_FIELDS, TEXT_FIELDS } from '../domain/payment-form.js';

/** A modal's state as Bolt types it: `values[block_id][action_id]`. */
type FormState = ViewOutput['state'];

/**
 * The single element of an input block: its block_id names the field, whatever its action_id. The payload
 * is typed, but it comes over the network: what is not of the expected shape reads as absent.
 */
function elementState(state: FormState, blockId: string): Partial<ViewStateValue> | undefined {
  const block: unknown = state?.values?.[blockId];
  if (block === null || typeof block !== 'object') return undefined;
  const element: unknown = Object.values(block)[0];
  return element !== null && typeof element === 'object' ? element : undefined;
}

function textOf(state: FormState, blockId: string): string {
  const value = elementState(state, blockId)?.value;
  return typeof value === 'string' ? value : '';
}

function selectedValue(state: FormState, blockId: string): string | undefined {
  const value = elementState(state, blockId)?.selected_option?.value;
  return typeof value === 'string' ? value : undefined;
}

function selectedValues(state: FormState, blockId: string): string[] {
  const options = elementState(state, blockId)?.selected_options;
  if (!Array.isArray(options)) return [];
  return options.flatMap((option) => (typeof option?.value === 'string' ? [option.value] : []));
}

/**
 * Reads a submitted modal's state into the form's plain input. Anything missing or of the wrong shape reads
 * as empty, so the validation (not a crash) answers a malformed submission.
 */
export function formInputFromState(state: FormState): PaymentFormInput {
  const input: PaymentFormInput = {
    amount: '',
    payment_reference: '',
    consumer_reference: '',
    consumer_email: '',
    consumer_phone_number: '',
    delivery: selectedValues(state, DELIVERY_BLOCK_ID).filter((value) => value === 'sms' || value === 'email'),
  };
  for (const field of TEXT_FIELDS) {
    const text = textOf(state, field);
    if (text !== '' || (REQUIRED_INPUT_FIELDS as readonly string[]).includes(field)) input[field] = text;
  }
  const consumerType = selectedValue(state, CONSUMER_TYPE_BLOCK_ID);
  if (consumerType === 'individual' || consumerType === 'company') input.consumer_type = consumerType;
  for (const choice of [PAYMENT_TYPE_BLOCK_ID, PAYMENT_LANG_BLOCK_ID] as const) {
    const chosen = selectedValue(state, choice);
    if (chosen !== undefined) input[choice] = chosen;
  }
  return input;
}
