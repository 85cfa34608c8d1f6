import type { Config } from '../config.js';
import { THANK_YOU_PATH } from '../constants.js';
import { OPTIONAL_TEXT_FIELDS, type ValidatedPaymentForm } from '../domain/payment-form.js';
import type { PaymentType } from '../domain/payment-type.js';
import type { PaymentLinkRequest } from './request.js';

/** What a link request takes besides the form: who is paid, where SAFEDEBIT calls back, the merchant's settings. */
export interface LinkRequestSettings {
  beneficiaryReference: string;
  /** The signed `url_callback` naming the link's ledger row. */
  callbackUrl: string;
  /** paylink's base URL: the customer's thank-you page is there unless PAYLINK_REDIRECT_URL names another. */
  publicUrl: string;
  config: Pick<Config, 'redirectUrl' | 'linkDuration' | 'merchantFields'>;
}

/** SAFEDEBIT's flag for each payment type: the chosen one is sent as `true`, the others not at all. */
const PAYMENT_TYPE_FLAG = { now: 'pay_now', multi: 'multi_pay', later: 'pay_later' } as const satisfies Record<
  PaymentType,
  keyof PaymentLinkRequest
>;

/** The `get_link_payment` body for a validated form: every field the form or the settings give, nothing empty. */
export function buildPaymentLinkRequest(form: ValidatedPaymentForm, settings: LinkRequestSettings): PaymentLinkRequest {
  const { config } = settings;
  const optional = {
    ...Object.fromEntries(OPTIONAL_TEXT_FIELDS.map((field) => [field, form[field]])),
    consumer_type: form.consumerType,
    link_duration: config.linkDuration?.value,
  };
  return {
    beneficiary_reference: settings.beneficiaryReference,
    amount: String(form.amountCents),
    payment_reference: form.payment_reference,
    consumer_reference: form.consumer_reference,
    consumer_email: form.consumer_email,
    consumer_phone_number: form.consumer_phone_number,
    url_callback: settings.callbackUrl,
    sms_option: form.smsOption,
    email_option: form.emailOption,
    [PAYMENT_TYPE_FLAG[form.paymentType]]: true,
    payment_lang: form.paymentLang,
    manual_redirect_url: config.redirectUrl ?? `${settings.publicUrl}${THANK_YOU_PATH}?lang=${form.paymentLang}`,
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
    ...config.merchantFields,
  };
}
