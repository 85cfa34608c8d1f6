import type { PaymentLinkRequest } from '../../src/safedebit/request.js';

export const LOGIN = 'merchant-login';
export const PASSWORD = 'p@ss-Wörd-4242';

let sequence = 0;

/** A request the schema accepts, with a payment reference never used before in this process. */
export function validRequest(overrides: Partial<PaymentLinkRequest> = {}): PaymentLinkRequest {
  sequence += 1;
  return {
    beneficiary_reference: '395579987182558',
    amount: '125050',
    payment_reference: `F-2026-${String(sequence).padStart(4, '0')}`,
    consumer_reference: 'CLI-0042',
    url_callback: 'https://paylink.example.com/cb/token',
    consumer_email: 'jeanne@example.com',
    consumer_phone_number: '+33612345678',
    ...overrides,
  };
}
