import {
  CONSUMER_TYPE_BLOCK_ID,
  DELIVERY_BLOCK_ID,
  PAYMENT_LANG_BLOCK_ID,
  PAYMENT_TYPE_BLOCK_ID,
} from '../constants.js';
import { type InputField, TEXT_FIELDS } from '../domain/payment-form.js';
import { cutToCharacters } from '../domain/text-cut.js';
import type { Locale } from '../i18n/locale.js';
import type { SafedebitRefusal } from './outcome.js';

/** Who can fix a refusal: the rep by changing the form, or the admin by fixing the configuration. */
export type RefusalAudience = 'rep' | 'admin';

export interface RefusalEntry {
  /** The form field the refusal is about, so the message can sit under that input. */
  field?: InputField;
  audience: RefusalAudience;
  /** What the rep reads, without the code (describeRefusal appends it). */
  fr: string;
  en: string;
  /** What it was, once past: after "Refused by SAFEDEBIT:" in a link's status, with no step to take (refusalWhy). */
  was: Record<Locale, string>;
  /** English, for the logs: what is wrong and which setting to check. Admin refusals only. */
  adminDetail?: string;
}

export interface RefusalDescription {
  field?: InputField;
  /**
   * Plain text, short enough to sit under a Slack input: the code's description ending with the code in
   * parentheses, for support, then SAFEDEBIT's own words when it gave some.
   */
  message: string;
  adminDetail?: string;
  configurationProblem: boolean;
}

/** The rep cannot fix these: the same words for all, the log says which setting is wrong. */
function configurationProblem(adminDetail: string): RefusalEntry {
  return {
    audience: 'admin',
    fr: "Accès SAFEDEBIT mal configuré\u00A0: aucun lien n'a été créé, prévenez l'administrateur de l'application",
    en: "SAFEDEBIT access is misconfigured: no link was created, please tell the app's administrator",
    was: { fr: 'accès refusé', en: 'access refused' },
    adminDetail,
  };
}

/** SAFEDEBIT already has a link with this payment reference: after an outage, the sign that the link exists. */
export const PAYMENT_REFERENCE_USED = 'EXIST_005';

/** The error codes listed in the annex of SAFEDEBIT's API documentation, known so far. */
export const REFUSAL_CATALOG: Readonly<Record<string, RefusalEntry>> = {
  AUTH_001: configurationProblem('SAFEDEBIT refused the login (AUTH_001): check SAFEDEBIT_LOGIN'),
  AUTH_002: configurationProblem('SAFEDEBIT refused the password (AUTH_002): check SAFEDEBIT_PASSWORD'),
  AUTH_003: configurationProblem(
    "SAFEDEBIT refused this server's IP address (AUTH_003): ask SAFEDEBIT to allow the app's outgoing IP",
  ),
  AUTH_004: configurationProblem('The SAFEDEBIT account is inactive (AUTH_004): contact SAFEDEBIT'),
  AUTH_005: configurationProblem(
    'SAFEDEBIT reports an invalid account (AUTH_005): check SAFEDEBIT_LOGIN, then contact SAFEDEBIT',
  ),
  // The beneficiary reference comes from the configuration, not from the form.
  EXIST_004: configurationProblem(
    'SAFEDEBIT reports the beneficiary reference as already used (EXIST_004): check SAFEDEBIT_BENEFICIARY_REFERENCE',
  ),
  EXIST_001: {
    field: 'consumer_reference',
    audience: 'rep',
    fr: 'Cette référence client est déjà utilisée chez SAFEDEBIT\u00A0: saisissez-en une autre',
    en: 'This customer reference is already in use at SAFEDEBIT: enter another one',
    was: { fr: 'référence client déjà utilisée', en: 'customer reference already in use' },
  },
  EXIST_002: {
    field: 'consumer_reference',
    audience: 'rep',
    fr: "SAFEDEBIT n'accepte pas cette référence client\u00A0: vérifiez-la",
    en: 'SAFEDEBIT does not accept this customer reference: please check it',
    was: { fr: 'référence client non acceptée', en: 'customer reference not accepted' },
  },
  EXIST_003: {
    audience: 'rep',
    fr: 'SAFEDEBIT signale une référence de prélèvement SEPA déjà utilisée\u00A0: contactez le support SAFEDEBIT',
    en: 'SAFEDEBIT reports a SEPA direct debit reference already in use: contact SAFEDEBIT support',
    was: { fr: 'référence de prélèvement SEPA déjà utilisée', en: 'SEPA direct debit reference already in use' },
  },
  [PAYMENT_REFERENCE_USED]: {
    field: 'payment_reference',
    audience: 'rep',
    fr: 'Cette référence de paiement a déjà été utilisée\u00A0: saisissez-en une nouvelle',
    en: 'This payment reference has already been used: enter a new one',
    // Not "enter a new one": the link that holds it may be this payment's (reference-used.ts).
    was: { fr: 'référence de paiement déjà utilisée', en: 'payment reference already in use' },
  },
};

/** Alone under a field, or after "SAFEDEBIT refused the link:" in the banner: whose code it is, and what to do. */
const UNKNOWN_REFUSAL: Record<Locale, string> = {
  fr: 'Code SAFEDEBIT inconnu de paylink, à citer à son support',
  en: 'SAFEDEBIT code unknown to paylink, to quote to its support',
};

/** The same in a link's status, after "Refused by SAFEDEBIT:". */
const UNKNOWN_REFUSAL_WAS: Record<Locale, string> = { fr: 'code inconnu de paylink', en: 'a code unknown to paylink' };

/**
 * Why SAFEDEBIT refused a link, once past (`/paylink status`): what it was, with the code for support; no step to take,
 * the form's being gone.
 */
export function refusalWhy(code: string, locale: Locale): string {
  const entry = Object.hasOwn(REFUSAL_CATALOG, code) ? REFUSAL_CATALOG[code] : undefined;
  return `${entry?.was[locale] ?? UNKNOWN_REFUSAL_WAS[locale]} (${shownRefusalCode(code)})`;
}

/** SAFEDEBIT's words, quoted as each language quotes. */
const QUOTED: Record<Locale, (words: string) => string> = {
  fr: (words) => `«\u00A0${words}\u00A0»`,
  en: (words) => `“${words}”`,
};
/** After a code's description, who said the words that follow. */
const SAFEDEBIT_SAID: Record<Locale, string> = { fr: 'SAFEDEBIT\u00A0:', en: 'SAFEDEBIT:' };

/** Codes and words come from SAFEDEBIT: freak long ones must not push the message past what a Slack input shows. */
const MAX_SHOWN_CODE_LENGTH = 48;
const MAX_SHOWN_WORDS_LENGTH = 150;

/**
 * The form fields a refusal's words can be about, by the SAFEDEBIT names the modal's blocks carry; the option flags
 * by the choice that sets them.
 */
const FIELD_NAMES: ReadonlyArray<readonly [name: string, field: InputField]> = [
  ...TEXT_FIELDS.map((field) => [field, field] as const),
  ['payment_lang', PAYMENT_LANG_BLOCK_ID],
  ['consumer_type', CONSUMER_TYPE_BLOCK_ID],
  ['sms_option', DELIVERY_BLOCK_ID],
  ['email_option', DELIVERY_BLOCK_ID],
  ['pay_now', PAYMENT_TYPE_BLOCK_ID],
  ['multi_pay', PAYMENT_TYPE_BLOCK_ID],
  ['pay_later', PAYMENT_TYPE_BLOCK_ID],
];
const FIELD_MENTIONS = FIELD_NAMES.map(([name, field]) => ({
  field,
  // The name as a whole word: `_` belongs to it, case aside ("SIREN invalide").
  pattern: new RegExp(`(?<![a-z0-9_])${name}(?![a-z0-9_])`, 'i'),
}));

/**
 * The rep's message for a refusal, in the given locale: a code's description from the catalog (any other code
 * still reaches the rep), SAFEDEBIT's own words after it, or those words alone. The field is the catalog's, or
 * the form field the words name first.
 */
export function describeRefusal(refusal: SafedebitRefusal, locale: Locale): RefusalDescription {
  const words = refusal.message === undefined ? undefined : shown(refusal.message, MAX_SHOWN_WORDS_LENGTH);
  const field = words === undefined ? undefined : fieldNamedIn(words);
  if (refusal.code === undefined) {
    return { ...(field ? { field } : {}), message: QUOTED[locale](words ?? ''), configurationProblem: false };
  }
  const shownCode = shownRefusalCode(refusal.code);
  const said = words === undefined ? '' : ` ${SAFEDEBIT_SAID[locale]} ${QUOTED[locale](words)}`;
  // hasOwn: a code such as "constructor" must not find Object.prototype's members.
  const entry = Object.hasOwn(REFUSAL_CATALOG, refusal.code) ? REFUSAL_CATALOG[refusal.code] : undefined;
  if (entry === undefined) {
    return {
      ...(field ? { field } : {}),
      message: `${UNKNOWN_REFUSAL[locale]} (${shownCode}).${said}`,
      configurationProblem: false,
    };
  }
  // A configuration problem is no field's: the rep reads it above the form, under no input.
  const entryField = entry.audience === 'admin' ? undefined : (entry.field ?? field);
  return {
    ...(entryField === undefined ? {} : { field: entryField }),
    message: `${entry[locale]} (${shownCode}).${said}`,
    ...(entry.adminDetail === undefined ? {} : { adminDetail: entry.adminDetail }),
    configurationProblem: entry.audience === 'admin',
  };
}

/** A refusal's code as shown wherever paylink shows it: on one line, cut to a length a Slack text can hold. */
export function shownRefusalCode(code: string): string {
  return shown(code, MAX_SHOWN_CODE_LENGTH);
}

/** On one line, without invisible characters, cut to `max` characters. */
function shown(text: string, max: number): string {
  return cutToCharacters(text.replace(/[\p{C}\s]+/gu, ' ').trim(), max);
}

/** The form field the words name first, if any. */
function fieldNamedIn(words: string): InputField | undefined {
  let first: { field: InputField; at: number } | undefined;
  for (const { field, pattern } of FIELD_MENTIONS) {
    const at = words.search(pattern);
    if (at >= 0 && (first === undefined || at < first.at)) first = { field, at };
  }
  return first?.field;
}
