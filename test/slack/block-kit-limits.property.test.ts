import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SLASH_COMMAND } from '../../src/constants.js';
import { formatAmount } from '../../src/domain/amount.js';
import { maskEmail, maskPhone } from '../../src/domain/mask.js';
import { TEXT_FIELDS, type TextField } from '../../src/domain/payment-form.js';
import { ANNEX_STATUSES, classifyStatus } from '../../src/domain/payment-status.js';
import { PAYMENT_TYPES, type PaymentType } from '../../src/domain/payment-type.js';
import { linkReportTexts } from '../../src/i18n/link-reports.js';
import { LOCALES, type Locale } from '../../src/i18n/locale.js';
import { messagesFor, sandboxed } from '../../src/i18n/messages.js';
import type { LinkRecord, NotificationRecord } from '../../src/ledger/ledger.js';
import { isPaymentPageUrl, MAX_PAYMENT_LINK_LENGTH } from '../../src/safedebit/client.js';
import { describeRefusal, REFUSAL_CATALOG } from '../../src/safedebit/error-catalog.js';
import { FIELD_MAX_LENGTH } from '../../src/safedebit/fields.js';
import { linkSection } from '../../src/slack/messages/link-lines.js';
import {
  awaitingPaymentStatus,
  buildLinkReply,
  buildSummaryMessage,
  type LinkStatus,
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
import {
  expiredStatusLine,
  statusLine,
  statusReplyText,
  summaryStatusUpdate,
} from '../../src/slack/messages/status-messages.js';
import { encodeModalOrigin } from '../../src/slack/metadata.js';
import { dateTimeShown, escapeMrkdwn, slackTime } from '../../src/slack/mrkdwn.js';
import { buildHomeView, type HomeLinks } from '../../src/slack/views/home-view.js';
import { buildCreatedView, buildCreatingView, buildNoticeView } from '../../src/slack/views/outcome-views.js';
import { buildPaymentModal } from '../../src/slack/views/payment-modal.js';
import { blockKitProblems } from '../support/block-kit-limits.js';
import { linkRecord } from '../support/link-records.js';

/**
 * Every Block Kit builder fed the worst data paylink accepts, checked against Slack's documented limits: one element
 * past one limit and Slack refuses the whole view or post, which can cost a rep their link's message.
 *
 * Worst data: each form field at its maximum length (in characters, as the form counts them), made of the characters
 * mrkdwn escaping lengthens (`&` → `&amp;`) or that take two UTF-16 units (emoji), both locales, the sandbox's
 * prefixes, SAFEDEBIT's longest refusal, status and words as the client keeps them, Slack ids and permalinks longer
 * than Slack makes them, and as many links as each list shows.
 */

const RUNS = { numRuns: 60 };

const locale = fc.constantFrom(...LOCALES);
const timeZone = fc.constantFrom('Europe/Paris', 'Pacific/Chatham', 'America/St_Johns', 'UTC');
/** Characters that grow once escaped for mrkdwn, take two UTF-16 units, or are plain. */
const piece = fc.constantFrom('&', '<', '>', '&', '😀', 'é', 'a', '*', '_', '~', '`', ' ', '’', '"');

/** Text of exactly `length` characters (code points), worst ones included. */
function textOf(length: number): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constant('&'.repeat(length)),
    fc.constant('😀'.repeat(length)),
    fc.array(piece, { minLength: length, maxLength: length }).map((pieces) => pieces.join('')),
  );
}

/** Up to `length` characters, the maximum most often. */
function textUpTo(length: number): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: textOf(length) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: length }).chain(textOf) },
  );
}

/** A Slack id longer than Slack makes them (`C0123ABCD`, `U…`, `W…` in Enterprise Grid). */
const slackId = (prefix: string) =>
  fc.stringMatching(/^[A-Z0-9]{8,23}$/).map((rest) => `${prefix}${rest}`.slice(0, 24));
const userId = fc.oneof(slackId('U'), slackId('W'));
const channelId = fc.oneof(slackId('C'), slackId('G'), slackId('D'));
/** Up to the largest amount a `number` of cents holds exactly (the form caps it far lower). */
const amountCents = fc.oneof(
  fc.constant(Number.MAX_SAFE_INTEGER),
  fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
);
const date = fc.date({
  min: new Date('2000-01-01T00:00:00Z'),
  max: new Date('2099-12-31T00:00:00Z'),
  noInvalidDate: true,
});
/**
 * A payment page's address as the client takes it from SAFEDEBIT's answer (at most 64 KiB), which documents no length
 * for it: short ones most often, and some around Slack's limits and far past them.
 */
const paymentLink = fc
  .oneof(
    { weight: 3, arbitrary: fc.integer({ min: 50, max: 256 }) },
    { weight: 2, arbitrary: fc.integer({ min: MAX_PAYMENT_LINK_LENGTH - 100, max: 3100 }) },
    fc.constant(MAX_PAYMENT_LINK_LENGTH),
    fc.integer({ min: 3100, max: 60_000 }),
  )
  .map((length) => {
    const start = 'https://pay.safedebit.fr/paypage?SDESSID=';
    return `${start}${'x'.repeat(length - start.length)}`;
  })
  .filter(isPaymentPageUrl);
/** A thread's permalink, longer than Slack's (`https://<workspace>.slack.com/archives/C…/p…?thread_ts=…&cid=C…`). */
const permalink = fc
  .integer({ min: 60, max: 400 })
  .map((length) => `https://a-long-workspace-name.enterprise.slack.com/archives/${'C'.repeat(length - 60)}`);
/** A status SAFEDEBIT sends: an annex one, or anything else as the client keeps it (64 characters at most). */
const paymentStatus = fc.oneof(fc.constantFrom(...ANNEX_STATUSES), textUpTo(64));
const paymentType = fc.constantFrom(...PAYMENT_TYPES);

/** The customer as the ledger keeps it: a company name (32) or the first and last names typed (16 + 16). */
const customer = fc.oneof(
  textUpTo(FIELD_MAX_LENGTH.social_reference),
  fc
    .tuple(textUpTo(FIELD_MAX_LENGTH.consumer_first_name), textUpTo(FIELD_MAX_LENGTH.consumer_last_name))
    .map(([first, last]) => `${first} ${last}`),
);
const email = textOf(FIELD_MAX_LENGTH.consumer_email - 5).map((local) => `${local}@e.fr`);

const reportContext = fc.record({
  locale,
  timeZone,
  now: fc.constant(new Date('2100-01-01T00:00:00Z')),
  sandbox: fc.boolean(),
});

/** A ledger row at its worst: every text at its maximum, any state, any status, expired or not. */
const ledgerLink: fc.Arbitrary<LinkRecord> = fc
  .record({
    user_id: userId,
    origin_channel: channelId,
    amount_cents: amountCents,
    payment_reference: textUpTo(FIELD_MAX_LENGTH.payment_reference),
    consumer_reference: textUpTo(FIELD_MAX_LENGTH.consumer_reference),
    customer: fc.option(customer, { nil: null }),
    masked_email: email.map(maskEmail),
    masked_phone: fc.constantFrom('0612345678', '+33612345678', '+441234567890123').map(maskPhone),
    payment_type: paymentType,
    link: fc.option(paymentLink, { nil: null }),
    state: fc.constantFrom('requested', 'created', 'refused', 'outage', 'interrupted' as const),
    payment_status: fc.option(paymentStatus, { nil: null }),
    created_at: date,
    status_at: date,
    expires_at: fc.option(date, { nil: null }),
    sandbox: fc.constantFrom(0, 1),
  })
  .map(({ created_at, status_at, expires_at, payment_status, ...rest }) =>
    linkRecord({
      ...rest,
      created_at: created_at.toISOString(),
      payment_status,
      payment_status_at: payment_status === null ? null : status_at.toISOString(),
      payment_status_rank: payment_status === null ? null : 1,
      expires_at: expires_at?.toISOString() ?? null,
    }),
  );

const notification = (linkId: string): fc.Arbitrary<NotificationRecord> =>
  fc.record({ status: fc.oneof(paymentStatus, textOf(64)), received_at: date }).map(({ status, received_at }) => ({
    dedupe_key: `${linkId}-${status}`,
    link_id: linkId,
    received_at: received_at.toISOString(),
    status,
    payment_id: 'x'.repeat(1000),
    reply_claimed_at: null,
    replied_at: null,
  }));

/** SAFEDEBIT's refusals at their longest as the rep reads them: codes and words past what the client shows. */
const refusalShown = (at: Locale) =>
  fc
    .record({
      code: fc.option(fc.oneof(fc.constantFrom(...Object.keys(REFUSAL_CATALOG)), textOf(300)), { nil: undefined }),
      message: fc.option(textOf(5000), { nil: undefined }),
    })
    .map(({ code, message }) => {
      const refusal = code === undefined ? { message: message ?? '&' } : { code, ...(message ? { message } : {}) };
      return describeRefusal(refusal, at);
    });

/** Every banner the form can come back with, in `at`'s words, SAFEDEBIT's at their longest. */
const banner = (at: Locale) => {
  const m = messagesFor(at);
  return fc.oneof(
    refusalShown(at).map((refusal) => ({ text: m.refusedBanner(escapeMrkdwn(refusal.message)), refusal })),
    fc
      .tuple(date, userId, timeZone)
      .map(([when, user, zone]) => m.referenceHeld.made(dateTimeShown(when, at, zone), user))
      .map((held) => ({
        text: m.refusedBanner(held),
        refusal: { field: 'payment_reference' as const, message: held },
      })),
    fc
      .constantFrom(m.outageBanner, m.requestFailed, m.ledgerUnavailable, m.refusedWithoutCode)
      .map((text) => ({ text })),
  );
};

/** What a rep may have in the form: each field at its maximum, or longer when `/paylink <amount> <reference>` pre-fills it. */
const TYPED_MAX: Partial<Record<TextField, number>> = { amount: 32, siren: 11, tva_interco: 24 };
const formValues = fc
  .record({
    fields: fc.record(
      Object.fromEntries(
        TEXT_FIELDS.map((field) => [
          field,
          fc.option(
            field === 'reference_label'
              ? fc
                  .array(textUpTo(60), { minLength: 1, maxLength: 4 })
                  .map((lines) => Array.from(lines.join('\n')).slice(0, 256).join(''))
              : textUpTo(TYPED_MAX[field] ?? FIELD_MAX_LENGTH[field]),
            { nil: undefined },
          ),
        ]),
      ) as Record<TextField, fc.Arbitrary<string | undefined>>,
    ),
    prefilled: fc.option(fc.record({ amount: textUpTo(40), payment_reference: textUpTo(2000) }), { nil: undefined }),
    consumer_type: fc.constantFrom('individual' as const, 'company' as const),
    payment_type: paymentType,
    payment_lang: locale,
    delivery: fc.subarray(['sms', 'email'] as const),
  })
  .map(({ fields, prefilled, ...choices }) => ({
    ...Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)),
    ...prefilled,
    ...choices,
    delivery: [...choices.delivery],
  }));

const offeredTypes = fc
  .shuffledSubarray([...PAYMENT_TYPES], { minLength: 1 })
  .map((types) => types as unknown as readonly [PaymentType, ...PaymentType[]]);

/** private_metadata as the modal carries it, ids and response_url longer than Slack's. */
const privateMetadata = fc
  .record({
    channel: channelId,
    user: userId,
    threadTs: fc.option(fc.constant('1700000000.000100'), { nil: undefined }),
    responseUrl: fc.option(
      fc
        .integer({ min: 0, max: 200 })
        .map(
          (extra) => `https://hooks.slack.com/commands/T0123456789/${'9'.repeat(13 + extra)}/abcdefghijklmnopqrstuvwx`,
        ),
      { nil: undefined },
    ),
  })
  .map((origin) =>
    encodeModalOrigin({
      channel: origin.channel,
      user: origin.user,
      ...(origin.threadTs ? { threadTs: origin.threadTs } : {}),
      ...(origin.responseUrl ? { responseUrl: origin.responseUrl } : {}),
    }),
  );

/** Where a link stands, as the summary's status line shows it. */
const statusLineOf = fc.oneof(
  locale.map((at): [Locale, LinkStatus] => [at, awaitingPaymentStatus(at)]),
  fc
    .tuple(locale, paymentStatus, date, timeZone, paymentType)
    .map(([at, status, when, zone, type]): [Locale, LinkStatus] => [
      at,
      statusLine(classifyStatus(status), at, dateTimeShown(when, at, zone), type),
    ]),
  fc
    .tuple(locale, date, timeZone)
    .map(([at, when, zone]): [Locale, LinkStatus] => [at, expiredStatusLine(when, at, zone)]),
);

function expectWithin(surface: 'modal' | 'home' | 'message', payload: unknown): void {
  expect(blockKitProblems(surface, payload)).toEqual([]);
}

describe('the payment form', () => {
  it('stays within Slack’s limits with every field at its maximum, a refusal above it and under its field', () => {
    fc.assert(
      fc.property(
        locale.chain((at) =>
          fc.record({
            at: fc.constant(at),
            sandbox: fc.boolean(),
            metadata: privateMetadata,
            types: offeredTypes,
            values: formValues,
            banner: fc.option(banner(at), { nil: undefined }),
            noteField: fc.constantFrom(...TEXT_FIELDS),
          }),
        ),
        ({ at, sandbox, metadata, types, values, banner, noteField }) => {
          const note = banner && 'refusal' in banner ? banner.refusal : undefined;
          const view = buildPaymentModal({
            locale: at,
            sandbox,
            privateMetadata: metadata,
            paymentTypes: types,
            values,
            ...(banner ? { banner: banner.text } : {}),
            ...(note ? { fieldNotes: { [note.field ?? noteField]: escapeMrkdwn(note.message) } } : {}),
          });
          expectWithin('modal', view);
        },
      ),
      RUNS,
    );
  });
});

describe('the modal’s outcome views', () => {
  it('stay within Slack’s limits: creating, created, and every notice', () => {
    fc.assert(
      fc.property(
        locale,
        fc.boolean(),
        privateMetadata,
        amountCents,
        textUpTo(FIELD_MAX_LENGTH.payment_reference),
        paymentLink,
        fc.oneof(
          channelId.map((channel) => ({ channel })),
          fc.constantFrom('direct_message' as const, 'nowhere' as const),
        ),
        (at, sandbox, metadata, cents, reference, link, postedIn) => {
          const base = { locale: at, sandbox, privateMetadata: metadata };
          const amount = formatAmount(cents, at);
          expectWithin('modal', buildCreatingView(base, amount, reference));
          expectWithin('modal', buildCreatedView({ ...base, amount, reference, link, postedIn }));
          const m = messagesFor(at);
          for (const text of [
            m.notAllowedUser,
            m.notAllowedChannel([]),
            m.notAllowedChannel(
              Array.from({ length: 10 }, (_, n) => `<#C0${n}ABCDEFGHIJ>`),
              true,
            ),
            m.formUnusable(SLASH_COMMAND),
            m.outageLinkExists,
          ]) {
            expectWithin('modal', buildNoticeView(base, text));
          }
        },
      ),
      RUNS,
    );
  });
});

describe('the link’s messages in the conversation', () => {
  it('the summary stays within Slack’s limits, with each status line it can show', () => {
    fc.assert(
      fc.property(
        statusLineOf,
        fc.record({
          sandbox: fc.boolean(),
          amountCents,
          paymentReference: textUpTo(FIELD_MAX_LENGTH.payment_reference),
          paymentType,
          customer: fc.option(customer, { nil: undefined }),
          maskedEmail: email.map(maskEmail),
          maskedPhone: fc.constantFrom('0612345678', '+441234567890123').map(maskPhone),
          deliveries: fc.subarray(['sms', 'email'] as const),
          user: userId,
          expires: fc.option(fc.tuple(date, timeZone), { nil: undefined }),
        }),
        ([at, status], { expires, customer, ...summary }) => {
          const full = {
            ...summary,
            locale: at,
            ...(customer ? { customer } : {}),
            ...(expires ? { expires: dateTimeShown(expires[0], at, expires[1]) } : {}),
          };
          expectWithin('message', buildSummaryMessage(full, status));
          expectWithin('message', summaryStatusUpdate(full, status));
        },
      ),
      RUNS,
    );
  });

  it('the link’s reply and each status reply stay within Slack’s limits', () => {
    fc.assert(
      fc.property(
        locale,
        fc.boolean(),
        paymentLink,
        amountCents,
        userId,
        paymentStatus,
        date,
        fc.constantFrom(...PAYMENT_TYPES),
        (at, sandbox, link, cents, user, status, when, paymentType) => {
          expectWithin('message', buildLinkReply(at, sandbox, link));
          const time = slackTime(when, '23:59');
          const reply = statusReplyText({ amountCents: cents, user, paymentType }, classifyStatus(status), at, time);
          expectWithin('message', { text: sandboxed(reply, sandbox) });
        },
      ),
      RUNS,
    );
  });
});

describe('App Home', () => {
  const homeLinks = (count: number): fc.Arbitrary<HomeLinks> =>
    fc.record({
      totals: fc.record({
        awaiting: fc.record({ count: fc.nat(), cents: amountCents }),
        paid: fc.record({ count: fc.nat(), cents: amountCents }),
        multiPayBegun: fc.record({ count: fc.nat(), cents: amountCents }),
      }),
      links: fc.array(ledgerLink, { minLength: count, maxLength: count }),
      more: fc.boolean(),
    });

  it('stays within Slack’s limits with 20 of the rep’s links and 20 of the team’s, each at its worst', () => {
    fc.assert(
      fc.property(
        reportContext,
        homeLinks(20),
        fc.option(homeLinks(20), { nil: undefined }),
        permalink,
        fc.boolean(),
        (ctx, mine, team, thread, notAllowed) => {
          const ids = [...mine.links, ...(team?.links ?? [])].map((link) => link.id);
          const view = buildHomeView({
            ...ctx,
            month: 'septembre 2026',
            mine,
            ...(team ? { team } : {}),
            notAllowed,
            permalinks: new Map(ids.map((id) => [id, thread])),
          });
          expectWithin('home', view);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('and with no link yet', () => {
    for (const at of LOCALES) {
      for (const notAllowed of [false, true]) {
        const empty = {
          totals: {
            awaiting: { count: 0, cents: 0 },
            paid: { count: 0, cents: 0 },
            multiPayBegun: { count: 0, cents: 0 },
          },
          links: [],
          more: false,
        };
        const now = new Date();
        const view = buildHomeView({
          locale: at,
          timeZone: 'Europe/Paris',
          now,
          sandbox: true,
          month: 'November 2026',
          mine: empty,
          team: empty,
          notAllowed,
          permalinks: new Map(),
        });
        expectWithin('home', view);
      }
    }
  });
});

describe('/paylink list, status, and the DMs about one link', () => {
  /** Sometimes, that more links matched than the answer shows, as many as a ledger may hold. */
  const partShown = fc.option(
    fc.record({
      matched: fc.integer({ min: 6, max: 10_000_000 }),
      seeAll: fc.constantFrom('home' as const, 'export' as const, 'admin_export' as const),
    }),
    { nil: undefined },
  );

  it('list: 10 links at their worst, each with its thread, and how many more matched', () => {
    fc.assert(
      fc.property(
        reportContext,
        fc.constantFrom(undefined, 'awaiting' as const, 'paid' as const),
        fc.array(ledgerLink, { minLength: 0, maxLength: 10 }),
        permalink,
        partShown,
        (ctx, only, links, thread, part) => {
          const permalinks = new Map(links.map((link) => [link.id, thread]));
          const message = buildListMessage(ctx, only, links, permalinks, part);
          expectWithin('message', message);
        },
      ),
      RUNS,
    );
  });

  it('status: 5 links with one reference, each with a long history of statuses at their longest, and how many more', () => {
    fc.assert(
      fc.property(
        reportContext,
        textUpTo(300),
        fc.array(
          ledgerLink.chain((link) =>
            fc.record({
              link: fc.constant(link),
              // Long histories most often: the answer keeps as many of the latest lines as fit.
              history: fc.oneof(fc.array(notification(link.id), { maxLength: 5 }), {
                weight: 3,
                arbitrary: fc.array(notification(link.id), { minLength: 25, maxLength: 60 }),
              }),
              permalink: fc.option(permalink, { nil: undefined }),
            }),
          ),
          { minLength: 0, maxLength: 5 },
        ),
        partShown,
        (ctx, reference, found, part) => {
          const entries = found.map(({ permalink: thread, ...entry }) => ({
            ...entry,
            ...(thread ? { permalink: thread } : {}),
          }));
          expectWithin('message', buildStatusMessage(ctx, reference, 'own', entries, part));
        },
      ),
      RUNS,
    );
  });

  it('status: a reference no link has is echoed within limits, however long the rep typed it', () => {
    // Slack documents no length for a command's text; a message may hold 40,000 characters.
    fc.assert(
      fc.property(
        reportContext,
        fc.integer({ min: 1, max: 10_000 }).chain(textOf),
        fc.constantFrom('own' as const, 'team' as const),
        (ctx, reference, searched) => {
          expectWithin('message', buildStatusMessage(ctx, reference, searched, []));
        },
      ),
      { numRuns: 20 },
    );
  });

  it('the reminder, the interrupted link’s DM and view, the late link’s reply, DM and view, the late announcement’s reply, and the DM about an unposted summary', () => {
    fc.assert(
      fc.property(
        reportContext,
        ledgerLink,
        paymentLink,
        fc.option(permalink, { nil: undefined }),
        (ctx, link, address, thread) => {
          const age = '100 years';
          expectWithin('message', buildReminderMessage(ctx, link, age, thread));
          expectWithin('message', buildInterruptedMessage(ctx, link));
          expectWithin('modal', buildInterruptedView(ctx, link));
          const withAddress = { ...link, link: address };
          expectWithin('message', buildLateLinkReply(ctx, withAddress));
          expectWithin('message', buildLateLinkMessage(ctx, withAddress));
          expectWithin('modal', buildLateLinkView(ctx, withAddress));
          expectWithin('message', buildAnnouncedLateReply(ctx, { ...link, link: null }));
          expectWithin('message', buildConfirmedUnannouncedMessage(ctx, { ...link, link: null }, 'refused'));
          expectWithin('message', buildConfirmedUnannouncedMessage(ctx, { ...link, link: null }, 'unanswered'));
        },
      ),
      RUNS,
    );
  });

  it('one link’s section, as App Home and the list show it, is one block within Slack’s limits', () => {
    fc.assert(
      fc.property(reportContext, ledgerLink, permalink, fc.boolean(), (ctx, link, thread, showRep) => {
        expectWithin('message', { text: 'x', blocks: [linkSection(link, ctx, { permalink: thread, showRep })] });
      }),
      RUNS,
    );
  });

  it('the texts only messages carry stay under the 4,000 characters Slack advises', () => {
    for (const at of LOCALES) {
      const m = messagesFor(at);
      const t = linkReportTexts(at);
      const reference = escapeMrkdwn('&'.repeat(64));
      const amount = formatAmount(Number.MAX_SAFE_INTEGER, at);
      const texts = [
        m.help(SLASH_COMMAND),
        m.fallbackDm('C'.repeat(24)),
        m.outcomeOfLink(amount, reference, m.outageFormGone(m.askFromMessage)),
        m.outcomeOfLink(amount, reference, m.ledgerUnavailableFormGone(SLASH_COMMAND)),
        t.homeEmpty(SLASH_COMMAND),
        t.exportRefused('septembre 2026'),
        ...Object.values(m.linkAddressUnknown),
      ];
      for (const text of texts) expectWithin('message', { text: sandboxed(text, true) });
    }
  });
});
