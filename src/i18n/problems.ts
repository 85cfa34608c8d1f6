import { euroDigits, formatAmount, plainEuros } from '../domain/amount.js';
import type { PaymentFormProblemCode } from '../domain/payment-form.js';
import type { Problem } from '../domain/problem.js';
import type { Locale } from './locale.js';

type Params = NonNullable<Problem['params']>;
/** A sentence shown under a Slack input: short, and saying how to write the value. */
type Message = string | ((params: Params) => string);

// Typed by every code the rules can return, so a code without a sentence in both languages is a type error.
const MESSAGES: Record<PaymentFormProblemCode, Record<Locale, Message>> = {
  required: { fr: 'Ce champ est obligatoire.', en: 'This field is required.' },
  too_long: {
    fr: ({ max }) => `${max} caractères au maximum.`,
    en: ({ max }) => `${max} characters at most.`,
  },
  not_printable: {
    fr: 'Caractères invisibles ou retours à la ligne refusés\u00A0: saisissez le texte sur une seule ligne.',
    en: 'Invisible characters and line breaks are not accepted: type the text on a single line.',
  },
  control_character: {
    fr: 'Caractères de contrôle (tabulation…) refusés\u00A0: seuls les retours à la ligne sont acceptés.',
    en: 'Control characters (tabs…) are not accepted: only line breaks are.',
  },
  email_invalid: {
    fr: 'Adresse e-mail invalide\u00A0: écrivez-la comme nom@exemple.fr.',
    en: 'Invalid email address: write it like name@example.com.',
  },
  zip_code_invalid: {
    fr: 'Un code postal a de 3 à 10 chiffres (5 en France), par ex. 75002 ou 01000.',
    en: 'A postcode has 3 to 10 digits (5 in France), e.g. 75002 or 01000.',
  },
  zip_code_letters: {
    fr: "SAFEDEBIT n'accepte que des chiffres dans le code postal\u00A0: laissez-le vide s'il a des lettres.",
    en: 'SAFEDEBIT takes digits only in the postcode: leave it empty if it has letters.',
  },
  option_not_offered: {
    fr: 'Ce choix ne fait pas partie de ceux proposés\u00A0: choisissez-en un dans la liste.',
    en: 'This choice is not one of those offered: pick one from the list.',
  },
  amount_not_a_number: {
    fr: 'Montant illisible\u00A0: écrivez par ex. 1250 ou 1\u202F250,50.',
    en: 'Unreadable amount: write e.g. 1250 or 1,250.50.',
  },
  amount_zero: { fr: 'Le montant doit être supérieur à zéro.', en: 'The amount must be more than zero.' },
  amount_negative: {
    fr: 'Le montant doit être positif\u00A0: écrivez-le sans signe moins.',
    en: 'The amount must be positive: write it without a minus sign.',
  },
  amount_too_many_decimals: {
    fr: 'Deux décimales au plus (les centimes)\u00A0: par ex. 12,50.',
    en: 'Two decimals at most (the cents): e.g. 12.50.',
  },
  amount_ambiguous: {
    fr: (readings) => {
      const [one, other] = readingsOf(readings, 'fr');
      const { overMaxCents, maxCents } = readings;
      if (overMaxCents !== undefined) {
        return `Montant ambigu\u00A0: ${money(overMaxCents, 'fr')} dépasse le maximum de ${money(maxCents, 'fr')}. Vouliez-vous dire ${one?.amount}\u202F? Écrivez ${one?.typed}.`;
      }
      return other === undefined
        ? `Montant ambigu\u00A0: vouliez-vous dire ${one?.amount}\u202F? Écrivez ${one?.typed}.`
        : `Montant ambigu\u00A0: ${one?.amount} ou ${other.amount}\u202F? Écrivez ${one?.typed} ou ${other.typed}.`;
    },
    en: (readings) => {
      const [one, other] = readingsOf(readings, 'en');
      const { overMaxCents, maxCents } = readings;
      if (overMaxCents !== undefined) {
        return `Ambiguous amount: ${money(overMaxCents, 'en')} is over the ${money(maxCents, 'en')} maximum. Did you mean ${one?.amount}? Write ${one?.typed}.`;
      }
      return other === undefined
        ? `Ambiguous amount: did you mean ${one?.amount}? Write ${one?.typed}.`
        : `Ambiguous amount: ${one?.amount} or ${other.amount}? Write ${one?.typed} or ${other.typed}.`;
    },
  },
  amount_bad_grouping: {
    fr: 'Milliers mal séparés\u00A0: groupez les chiffres par 3 (12\u202F500,00) ou ne les séparez pas (12500).',
    en: 'Misplaced thousands separators: group digits by 3 (12,500.00) or leave them out (12500).',
  },
  amount_too_large: {
    fr: ({ maxCents }) => `Montant trop élevé\u00A0: ${money(maxCents, 'fr')} au maximum.`,
    en: ({ maxCents }) => `Amount too high: ${money(maxCents, 'en')} at most.`,
  },
  phone_invalid: {
    fr: 'Numéro invalide\u00A0: écrivez par ex. 06\u00A012\u00A034\u00A056\u00A078, ou +44\u00A07400\u00A0123456 hors de France.',
    en: 'Invalid number: write e.g. 06\u00A012\u00A034\u00A056\u00A078, or +44\u00A07400\u00A0123456 outside France.',
  },
  phone_not_mobile: {
    fr: "Ce n'est pas un mobile\u00A0: l'envoi par SMS demande un 06, un 07 ou un mobile étranger.",
    en: 'Not a mobile number: sending by SMS needs a mobile (06, 07 or a foreign mobile).',
  },
  siren_format: {
    fr: 'Un SIREN a 9 chiffres, par ex. 732\u00A0829\u00A0320.',
    en: 'A SIREN has 9 digits, e.g. 732\u00A0829\u00A0320.',
  },
  siren_placeholder: {
    fr: "000\u00A0000\u00A0000 n'est pas un SIREN\u00A0: saisissez celui de l'entreprise, ou laissez le champ vide.",
    en: "000\u00A0000\u00A0000 is not a SIREN: type the company's, or leave the field empty.",
  },
  siren_checksum: {
    fr: "Ce SIREN n'existe pas (chiffre de contrôle faux)\u00A0: vérifiez-le.",
    en: 'This SIREN does not exist (wrong check digit): please check it.',
  },
  vat_not_eu: {
    fr: "Seul un numéro de TVA d'un pays de l'UE est accepté\u00A0: il commence par son code (FR, DE, BE, IT, EL…).",
    en: 'Only the VAT number of an EU member state is accepted: it starts with its code (FR, DE, BE, IT, EL…).',
  },
  vat_format: {
    fr: 'Numéro de TVA mal formé pour ce pays\u00A0: par ex. FR44732829320, DE136695976, BE0417497106.',
    en: 'Malformed VAT number for that country: e.g. FR44732829320, DE136695976, BE0417497106.',
  },
  vat_checksum: {
    fr: "Ce numéro de TVA n'existe pas (chiffres de contrôle faux)\u00A0: vérifiez-le.",
    en: 'This VAT number does not exist (wrong check digits): please check it.',
  },
  vat_siren_mismatch: {
    fr: ({ siren }) => `Ce numéro de TVA n'est pas celui du SIREN ${siren}.`,
    en: ({ siren }) => `This VAT number does not match SIREN ${siren}.`,
  },
};

/** The sentence shown under the input a problem belongs to. */
export function describeProblem(problem: Problem, locale: Locale): string {
  // A code from outside the form's rules still reaches the rep, code included.
  if (!isKnownCode(problem.code)) {
    return locale === 'fr' ? `Valeur refusée (${problem.code}).` : `Value refused (${problem.code}).`;
  }
  const message = MESSAGES[problem.code][locale];
  return typeof message === 'string' ? message : message(problem.params ?? {});
}

function isKnownCode(code: string): code is PaymentFormProblemCode {
  return Object.hasOwn(MESSAGES, code);
}

/** An amount param in cents, as the rep's locale writes money. */
function money(cents: string | number | undefined, locale: Locale): string {
  return formatAmount(Number(cents), locale);
}

/**
 * The readings of an ambiguous amount offered (those within the maximum), thousands first: each as shown and as
 * typed (`1250`, `1,25`).
 */
function readingsOf(
  { asThousands, asDecimals }: Record<string, string | number | undefined>,
  locale: Locale,
): { amount: string; typed: string }[] {
  return [
    ...(asThousands === undefined ? [] : [{ amount: money(asThousands, locale), typed: euros(asThousands) }]),
    ...(asDecimals === undefined
      ? []
      : [{ amount: money(asDecimals, locale), typed: plainEuros(Number(asDecimals), locale === 'fr' ? ',' : '.') }]),
  ];
}

/** `125000` cents → `1250`: how to type the amount without any separator. */
function euros(amountCents: string | number | undefined): string {
  return euroDigits(Number(amountCents)).euros;
}
