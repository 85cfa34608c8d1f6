/**
 * How the customer pays, as SAFEDEBIT's flags name it: `pay_now` (paiement comptant), `multi_pay` (paiement
 * multiple), `pay_later` (paiement différé). The merchant configures which ones reps may offer.
 */
export const PAYMENT_TYPES = ['now', 'multi', 'later'] as const;
export type PaymentType = (typeof PAYMENT_TYPES)[number];

export function isPaymentType(value: string): value is PaymentType {
  return (PAYMENT_TYPES as readonly string[]).includes(value);
}
