import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SLASH_COMMAND } from '../../src/constants.js';
import { LOCALES } from '../../src/i18n/locale.js';
import { messagesFor } from '../../src/i18n/messages.js';
import { parseCommandText, parsePaylinkCommand } from '../../src/slack/command-text.js';
import { type Harness, SIGNING_SECRET, startHarness, visibleText } from '../support/paylink-harness.js';
import { sendSlashCommand } from '../support/slack-requests.js';

describe('parseCommandText', () => {
  it.each([
    ['1250,50 F-2026-031', { amount: '1250,50', payment_reference: 'F-2026-031' }],
    ['1 250,50 F-2026-031', { amount: '1 250,50', payment_reference: 'F-2026-031' }],
    ['12 € Facture 7 bis', { amount: '12 €', payment_reference: 'Facture 7 bis' }],
    ['1250.5', { amount: '1250.5' }],
    ['F-2026-031', { payment_reference: 'F-2026-031' }],
    ['  ', {}],
    // Written as amounts, unclear or wrong: kept as the amount for the form to ask about, never half taken.
    ['1.250 F-2026-031', { amount: '1.250', payment_reference: 'F-2026-031' }],
    ['1 250,505 F-1', { amount: '1 250,505', payment_reference: 'F-1' }],
    ['0 F-1', { amount: '0', payment_reference: 'F-1' }],
    // A reference of digits stays the reference when the amount before it reads alone.
    ['1250,50 12345', { amount: '1250,50', payment_reference: '12345' }],
    // Spaces between thousands read either way when the last group is three bare digits (`50 123`: 50 123 €, or 50 €
    // and the reference 123): the amount keeps them, and its value goes to the form, which says how it read it.
    ['50 123', { amount: '50 123', groupedAmountCents: 5_012_300 }],
    ['1 250 F-2026-031', { amount: '1 250', payment_reference: 'F-2026-031', groupedAmountCents: 125_000 }],
    ['1 250 000', { amount: '1 250 000', groupedAmountCents: 125_000_000 }],
    ['1 250 €', { amount: '1 250 €' }],
    ['12€50 F-1', { amount: '12€50', payment_reference: 'F-1' }],
    ['12 € 50 F-1', { amount: '12 €', payment_reference: '50 F-1' }],
  ])('%j → %j', (text, expected) => {
    expect(parseCommandText(text)).toEqual(expected);
  });

  it('reads a long pasted text (a spreadsheet column) at once: an amount is looked for in its first 32 characters', () => {
    const column = `1250 ${'12 '.repeat(8000)}`.trim();
    const started = performance.now();
    const prefill = parseCommandText(column);
    // Read word run by word run, it took seconds, before the ack Slack waits 3 s for.
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(prefill).toEqual({ amount: '1250', payment_reference: column.slice('1250 '.length) });
  });
});

describe('parsePaylinkCommand', () => {
  it.each([
    ['help', { kind: 'help' }],
    [' AIDE ', { kind: 'help' }],
    ['list', { kind: 'list' }],
    ['List open', { kind: 'list', only: 'awaiting' }],
    ['liste payés', { kind: 'list', only: 'paid' }],
    ['liste impayés', { kind: 'list', only: 'awaiting' }],
    ['liste IMPAYES', { kind: 'list', only: 'awaiting' }],
    ['liste paye\u0301s', { kind: 'list', only: 'paid' }],
    ['list PAID', { kind: 'list', only: 'paid' }],
    ['list everything', { kind: 'usage', of: 'list' }],
    ['list open paid', { kind: 'usage', of: 'list' }],
    ['status F-2026-031', { kind: 'status', reference: 'F-2026-031' }],
    ['statut  Facture 7 bis ', { kind: 'status', reference: 'Facture 7 bis' }],
    ['status', { kind: 'usage', of: 'status' }],
    ['export 2026-11', { kind: 'export', month: { year: 2026, month: 11 } }],
    ['export 2026-13', { kind: 'usage', of: 'export' }],
    ['export novembre', { kind: 'usage', of: 'export' }],
    ['export', { kind: 'usage', of: 'export' }],
    // A French rep writes the verb: `/paylink exporter 2026-02`, not a form for a link whose reference is that.
    ['Exporter 2026-02', { kind: 'export', month: { year: 2026, month: 2 } }],
    ['exporter', { kind: 'usage', of: 'export' }],
    ['aide exporter', { kind: 'usage', of: 'export' }],
    // A keyword mistyped by a letter (two swapped, one missing, one too many) where what follows is surely for it: the
    // request meant, not a form for a new link whose reference is `stauts F-2026-031`.
    ['stauts F-2026-031', { kind: 'mistyped', of: 'status', meant: 'status F-2026-031' }],
    ['satus F-2026-031', { kind: 'mistyped', of: 'status', meant: 'status F-2026-031' }],
    ['lsit open', { kind: 'mistyped', of: 'list', meant: 'list open' }],
    ['lists open', { kind: 'mistyped', of: 'list', meant: 'list open' }],
    ['LITSE payés', { kind: 'mistyped', of: 'list', meant: 'liste payés' }],
    ['exprot 2026-11', { kind: 'mistyped', of: 'export', meant: 'export 2026-11' }],
    ['exprot', { kind: 'mistyped', of: 'export', meant: 'export' }],
    ['12,50 F-1', { kind: 'form', prefill: { amount: '12,50', payment_reference: 'F-1' } }],
    ['listing-2026', { kind: 'form', prefill: { payment_reference: 'listing-2026' } }],
    ['F-status', { kind: 'form', prefill: { payment_reference: 'F-status' } }],
    // Help about a keyword is how to write it; help with anything else, the help.
    ['help status', { kind: 'usage', of: 'status' }],
    ['aide liste', { kind: 'usage', of: 'list' }],
    ['? EXPORT', { kind: 'usage', of: 'export' }],
    ['help me', { kind: 'help' }],
    ['helpdesk-7', { kind: 'form', prefill: { payment_reference: 'helpdesk-7' } }],
    ['', { kind: 'form', prefill: {} }],
    // As Slack sends what the rep typed: `&`, `<` and `>` escaped.
    ['status R&amp;D-7', { kind: 'status', reference: 'R&D-7' }],
    ['12,50 F&lt;1&gt;&amp;lt;', { kind: 'form', prefill: { amount: '12,50', payment_reference: 'F<1>&lt;' } }],
  ])('%j → %j', (text, expected) => {
    expect(parsePaylinkCommand(text)).toEqual(expected);
  });
});

describe('a reference that starts with a real word near a keyword', () => {
  // One letter for another, or what follows not surely for the keyword, or a word with digits: the form, pre-filled.
  it.each([
    'Lisa 120',
    'expert 7',
    'LIST1',
    'lsit',
    'statu',
    'Statuts SAS Dupont',
    'Statue Lyon 2026',
    'States 2026-031',
    'Expert 2026-11',
    'Piste',
    'lost',
    'last',
    'lits',
  ])('%j pre-fills the form', (reference) => {
    expect(parsePaylinkCommand(reference)).toEqual({ kind: 'form', prefill: { payment_reference: reference } });
  });
});

describe('/paylink help', () => {
  it.each(LOCALES)('shows in %s every command, each written as the parser reads what it says', (locale) => {
    const help = messagesFor(locale).help(SLASH_COMMAND);
    const typed = [...help.matchAll(/`([^`]+)`/g)].map(([, code = '']) => code.replace(SLASH_COMMAND, '').trim());
    expect(typed.map((text) => parsePaylinkCommand(text))).toEqual([
      { kind: 'form', prefill: {} },
      { kind: 'form', prefill: { amount: expect.stringMatching(/^1250[,.]50$/), payment_reference: 'F-2026-031' } },
      { kind: 'list' },
      { kind: 'list', only: 'awaiting' },
      { kind: 'list', only: 'paid' },
      { kind: 'status', reference: 'F-2026-031' },
      { kind: 'export', month: { year: 2026, month: 11 } },
    ]);
  });
});

describe('/paylink command', () => {
  let h: Harness;
  beforeEach(async () => {
    // A trigger that lives 200 ms (Slack's live 3 s) lets a test see one expire without waiting seconds.
    h = await startHarness({ triggerLifetimeMs: 200 });
  });
  afterEach(async () => {
    await h.close();
  });

  function initialValue(view: Record<string, unknown>, blockId: string): unknown {
    const block = (view.blocks as Array<Record<string, unknown>>).find((b) => b.block_id === blockId);
    return (block?.element as Record<string, unknown> | undefined)?.initial_value;
  }

  it('opens the modal pre-filled with the amount and the reference', async () => {
    const { result, view } = await h.openModal({ text: '1 250,50 F-2026-031' });
    expect(result.status).toBe(200);
    expect(result.body).toBe('');
    expect(initialValue(view, 'amount')).toBe('1 250,50');
    expect(initialValue(view, 'payment_reference')).toBe('F-2026-031');
    const blockIds = (view.blocks as Array<{ block_id?: string }>).map((b) => b.block_id);
    for (const field of [
      'amount',
      'payment_reference',
      'consumer_reference',
      'consumer_email',
      'consumer_phone_number',
    ]) {
      expect(blockIds).toContain(field);
    }
    const metadata = JSON.parse(String(view.private_metadata));
    expect(metadata).toMatchObject({ channel: 'C0SALES', user: 'U0REP' });
  });

  it('answers a mistyped keyword privately with the request meant, and opens no form', async () => {
    for (const [typed, shown] of [
      ['stauts ACME-12', 'Did you mean `/paylink status ACME-12`?'],
      ['lsit open', 'Did you mean `/paylink list open`?'],
      // Escaped as Slack wants; a backtick, which would end the code span, shown plain.
      ['statsu R&amp;D`7', 'Did you mean /paylink status R&amp;D`7?'],
    ] as const) {
      const result = await sendSlashCommand(h.baseUrl, SIGNING_SECRET, { text: typed });
      expect(result.json).toEqual({ response_type: 'ephemeral', text: shown });
    }
    expect(h.standin.callsTo('views.open')).toHaveLength(0);
  });

  it('says under a space-grouped amount how it read it, a reference of three digits being read as its thousands', async () => {
    const { view } = await h.openModal({ text: '50 123' });
    expect(initialValue(view, 'amount')).toBe('50 123');
    const amount = (view.blocks as Array<{ block_id?: string; hint?: { text?: string } }>).find(
      (block) => block.block_id === 'amount',
    );
    expect(amount?.hint?.text).toBe(
      'Read as €50,123.00, the space separating thousands. For a smaller amount followed by a reference, fix the amount and type the reference in its field.',
    );
    // The hint is the form's usual one when the amount reads one way only.
    const plain = await h.openModal({ text: '1 250,50 F-2026-031' });
    const usual = (plain.view.blocks as Array<{ block_id?: string; hint?: { text?: string } }>).find(
      (block) => block.block_id === 'amount',
    );
    expect(usual?.hint?.text).toBe(messagesFor('en').fields.amount.hint);
  });

  it('opens the form for a pasted text past 3000 characters whose cut falls inside an emoji', async () => {
    const { view } = await h.openModal({ text: `12,50 ${'A'.repeat(2999)}😀 tail` });
    expect(initialValue(view, 'payment_reference')).toBe('A'.repeat(2999));
    expect(h.logs.filter((line) => line.includes('"modal_open_failed"'))).toEqual([]);
  });

  it('tells the rep to try again when the trigger has expired', async () => {
    const trigger = h.standin.issueTriggerId();
    await new Promise((resolve) => setTimeout(resolve, 250));
    const responseUrl = h.standin.responseUrl();
    const result = await sendSlashCommand(h.baseUrl, SIGNING_SECRET, {
      trigger_id: trigger,
      response_url: responseUrl,
    });
    expect(result.status).toBe(200);
    const answer = await h.standin.waitForResponse((post) => post.url.endsWith(new URL(responseUrl).pathname));
    expect(visibleText(answer.body)).toContain('Slack took too long to open the form. Please run `/paylink` again.');
  });

  it('refuses a bad or stale signature with 401 and does nothing', async () => {
    const forged = await sendSlashCommand(
      h.baseUrl,
      SIGNING_SECRET,
      { trigger_id: h.standin.issueTriggerId() },
      {
        signature: `v0=${'0'.repeat(64)}`,
      },
    );
    expect(forged.status).toBe(401);
    const stale = await sendSlashCommand(
      h.baseUrl,
      SIGNING_SECRET,
      { trigger_id: h.standin.issueTriggerId() },
      {
        timestampSeconds: Math.floor(Date.now() / 1000) - 6 * 60,
      },
    );
    expect(stale.status).toBe(401);
    const otherSecret = await sendSlashCommand(h.baseUrl, 'not-the-signing-secret', {});
    expect(otherSecret.status).toBe(401);
    expect(h.standin.callsTo('views.open')).toHaveLength(0);
  });

  it('serves /healthz', async () => {
    const response = await fetch(`${h.baseUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, safedebit: 'live' });
  });
});
