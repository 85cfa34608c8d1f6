import { describe, expect, it } from 'vitest';
import { LOCALES } from '../../src/i18n/locale.js';
import type { LinkWithAddress } from '../../src/ledger/ledger.js';
import {
  buildConfirmedUnannouncedMessage,
  buildInterruptedMessage,
  buildLateLinkMessage,
  buildReminderMessage,
  buildUntoldOutcomeMessage,
} from '../../src/slack/messages/report-messages.js';
import { linkRecord } from '../support/link-records.js';

/**
 * The `text` of a message with blocks is what Slack shows in the push or desktop notification, and what screen readers
 * read: mrkdwn marks in it are shown as written (`*1 250,50 €*`, `` `/paylink` ``, `<https://…>`), so it is plain.
 */
const MARKUP = [
  { name: 'bold *…*', pattern: /\*[^*\s][^*]*\*/ },
  { name: 'code span `…`', pattern: /`[^`]+`/ },
  { name: 'link <…>', pattern: /<(https?:|mailto:)[^>]*>/ },
];

function markupIn(text: string): string[] {
  return MARKUP.flatMap(({ name, pattern }) => {
    const found = text.match(pattern);
    return found ? [`${name}: ${found[0]}`] : [];
  });
}

describe.each(LOCALES)('%s: a DM notification reads without raw mrkdwn', (locale) => {
  const ctx = { locale, timeZone: 'Europe/Paris', now: new Date('2026-12-01T09:00:00Z'), sandbox: false };
  const link = linkRecord();

  it('reminder: the push a rep gets days later', () => {
    const message = buildReminderMessage(ctx, link, '3 days');
    expect(message.blocks?.length).toBeGreaterThan(0);
    expect(markupIn(message.text)).toEqual([]);
  });

  it('interrupted link', () => {
    const message = buildInterruptedMessage(ctx, linkRecord({ state: 'interrupted', link: null }));
    expect(markupIn(message.text)).toEqual([]);
  });

  it('link given late', () => {
    const message = buildLateLinkMessage(ctx, link as LinkWithAddress);
    expect(markupIn(message.text)).toEqual([]);
  });

  it('confirmed link whose summary Slack refused', () => {
    const message = buildConfirmedUnannouncedMessage(ctx, { ...link, link: null }, 'refused');
    expect(markupIn(message.text)).toEqual([]);
  });

  it('outage told late', () => {
    const message = buildUntoldOutcomeMessage(ctx, linkRecord({ state: 'outage', state_detail: null, link: null }));
    expect(markupIn(message.text)).toEqual([]);
  });
});
