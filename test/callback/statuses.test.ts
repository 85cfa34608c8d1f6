import { describe, expect, it } from 'vitest';
import { formatAmount } from '../../src/domain/amount.js';
import { ANNEX_STATUSES, classifyStatus } from '../../src/domain/payment-status.js';
import { buildThankYouPage, escapeHtml } from '../../src/http/html.js';
import { LOCALES } from '../../src/i18n/locale.js';
import { describeStatus } from '../../src/i18n/statuses.js';
import { statusLine, statusReplyText } from '../../src/slack/messages/status-messages.js';

const TARGET = { amountCents: 125050, user: 'U0REP', paymentType: 'now' } as const;

describe('status words', () => {
  it.each(LOCALES)('every annex status has its own words in %s', (locale) => {
    const words = ANNEX_STATUSES.map((status) => describeStatus(classifyStatus(status), locale));
    expect(words.every((word) => word.trim() !== '')).toBe(true);
    expect(new Set(words).size).toBe(ANNEX_STATUSES.length);
  });

  it('says the same status differently in each language', () => {
    expect(describeStatus(classifyStatus('SETTLED'), 'fr')).toBe('Payé');
    expect(describeStatus(classifyStatus('SETTLED'), 'en')).toBe('Paid');
  });

  it('shows an unknown status as received', () => {
    expect(describeStatus(classifyStatus('ON_HOLD'), 'en')).toBe('SAFEDEBIT status “ON_HOLD”');
    expect(describeStatus(classifyStatus('ON_HOLD'), 'fr')).toBe('Statut SAFEDEBIT «\u00A0ON_HOLD\u00A0»');
  });
});

describe('the status reply and status line', () => {
  it('reads "Paid · amount · time" in the locale and mentions the rep when money came in', () => {
    const fr = statusReplyText(TARGET, classifyStatus('SETTLED'), 'fr', '14:32');
    expect(fr).toBe(`:white_check_mark: Payé · ${formatAmount(125050, 'fr')} · 14:32 · <@U0REP>`);
    expect(fr).toMatch(/Payé · 1\s250,50\s€ · 14:32/u);
    expect(statusReplyText(TARGET, classifyStatus('SETTLED'), 'en', '14:32')).toBe(
      ':white_check_mark: Paid · €1,250.50 · 14:32 · <@U0REP>',
    );
  });

  it('says a payment of a multiple-payment link is towards its amount: two of them do not read as twice the amount', () => {
    const multi = { ...TARGET, paymentType: 'multi' } as const;
    expect(statusReplyText(multi, classifyStatus('SETTLED'), 'en', '14:32')).toBe(
      ':white_check_mark: Paid · towards a multiple payment of €1,250.50 · 14:32 · <@U0REP>',
    );
    expect(statusReplyText(multi, classifyStatus('SETTLED'), 'fr', '14:32')).toBe(
      `:white_check_mark: Payé · sur un paiement multiple de ${formatAmount(125050, 'fr')} · 14:32 · <@U0REP>`,
    );
  });

  it('mentions the rep when the payment failed, not while it is pending or refunded', () => {
    expect(statusReplyText(TARGET, classifyStatus('RETURNED'), 'en', '09:05')).toContain('<@U0REP>');
    expect(statusReplyText(TARGET, classifyStatus('WAITING'), 'en', '09:05')).not.toContain('<@');
    expect(statusReplyText(TARGET, classifyStatus('REMBOURSE'), 'en', '09:05')).not.toContain('<@');
    expect(statusReplyText(TARGET, classifyStatus('WHATEVER'), 'en', '09:05')).not.toContain('<@');
  });

  it('mentions the rep once for one payment: not again for a paid status after a paid one, again once it failed', () => {
    const reply = (status: string, earlier: string[]) =>
      statusReplyText(TARGET, classifyStatus(status), 'en', '09:05', earlier.map(classifyStatus));
    expect(reply('CREDITED', ['CREATED', 'SETTLED'])).not.toContain('<@');
    expect(reply('GUARANTEED', ['SETTLED', 'WAITING', 'CREDITED'])).not.toContain('<@');
    expect(reply('RETURNED', ['SETTLED'])).toContain('<@U0REP>');
    expect(reply('REJECTED', ['RETURNED'])).not.toContain('<@');
    expect(reply('SETTLED', ['SETTLED', 'RETURNED', 'WAITING'])).toContain('<@U0REP>');
    expect(reply('SETTLED', ['CREATED', 'WAITING'])).toContain('<@U0REP>');
  });

  it('escapes an unknown status so it cannot mention or link', () => {
    const text = statusReplyText(TARGET, classifyStatus('<!channel> <https://evil|x>'), 'en', '09:05');
    expect(text).not.toMatch(/<[!h]/);
    expect(text).toContain('&lt;!channel&gt;');
  });

  it('colors the status line by kind', () => {
    const colors = ['SETTLED', 'REJECTED', 'CREATED', 'REMBOURSE', 'ON_HOLD'].map(
      (status) => statusLine(classifyStatus(status), 'en', '26 Nov 2026, 14:32', 'now').color,
    );
    expect(new Set(colors).size).toBe(5);
    expect(statusLine(classifyStatus('SETTLED'), 'en', '26 Nov 2026, 14:32', 'now').text).toBe(
      ':white_check_mark: Paid · 26 Nov 2026, 14:32',
    );
  });
});

describe('the thank-you page', () => {
  it.each(LOCALES)('is a complete, self-contained page in %s', (locale) => {
    const page = buildThankYouPage(locale);
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain(`<html lang="${locale}">`);
    expect(page).toContain('<meta charset="utf-8">');
    expect(page).toMatch(/<style>[^<]+<\/style>/);
    expect(page).not.toMatch(/<script|https?:|src=|href=/i);
  });

  it('says thank you in the locale, escaped', () => {
    expect(buildThankYouPage('en')).toContain('<h1>Thank you!</h1><p>You can close this page.</p>');
    expect(buildThankYouPage('fr')).toContain('<h1>Merci\u202F!</h1><p>Vous pouvez fermer cette page.</p>');
  });

  it('escapes every character HTML gives a meaning to', () => {
    expect(escapeHtml(`<script>alert("x" & 'y')</script>`)).toBe(
      '&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;',
    );
  });
});
