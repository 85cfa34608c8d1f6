import type { types } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { classifyStatus } from '../../src/domain/payment-status.js';
import { LOCALES } from '../../src/i18n/locale.js';
import type { NotificationRecord } from '../../src/ledger/ledger.js';
import { FIELD_MAX_LENGTH } from '../../src/safedebit/fields.js';
import { formInputFromState } from '../../src/slack/form-state.js';
import { linkSection, standingText } from '../../src/slack/messages/link-lines.js';
import {
  awaitingPaymentStatus,
  buildLinkForRep,
  buildSummaryMessage,
  type LinkSummary,
} from '../../src/slack/messages/link-messages.js';
import {
  buildAnnouncedLateReply,
  buildConfirmedUnannouncedMessage,
  buildInterruptedMessage,
  buildInterruptedView,
  buildLateLinkMessage,
  buildLateLinkReply,
  buildLateLinkView,
  buildListMessage,
  buildReminderMessage,
  buildStatusMessage,
} from '../../src/slack/messages/report-messages.js';
import { statusApartText, statusLine, summaryStatusUpdate } from '../../src/slack/messages/status-messages.js';
import { decodeModalOrigin, encodeModalOrigin } from '../../src/slack/metadata.js';
import { submissionKey, viewIdOfSubmission } from '../../src/slack/submission-key.js';
import { buildCreatedView, buildCreatingView } from '../../src/slack/views/outcome-views.js';
import { buildPaymentModal, notesOfForm } from '../../src/slack/views/payment-modal.js';
import { plain } from '../../src/slack/views/text.js';
import { blockKitProblems } from '../support/block-kit-limits.js';
import { linkRecord } from '../support/link-records.js';
import { visibleText } from '../support/paylink-harness.js';
import { stateValuesFor } from '../support/slack-requests.js';

/** When linkRecord's link was asked for, as Slack's date token: each viewer's own time zone, else Paris time. */
const ASKED_AT = '<!date^1795771800^{date_short}, {time}|27 Nov 2026, 10:30>';
/** The ISSUED status of the reminder's link, at 27 Nov 2026, 14:32 in Paris, as ASKED_AT. */
const ISSUED_AT = '<!date^1795786320^{date_short}, {time}|27 Nov 2026, 14:32>';

type Block = { type: string; block_id?: string; element?: Record<string, unknown> };
const origin = encodeModalOrigin({
  channel: 'C0SALES',
  user: 'U0REP',
  threadTs: '1700000000.000100',
  responseUrl: 'https://hooks.slack.com/commands/T0001/1234567890/abcdefghijklmnopqrstuvwx',
});

describe.each(LOCALES)('payment modal (%s)', (locale) => {
  for (const company of [false, true]) {
    const view = buildPaymentModal({
      locale,
      sandbox: true,
      privateMetadata: origin,
      paymentTypes: ['now', 'multi', 'later'],
      values: { consumer_type: company ? 'company' : 'individual', delivery: [] },
    });
    const inputs = (view.blocks as Block[]).filter((block) => block.type === 'input');

    it(`stays within Slack's modal limits${company ? ' with the company fields' : ''}`, () => {
      expect(view.title.text.length).toBeLessThanOrEqual(24);
      expect(view.submit?.text.length).toBeLessThanOrEqual(24);
      expect(view.close?.text.length).toBeLessThanOrEqual(24);
      expect(view.blocks.length).toBeLessThanOrEqual(100);
      expect(String(view.private_metadata).length).toBeLessThanOrEqual(3000);
    });

    it(`names each input after the SAFEDEBIT field it fills, with its maximum length${company ? ' (company)' : ''}`, () => {
      for (const input of inputs) {
        const field = input.block_id as string;
        // payment_type picks one of SAFEDEBIT's pay_now, multi_pay and pay_later flags.
        const notLimited = ['delivery', 'payment_type', 'payment_lang'];
        expect(notLimited.includes(field) || field in FIELD_MAX_LENGTH, field).toBe(true);
        if (input.element?.type !== 'plain_text_input') continue;
        // Typed with spaces or in euros, sent normalized: room for the typing, the rules check the rest.
        const typedLonger: Record<string, number> = { amount: 32, siren: 11, tva_interco: 24 };
        expect(input.element.max_length, field).toBe(
          typedLonger[field] ?? FIELD_MAX_LENGTH[field as keyof typeof FIELD_MAX_LENGTH],
        );
      }
      expect(inputs.some((input) => input.block_id === 'siren')).toBe(company);
    });
  }

  const choiceOf = (view: types.ModalView, blockId: string) =>
    (view.blocks as Block[]).find((block) => block.block_id === blockId)?.element as
      | { type: string; options: { value: string }[]; initial_option: { value: string } }
      | undefined;

  it('leaves every company field optional, the name included, as SAFEDEBIT and the form checks do', () => {
    const view = buildPaymentModal({
      locale,
      sandbox: false,
      privateMetadata: origin,
      paymentTypes: ['now'],
      values: { consumer_type: 'company' },
    });
    const optional = (field: string) =>
      (view.blocks as (Block & { optional?: boolean })[]).find((block) => block.block_id === field)?.optional;
    expect(['social_reference', 'siren', 'tva_interco'].map(optional)).toEqual([true, true, true]);
  });

  it('reads back the banner and field notes it shows, so that a re-render keeps them', () => {
    const shown = { banner: ':no_entry: Refused: *R-1*', fieldNotes: { payment_reference: 'Already used &amp; more' } };
    const base = { locale, sandbox: false, privateMetadata: origin, paymentTypes: ['now'] as const, values: {} };
    expect(notesOfForm(buildPaymentModal({ ...base, ...shown }).blocks)).toEqual(shown);
    expect(notesOfForm(buildPaymentModal(base).blocks)).toEqual({});
  });

  it('opens with a pre-filled value longer than its field allows, to be refused at submission, not by Slack', () => {
    const formWith = (values: Record<string, string>) =>
      buildPaymentModal({ locale, sandbox: false, privateMetadata: origin, paymentTypes: ['now'], values });
    const elementOf = (view: types.View, field: string) =>
      (view.blocks as Block[]).find((block) => block.block_id === field)?.element;
    const reference = 'F-2026-'.repeat(12);
    const view = formWith({ amount: '12,50', payment_reference: reference });
    expect(elementOf(view, 'payment_reference')).toMatchObject({
      initial_value: reference,
      max_length: reference.length,
    });
    expect(elementOf(view, 'amount')).toMatchObject({ initial_value: '12,50', max_length: 32 });

    // Past Slack's own cap on max_length (3000), the value is cut to it: else Slack would not open the form at all.
    const pasted = 'F-2026-031 '.repeat(300).trim();
    expect(elementOf(formWith({ payment_reference: pasted }), 'payment_reference')).toMatchObject({
      initial_value: pasted.slice(0, 3000),
      max_length: 3000,
    });

    // Cut between the two halves of an emoji, it would be no text at all: Slack would refuse the form. It goes whole.
    const cutView = formWith({ payment_reference: `${'A'.repeat(2999)}😀 tail` });
    expect(blockKitProblems('modal', cutView)).toEqual([]);
    expect(elementOf(cutView, 'payment_reference')).toMatchObject({
      initial_value: 'A'.repeat(2999),
      max_length: 3000,
    });
  });

  it("offers the customer's language, the rep's by default, and keeps the one chosen", () => {
    const base = { locale, sandbox: false, privateMetadata: origin, paymentTypes: ['now'] as const };
    const fresh = choiceOf(buildPaymentModal({ ...base, values: {} }), 'payment_lang');
    expect(fresh?.options.map((option) => option.value)).toEqual(['fr', 'en']);
    expect(fresh?.initial_option.value).toBe(locale);
    const kept = choiceOf(buildPaymentModal({ ...base, values: { payment_lang: 'en' } }), 'payment_lang');
    expect(kept?.initial_option.value).toBe('en');
  });

  it('asks for the payment type only when several are offered, in their order, the first by default', () => {
    const base = { locale, sandbox: false, privateMetadata: origin, values: {} };
    expect(choiceOf(buildPaymentModal({ ...base, paymentTypes: ['later'] }), 'payment_type')).toBeUndefined();
    const offered = choiceOf(buildPaymentModal({ ...base, paymentTypes: ['later', 'now'] }), 'payment_type');
    expect(offered?.options.map((option) => option.value)).toEqual(['later', 'now']);
    expect(offered?.initial_option.value).toBe('later');
    const kept = buildPaymentModal({ ...base, paymentTypes: ['later', 'now'], values: { payment_type: 'now' } });
    expect(choiceOf(kept, 'payment_type')?.initial_option.value).toBe('now');
  });
});

describe('form state', () => {
  it('reads back what the modal shows, whatever the element types', () => {
    const view = buildPaymentModal({
      locale: 'fr',
      sandbox: false,
      privateMetadata: origin,
      paymentTypes: ['now', 'multi'],
      values: { consumer_type: 'company', delivery: [] },
    });
    const state = {
      values: stateValuesFor(view as { blocks?: readonly unknown[] }, {
        amount: '12,50',
        consumer_email: 'a@b.fr',
        delivery: ['sms', 'email'],
        consumer_type: 'company',
        siren: '732829320',
        payment_type: 'multi',
      }),
    };
    expect(formInputFromState(state)).toEqual({
      amount: '12,50',
      payment_reference: '',
      consumer_reference: '',
      consumer_email: 'a@b.fr',
      consumer_phone_number: '',
      siren: '732829320',
      consumer_type: 'company',
      payment_type: 'multi',
      payment_lang: 'fr',
      delivery: ['sms', 'email'],
    });
  });

  it('reads garbage as empty rather than crashing', () => {
    // What a forged payload may carry, whatever Bolt's types say.
    const forged = { values: { amount: { x: { value: 12 } }, delivery: { x: { selected_options: 'sms' } } } };
    expect(formInputFromState(forged as never)).toMatchObject({
      amount: '',
      delivery: [],
    });
    expect(formInputFromState(undefined as never).amount).toBe('');
    expect(formInputFromState({ values: { amount: null } } as never).amount).toBe('');
  });
});

describe('modal origin', () => {
  it('round-trips and refuses what is not ours', () => {
    expect(decodeModalOrigin(origin)).toMatchObject({ channel: 'C0SALES', threadTs: '1700000000.000100' });
    expect(decodeModalOrigin('{"channel":"c0 sales","user":"U1"}')).toBeUndefined();
    expect(decodeModalOrigin('not json')).toBeUndefined();
    expect(decodeModalOrigin(undefined)).toBeUndefined();
  });
});

describe('summary message', () => {
  const summary: LinkSummary = {
    locale: 'fr',
    sandbox: false,
    amountCents: 125050,
    paymentReference: 'F-<2026>&031',
    paymentType: 'multi',
    customer: 'ACME <SAS>',
    maskedEmail: 'j•••@example.com',
    maskedPhone: '•• •• •• 56 78',
    deliveries: ['email'],
    user: 'U0REP',
    expires: '<!date^1796304720^{date_short}, {time}|3 déc. 2026, 14:32>',
  };

  it('shows amount in the locale, escaped texts, masked contact, delivery, requester and expiry', () => {
    const text = visibleText(buildSummaryMessage(summary, awaitingPaymentStatus('fr')));
    for (const expected of [
      '1\u202f250,50\u00a0€',
      'F-&lt;2026&gt;&amp;031',
      '*Paiement*\nPaiement multiple',
      'ACME &lt;SAS&gt;',
      'j•••@example.com',
      '•• •• •• 56 78',
      'Par e-mail',
      '<@U0REP>',
      '*Expire le*\n<!date^1796304720^{date_short}, {time}|3 déc. 2026, 14:32>',
      'En attente de paiement',
    ]) {
      expect(text).toContain(expected);
    }
  });

  it('says both ways SAFEDEBIT sends the link in one phrase', () => {
    const both = { ...summary, deliveries: ['sms', 'email'] } as const;
    expect(visibleText(buildSummaryMessage(both, awaitingPaymentStatus('fr')))).toContain(
      '*Envoi*\nPar SMS et par e-mail',
    );
    const english = { ...both, locale: 'en' } as const;
    expect(visibleText(buildSummaryMessage(english, awaitingPaymentStatus('en')))).toContain(
      '*Delivery*\nBy SMS and email',
    );
  });

  it('keeps the status line in an attachment so chat.update can change it alone', () => {
    const message = buildSummaryMessage(summary, awaitingPaymentStatus('en'));
    expect(message.attachments).toHaveLength(1);
    expect(visibleText(message.blocks)).not.toContain('Awaiting payment');
    expect(visibleText(message.attachments)).toContain('Awaiting payment');
  });

  it("gives the status line's date as Slack's token, and in Paris time where Slack renders none", () => {
    const paidAt = '<!date^1795786320^{date_short}, {time}|27 nov. 2026, 14:32>';
    const update = summaryStatusUpdate(summary, statusLine(classifyStatus('SETTLED'), 'fr', paidAt, 'now'));
    const [attachment] = update.attachments ?? [];
    expect(visibleText(attachment)).toBe(`:white_check_mark: Payé · ${paidAt}`);
    expect(attachment?.fallback).toBe(':white_check_mark: Payé · 27 nov. 2026, 14:32');
    expect(update.text).toBe(
      'Lien de paiement · 1\u202f250,50\u00a0€ · F-&lt;2026&gt;&amp;031 — :white_check_mark: Payé · 27 nov. 2026, 14:32',
    );
  });
});

describe('a link sent to its rep away from its summary', () => {
  const payment = { amountCents: 125050, reference: 'F-<2026>&031' };
  const link = 'https://pay.example/paypage?SDESSID=abc';

  it('says which payment it is for, the reference escaped', () => {
    expect(buildLinkForRep('en', false, payment, link).text).toBe(
      'Payment link for *€1,250.50* (ref. F-&lt;2026&gt;&amp;031): https://pay.example/paypage?SDESSID=abc',
    );
    expect(buildLinkForRep('fr', false, payment, link).text).toBe(
      'Lien de paiement de *1\u202F250,50\u00A0€* (réf. F-&lt;2026&gt;&amp;031)\u00A0: https://pay.example/paypage?SDESSID=abc',
    );
  });

  it('comes after why it comes apart, marked once as the sandbox’s', () => {
    expect(buildLinkForRep('en', true, payment, link, 'I could not post there.').text).toBe(
      '[SANDBOX] I could not post there.\nPayment link for *€1,250.50* (ref. F-&lt;2026&gt;&amp;031): https://pay.example/paypage?SDESSID=abc',
    );
  });
});

describe('a status sent to the rep apart from its thread', () => {
  const reply = ':white_check_mark: Paid · €1,250.50 · 14:32 · <@U0REP>';
  const whyOf = (where: Parameters<typeof statusApartText>[2], locale: 'en' | 'fr' = 'en') =>
    statusApartText(reply, 'F-<1>', where, locale).split('\n')[1];

  it('names the channel where its summary was to go, or its closed thread is', () => {
    expect(whyOf({ summaryNotPostedIn: 'C0SALES' })).toBe(
      'Payment link ref. F-&lt;1&gt;: Slack did not take its summary in <#C0SALES> (the link was given to you privately), hence this message.',
    );
    expect(whyOf({ threadClosedIn: 'C0SALES' })).toMatch(
      /^Payment link ref\. F-&lt;1&gt;: its thread in <#C0SALES> takes/,
    );
  });

  // Slack shows a DM's `<#D…>` as no conversation.
  it.each(LOCALES)('names a direct message in words, not as a channel (%s)', (locale) => {
    const asked = whyOf({ summaryNotPostedIn: 'D0PEOPLE' }, locale);
    const closed = whyOf({ threadClosedIn: 'D0APPDM' }, locale);
    expect([asked, closed].join('\n')).not.toContain('<#');
    expect(asked).toContain(
      locale === 'en'
        ? 'in the direct message where you asked for it'
        : "dans la conversation privée où vous l'avez demandé",
    );
    expect(closed).toContain(
      locale === 'en'
        ? 'its thread in your direct messages with paylink'
        : 'son fil dans vos messages privés avec paylink',
    );
  });
});

describe('outcome views', () => {
  it('say SANDBOX when the sandbox answers, and show the link with a button', () => {
    const base = { locale: 'en' as const, sandbox: true, privateMetadata: origin };
    expect(visibleText(buildCreatingView(base, '€12.00', 'R-1'))).toContain('SANDBOX');
    const created = buildCreatedView({
      ...base,
      amount: '€12.00',
      reference: 'R-1',
      link: 'https://pay.example/x',
      postedIn: 'privately',
    });
    expect(created.title.text).toContain('SANDBOX');
    expect(JSON.stringify(created.blocks)).toContain('"url":"https://pay.example/x"');
    expect(visibleText(created)).toContain('it was sent to you privately');
  });

  it('say where the link went', () => {
    const base = {
      locale: 'en' as const,
      sandbox: false,
      privateMetadata: origin,
      amount: '€1.00',
      reference: 'R',
      link: 'https://p.example/x',
    };
    expect(visibleText(buildCreatedView({ ...base, postedIn: { channel: 'C0SALES' } }))).toContain(
      'Posted in <#C0SALES>.',
    );
    expect(visibleText(buildCreatedView({ ...base, postedIn: 'direct_message' }))).toContain(
      'your direct messages with paylink',
    );
    // Asked in the rep's own DM with paylink, posted there: named as such (Slack shows a DM's `<#D…>` as no channel).
    const inAppDm = visibleText(buildCreatedView({ ...base, postedIn: { channel: 'D0REPDM' } }));
    expect(inAppDm).toContain('Posted in your direct messages with paylink.');
    expect(inAppDm).not.toContain('<#D0REPDM>');
    expect(visibleText(buildCreatedView({ ...base, locale: 'fr', postedIn: { channel: 'D0REPDM' } }))).toContain(
      'Publié dans vos messages privés avec paylink.',
    );
    // The modal the only place the link reached: it says so, and to keep it from there.
    const onlyHere = visibleText(buildCreatedView({ ...base, postedIn: 'nowhere' }));
    expect(onlyHere).toContain('nor sent to you privately: copy it from here');
    expect(onlyHere).not.toContain('it was sent to you privately');
    const fr = visibleText(buildCreatedView({ ...base, locale: 'fr', postedIn: 'nowhere' }));
    expect(fr).toContain('ni envoyé en privé\u00A0: copiez-le ici');
  });

  it("show the rep's reference as typed, never as a mention or a link", () => {
    const base = { locale: 'en' as const, sandbox: false, privateMetadata: origin };
    const reference = '<!channel> <https://evil.example|Pay> & co';
    const creating = visibleText(buildCreatingView(base, '€1.00', reference));
    const created = visibleText(
      buildCreatedView({ ...base, amount: '€1.00', reference, link: 'https://p.example/x', postedIn: 'nowhere' }),
    );
    for (const shown of [creating, created]) {
      expect(shown).toContain('&lt;!channel&gt; &lt;https://evil.example|Pay&gt; &amp; co');
      expect(shown).not.toContain('<!channel>');
    }
  });
});

describe('status answer', () => {
  const context = {
    locale: 'en' as const,
    timeZone: 'Europe/Paris',
    now: new Date('2026-11-27T10:00:00Z'),
    sandbox: false,
  };
  const historyOf = (statuses: readonly string[]): NotificationRecord[] =>
    statuses.map((status, index) => ({
      dedupe_key: `key-${index}`,
      link_id: 'link-1',
      received_at: new Date(Date.UTC(2026, 10, 27, 10, index)).toISOString(),
      status,
      payment_id: null,
      reply_claimed_at: null,
      replied_at: null,
    }));
  const historyText = (statuses: readonly string[], link = linkRecord()) => {
    const message = buildStatusMessage(context, 'F-2026-031', 'own', [{ link, history: historyOf(statuses) }]);
    const history = message.blocks?.at(-1) as { text?: { text: string } } | undefined;
    return history?.text?.text ?? '';
  };

  it('shows every notification of a usual history, oldest first', () => {
    const text = historyText(['CREATED', 'ISSUED', 'SETTLED']);
    expect(text.split('\n')).toHaveLength(4);
    expect(text.indexOf('Payment created')).toBeLessThan(text.indexOf('Paid'));
    expect(text).not.toContain('earlier');
  });

  it('says each payment of a multiple payment is towards it, as its thread does: two parts are not twice its amount', () => {
    const link = linkRecord({ payment_type: 'multi', payment_status: 'SETTLED', payment_status_rank: 40 });
    const paidLines = historyText(['CREATED', 'SETTLED', 'SETTLED'], link)
      .split('\n')
      .filter((line) => line.includes('Paid'));
    expect(paidLines).toHaveLength(2);
    for (const line of paidLines) expect(line).toContain('Paid · towards a multiple payment · ');
  });

  it("keeps within Slack's 3000 characters, the latest first, when SAFEDEBIT sends long unknown statuses", () => {
    // The callback keeps an unknown status up to 64 characters; each `&` is 5 once escaped.
    const statuses = Array.from({ length: 25 }, (_, index) => `STATUS_${index}_`.padEnd(64, '&'));
    const text = historyText(statuses);
    expect(text.length).toBeLessThanOrEqual(3000);
    expect(text).toContain('STATUS_24_');
    const shown = statuses.filter((status) => text.includes(`${status.slice(0, 10)}&amp;`)).length;
    expect(shown).toBeGreaterThan(0);
    expect(text).toContain(`_… and ${25 - shown} earlier notifications_`);
    expect(text).not.toContain('STATUS_0_');
  });
});

/** What list and status answers are built with, in `locale`. */
const reportContextIn = (locale: 'en' | 'fr') => ({
  locale,
  timeZone: 'Europe/Paris',
  now: new Date('2026-11-27T10:00:00Z'),
  sandbox: false,
});

describe('status answer for a reference none of the links searched has', () => {
  it.each([
    [
      'en',
      'None of your links has the reference “F-9&lt;9”. Check it, or type `/paylink list` to see your links.',
      "None of the team's links has the reference “F-9&lt;9”. Check it, or see the team's latest links in paylink's *Home* tab.",
    ],
    [
      'fr',
      "Aucun de vos liens n'a la référence «\u00A0F-9&lt;9\u00A0». Vérifiez-la, ou tapez `/paylink list` pour voir vos liens.",
      "Aucun lien de l'équipe n'a la référence «\u00A0F-9&lt;9\u00A0». Vérifiez-la, ou consultez les derniers liens de l'équipe dans l'onglet *Accueil* de paylink.",
    ],
  ] as const)("tells a rep none of theirs has it, an admin none of the team's (%s)", (locale, own, team) => {
    expect(buildStatusMessage(reportContextIn(locale), 'F-9<9', 'own', [])).toEqual({ text: own });
    expect(buildStatusMessage(reportContextIn(locale), 'F-9<9', 'team', [])).toEqual({ text: team });
  });
});

describe('list and status answers that show only some of the links that matched', () => {
  const links = [linkRecord(), linkRecord()];
  const blockTexts = (message: { blocks?: types.KnownBlock[] }) => (message.blocks ?? []).map(visibleText);

  it.each([
    [
      'en',
      'Your links awaiting payment, oldest first (2 of 14)',
      {
        home: "paylink's *Home* tab shows all 14.",
        export: '`/paylink export YYYY-MM` sends you every link of a month.',
        admin_export: 'A paylink admin can export every link of a month (`/paylink export`).',
      },
    ],
    [
      'fr',
      "Vos liens en attente de paiement, les plus anciens d'abord (2 sur 14)",
      {
        home: "L'onglet *Accueil* de paylink montre les 14.",
        export: "`/paylink export AAAA-MM` vous envoie tous les liens d'un mois.",
        admin_export: "Un administrateur de paylink peut exporter tous les liens d'un mois (`/paylink export`).",
      },
    ],
  ] as const)(
    'a list says how many of how many in its title, and where to see them all (%s)',
    (locale, title, seeAll) => {
      for (const [where, text] of Object.entries(seeAll)) {
        const part = { matched: 14, seeAll: where as keyof typeof seeAll };
        const message = buildListMessage(reportContextIn(locale), 'awaiting', links, new Map(), part);
        expect(message.text).toBe(title);
        const texts = blockTexts(message);
        expect(texts[0]).toBe(`*${title}*`);
        // Under the links, before the footer every list has.
        expect(texts.at(-2)).toBe(text);
        expect(texts).toHaveLength(links.length + 3);
      }
    },
  );

  it.each([
    ['en', 'Showing 2 of 6 links with this reference. `/paylink export YYYY-MM` sends you every link of a month.'],
    [
      'fr',
      "Voici 2 des 6 liens ayant cette référence. `/paylink export AAAA-MM` vous envoie tous les liens d'un mois.",
    ],
  ] as const)('a status says how many of how many above the links, and where to see them all (%s)', (locale, text) => {
    const found = links.map((link) => ({ link, history: [] }));
    const message = buildStatusMessage(reportContextIn(locale), 'F-2026-031', 'team', found, {
      matched: 6,
      seeAll: 'export',
    });
    expect(blockTexts(message)[0]).toBe(text);
    expect(blockTexts(buildStatusMessage(reportContextIn(locale), 'F-2026-031', 'team', found))[0]).not.toBe(text);
  });

  it('says nothing of the kind when every link that matched is shown', () => {
    const list = buildListMessage(reportContextIn('en'), undefined, links, new Map());
    expect(list.text).toBe('Your latest links');
    expect(blockTexts(list)).toHaveLength(links.length + 2);
    const status = buildStatusMessage(reportContextIn('en'), 'F-2026-031', 'own', [
      { link: links[0] ?? linkRecord(), history: [] },
    ]);
    expect(visibleText(status)).not.toMatch(/Showing|export/);
  });
});

describe('where a link SAFEDEBIT did not make stands', () => {
  const context = { locale: 'en' as const, timeZone: 'Europe/Paris', now: new Date('2026-11-27T10:00:00Z') };
  const unmade = { link: null, summary_channel: null, summary_ts: null };

  it('never says "not created" after an outage, the link being possibly made all the same', () => {
    const outage = linkRecord({ ...unmade, state: 'outage', state_detail: 'timeout' });
    expect(standingText(outage, context)).toBe(':warning: No answer from SAFEDEBIT (no link shown)');
    expect(standingText(outage, { ...context, locale: 'fr' })).not.toContain('Non créé');
  });

  it('gives a refusal in words, with SAFEDEBIT’s code for support, and no step to take on a form long gone', () => {
    const refused = linkRecord({ ...unmade, state: 'refused', state_detail: 'EXIST_005' });
    expect(standingText(refused, context)).toBe(
      ':no_entry: Refused by SAFEDEBIT: payment reference already in use (EXIST_005)',
    );
    expect(standingText(refused, { ...context, locale: 'fr' })).toBe(
      ':no_entry: Refusé par SAFEDEBIT\u00A0: référence de paiement déjà utilisée (EXIST_005)',
    );
    // Fixed since, maybe: what it was, not "please tell the app's administrator".
    expect(standingText({ ...refused, state_detail: 'AUTH_002' }, context)).toBe(
      ':no_entry: Refused by SAFEDEBIT: access refused (AUTH_002)',
    );
    expect(standingText({ ...refused, state_detail: null }, context)).toBe(':no_entry: Refused by SAFEDEBIT');
    // SAFEDEBIT's code as long as its answer: cut as the form cuts it, so that a status stays within Slack's limits.
    const long = standingText({ ...refused, state_detail: `X${'Y'.repeat(5_000)}` }, context);
    expect(long.length).toBeLessThan(120);
    expect(long).toMatch(/^:no_entry: Refused by SAFEDEBIT: a code unknown to paylink \(XY+…\)$/);
  });

  it('says "not created" of a request paylink could not even send, or that never reached SAFEDEBIT', () => {
    const unsent = linkRecord({ ...unmade, state: 'outage', state_detail: 'request_failed' });
    expect(standingText(unsent, context)).toBe(':warning: Not created (paylink could not prepare the request)');
    const unreached = linkRecord({ ...unmade, state: 'outage', state_detail: 'unreachable' });
    expect(standingText(unreached, context)).toBe(':warning: Not created (SAFEDEBIT could not be reached)');
  });

  // Its standing says it was never made: its age and date must not say it was.
  it.each(LOCALES)('gives its age and date as when it was requested, not created (%s)', (locale) => {
    const refused = linkRecord({ ...unmade, state: 'refused', state_detail: 'EXIST_005' });
    const created = linkRecord();
    const at = { ...context, locale, now: new Date('2026-11-30T10:00:00Z') };
    const ageOf = (link: typeof created) => visibleText(linkSection(link, at)).split('\n').at(-1);
    expect([ageOf(refused), ageOf(created)]).toEqual(
      locale === 'en'
        ? ['_requested 3 days ago_', '_created 3 days ago_']
        : ['_demandé il y a 3 jours_', '_créé il y a 3 jours_'],
    );
    const statusOf = (link: typeof created) =>
      visibleText(buildStatusMessage({ ...at, sandbox: false }, 'F-2026-031', 'own', [{ link, history: [] }]));
    const [requestedField, createdField] =
      locale === 'en' ? ['*Requested*', '*Created*'] : ['*Demandé le*', '*Créé le*'];
    expect(statusOf(refused)).toContain(requestedField);
    expect(statusOf(refused)).not.toContain(createdField);
    expect(statusOf(created)).toContain(createdField);
  });
});

describe('reminder', () => {
  const context = { timeZone: 'Europe/Paris', now: new Date('2026-11-30T09:30:00Z'), sandbox: false };
  const headline = '*€1,250.50* · F-2026-031 · Jean Dupont';
  // In notifications, where Slack shows mrkdwn marks as written: plain.
  const notifiedHeadline = '€1,250.50 · F-2026-031 · Jean Dupont';
  const issued = linkRecord({
    payment_status: 'ISSUED',
    payment_status_rank: 20,
    payment_status_at: '2026-11-27T13:32:00.000Z',
  });

  it('says a link SAFEDEBIT said nothing of is still awaiting payment, how long after, which link, and gives it', () => {
    const shown = visibleText(buildReminderMessage({ ...context, locale: 'en' }, linkRecord(), '3 days'));
    expect(shown).toBe(
      `:alarm_clock: This payment link is still awaiting payment, 3 days after it was created: ${notifiedHeadline}\n` +
        `:alarm_clock: This payment link is still awaiting payment, 3 days after it was created:\n${headline}\n` +
        // To send the customer again, from the DM: no need to find the thread.
        ':link: Payment link: https://pay.example/paypage?SDESSID=abc',
    );
  });

  it.each([
    [
      'en',
      ':alarm_clock: This payment link is not paid yet, 3 days after it was created, but SAFEDEBIT reports a payment under way:',
      `Where it stands: :hourglass_flowing_sand: Debit issued · ${ISSUED_AT}`,
      'Where it stands: :hourglass_flowing_sand: Debit issued · 27 Nov 2026, 14:32',
    ],
    [
      'fr',
      ":alarm_clock: Ce lien de paiement n'est pas encore payé, 3 jours après sa création, mais SAFEDEBIT signale un paiement en cours\u00A0:",
      'Où il en est\u00A0: :hourglass_flowing_sand: Prélèvement émis · <!date^1795786320^{date_short}, {time}|27 nov. 2026, 14:32>',
      'Où il en est\u00A0: :hourglass_flowing_sand: Prélèvement émis · 27 nov. 2026, 14:32',
    ],
  ] as const)(
    'says where a link whose payment is under way stands, as App Home does, not that it still awaits payment (%s)',
    (locale, underWay, news, newsNotified) => {
      const age = locale === 'en' ? '3 days' : '3 jours';
      const message = buildReminderMessage({ ...context, locale }, issued, age);
      const section = visibleText(message.blocks);
      const shownHeadline = locale === 'en' ? headline : '*1\u202F250,50\u00A0€* · F-2026-031 · Jean Dupont';
      expect(section).toBe(`${underWay}\n${shownHeadline}\n${news}`);
      // The status as App Home and the lists show it, not a second wording of it.
      expect(news).toContain(standingText(issued, { ...context, locale }));
      // In notifications, where it stands is set apart from the customer's name, as a summary's status update is, its
      // date in Paris time: Slack renders no date token there.
      expect(message.text).toBe(`${underWay} ${shownHeadline.replaceAll('*', '')} — ${newsNotified}`);
    },
  );

  it('says where a link stands by a status SAFEDEBIT sent outside its annex, without saying a payment is under way', () => {
    const unknown = linkRecord({
      payment_status: 'ON_HOLD',
      payment_status_rank: 1,
      payment_status_at: issued.payment_status_at,
    });
    const shown = visibleText(buildReminderMessage({ ...context, locale: 'en' }, unknown, '3 days').blocks);
    expect(shown).toBe(
      `:alarm_clock: This payment link is still awaiting payment, 3 days after it was created:\n${headline}\n` +
        `Where it stands: :grey_question: SAFEDEBIT status “ON_HOLD” · ${ISSUED_AT}\n` +
        ':link: Payment link: https://pay.example/paypage?SDESSID=abc',
    );
  });
});

describe('interrupted link notice', () => {
  const context = { locale: 'en' as const, timeZone: 'Europe/Paris', now: new Date('2026-11-27T10:00:00Z') };
  const link = linkRecord({ state: 'interrupted', link: null, summary_channel: null, summary_ts: null });

  it('tells the rep in a DM and in the modal which link, asked when, and what to do', () => {
    const message = buildInterruptedMessage({ ...context, sandbox: false }, link);
    for (const shown of [
      visibleText(message.blocks),
      visibleText(buildInterruptedView({ ...context, sandbox: false }, link)),
    ]) {
      expect(shown).toContain('paylink stopped while SAFEDEBIT was creating');
      expect(shown).toContain('run `/paylink` again with the same reference');
      expect(shown).toContain(`*€1,250.50* · F-2026-031 · Jean Dupont · ${ASKED_AT}`);
    }
    // In notifications, where Slack renders no date token: Paris time.
    expect(message.text).toContain('makes the link. €1,250.50 · F-2026-031 · Jean Dupont · 27 Nov 2026, 10:30');
    expect(message.text).not.toContain('<!date');
  });

  it('names the message shortcut, not the slash command, for a link asked from a message (Slack runs none in a thread)', () => {
    const fromThread = { ...link, origin_thread_ts: '1764237000.000100' };
    for (const locale of ['en', 'fr'] as const) {
      const shown = visibleText(buildInterruptedMessage({ ...context, locale, sandbox: false }, fromThread));
      expect(shown).toContain('*Create payment link*');
      expect(shown).not.toContain('/paylink');
    }
    expect(visibleText(buildInterruptedMessage({ ...context, sandbox: false }, fromThread))).toContain(
      "run the *Create payment link* shortcut (the message's ⋮ menu) again with the same reference",
    );
  });

  it('says SANDBOX once: the DM in its text, the modal in its title', () => {
    const trial = { ...link, sandbox: 1 };
    const message = buildInterruptedMessage({ ...context, sandbox: true }, trial);
    expect(message.text.match(/SANDBOX/g)).toHaveLength(1);
    // The DM is about the link: a trial one is marked whichever instance sends it.
    expect(buildInterruptedMessage({ ...context, sandbox: false }, trial).text).toMatch(/^\[SANDBOX\] /);
    expect(buildReminderMessage({ ...context, sandbox: false }, trial, '3 days').text).toMatch(/^\[SANDBOX\] /);
    expect(buildReminderMessage({ ...context, sandbox: false }, link, '3 days').text).not.toContain('SANDBOX');
    const view = buildInterruptedView({ ...context, sandbox: true }, link);
    expect(view.title.text).toContain('SANDBOX');
    expect(JSON.stringify(view.blocks).match(/SANDBOX/g)).toHaveLength(1);
  });
});

describe('a link paylink stopped before giving its rep, sent late', () => {
  const context = { locale: 'en' as const, timeZone: 'Europe/Paris', now: new Date('2026-11-27T10:00:00Z') };
  const link = { ...linkRecord({ summary_channel: null, summary_ts: null }), link: 'https://pay.example/p?SDESSID=x' };

  it('gives the rep in the modal the link, which link it is, asked when, and why it comes now', () => {
    const shown = visibleText(buildLateLinkView({ ...context, sandbox: false }, link));
    expect(shown).toContain('paylink stopped before it could give you this payment link');
    expect(shown).toContain(`*€1,250.50* · F-2026-031 · Jean Dupont · ${ASKED_AT}`);
    expect(shown).toContain('<https://pay.example/p?SDESSID=x>');
  });

  it('says in the thread of its summary in the DM why it comes now, and gives the link', () => {
    const shown = visibleText(buildLateLinkReply({ ...context, sandbox: false }, link));
    expect(shown).toContain('paylink stopped before it could give you this payment link');
    expect(shown).toContain('Payment link: https://pay.example/p?SDESSID=x');
    const french = visibleText(buildLateLinkReply({ ...context, locale: 'fr', sandbox: false }, link));
    expect(french).toContain("paylink s'est arrêté avant de pouvoir vous donner ce lien de paiement");
    expect(french).toContain('Lien de paiement\u00A0: https://pay.example/p?SDESSID=x');
  });

  it("sets the link's address apart from when it was asked in the DM's notification text, as a reminder does", () => {
    expect(buildLateLinkMessage({ ...context, sandbox: false }, link).text).toMatch(
      / · Jean Dupont · 27 Nov 2026, 10:30 — https:\/\/pay\.example\/p\?SDESSID=x$/,
    );
    // A link confirmed whose summary Slack refused: where it stands, apart from when it was asked.
    const confirmed = linkRecord({ payment_status: 'SETTLED', payment_status_at: '2026-11-27T13:32:00.000Z' });
    expect(buildConfirmedUnannouncedMessage({ ...context, sandbox: false }, confirmed, 'refused').text).toMatch(
      / · 27 Nov 2026, 10:30 — :white_check_mark: Paid · 27 Nov 2026, 14:32$/,
    );
  });

  it('says SANDBOX once: the reply in its text, the modal in its title', () => {
    const trial = { ...link, sandbox: 1 };
    expect(buildLateLinkReply({ ...context, sandbox: true }, trial).text.match(/SANDBOX/g)).toHaveLength(1);
    // The reply is about the link: marked by its kind, whichever instance posts it.
    expect(buildLateLinkReply({ ...context, sandbox: false }, trial).text).toMatch(/^\[SANDBOX\] /);
    expect(buildLateLinkReply({ ...context, sandbox: true }, link).text).not.toContain('SANDBOX');
    const view = buildLateLinkView({ ...context, sandbox: true }, link);
    expect(view.title.text).toContain('SANDBOX');
    expect(JSON.stringify(view.blocks).match(/SANDBOX/g)).toHaveLength(1);
  });
});

describe('the DM about a confirmed link whose summary was not posted', () => {
  const context = reportContextIn('en');
  /** The notice as the DM shows it (its notification is plain). */
  const notice = (payment_reference: string) =>
    visibleText(
      buildConfirmedUnannouncedMessage(context, linkRecord({ payment_reference, link: null }), 'refused').blocks,
    );

  it('gives the status command to copy as a code span', () => {
    expect(notice('F-2026-031')).toContain('with `/paylink status F-2026-031`.');
  });

  it('keeps the command whole when the reference holds a backtick, which would end the code span', () => {
    const text = notice('F-`26`<1>');
    expect(text).toContain('/paylink status F-`26`&lt;1&gt;.');
    // Every code span of the notice opened and closed: none begun inside the reference.
    expect(text.slice(0, text.indexOf('/paylink status'))).not.toMatch(/`[^`]*$/);
  });
});

describe('submission key', () => {
  it('names the modal a submission came from', () => {
    expect(viewIdOfSubmission(submissionKey('V0A1B2C3D4', '1764236400.a1b2c3d4'))).toBe('V0A1B2C3D4');
    expect(submissionKey('V0A1', 'h1')).not.toBe(submissionKey('V0A1', 'h2'));
  });
});

describe('a link SAFEDEBIT reported on that paylink stopped while announcing, told late', () => {
  const context = { locale: 'en' as const, timeZone: 'Europe/Paris', now: new Date('2026-11-27T18:00:00Z') };
  const link = linkRecord({
    summary_channel: null,
    summary_ts: null,
    thread_ts: null,
    link: null,
    state_detail: 'outage',
    payment_status: 'SETTLED',
    payment_status_at: '2026-11-27T16:00:00.000Z',
  });

  it('says in the thread of its summary in the DM why it comes now, and where its address is', () => {
    const shown = visibleText(buildAnnouncedLateReply({ ...context, sandbox: false }, link));
    expect(shown).toContain('paylink stopped while announcing this payment link');
    expect(shown).toContain('SAFEDEBIT has sent a status for it, so the link exists');
    expect(shown).toContain('it is in your SAFEDEBIT merchant back office');
    const french = visibleText(buildAnnouncedLateReply({ ...context, locale: 'fr', sandbox: false }, link));
    expect(french).toContain("paylink s'est arrêté pendant qu'il annonçait ce lien de paiement");
    expect(french).toContain("Elle est dans l'espace marchand SAFEDEBIT.");
  });

  it('says SANDBOX once, by the link’s kind, whichever instance posts it', () => {
    const trial = { ...link, sandbox: 1 };
    expect(buildAnnouncedLateReply({ ...context, sandbox: false }, trial).text).toMatch(/^\[SANDBOX\] /);
    expect(buildAnnouncedLateReply({ ...context, sandbox: true }, trial).text.match(/SANDBOX/g)).toHaveLength(1);
    expect(buildAnnouncedLateReply({ ...context, sandbox: true }, link).text).not.toContain('SANDBOX');
  });
});

describe('plain', () => {
  it('cuts a text past its limit with an ellipsis, never between the two halves of an emoji', () => {
    expect(plain('Relance client', 75)).toEqual({ type: 'plain_text', text: 'Relance client', emoji: true });
    expect(plain('abcdef', 4).text).toBe('abc…');
    // The cut falls inside the emoji (UTF-16 units 3 and 4): the emoji goes whole, the text stays within the limit.
    expect(plain('abc😀def', 5).text).toBe('abc…');
    expect(plain('😀😀😀', 5).text).toBe('😀😀…');
  });
});
