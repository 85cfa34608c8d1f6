import type { Config } from '../config.js';
import { hasExpired } from '../domain/link-standing.js';
import { type ClassifiedStatus, classifyStatus } from '../domain/payment-status.js';
import { madeBySandbox } from '../domain/sandbox-link.js';
import { errorCodeOrMessage } from '../http/transport-errors.js';
import { sandboxed } from '../i18n/messages.js';
import type { Ledger, LinkRecord, NotificationRecord, RoundCursor } from '../ledger/ledger.js';
import { EXPIRY_SHOWN } from '../ledger/schema.js';
import {
  CANNOT_POST_ERRORS,
  MESSAGE_REFUSED_ERRORS,
  postMessage,
  type SlackDeliveryContext,
  sendDirectMessage,
} from '../slack/delivery.js';
import { slackErrorCode, slackRefusesApp } from '../slack/errors.js';
import { deliveriesOf, type LinkStatus, type LinkSummary } from '../slack/messages/link-messages.js';
import {
  expiredStatusLine,
  mattersToRep,
  newsToRep,
  paymentStatusLine,
  statusApartText,
  statusReplyText,
  summaryStatusUpdate,
} from '../slack/messages/status-messages.js';
import { dateTimeShown, dayAndTimeShown, timeShown } from '../slack/mrkdwn.js';
import { slackMayHaveActed } from '../slack/web-api.js';
import type { HomeTabs } from './home-tab.js';
import { type LedgerWriteContext, retryLedgerWrite, tryLedgerWrite, type UnrecordedWrite } from './ledger-writes.js';
import { type RoundTimer, startRounds } from './rounds.js';

export interface StatusUpdateContext extends SlackDeliveryContext, LedgerWriteContext {
  ledger: Ledger;
  /** App Home, drawn again for the rep (and admins) who opened it when one of their links changes. */
  homeTabs: HomeTabs;
  config: Pick<Readonly<Config>, 'locale'>;
  timeZone: string;
  clock: () => Date;
  /** A reply or a status line claimed longer ago than this by an instance that never finished may be taken over. */
  replyClaimTimeoutMs: number;
  /**
   * What this instance did in Slack, or learnt from SAFEDEBIT, but the ledger refused to record past the write retries
   * (an outage of more than 15 s), by what it was (`unrecordedReply`, `unrecordedDelivery`, `unrecordedRepTold`,
   * `unrecordedOutcome`): a thread reply posted, a link given to its rep, a refusal or an outage told to its rep,
   * SAFEDEBIT's answer. Recorded by each status and interrupted-links round and at shutdown until the ledger takes
   * them, so that no instance takes the reply for one never posted once its claim is stale, the link for one its rep
   * never got, the rep for one never told, or the request for an interrupted one, and acts again.
   */
  unrecordedWrites: Map<string, UnrecordedWrite>;
}

/** How far a link's pending status news got into Slack. */
export type StatusUpdateOutcome =
  /** Every pending reply is posted and the summary shows the furthest-along status. */
  | { kind: 'posted'; replies: number }
  /** No summary yet (the link is being created): the notifications wait in the ledger; the flow shows them. */
  | { kind: 'kept' }
  /** Slack refused for good (conversation or message gone): a repeat cannot help. */
  | { kind: 'undeliverable'; error: string }
  /** Slack out of reach: what was not posted stays pending, and a redelivery may post it. */
  | { kind: 'slack_unavailable'; error: string }
  /** The ledger failed (its database out of reach, busy…): what was not posted stays pending, as for Slack. */
  | { kind: 'ledger_unavailable'; error: string };

/**
 * Slack errors after which trying again cannot help: the bot may not post in the conversation (gone, left, or a thread
 * locked since), the message is gone, or Slack refuses the content. Anything else (transport, 5xx, rate limits, an
 * auth problem an admin may fix) may.
 */
const UNDELIVERABLE_ERRORS = new Set([
  ...CANNOT_POST_ERRORS,
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
  // chat.update of a message in a frozen, archived or deleted channel.
  'is_inactive',
  ...MESSAGE_REFUSED_ERRORS,
]);

/**
 * Whether a post Slack did not take may be tried again: Slack surely did not post it (a refusal, an HTTP error, no
 * connection) and may take it later (not refused for good). A post Slack may have made is never made twice.
 */
function slackMayTakeItLater(error: unknown): boolean {
  return !UNDELIVERABLE_ERRORS.has(slackErrorCode(error)) && !slackMayHaveActed(error);
}

/** A notification's thread reply, and whether it is news the rep is pinged for (or told apart when the thread is closed). */
interface StatusReply {
  text: string;
  news: boolean;
}

/** Concurrent writers of the status line converge in a round or two; this only bounds a pathological race. */
const MAX_STATUS_LINE_ROUNDS = 3;

/**
 * A reply posted within this of its notification shows the time alone: the message's own time, beside it, tells the day.
 * A reply any later shows the day too (a time across midnight for some reader as soon as it is late by a few hours).
 */
const TIME_ALONE_WITHIN_MS = 10 * 60_000;

/**
 * Brings a link's thread and summary up to date with its notifications: one reply per notification, in the order they
 * came, each claimed in the ledger so that no other instance posts it too, then the summary's status line set to the
 * furthest-along status. Called by the notification route and by the link flow once the summary exists.
 */
export async function deliverStatusUpdates(ctx: StatusUpdateContext, linkId: string): Promise<StatusUpdateOutcome> {
  let replies = 0;
  try {
    const link = await fromLedger(ctx.ledger.findLink(linkId));
    if (link && givenWithoutSummary(link)) return await deliverApart(ctx, link);
    if (!link?.summary_channel || !link.summary_ts || !link.thread_ts) return { kind: 'kept' };
    const place = { channel: link.summary_channel, ts: link.summary_ts, threadTs: link.thread_ts };
    for (;;) {
      // Read again after each reply: a notification that came meanwhile, to another instance that found the earlier
      // reply claimed and left it to us, is posted after it.
      const pending = await fromLedger(ctx.ledger.unrepliedNotifications(linkId));
      const notification = pending.find((n) => !ctx.unrecordedWrites.has(unrecordedReply(n.dedupe_key)));
      if (notification === undefined) break;
      const now = ctx.clock();
      const staleBefore = new Date(now.getTime() - ctx.replyClaimTimeoutMs);
      // Written before the claim: the ledger failing to read the link's history then leaves the reply to a
      // redelivery, where past the claim the failure would be taken for Slack's and the reply marked done unposted.
      const reply = await replyTo(ctx, link, notification, now);
      // Another instance is posting the oldest reply, and will post the later ones after it, in the order they came.
      if (!(await fromLedger(ctx.ledger.claimReply(notification.dedupe_key, now, staleBefore)))) break;
      try {
        await postMessage(ctx, place.channel, { text: sandboxed(reply.text, madeBySandbox(link)) }, place.threadTs);
      } catch (error) {
        // A reply Slack may have posted is not posted again (as the client never resends such a call): the
        // thread may miss it, never show it twice. One Slack surely did not take stays for a redelivery.
        if (slackMayTakeItLater(error)) {
          await fromLedger(ctx.ledger.releaseReply(notification.dedupe_key, now));
        } else {
          await fromLedger(ctx.ledger.markReplied(notification.dedupe_key, now));
          if (reply.news && CANNOT_POST_ERRORS.has(slackErrorCode(error))) await sendStatusApart(ctx, link, reply.text);
        }
        throw error;
      }
      // Posted: unless the ledger takes it, another instance would post it again once the claim is stale.
      const markReplied = () => ctx.ledger.markReplied(notification.dedupe_key, ctx.clock());
      const what = { step: 'reply_posted', link: linkId };
      const marked = await tryLedgerWrite(ctx, what, markReplied);
      if (!marked.ok && !(await retryLedgerWrite(ctx, what, markReplied)).ok) {
        const postedAt = ctx.clock();
        ctx.unrecordedWrites.set(unrecordedReply(notification.dedupe_key), {
          link: linkId,
          record: () => ctx.ledger.markReplied(notification.dedupe_key, postedAt),
        });
        throw new LedgerFailure(marked.error);
      }
      replies += 1;
    }
    await updateStatusLine(ctx, link.id, place);
  } catch (error) {
    if (error instanceof LedgerFailure) return { kind: 'ledger_unavailable', error: error.code };
    const code = slackErrorCode(error);
    return UNDELIVERABLE_ERRORS.has(code)
      ? { kind: 'undeliverable', error: code }
      : { kind: 'slack_unavailable', error: code };
  }
  return { kind: 'posted', replies };
}

/**
 * A notification's reply. Posted a while after it came (Slack down a night, a summary posted late), with its day too:
 * whether that is another day depends on each reader's time zone, which only their Slack knows.
 */
async function replyTo(
  ctx: StatusUpdateContext,
  link: LinkRecord,
  notification: NotificationRecord,
  now: Date,
): Promise<StatusReply> {
  const status = classifyStatus(notification.status);
  const receivedAt = new Date(notification.received_at);
  const shown = now.getTime() - receivedAt.getTime() <= TIME_ALONE_WITHIN_MS ? timeShown : dayAndTimeShown;
  const time = shown(receivedAt, ctx.config.locale, ctx.timeZone);
  // Whether a paid or failed status is news to the rep depends on the link's statuses before it (newsToRep).
  const earlier = mattersToRep(status) ? await statusesBefore(ctx, notification) : [];
  const text = statusReplyText(repOf(link), status, ctx.config.locale, time, earlier);
  return { text, news: newsToRep(status, earlier) };
}

/** The link's statuses received before this notification's. */
async function statusesBefore(ctx: StatusUpdateContext, notification: NotificationRecord): Promise<ClassifiedStatus[]> {
  const history = await fromLedger(ctx.ledger.notificationsOf(notification.link_id));
  const at = history.findIndex((earlier) => earlier.dedupe_key === notification.dedupe_key);
  return history.slice(0, Math.max(at, 0)).map((earlier) => classifyStatus(earlier.status));
}

/**
 * A link its rep was given privately because Slack did not take its summary (the flow is over: no summary will come,
 * nor thread for its statuses). Not kept for a thread that will never exist, where no one would see them: each
 * notification is claimed, and a paid or failed one sent to the rep apart.
 */
function givenWithoutSummary(link: LinkRecord): boolean {
  return link.state === 'created' && link.link !== null && link.summary_ts === null && link.undelivered_to_rep === 0;
}

async function deliverApart(ctx: StatusUpdateContext, link: LinkRecord): Promise<StatusUpdateOutcome> {
  let replies = 0;
  for (const notification of await fromLedger(ctx.ledger.unrepliedNotifications(link.id))) {
    const now = ctx.clock();
    const staleBefore = new Date(now.getTime() - ctx.replyClaimTimeoutMs);
    // Written first, as for a thread: a ledger failing to read the history leaves the notification unclaimed.
    const reply = await replyTo(ctx, link, notification, now);
    if (!(await fromLedger(ctx.ledger.claimReply(notification.dedupe_key, now, staleBefore)))) continue;
    // Marked done before it is sent: sent once at most, as a reply whose thread closed.
    await fromLedger(ctx.ledger.markReplied(notification.dedupe_key, now));
    if (reply.news) await sendStatusApart(ctx, link, reply.text);
    replies += 1;
  }
  return { kind: 'posted', replies };
}

/**
 * A paid or failed status that is news to the rep (newsToRep) whose thread takes no more replies, or whose link has no
 * summary, sent to the rep in their DM, once (its reply is marked done before): the rep would otherwise learn it only
 * from App Home or `/paylink status`.
 */
async function sendStatusApart(ctx: StatusUpdateContext, link: LinkRecord, reply: string): Promise<void> {
  const where = link.summary_channel
    ? { threadClosedIn: link.summary_channel }
    : { summaryNotPostedIn: link.origin_channel };
  const text = sandboxed(statusApartText(reply, link.payment_reference, where, ctx.config.locale), madeBySandbox(link));
  const outcome = await sendDirectMessage(ctx, link.user_id, { text });
  const fields = { link: link.id, user: link.user_id };
  if (outcome.sent) ctx.logger.info({ event: 'status_sent_apart', ...fields });
  else ctx.logger.warn({ event: 'status_not_sent_apart', ...fields, error: outcome.error });
}

/**
 * Notifications that arrived before a link's summary was recorded, shown now, once, by a flow that goes on whatever
 * comes of it: what Slack or the ledger did not take is logged, and stays pending for the status round.
 */
export async function showPendingStatuses(ctx: StatusUpdateContext, linkId: string): Promise<void> {
  const shown = await deliverStatusUpdates(ctx, linkId);
  if (shown.kind !== 'posted' && shown.kind !== 'kept') {
    ctx.logger.warn({ event: 'pending_statuses_not_shown', link: linkId, outcome: shown.kind, error: shown.error });
  }
}

/** Links looked at per round: after a long Slack outage, a backlog is worked through a batch a round. */
const PENDING_REPLIES_BATCH = 50;
export const DEFAULT_STATUS_ROUND_PERIOD_MS = 60_000;

/**
 * Looks every `periodMs` for notifications whose thread reply Slack did not take (an outage, a refusal it surely did
 * not act on), for status lines whose rewrite failed, and for links past their expiry whose summary does not say so
 * yet, and brings those threads up to date: SAFEDEBIT may never deliver them again, as when one arrived before the
 * summary existed and was answered 200, kept for the link's flow.
 */
export function startStatusRounds(ctx: StatusUpdateContext, periodMs: number): RoundTimer {
  const memory = statusRoundMemory();
  return startRounds({ name: 'status_updates', periodMs, logger: ctx.logger, clock: ctx.clock }, (stopping) =>
    deliverUnpostedReplies(ctx, stopping, memory),
  );
}

/**
 * What an instance's status rounds carry from one to the next: what they said of each link left behind, and where
 * each of their pages of links left off. Only to spare the log and to be fair: a restart forgets it harmlessly.
 */
export interface StatusRoundMemory {
  reported: NotPostedReports;
  /** Where the next round's page of links with replies unposted, status lines behind, expiry unshown starts. */
  pages: { replies?: RoundCursor; statusLines?: RoundCursor; expiries?: RoundCursor };
}

function statusRoundMemory(): StatusRoundMemory {
  return { reported: new Map(), pages: {} };
}

/**
 * What the status round last said of each reason a link's thread stays behind, when, and of which link (none for a
 * reason about every link): a link Slack refuses round after round (a minute apart) is logged when that begins and once
 * an hour, not 1,440 times a day. Slack refusing paylink itself (its token, a scope) and the ledger failing are about
 * every link: said once for all of them.
 */
export type NotPostedReports = Map<string, { at: number; link?: string }>;

/** A reason a thread stays behind said again, while it lasts, at most this often. */
const NOT_POSTED_REPEAT_MS = 60 * 60_000;

function reportNotPosted(
  ctx: StatusUpdateContext,
  reported: NotPostedReports,
  seen: Set<string>,
  linkId: string,
  outcome: Exclude<StatusUpdateOutcome, { kind: 'posted' }>,
): void {
  const error = 'error' in outcome ? outcome.error : undefined;
  const appRefused = error !== undefined && slackRefusesApp(error);
  const aboutEveryLink = appRefused || outcome.kind === 'ledger_unavailable';
  const key = `${aboutEveryLink ? '' : linkId} ${outcome.kind} ${error ?? ''}`;
  seen.add(key);
  const now = ctx.clock().getTime();
  const last = reported.get(key);
  if (last !== undefined && now - last.at < NOT_POSTED_REPEAT_MS) return;
  reported.set(key, aboutEveryLink ? { at: now } : { at: now, link: linkId });
  // Only an admin can make Slack take paylink's calls again (a new token, the app reinstalled with its scopes).
  ctx.logger[appRefused ? 'error' : 'warn']({
    event: 'status_replies_not_posted',
    link: linkId,
    outcome: outcome.kind,
    ...(error === undefined ? {} : { error }),
  });
}

/**
 * One round: brings up to date the threads of links with a reply not posted and not being posted, a status line
 * behind and not being rewritten, or an expiry their summary does not show yet (each claimed as the route claims it,
 * so one instance does it, once), a page of each a round. Each page starts where the last round's left off, back to the oldest once it ran out: links Slack keeps
 * refusing (a workspace paylink lost access to, a channel's keys revoked) do not fill every page and hold back those
 * after them. Resolves with how many replies were posted. Without `stopping` and `memory`, a round on its own.
 */
export async function deliverUnpostedReplies(
  ctx: StatusUpdateContext,
  stopping: () => boolean = () => false,
  memory: StatusRoundMemory = statusRoundMemory(),
): Promise<number> {
  await recordLateWrites(ctx);
  const { pages, reported } = memory;
  const staleBefore = new Date(ctx.clock().getTime() - ctx.replyClaimTimeoutMs);
  const page = (after: RoundCursor | undefined) => ({ limit: PENDING_REPLIES_BATCH, ...(after ? { after } : {}) });
  const replies = await ctx.ledger.linksWithUnpostedReplies(staleBefore, page(pages.replies));
  const statusLines = await ctx.ledger.linksWithStatusLineBehind(staleBefore, page(pages.statusLines));
  const expiries = await ctx.ledger.linksWithExpiryUnshown(ctx.clock(), staleBefore, page(pages.expiries));
  memory.pages = { replies: replies.next, statusLines: statusLines.next, expiries: expiries.next };
  const linkIds = new Set([...replies.ids, ...statusLines.ids, ...expiries.ids]);
  let posted = 0;
  const seen = new Set<string>();
  const lookedAt = new Set<string>();
  for (const linkId of linkIds) {
    if (stopping()) break;
    lookedAt.add(linkId);
    const outcome = await deliverStatusUpdates(ctx, linkId);
    if (outcome.kind === 'posted') posted += outcome.replies;
    else reportNotPosted(ctx, reported, seen, linkId, outcome);
  }
  // A reason no longer met by the links looked at is forgotten: should it come back, it is said again. One about a link
  // on another page is kept until its page comes round (or for the hour it would be kept anyway).
  const now = ctx.clock().getTime();
  for (const [key, { at, link }] of reported) {
    const looked = link === undefined ? lookedAt.size > 0 : lookedAt.has(link);
    if (!seen.has(key) && (looked || now - at >= NOT_POSTED_REPEAT_MS)) reported.delete(key);
  }
  return posted;
}

/** The key of a thread reply posted whose record the ledger refused, in `unrecordedWrites`. */
const unrecordedReply = (dedupeKey: string) => `reply:${dedupeKey}`;
/** The key of a link given to its rep whose record the ledger refused, in `unrecordedWrites`. */
export const unrecordedDelivery = (linkId: string) => `delivery:${linkId}`;
/**
 * The key of a refusal or an outage told to its rep whose record the ledger refused, in `unrecordedWrites`: its own, not
 * unrecordedDelivery's, which a confirmation of that link (an outage SAFEDEBIT reported on) keeps its summary's place by.
 */
export const unrecordedRepTold = (linkId: string) => `told:${linkId}`;
/** The key of SAFEDEBIT's answer (a link, a refusal, an outage) whose record the ledger refused, in `unrecordedWrites`. */
export const unrecordedOutcome = (linkId: string) => `outcome:${linkId}`;

/**
 * Records what the ledger refused to record until now (see `unrecordedWrites`); a write it still refuses stays for the
 * next try. At shutdown (`lastTry`), those left are logged: once their claim is stale or their delay past, another
 * instance may act again (post the reply, DM the link or the refusal, take the link for an interrupted one).
 */
export async function recordLateWrites(
  ctx: Pick<StatusUpdateContext, 'logger' | 'unrecordedWrites'>,
  lastTry = false,
): Promise<void> {
  for (const [key, write] of ctx.unrecordedWrites) {
    try {
      await write.record();
      // Kept again meanwhile (a flow's later write of the same link), it waits for the next round.
      if (ctx.unrecordedWrites.get(key) === write) ctx.unrecordedWrites.delete(key);
      ctx.logger.info({ event: 'recorded_late', write: key });
    } catch (error) {
      // A ledger closed by the stop fails a write with no code.
      if (lastTry) ctx.logger.error({ event: 'record_lost', write: key, error: errorCodeOrMessage(error) });
    }
  }
}

/**
 * A ledger call that failed. Told apart from Slack's failures by where it happened rather than by its code:
 * a database out of reach and Slack out of reach both say ECONNREFUSED.
 */
class LedgerFailure extends Error {
  readonly code: string;
  constructor(cause: unknown) {
    super('ledger call failed', { cause });
    this.code = errorCodeOrMessage(cause);
  }
}

/** What `call` gives, or a LedgerFailure if it failed. */
function fromLedger<T>(call: Promise<T>): Promise<T> {
  return call.catch((error: unknown) => {
    throw new LedgerFailure(error);
  });
}

/**
 * Rewrites the summary's status line until it shows the link's current status, or that it expired unpaid (no call when
 * it already does). One instance at a time, under a claim in the ledger, reads the status, writes Slack and records
 * what it wrote; one that finds the claim taken leaves it to its holder, who reads the link again once done.
 */
async function updateStatusLine(
  ctx: StatusUpdateContext,
  linkId: string,
  place: { channel: string; ts: string },
): Promise<void> {
  for (let round = 0; round < MAX_STATUS_LINE_ROUNDS; round += 1) {
    const before = await fromLedger(ctx.ledger.findLink(linkId));
    if (!before || !lineDue(ctx, before)) return;
    const claimedAt = ctx.clock();
    const staleBefore = new Date(claimedAt.getTime() - ctx.replyClaimTimeoutMs);
    if (!(await fromLedger(ctx.ledger.claimStatusLine(linkId, claimedAt, staleBefore)))) return;
    try {
      const link = await fromLedger(ctx.ledger.findLink(linkId));
      const due = link && lineDue(ctx, link);
      if (!link || !due) return;
      const { line, shown } = due;
      try {
        await ctx.slack.chat.update({
          channel: place.channel,
          ts: place.ts,
          ...summaryStatusUpdate(linkSummaryOf(ctx, link), line),
        });
      } catch (error) {
        // A summary that can never be rewritten (deleted, its conversation gone) is not tried again by every round.
        if (UNDELIVERABLE_ERRORS.has(slackErrorCode(error))) {
          await fromLedger(ctx.ledger.recordSummaryStatus(linkId, shown));
        }
        throw error;
      }
      await fromLedger(ctx.ledger.recordSummaryStatus(linkId, shown));
    } finally {
      await fromLedger(ctx.ledger.releaseStatusLine(linkId, claimedAt));
    }
  }
}

/** What a link's summary shows, read from its ledger row. */
export type SummarySource = Pick<
  LinkRecord,
  | 'sandbox'
  | 'link'
  | 'amount_cents'
  | 'payment_reference'
  | 'payment_type'
  | 'customer'
  | 'masked_email'
  | 'masked_phone'
  | 'sms_option'
  | 'email_option'
  | 'user_id'
  | 'expires_at'
>;

/** The summary of a link as the ledger has it (or is about to): what its message in Slack shows. */
export function linkSummaryOf(ctx: Pick<StatusUpdateContext, 'config' | 'timeZone'>, link: SummarySource): LinkSummary {
  const { locale } = ctx.config;
  return {
    locale,
    sandbox: madeBySandbox(link),
    amountCents: link.amount_cents,
    paymentReference: link.payment_reference,
    paymentType: link.payment_type,
    ...(link.customer === null ? {} : { customer: link.customer }),
    maskedEmail: link.masked_email,
    maskedPhone: link.masked_phone,
    deliveries: deliveriesOf(link.sms_option, link.email_option),
    user: link.user_id,
    ...(link.expires_at === null ? {} : { expires: dateTimeShown(new Date(link.expires_at), locale, ctx.timeZone) }),
  };
}

/**
 * The line the link's summary is to show when it shows another: its furthest-along status, or, with none past its
 * expiry, that it expired unpaid; with what `summary_status` records for it.
 */
function lineDue(ctx: StatusUpdateContext, link: LinkRecord): { line: LinkStatus; shown: string } | undefined {
  const payment = paymentStatusLine(link, ctx.config.locale, ctx.timeZone);
  if (payment && link.payment_status !== null) {
    return link.payment_status === link.summary_status ? undefined : { line: payment, shown: link.payment_status };
  }
  if (!hasExpired(link, ctx.clock()) || link.summary_status === EXPIRY_SHOWN) return undefined;
  return { line: expiredStatusLine(new Date(link.expires_at), ctx.config.locale, ctx.timeZone), shown: EXPIRY_SHOWN };
}

function repOf(link: LinkRecord) {
  return { amountCents: link.amount_cents, user: link.user_id, paymentType: link.payment_type };
}
