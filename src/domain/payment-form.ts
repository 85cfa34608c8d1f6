import { LOCALES, type Locale } from '../i18n/locale.js';
import { FIELD_MAX_LENGTH } from '../safedebit/fields.js';
import { type AmountProblemCode, parseAmount } from './amount.js';
import { checkEuVat, checkSiren, type SirenProblemCode, type VatProblemCode } from './company.js';
import { plainSpaces } from './pasted-text.js';
import type { OfferedPaymentTypes, PaymentType } from './payment-type.js';
import { normalizePhone, type PhoneProblemCode } from './phone.js';
import type { Checked, Problem } from './problem.js';

/** What a rep must fill in, under the SAFEDEBIT field names. */
export const REQUIRED_INPUT_FIELDS = [
  'amount',
  'payment_reference',
  'consumer_reference',
  'consumer_email',
  'consumer_phone_number',
] as const;

/** Text a rep may leave empty; once validated it is sent under the same SAFEDEBIT name, when given. */
export const OPTIONAL_TEXT_FIELDS = [
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
export type OptionalTextField = (typeof OPTIONAL_TEXT_FIELDS)[number];

/** The company's details: asked, checked and sent for a company only. */
export const COMPANY_FIELDS = [
  'social_reference',
  'siren',
  'tva_interco',
] as const satisfies readonly OptionalTextField[];
export type CompanyField = (typeof COMPANY_FIELDS)[number];

/** The form's text inputs (every input but the choices: customer type, delivery, payment type, language). */
export const TEXT_FIELDS = [...REQUIRED_INPUT_FIELDS, ...OPTIONAL_TEXT_FIELDS] as const;
export type TextField = (typeof TEXT_FIELDS)[number];

/** The payment modal's submitted values, as typed by the rep (the Slack layer only reads them out). */
export interface PaymentFormInput
  extends Record<(typeof REQUIRED_INPUT_FIELDS)[number], string>,
    Partial<Record<OptionalTextField, string>> {
  consumer_type?: 'individual' | 'company';
  /** The option chosen; absent from a modal that did not offer the choice. */
  payment_type?: string;
  /** The customer's language, as chosen. */
  payment_lang?: string;
  delivery: Array<'sms' | 'email'>;
}

/** A modal input a problem can be shown under; the delivery checkboxes cannot be wrong on their own. */
export type FormField = Exclude<keyof PaymentFormInput, 'delivery'>;

/** Any input of the modal, the delivery checkboxes included: a refusal from SAFEDEBIT can be about any of them. */
export type InputField = keyof PaymentFormInput;

export type PaymentFormProblemCode =
  | AmountProblemCode
  | PhoneProblemCode
  | SirenProblemCode
  | VatProblemCode
  | 'required'
  | 'too_long'
  | 'not_printable'
  | 'control_character'
  | 'email_invalid'
  | 'zip_code_invalid'
  | 'zip_code_letters'
  | 'option_not_offered';

export type PaymentFormProblems = Partial<Record<FormField, Problem<PaymentFormProblemCode>>>;

/** The form once every rule holds: trimmed, normalized, optional values undefined when left empty. */
export interface ValidatedPaymentForm extends Partial<Record<OptionalTextField, string>> {
  amountCents: number;
  payment_reference: string;
  consumer_reference: string;
  consumer_email: string;
  /** `0612345678` for a French number, E.164 otherwise. */
  consumer_phone_number: string;
  /** SAFEDEBIT's consumer_type: 0 individual, 1 company. */
  consumerType: 0 | 1 | undefined;
  smsOption: 0 | 1;
  emailOption: 0 | 1;
  paymentType: PaymentType;
  /** The language of the payment page, SAFEDEBIT's `payment_lang`. */
  paymentLang: Locale;
}

export interface PaymentFormOptions {
  maxCents: number;
  paymentTypes: OfferedPaymentTypes;
  /** The customer's language when the form does not say (the modal's default). */
  defaultLang: Locale;
}

/** Fields checked as text only (length, printable characters): the others have rules of their own. */
type PlainTextField = Exclude<
  FormField,
  'amount' | 'consumer_phone_number' | 'consumer_type' | 'siren' | 'tva_interco' | 'payment_type' | 'payment_lang'
>;
type TextCheck = Checked<string | undefined, PaymentFormProblemCode>;

// Pragmatic, not RFC 5322: one @, no spaces or invisible characters, a dotted domain whose TLD is 2+ letters of
// any script (with their combining marks, as in .भारत) or the punycode of one (xn--p1ai).
const EMAIL = /^[^\s@\p{C}]+@(?:[^\s@.\p{C}]+\.)+(?:(?:\p{L}\p{M}*){2,}|xn--[a-z\d](?:[a-z\d-]*[a-z\d])?)$/iu;
// Control, format (zero-width, bidi), private-use and unassigned characters, and line breaks.
const NOT_PRINTABLE = /[\p{C}\p{Zl}\p{Zp}]/u;
// C0 and C1 controls (tab and line breaks included), DEL, and the Unicode line and paragraph separators.
const CONTROL_CHARACTER = /[\p{Cc}\u2028\u2029]/u;
// The same, but for line breaks (LF, CRLF): the payment label may take several lines.
const CONTROL_CHARACTER_BUT_LINE_BREAK = /[^\P{Cc}\n\r]|\r(?!\n)|[\u2028\u2029]/u;
// SAFEDEBIT types consumer_zip_code Integer: a French code has 5 digits, other countries' 3 (Iceland) to 10.
const NUMERIC_ZIP_CODE = /^\d{3,10}$/;
const CONSUMER_TYPE = { individual: 0, company: 1 } as const;

/** Checks every field and keeps every problem, so the rep sees all of them at once under their inputs. */
export function validatePaymentForm(
  input: PaymentFormInput,
  opts: PaymentFormOptions,
): { ok: true; value: ValidatedPaymentForm } | { ok: false; problems: PaymentFormProblems } {
  const isCompany = input.consumer_type === 'company';
  const problems = controlCharacterProblems(input, isCompany);
  const take = <T>(field: FormField, check: Checked<T, PaymentFormProblemCode>): T | undefined => {
    // A field refused for its characters keeps that problem: its own rule would only blur it.
    if (problems[field]) return undefined;
    if (check.ok) return check.value;
    problems[field] = check.problem;
    return undefined;
  };
  const textField = (field: PlainTextField, required: boolean, rule?: (text: string) => TextCheck) =>
    take(field, checkText(field, input[field], required, rule));
  const sms = input.delivery.includes('sms');

  const amountCents = take('amount', parseAmount(input.amount, opts));
  // A modal opened before the choice was offered submits none: the default is what it would have shown.
  const paymentType = take('payment_type', checkChoice(input.payment_type ?? opts.paymentTypes[0], opts.paymentTypes));
  const paymentLang = take('payment_lang', checkChoice(input.payment_lang ?? opts.defaultLang, LOCALES));
  const paymentReference = textField('payment_reference', true, checkReference);
  const consumerReference = textField('consumer_reference', true, checkReference);
  const consumerEmail = textField('consumer_email', true, checkEmail);
  // The SMS carrying the link needs a mobile; a link sent by email only may go to any phone.
  const consumerPhone = take(
    'consumer_phone_number',
    normalizePhone(input.consumer_phone_number, { requireMobile: sms }),
  );
  const optional = {
    consumer_first_name: textField('consumer_first_name', false),
    consumer_last_name: textField('consumer_last_name', false),
    reference_label: textField('reference_label', false),
    consumer_address_street_number: textField('consumer_address_street_number', false),
    consumer_address_street_name: textField('consumer_address_street_name', false),
    consumer_zip_code: textField('consumer_zip_code', false, checkZipCode),
    consumer_city: textField('consumer_city', false),
  };
  // Company details mean nothing for an individual: they are neither checked nor sent.
  const siren = isCompany ? take('siren', optionalWith(input.siren, checkSiren)) : undefined;
  const company = isCompany
    ? {
        social_reference: textField('social_reference', false),
        siren,
        tva_interco: take(
          'tva_interco',
          optionalWith(input.tva_interco, (vat) => checkEuVat(vat, siren)),
        ),
      }
    : {};

  if (
    amountCents === undefined ||
    paymentReference === undefined ||
    consumerReference === undefined ||
    consumerEmail === undefined ||
    consumerPhone === undefined ||
    paymentType === undefined ||
    paymentLang === undefined ||
    Object.keys(problems).length > 0
  ) {
    return { ok: false, problems };
  }
  return {
    ok: true,
    value: {
      amountCents,
      payment_reference: paymentReference,
      consumer_reference: consumerReference,
      consumer_email: consumerEmail,
      consumer_phone_number: consumerPhone,
      ...optional,
      ...company,
      consumerType: input.consumer_type === undefined ? undefined : CONSUMER_TYPE[input.consumer_type],
      smsOption: sms ? 1 : 0,
      emailOption: input.delivery.includes('email') ? 1 : 0,
      paymentType,
      paymentLang,
    },
  };
}

/** One of the options the modal offered; anything else comes from a forged or outdated submission. */
function checkChoice<T extends string>(value: string, offered: readonly T[]): Checked<T, PaymentFormProblemCode> {
  const chosen = offered.find((option) => option === value);
  return chosen === undefined ? { ok: false, problem: { code: 'option_not_offered' } } : { ok: true, value: chosen };
}

/** Trims, enforces presence and SAFEDEBIT's length, then the field's own rule; empty reads as undefined. */
function checkText(
  field: PlainTextField,
  value: string | undefined,
  required: boolean,
  rule?: (text: string) => TextCheck,
): TextCheck {
  // Composed (NFC): an accent pasted as a separate mark is one character with its letter, as counted and as sent.
  const text = value?.trim().normalize('NFC') ?? '';
  if (text === '') return required ? { ok: false, problem: { code: 'required' } } : { ok: true, value: undefined };
  const max = FIELD_MAX_LENGTH[field];
  // Counted in code points: an accented letter or an emoji is one character to the rep.
  if (Array.from(text).length > max) return { ok: false, problem: { code: 'too_long', params: { max } } };
  return rule ? rule(text) : { ok: true, value: text };
}

/** Runs a normalizing check on a trimmed optional value; its own result bounds the length. */
function optionalWith<Code extends PaymentFormProblemCode>(
  value: string | undefined,
  check: (text: string) => Checked<string, Code>,
): Checked<string | undefined, Code> {
  const text = value?.trim() ?? '';
  return text === '' ? { ok: true, value: undefined } : check(text);
}

function checkPrintable(text: string): TextCheck {
  return NOT_PRINTABLE.test(text) ? { ok: false, problem: { code: 'not_printable' } } : { ok: true, value: text };
}

/**
 * A reference as the rep sees it: pasted from a PDF or an email, its spaces may be no-break ones, which SAFEDEBIT and
 * a lookup typed by hand would take for other characters (another reference, a second link for one invoice).
 */
function checkReference(text: string): TextCheck {
  return checkPrintable(plainSpaces(text));
}

function checkEmail(text: string): TextCheck {
  return EMAIL.test(text) ? { ok: true, value: text } : { ok: false, problem: { code: 'email_invalid' } };
}

function checkZipCode(text: string): TextCheck {
  if (NUMERIC_ZIP_CODE.test(text)) return { ok: true, value: text };
  return { ok: false, problem: { code: /\p{L}/u.test(text) ? 'zip_code_letters' : 'zip_code_invalid' } };
}

/**
 * Control characters refused in every text the form sends, whatever the field's own rule (an amount or a phone
 * number would otherwise read through a tab). Only the payment label may hold line breaks. The value is checked
 * trimmed, as it is sent.
 */
function controlCharacterProblems(input: PaymentFormInput, isCompany: boolean): PaymentFormProblems {
  const problems: PaymentFormProblems = {};
  for (const field of TEXT_FIELDS) {
    if (!isCompany && (COMPANY_FIELDS as readonly string[]).includes(field)) continue;
    const text = input[field]?.trim() ?? '';
    if (field === 'reference_label') {
      if (CONTROL_CHARACTER_BUT_LINE_BREAK.test(text)) problems[field] = { code: 'control_character' };
    } else if (CONTROL_CHARACTER.test(text)) {
      problems[field] = { code: 'not_printable' };
    }
  }
  return problems;
}
