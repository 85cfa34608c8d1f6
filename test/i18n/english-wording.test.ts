import { describe, expect, it } from 'vitest';
import { linkReportTexts } from '../../src/i18n/link-reports.js';
import { buildUnknownLinkPage } from '../../src/sandbox/pages.js';
import { buildPaymentModal } from '../../src/slack/views/payment-modal.js';

/** The English form, for a company when asked. */
function englishForm(company = false) {
  const values = company ? { consumer_type: 'company' as const } : {};
  return buildPaymentModal({ locale: 'en', sandbox: false, privateMetadata: '', paymentTypes: ['now'], values });
}

function hintOf(view: ReturnType<typeof buildPaymentModal>, field: string): string | undefined {
  return (view.blocks.find((block) => block.block_id === field) as { hint?: { text: string } } | undefined)?.hint?.text;
}

describe('paylink’s English', () => {
  it('writes ID in capitals under the customer reference', () => {
    expect(hintOf(englishForm(), 'consumer_reference')).toBe('Your ID for this customer');
  });

  // A rep in the UK or the US has never met the word SIREN: the VAT field says "EU VAT number".
  it('says what a SIREN is', () => {
    expect(hintOf(englishForm(true), 'siren')).toBe(
      'French company number, 9 digits, for example 732\u00A0829\u00A0320',
    );
  });

  // The form has two references: `status` finds a link by its payment reference, as App Home says.
  it('names the argument of `status` the payment reference under `/paylink list`', () => {
    expect(linkReportTexts('en').listMore('/paylink')).toContain('`/paylink status &lt;payment reference&gt;`');
    expect(linkReportTexts('fr').listMore('/paylink')).toContain('`/paylink status &lt;référence de paiement&gt;`');
  });

  it('is grammatical on the sandbox’s page for a link it does not know', () => {
    expect(buildUnknownLinkPage('en')).toContain('or paylink has restarted since it was made');
  });
});
