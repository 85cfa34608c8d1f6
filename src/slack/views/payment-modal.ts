import type { types } from '@slack/bolt';
import {
  CONSUMER_TYPE_ACTION,
  CONSUMER_TYPE_BLOCK_ID,
  DELIVERY_BLOCK_ID,
  FIELD_NOTE_SUFFIX,
  FORM_BANNER_BLOCK_ID,
  INPUT_ACTION,
  PAYMENT_LANG_BLOCK_ID,
  PAYMENT_MODAL_ID,
  PAYMENT_TYPE_BLOCK_ID,
} from '../../constants.js';
import { AMOUNT_TYPED_MAX_LENGTH } from '../../domain/amount.js';
import { COMPANY_FIELDS, type InputField, type PaymentFormInput, type TextField } from '../../domain/payment-form.js';
import type { OfferedPaymentTypes } from '../../domain/payment-type.js';
import { cutToUnits } from '../../domain/text-cut.js';
import { LANGUAGE_NAMES, LOCALES, type Locale } from '../../i18n/locale.js';
import { type Messages, messagesFor } from '../../i18n/messages.js';
import { FIELD_MAX_LENGTH, type LimitedField } from '../../safedebit/fields.js';
import { contextBlock, mrkdwn, plain } from './text.js';

/** Slack's cap on a plain_text_input's max_length (and so on its initial value). */
const SLACK_MAX_INPUT_LENGTH = 3000;

/**
 * Inputs whose typed form is longer than what is sent: the amount is typed in euros ("1 000 000,00 €") and
 * sent in cents; SIREN and VAT numbers are usually typed with separators ("732 829 320", "BE 0417.497.106"),
 * removed before sending. Every other input is capped at its SAFEDEBIT field's maximum length.
 */
const TYPED_MAX_LENGTH: Partial<Record<TextField, number>> = {
  amount: AMOUNT_TYPED_MAX_LENGTH,
  siren: 11,
  tva_interco: 24,
};

export interface PaymentModalData {
  locale: Locale;
  sandbox: boolean;
  /** Encoded ModalOrigin: travels with the view to the submission. */
  privateMetadata: string;
  /** A choice appears when the merchant offers several, the first one chosen. */
  paymentTypes: OfferedPaymentTypes;
  /** Pre-filled or previously typed values: a modal rebuilt after a refusal loses nothing. */
  values: Partial<PaymentFormInput>;
  /** A banner above the form (a refusal, an outage). */
  banner?: string;
  /** A message shown right under a field, for problems found after the submission was acknowledged. */
  fieldNotes?: Partial<Record<InputField, string>>;
  /** A hint in place of a field's usual one: how a pre-filled value was read. Gone when the form is drawn again. */
  hints?: Partial<Record<TextField, string>>;
}

/**
 * The banner and field notes a displayed form shows (the form given back after a refusal), read back from its blocks
 * so that a re-render of it (the customer type switched) keeps them.
 */
export function notesOfForm(blocks: readonly unknown[]): Pick<PaymentModalData, 'banner' | 'fieldNotes'> {
  const textOf = (block: unknown): string | undefined => {
    const { text, elements } = (block ?? {}) as { text?: { text?: unknown }; elements?: { text?: unknown }[] };
    const found = text?.text ?? elements?.[0]?.text;
    return typeof found === 'string' ? found : undefined;
  };
  const idOf = (block: unknown) => String((block as { block_id?: unknown }).block_id ?? '');
  const banner = textOf(blocks.find((block) => idOf(block) === FORM_BANNER_BLOCK_ID));
  const fieldNotes: Partial<Record<InputField, string>> = {};
  for (const block of blocks) {
    const note = textOf(block);
    if (idOf(block).endsWith(FIELD_NOTE_SUFFIX) && note !== undefined) {
      fieldNotes[idOf(block).slice(0, -FIELD_NOTE_SUFFIX.length) as InputField] = note;
    }
  }
  return { ...(banner === undefined ? {} : { banner }), ...(Object.keys(fieldNotes).length > 0 ? { fieldNotes } : {}) };
}

/** Whether a displayed form shows the company's fields (it does once the rep picked a company and Slack redrew it). */
export function showsCompanyFields(blocks: readonly unknown[]): boolean {
  const companyFields: readonly string[] = COMPANY_FIELDS;
  return blocks.some((block) => companyFields.includes(String((block as { block_id?: unknown }).block_id)));
}

/**
 * The /paylink form. Each text input's block_id is the SAFEDEBIT field it fills; the delivery and payment-type choices
 * fill SAFEDEBIT's option flags (src/constants.ts).
 */
export function buildPaymentModal(data: PaymentModalData): types.ModalView {
  const m = messagesFor(data.locale);
  const company = data.values.consumer_type === 'company';
  const input = (field: TextField, optional: boolean, element?: Partial<types.PlainTextInput>) =>
    textInput(m, data, field, optional, element);
  const blocks: types.KnownBlock[] = [
    ...(data.sandbox ? [contextBlock(m.sandboxBanner)] : []),
    ...(data.banner ? [{ ...section(data.banner), block_id: FORM_BANNER_BLOCK_ID }] : []),
    ...input('amount', false),
    ...(data.paymentTypes.length > 1 ? withNote(paymentTypeInput(m, data), data.fieldNotes?.payment_type) : []),
    ...input('payment_reference', false),
    ...input('consumer_reference', false),
    ...emailInput(m, data),
    ...input('consumer_phone_number', false),
    ...withNote(deliveryInput(m, data.values.delivery ?? []), data.fieldNotes?.delivery),
    ...withNote(paymentLangInput(m, data), data.fieldNotes?.payment_lang),
    ...input('consumer_first_name', true),
    ...input('consumer_last_name', true),
    ...input('reference_label', true, { multiline: true }),
    ...withNote(consumerTypeInput(m, company), data.fieldNotes?.consumer_type),
    ...(company ? [...input('social_reference', true), ...input('siren', true), ...input('tva_interco', true)] : []),
    { type: 'header', text: plain(m.addressHeader) },
    ...input('consumer_address_street_number', true),
    ...input('consumer_address_street_name', true),
    ...input('consumer_zip_code', true),
    ...input('consumer_city', true),
  ];
  return {
    type: 'modal',
    callback_id: PAYMENT_MODAL_ID,
    private_metadata: data.privateMetadata,
    title: plain(data.sandbox ? m.sandboxModalTitle : m.modalTitle, 24),
    submit: plain(m.submit, 24),
    close: plain(m.close, 24),
    blocks,
  };
}

function textInput(
  m: Messages,
  data: PaymentModalData,
  field: TextField,
  optional: boolean,
  element: Partial<types.PlainTextInput> = {},
): types.KnownBlock[] {
  const texts = m.fields[field];
  const hint = data.hints?.[field] ?? texts.hint;
  const initial = data.values[field];
  const limit = TYPED_MAX_LENGTH[field] ?? FIELD_MAX_LENGTH[field as LimitedField];
  const block: types.InputBlock = {
    type: 'input',
    block_id: field,
    optional,
    label: plain(texts.label),
    ...(hint ? { hint: plain(hint) } : {}),
    element: {
      type: 'plain_text_input',
      action_id: INPUT_ACTION,
      // A value pre-filled from `/paylink <amount> <reference>` may be longer: the form shows it as typed, with its
      // error once submitted, rather than Slack refusing to open it; up to Slack's own cap, past which it is cut.
      max_length: Math.min(SLACK_MAX_INPUT_LENGTH, Math.max(limit, initial?.length ?? 0)),
      ...(texts.placeholder ? { placeholder: plain(texts.placeholder) } : {}),
      ...(initial ? { initial_value: cutToUnits(initial, SLACK_MAX_INPUT_LENGTH) } : {}),
      ...element,
    },
  };
  return withNote(block, data.fieldNotes?.[field]);
}

function emailInput(m: Messages, data: PaymentModalData): types.KnownBlock[] {
  const block: types.InputBlock = {
    type: 'input',
    block_id: 'consumer_email' satisfies TextField,
    label: plain(m.fields.consumer_email.label),
    element: {
      type: 'email_text_input',
      action_id: INPUT_ACTION,
      ...(data.values.consumer_email ? { initial_value: data.values.consumer_email } : {}),
    },
  };
  return withNote(block, data.fieldNotes?.consumer_email);
}

function deliveryInput(m: Messages, selected: readonly string[]): types.InputBlock {
  const options = (['sms', 'email'] as const).map((value) => ({ text: plain(m.deliveries[value]), value }));
  const initial = options.filter((option) => selected.includes(option.value));
  return {
    type: 'input',
    block_id: DELIVERY_BLOCK_ID,
    optional: true,
    label: plain(m.fields.delivery.label),
    hint: plain(m.fields.delivery.hint ?? ''),
    element: {
      type: 'checkboxes',
      action_id: INPUT_ACTION,
      options,
      ...(initial.length > 0 ? { initial_options: initial } : {}),
    },
  };
}

function paymentTypeInput(m: Messages, data: PaymentModalData): types.InputBlock {
  const options = data.paymentTypes.map((value) => ({ text: plain(m.paymentTypes[value]), value }));
  return {
    type: 'input',
    block_id: PAYMENT_TYPE_BLOCK_ID,
    label: plain(m.fields.payment_type.label),
    element: {
      type: 'radio_buttons',
      action_id: INPUT_ACTION,
      options,
      initial_option: options.find((option) => option.value === data.values.payment_type) ?? options[0],
    },
  };
}

/** The language of SAFEDEBIT's payment page, the rep's own by default. */
function paymentLangInput(m: Messages, data: PaymentModalData): types.InputBlock {
  const options = LOCALES.map((value) => ({ text: plain(LANGUAGE_NAMES[value]), value }));
  const chosen = data.values.payment_lang ?? data.locale;
  return {
    type: 'input',
    block_id: PAYMENT_LANG_BLOCK_ID,
    label: plain(m.fields.payment_lang.label),
    hint: plain(m.fields.payment_lang.hint ?? ''),
    element: {
      type: 'static_select',
      action_id: INPUT_ACTION,
      options,
      initial_option: options.find((option) => option.value === chosen) ?? options[0],
    },
  };
}

function consumerTypeInput(m: Messages, company: boolean): types.InputBlock {
  const options = (['individual', 'company'] as const).map((value) => ({ text: plain(m.consumerTypes[value]), value }));
  return {
    type: 'input',
    block_id: CONSUMER_TYPE_BLOCK_ID,
    optional: true,
    // Choosing "company" re-renders the modal with the company fields (block_actions → views.update).
    dispatch_action: true,
    label: plain(m.fields.consumer_type.label),
    element: {
      type: 'radio_buttons',
      action_id: CONSUMER_TYPE_ACTION,
      options,
      initial_option: options[company ? 1 : 0],
    },
  };
}

function withNote(block: types.InputBlock, note: string | undefined): types.KnownBlock[] {
  return note
    ? [block, { type: 'context', block_id: `${block.block_id}${FIELD_NOTE_SUFFIX}`, elements: [mrkdwn(note)] }]
    : [block];
}

function section(text: string): types.SectionBlock {
  return { type: 'section', text: mrkdwn(text) };
}
