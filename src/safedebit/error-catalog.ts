import type { Locale } from '../i18n/locale.js';
import type { LimitedField } from './fields.js';

/** Who can fix a refusal: the rep by changing the form, or the admin by fixing the configuration. */
export type RefusalAudience = 'rep' | 'admin';

export interface RefusalEntry {
  /** The form field the refusal is about, so the message can sit under that input. */
  field?: LimitedField;
  audience: RefusalAudience;
  /** What the rep reads, without the code (describeRefusal appends it). */
  fr: string;
  en: string;
  /** English, for the logs: what is wrong and which setting to check. Admin refusals only. */
  adminDetail?: string;
}

export interface RefusalDescription {
  field?: LimitedField;
  /** Short enough to sit under a Slack input; ends with the code in parentheses, for support. */
  message: string;
  adminDetail?: string;
  configurationProblem: boolean;
}

/** The rep cannot fix these: the same words for all, the log says which setting is wrong. */
function configurationProblem(adminDetail: string): RefusalEntry {
  return {
    audience: 'admin',
    fr: "Accès SAFEDEBIT mal configuré : aucun lien n'a été créé, prévenez l'administrateur de l'application",
    en: 'SAFEDEBIT access is misconfigured: no link was created, please tell the app administrator',
    adminDetail,
  };
}

/** The codes of SAFEDEBIT's annex (doc.safedebit.fr/api/v1/annexe.php) known so far. */
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
    fr: 'Cette référence client est déjà utilisée chez SAFEDEBIT : saisissez-en une autre',
    en: 'This customer reference is already in use at SAFEDEBIT: enter another one',
  },
  EXIST_002: {
    field: 'consumer_reference',
    audience: 'rep',
    fr: "SAFEDEBIT n'accepte pas cette référence client : vérifiez-la",
    en: 'SAFEDEBIT does not accept this customer reference: please check it',
  },
  EXIST_003: {
    audience: 'rep',
    fr: 'SAFEDEBIT signale une référence de prélèvement SEPA déjà utilisée : contactez le support SAFEDEBIT',
    en: 'SAFEDEBIT reports a SEPA direct debit reference already in use: contact SAFEDEBIT support',
  },
  EXIST_005: {
    field: 'payment_reference',
    audience: 'rep',
    fr: 'Cette référence de paiement a déjà été utilisée : saisissez-en une nouvelle',
    en: 'This payment reference has already been used: enter a new one',
  },
};

const UNKNOWN_REFUSAL: Record<Locale, string> = {
  fr: 'SAFEDEBIT a refusé la demande : citez ce code au support',
  en: 'SAFEDEBIT refused the request: quote this code to support',
};

/** Codes come from SAFEDEBIT: a freak long one must not push the message past what a Slack input shows. */
const MAX_SHOWN_CODE_LENGTH = 48;

/** The rep's message for a refusal code, in the given locale; any code not in the catalog still reaches the rep. */
export function describeRefusal(code: string, locale: Locale): RefusalDescription {
  const shownCode = code.length > MAX_SHOWN_CODE_LENGTH ? `${code.slice(0, MAX_SHOWN_CODE_LENGTH - 1)}…` : code;
  // hasOwn: a code such as "constructor" must not find Object.prototype's members.
  const entry = Object.hasOwn(REFUSAL_CATALOG, code) ? REFUSAL_CATALOG[code] : undefined;
  if (entry === undefined) {
    return { message: `${UNKNOWN_REFUSAL[locale]} (${shownCode}).`, configurationProblem: false };
  }
  return {
    ...(entry.field === undefined ? {} : { field: entry.field }),
    message: `${entry[locale]} (${shownCode}).`,
    ...(entry.adminDetail === undefined ? {} : { adminDetail: entry.adminDetail }),
    configurationProblem: entry.audience === 'admin',
  };
}
