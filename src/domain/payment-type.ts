/**
 * How the customer pays, as SAFEDEBIT's flags name it: `pay_now` (paiement comptant), `multi_pay` (paiement
 * multiple), `pay_later` (paiement différé). The merchant configures which ones reps may offer.
 */
export const PAYMENT_TYPES = ['now', 'multi', 'later'] as const;
export type PaymentType = (typeof PAYMENT_TYPES)[number];

/** The payment types a merchant offers reps, in the order offered: never none, the first one the default. */
export type OfferedPaymentTypes = readonly [PaymentType, ...PaymentType[]];
