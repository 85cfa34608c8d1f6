import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * What SAFEDEBIT's French contract (/work/shared/safedebit/get_link_payment.fr.txt) says of a `get_link_payment`
 * request, checked on the wire and independently of paylink's own schema (src/safedebit/request.ts), so that the
 * stand-in cannot agree with paylink by construction. Where the contract is silent the default is the reading
 * paylink chose, and the stricter readings are options, to probe what paylink would meet if SAFEDEBIT read it so.
 */
export interface ContractReading {
  /**
   * How `String - N` counts: code points (PHP mb_strlen, a MySQL utf8mb4 VARCHAR) or UTF-8 bytes (PHP strlen, a
   * byte-sized column). The contract does not say.
   */
  lengthIn: 'characters' | 'bytes';
  /**
   * `consumer_phone_number` is "Téléphone portable du consommateur": 'any' takes any number written with digits and
   * an optional leading `+`; 'mobile' wants a mobile number whatever the options; 'national' wants the example's
   * 10 national digits ("0000000000").
   */
  phone: 'any' | 'mobile' | 'national';
}

export const DEFAULT_READING: ContractReading = { lengthIn: 'characters', phone: 'any' };

type Kind = 'String' | 'Integer' | 'Boolean';
interface Field {
  kind: Kind;
  max?: number;
  required?: boolean;
}

/** The contract's table, line for line: "Argument Description Type - Taille Exemple Obligatoire". */
const TABLE: Readonly<Record<string, Field>> = {
  beneficiary_reference: { kind: 'String', max: 32, required: true },
  amount: { kind: 'String', max: 18, required: true },
  payment_reference: { kind: 'String', max: 64, required: true },
  consumer_type: { kind: 'Integer', max: 1 },
  consumer_reference: { kind: 'String', max: 32, required: true },
  consumer_id: { kind: 'String', max: 32 },
  url_callback: { kind: 'String', max: 128, required: true },
  consumer_first_name: { kind: 'String', max: 16 },
  consumer_last_name: { kind: 'String', max: 16 },
  consumer_address_street_number: { kind: 'String', max: 16 },
  consumer_address_street_name: { kind: 'String', max: 70 },
  consumer_zip_code: { kind: 'Integer', max: 16 },
  consumer_city: { kind: 'String', max: 35 },
  consumer_email: { kind: 'String', max: 70, required: true },
  consumer_phone_number: { kind: 'String', max: 32, required: true },
  social_reference: { kind: 'String', max: 32 },
  siren: { kind: 'String', max: 9 },
  sms_option: { kind: 'Integer', max: 1 },
  email_option: { kind: 'Integer', max: 1 },
  payment_scenario: { kind: 'String', max: 64 },
  bic_bank: { kind: 'String', max: 16 },
  merchant_id: { kind: 'String' },
  from_bo: { kind: 'Boolean' },
  get_pay_id: { kind: 'Boolean' },
  shop_id: { kind: 'String' },
  shop_reference: { kind: 'String' },
  payment_lang: { kind: 'String' },
  list_beneficiary_reference: { kind: 'String' },
  pay_now: { kind: 'Boolean' },
  multi_pay: { kind: 'Boolean' },
  pay_later: { kind: 'Boolean' },
  transaction_id: { kind: 'String', max: 64 },
  basket_id: { kind: 'String', max: 64 },
  manual_redirect_url: { kind: 'String', max: 256 },
  reference_label: { kind: 'String', max: 256 },
  tva_interco: { kind: 'String', max: 16 },
  link_duration: { kind: 'Integer', max: 16 },
};

/** The fields whose values the contract spells: 0/1 options, cents, URLs, a SIREN. */
const VALUES: Readonly<Record<string, (value: unknown) => boolean>> = {
  // "0 = particulier, 1 = société", "(1 : oui, 0 : non)"
  consumer_type: (value) => value === 0 || value === 1,
  sms_option: (value) => value === 0 || value === 1,
  email_option: (value) => value === 0 || value === 1,
  // "Le montant (en centimes)": whole cents, digits only.
  amount: (value) => typeof value === 'string' && /^\d+$/.test(value),
  url_callback: isHttpUrl,
  manual_redirect_url: isHttpUrl,
  // A SIREN is 9 digits.
  siren: (value) => typeof value === 'string' && /^\d{9}$/.test(value),
  consumer_email: (value) => typeof value === 'string' && /^[^\s@]+@[^\s@]+\.[^\s@]+$/u.test(value),
};

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function lengthOf(text: string, reading: ContractReading): number {
  return reading.lengthIn === 'bytes' ? Buffer.byteLength(text, 'utf8') : Array.from(text).length;
}

/** The table's Integer: a JSON integer; consumer_zip_code may also be its digits as a string, as the example sends. */
function integerDigits(field: string, value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (field === 'consumer_zip_code' && typeof value === 'string' && /^\d+$/.test(value)) return value;
  return undefined;
}

function phoneProblem(value: string, reading: ContractReading): boolean {
  if (!/^\+?\d+$/.test(value)) return true;
  if (reading.phone === 'national') return !/^0\d{9}$/.test(value);
  if (reading.phone === 'mobile') {
    const phone = parsePhoneNumberFromString(value, 'FR');
    const type = phone?.isValid() ? phone.getType() : undefined;
    return type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE';
  }
  return false;
}

/**
 * The first field the contract would refuse, as `SANDBOX_INVALID_<FIELD>` (`SANDBOX_UNKNOWN_FIELD`,
 * `SANDBOX_INVALID_BODY`, `SANDBOX_INVALID_CONTENT_TYPE`), or undefined when the request keeps to it.
 */
export function contractProblem(
  contentType: string | undefined,
  body: unknown,
  reading: ContractReading = DEFAULT_READING,
): string | undefined {
  // "Content-Type: application/json"
  if (!/^application\/json\s*(;|$)/i.test(contentType ?? '')) return 'SANDBOX_INVALID_CONTENT_TYPE';
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'SANDBOX_INVALID_BODY';
  const sent = body as Record<string, unknown>;
  const invalid = (field: string) => `SANDBOX_INVALID_${field.toUpperCase()}`;
  for (const [field, spec] of Object.entries(TABLE)) {
    const value = sent[field];
    if (value === undefined || value === null) {
      // "Merci de remplir tous les champs obligatoires"
      if (spec.required) return invalid(field);
      continue;
    }
    if (spec.kind === 'Boolean' && typeof value !== 'boolean') return invalid(field);
    if (spec.kind === 'String') {
      if (typeof value !== 'string') return invalid(field);
      if (spec.required && value.trim() === '') return invalid(field);
      if (spec.max !== undefined && lengthOf(value, reading) > spec.max) return invalid(field);
    }
    if (spec.kind === 'Integer') {
      const digits = integerDigits(field, value);
      if (digits === undefined || (spec.max !== undefined && digits.length > spec.max)) return invalid(field);
    }
    const rule = VALUES[field];
    if (rule && !rule(value)) return invalid(field);
    if (field === 'consumer_phone_number' && phoneProblem(value as string, reading)) return invalid(field);
  }
  if (Object.keys(sent).some((field) => !(field in TABLE))) return 'SANDBOX_UNKNOWN_FIELD';
  return undefined;
}
