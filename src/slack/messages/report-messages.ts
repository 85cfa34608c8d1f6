import type { types } from '@slack/bolt';
import { SLASH_COMMAND } from '../../constants.js';
import { formatAmount } from '../../domain/amount.js';
import { paymentUnderWay } from '../../domain/link-standing.js';
import { classifyStatus } from '../../domain/payment-status.js';
import { madeBySandbox } from '../../domain/sandbox-link.js';
import { cutToCharacters } from '../../domain/text-cut.js';
import { type LinksSearched, linkReportTexts } from '../../i18n/link-reports.js';
import { askAgainAs, messagesFor, refusedFormGone, sandboxed } from '../../i18n/messages.js';
import type { LinkRecord, LinkWithAddress, NotificationRecord } from '../../ledger/ledger.js';
import { describeRefusal } from '../../safedebit/error-catalog.js';
import { FIELD_MAX_LENGTH } from '../../safedebit/fields.js';
import { dateTimeShown, escapeMrkdwn, notificationText } from '../mrkdwn.js';
import { buildNoticeView } from '../views/outcome-views.js';
import { contextBlock, mrkdwn } from '../views/text.js';
import { type LinkLineContext, linkHeadline, linkSection, standingText, threadButton } from './link-lines.js';
import { codeSpan, type SlackMessage } from './link-messages.js';
import { statusLine } from './status-messages.js';

export interface ReportContext extends LinkLineContext {
  sandbox: boolean;
}

/** A status answer shows at most this many notifications of one link's history (the latest). */
const HISTORY_SHOWN = 25;
/**
 * Slack refuses a section text over 3000 characters, and a status SAFEDEBIT sends outside the annex is shown as
 * sent (up to 64 characters, longer once escaped): the history keeps its latest lines within this, with room to spare
 * for its title and the line saying how many earlier ones were left out.
 */
const HISTORY_MAX_CHARS = 2800;

/** Where the asker sees every link an answer left out (see LinkReportTexts.seeAll). */
export type SeeAll = 'home' | 'export' | 'admin_export';

/**
 * An answer that shows only the latest of the links that matched: how many matched, and where to see them all (nowhere
 * for a rep when there is no admin to export them). When they could not be counted (`matched` undefined), more than
 * shown, and App Home, which lists only so many, is not known to show them all.
 */
export type PartShown =
  | { matched: number; seeAll?: SeeAll }
  | { matched?: undefined; seeAll?: Exclude<SeeAll, 'home'> };

/**
 * `/paylink list [open|paid]`: the rep's latest links, each with where it stands and a button to its thread; with
 * `part`, how many of how many, and where to see them all.
 */
export function buildListMessage(
  ctx: ReportContext,
  only: 'awaiting' | 'paid' | undefined,
  links: readonly LinkRecord[],
  permalinks: ReadonlyMap<string, string>,
  part?: PartShown,
): SlackMessage {
  const t = linkReportTexts(ctx.locale);
  const filter = only ?? 'all';
  if (links.length === 0) return { text: sandboxed(t.listEmpty[filter], ctx.sandbox) };
  const count = part ? ` (${shownText(t.listShown, t.listShownUncounted, links.length, part)})` : '';
  const title = sandboxed(`${t.listTitle[filter]}${count}`, ctx.sandbox);
  return {
    text: title,
    blocks: [
      { type: 'section', text: mrkdwn(`*${title}*`) },
      ...links.map((link) => linkSection(link, ctx, withPermalink(permalinks.get(link.id)))),
      ...(part ? seeAllText(ctx, part).map(contextBlock) : []),
      contextBlock(t.listMore(SLASH_COMMAND)),
    ],
  };
}

/** Where to see every link, if anywhere: a text, or none. */
function seeAllText(ctx: ReportContext, part: PartShown): string[] {
  const texts = linkReportTexts(ctx.locale).seeAll;
  if (part.seeAll === 'home') return [texts.home(part.matched)];
  return part.seeAll ? [texts[part.seeAll](SLASH_COMMAND)] : [];
}

/** "10 of 14", or when the links that matched were not counted, "10 of more than 10". */
function shownText(
  counted: (shown: number, matched: number) => string,
  uncounted: (shown: number) => string,
  shown: number,
  part: PartShown,
): string {
  return part.matched === undefined ? uncounted(shown) : counted(shown, part.matched);
}

/** One link found by `/paylink status`, with its notifications oldest first. */
export interface LinkWithHistory {
  link: LinkRecord;
  history: readonly NotificationRecord[];
  permalink?: string;
}

/**
 * `/paylink status <reference>`: each link with that reference the asker may see (those SAFEDEBIT made first, then
 * newest first, among those `searched`), where it stands, and every status SAFEDEBIT sent for it. None: for a rep, the same "not found" whether
 * the reference is unknown or another rep's, so that the answer tells nothing about other reps' links. With `part`,
 * above them: how many of how many, and where to see them all.
 */
export function buildStatusMessage(
  ctx: ReportContext,
  reference: string,
  searched: LinksSearched,
  found: readonly LinkWithHistory[],
  part?: PartShown,
): SlackMessage {
  const t = linkReportTexts(ctx.locale);
  if (found.length === 0) {
    // As typed after `/paylink status`, of any length, and `&` escaped to five: cut past the longest a reference can
    // be (one that long shows whole), so that the answer stays within what Slack shows (4000) and takes (40000).
    const typed = cutToCharacters(reference, FIELD_MAX_LENGTH.payment_reference + 1);
    return { text: sandboxed(t.statusNotFound[searched](escapeMrkdwn(typed), SLASH_COMMAND), ctx.sandbox) };
  }
  const shown = part
    ? [
        contextBlock(
          [shownText(t.statusShown, t.statusShownUncounted, found.length, part), ...seeAllText(ctx, part)].join(' '),
        ),
      ]
    : [];
  const blocks = [
    ...shown,
    ...found.flatMap((entry, index): types.KnownBlock[] => [
      ...(index > 0 ? [{ type: 'divider' } as const] : []),
      ...statusBlocks(ctx, entry),
    ]),
  ];
  const [first] = found;
  const title = first ? statusTitle(ctx, first.link) : '';
  return { text: sandboxed(title, ctx.sandbox), blocks };
}

function statusTitle(ctx: ReportContext, link: LinkRecord): string {
  return linkReportTexts(ctx.locale).statusTitle(
    formatAmount(link.amount_cents, ctx.locale),
    escapeMrkdwn(link.payment_reference),
  );
}

function statusBlocks(ctx: ReportContext, { link, history, permalink }: LinkWithHistory): types.KnownBlock[] {
  const t = linkReportTexts(ctx.locale);
  const dateTime = (iso: string) => dateTimeShown(new Date(iso), ctx.locale, ctx.timeZone);
  const fields = [
    ...(link.customer ? [mrkdwn(`*${t.statusCustomer}*\n${escapeMrkdwn(link.customer)}`)] : []),
    mrkdwn(`*${link.state === 'created' ? t.statusCreated : t.statusRequested}*\n${dateTime(link.created_at)}`),
    mrkdwn(`*${t.statusRequestedBy}*\n<@${link.user_id}>`),
    ...(link.link ? [mrkdwn(`*${t.statusLink}*\n<${link.link}>`)] : []),
  ];
  const lines = latestLinesWithin(
    history
      .slice(-HISTORY_SHOWN)
      .map(
        (notification) =>
          `• ${statusLine(classifyStatus(notification.status), ctx.locale, dateTime(notification.received_at), link.payment_type).text}`,
      ),
    HISTORY_MAX_CHARS,
  );
  const earlier = history.length - lines.length;
  if (earlier > 0) lines.unshift(t.statusEarlierHistory(earlier));
  return [
    {
      type: 'section',
      text: mrkdwn(`*${sandboxed(statusTitle(ctx, link), ctx.sandbox)}*\n${standingText(link, ctx)}`),
      ...threadButton(ctx.locale, permalink),
    },
    { type: 'section', fields },
    {
      type: 'section',
      text: mrkdwn(`*${t.statusHistory}*\n${lines.length > 0 ? lines.join('\n') : t.statusNoHistory}`),
    },
  ];
}

/** The last of `lines` whose text, one per line, stays within `maxChars`. */
function latestLinesWithin(lines: readonly string[], maxChars: number): string[] {
  const kept: string[] = [];
  let length = 0;
  for (const line of [...lines].reverse()) {
    length += line.length + 1;
    if (length > maxChars) break;
    kept.unshift(line);
  }
  return kept;
}

/**
 * The rep's DM about a link still awaiting payment: how long, which link, and its thread; for a link SAFEDEBIT sent a
 * status for, where it stands, and when that status is one of a payment under way, that it is not paid yet but under way.
 */
export function buildReminderMessage(
  ctx: ReportContext,
  link: LinkRecord,
  age: string,
  permalink?: string,
): SlackMessage {
  const t = linkReportTexts(ctx.locale);
  const underWay = paymentUnderWay(link);
  const text = sandboxed(underWay ? t.reminderUnderWay(age) : t.reminder(age), madeBySandbox(link));
  const news = link.payment_status === null ? [] : [t.reminderNews(standingText(link, ctx))];
  const headline = linkHeadline(link, ctx.locale);
  // Still to be paid: the link itself, for the rep to send the customer again.
  const address = !underWay && link.link !== null ? [messagesFor(ctx.locale).linkReply(link.link)] : [];
  return {
    // One line for notifications: the link after the sentence's colon, where it stands set apart as a summary's status
    // update sets its status apart.
    text: notificationText([`${text} ${headline}`, ...news].join(' — ')),
    blocks: [
      {
        type: 'section',
        text: mrkdwn([text, headline, ...news, ...address].join('\n')),
        ...threadButton(ctx.locale, permalink, t.reminderThread),
      },
    ],
  };
}

/** The rep's DM about a link whose creation was interrupted: which link, when it was asked, and what to do. */
export function buildInterruptedMessage(ctx: ReportContext, link: LinkRecord): SlackMessage {
  return noticeMessage(link, interruptedNotice(ctx, link));
}

/**
 * The same notice in the rep's modal, in place of "creating…", for a rep still looking at it (the view says
 * sandbox itself).
 */
export function buildInterruptedView(ctx: ReportContext, link: LinkRecord): types.ModalView {
  return noticeView(ctx, interruptedNotice(ctx, link));
}

/**
 * A refusal or an outage paylink stopped before telling the rep of, in their DM: which request, and what became of it,
 * as the modal would have said (a refusal by its code, SAFEDEBIT's words not being kept).
 */
export function buildUntoldOutcomeMessage(ctx: ReportContext, link: LinkRecord, referenceHeld?: string): SlackMessage {
  return noticeMessage(link, untoldOutcomeNotice(ctx, link, referenceHeld));
}

/** The same notice in the rep's modal, in place of "creating…", for a rep still looking at it. */
export function buildUntoldOutcomeView(ctx: ReportContext, link: LinkRecord, referenceHeld?: string): types.ModalView {
  return noticeView(ctx, untoldOutcomeNotice(ctx, link, referenceHeld));
}

/**
 * The first reply in the thread of a link's summary posted late in the rep's DM, SAFEDEBIT having made the link but
 * paylink stopped before giving it to them: why it comes now, and the link.
 */
export function buildLateLinkReply(ctx: ReportContext, link: LinkWithAddress): SlackMessage {
  const texts = linkReportTexts(ctx.locale);
  return lateReply(link, `${texts.deliveredLate}\n${messagesFor(ctx.locale).linkReply(link.link)}`);
}

/**
 * The same link by itself in the rep's DM, when Slack did not take that reply under its summary: which link, asked
 * when, why it comes now, and the link.
 */
export function buildLateLinkMessage(ctx: ReportContext, link: LinkWithAddress): SlackMessage {
  return noticeMessage(link, lateLinkNotice(ctx, link));
}

/**
 * A link SAFEDEBIT made that paylink stopped before giving its rep, in the rep's modal in place of "creating…", for a
 * rep still looking at it: which link, asked when, why it comes now, and the link.
 */
export function buildLateLinkView(ctx: ReportContext, link: LinkWithAddress): types.ModalView {
  return noticeView(ctx, lateLinkNotice(ctx, link));
}

/**
 * The first reply in the thread of a link's summary posted late in the rep's DM, SAFEDEBIT having reported on it while
 * paylink stopped announcing it: why it comes now, and where its address is (paylink never had it).
 */
export function buildAnnouncedLateReply(ctx: ReportContext, link: LinkRecord): SlackMessage {
  return lateReply(link, linkReportTexts(ctx.locale).announcedLate);
}

/**
 * The rep's DM about a link SAFEDEBIT's notification confirmed whose summary Slack refused or did not answer for
 * (`how`): which link, where it stands, and where to follow it.
 */
export function buildConfirmedUnannouncedMessage(
  ctx: ReportContext,
  link: LinkRecord,
  how: 'refused' | 'unanswered',
): SlackMessage {
  const status = codeSpan(`${SLASH_COMMAND} status ${link.payment_reference}`);
  const notice = linkReportTexts(ctx.locale).confirmedUnannounced[how](status);
  return noticeMessage(link, { notice, about: `${askedHeadline(ctx, link)}\n${standingText(link, ctx)}` });
}

/**
 * A reply about a stored link, marked [SANDBOX] by the link's kind (a live instance may post one about a trial link).
 */
function lateReply(link: LinkRecord, text: string): SlackMessage {
  return { text: sandboxed(text, madeBySandbox(link)) };
}

/** What a notice about one link says, and the lines that tell which link it is. */
interface LinkNotice {
  notice: string;
  about: string;
}

/** A DM about a stored link, marked [SANDBOX] by the link's kind (a live instance may send one about a trial link). */
function noticeMessage(link: LinkRecord, { notice, about }: LinkNotice): SlackMessage {
  const text = sandboxed(notice, madeBySandbox(link));
  return {
    // One line for notifications, its lines set apart as a reminder's are.
    text: notificationText(`${text} ${about.replace(/\n/g, ' — ')}`),
    blocks: [{ type: 'section', text: mrkdwn(`${text}\n${about}`) }],
  };
}

function noticeView(ctx: ReportContext, { notice, about }: LinkNotice): types.ModalView {
  return buildNoticeView({ locale: ctx.locale, sandbox: ctx.sandbox, privateMetadata: '' }, `${notice}\n${about}`);
}

/** "*1 250,50 €* · F-2026-031 · Jean Dupont · 27 Nov 2026, 10:30": the link, and when it was asked for. */
function askedHeadline(ctx: ReportContext, link: LinkRecord): string {
  return `${linkHeadline(link, ctx.locale)} · ${dateTimeShown(new Date(link.created_at), ctx.locale, ctx.timeZone)}`;
}

/**
 * `referenceHeld`: for a payment reference already used, what paylink knows of the link holding it (mrkdwn), which the
 * rep uses rather than ask again.
 */
function untoldOutcomeNotice(ctx: ReportContext, link: LinkRecord, referenceHeld?: string): LinkNotice {
  const m = messagesFor(ctx.locale);
  const detail = link.state_detail;
  const askAgain = askAgainAs(ctx.locale, link.origin_thread_ts !== null);
  const refusal = () => {
    if (referenceHeld !== undefined) return refusedFormGone(ctx.locale, referenceHeld, false, askAgain);
    if (detail === null) return m.refusedReasonLost(askAgain);
    const described = describeRefusal({ code: detail }, ctx.locale);
    const fixable = described.field !== undefined;
    return refusedFormGone(ctx.locale, escapeMrkdwn(described.message), fixable, askAgain);
  };
  const outcome =
    link.state === 'refused' ? refusal() : detail === 'request_failed' ? m.requestFailed : m.outageFormGone(askAgain);
  return { notice: linkReportTexts(ctx.locale).outcomeUntold, about: `${askedHeadline(ctx, link)}\n${outcome}` };
}

function interruptedNotice(ctx: ReportContext, link: LinkRecord): LinkNotice {
  const askAgain = askAgainAs(ctx.locale, link.origin_thread_ts !== null);
  return { notice: linkReportTexts(ctx.locale).interrupted(askAgain), about: askedHeadline(ctx, link) };
}

/** Why the link comes late: its summary never posted (paylink stopped first), or posted without the link reaching the rep. */
function lateLinkNotice(ctx: ReportContext, link: LinkWithAddress): LinkNotice {
  const texts = linkReportTexts(ctx.locale);
  // SAFEDEBIT's address was checked when its answer was read: a plain https address, nothing Slack would misread.
  return {
    notice: link.summary_ts === null ? texts.deliveredLate : texts.linkReplyLate,
    about: `${askedHeadline(ctx, link)}\n<${link.link}>`,
  };
}

function withPermalink(permalink: string | undefined) {
  return permalink ? { permalink } : {};
}
