import { describe, expect, it } from 'vitest';
import { linkReportTexts } from '../../src/i18n/link-reports.js';
import { messagesFor } from '../../src/i18n/messages.js';
import { statusApartText } from '../../src/slack/messages/status-messages.js';
import { buildCreatingView } from '../../src/slack/views/outcome-views.js';
import { buildPaymentModal } from '../../src/slack/views/payment-modal.js';

describe('the sandbox’s modal title in French', () => {
  // Slack cuts a modal's title at 24 characters: "SANDBOX · Lien de paiement" did not fit, and lost its "de".
  it('is French and whole, on the form and on every outcome', () => {
    const base = { locale: 'fr' as const, sandbox: true, privateMetadata: '' };
    const titles = [
      buildPaymentModal({ ...base, paymentTypes: ['now'], values: {} }).title.text,
      buildCreatingView(base, '1\u202F250,50\u00A0€', 'F-2026-031').title.text,
    ];
    expect(titles).toEqual(['Lien de paiement SANDBOX', 'Lien de paiement SANDBOX']);
  });
});

describe('the summary, in French', () => {
  it('is the « récapitulatif » in the DM a rep gets when Slack did not accept it, as in every other message', () => {
    const everywhereElse = [
      messagesFor('fr').fallbackDm('C0SALES'),
      messagesFor('fr').outageLinkExists,
      linkReportTexts('fr').linkReplyLate,
      linkReportTexts('fr').confirmedUnannounced.refused('`/paylink status F-1`'),
    ];
    for (const text of everywhereElse) expect(text).toContain('récapitulatif');

    const text = statusApartText(
      ':white_check_mark: Payé · 1\u202F250,50\u00A0€ · 14:32',
      'F-2026-031',
      { summaryNotPostedIn: 'C0SALES' },
      'fr',
    );
    expect(text).toContain(
      "Lien de paiement réf. F-2026-031\u00A0: Slack n'a pas accepté son récapitulatif dans <#C0SALES> (le lien vous a été donné en privé), d'où ce message.",
    );
  });
});
