import type { OfferedPaymentTypes } from '../../src/domain/payment-type.js';
import { buildPaymentModal } from '../../src/slack/views/payment-modal.js';
import type { DisplayedView } from './slack-api-standin.js';

/** `view` as paylink drew it when PAYLINK_PAYMENT_TYPES offered `paymentTypes` (before a restart), `banner` above. */
export function drawnUnder(view: DisplayedView, paymentTypes: OfferedPaymentTypes, banner?: string): DisplayedView {
  const drawn = buildPaymentModal({
    locale: 'en',
    sandbox: false,
    privateMetadata: String(view.private_metadata),
    paymentTypes,
    values: {},
    ...(banner === undefined ? {} : { banner }),
  });
  return { ...view, blocks: drawn.blocks };
}
