import { randomBytes } from 'node:crypto';
import {
  type CompiledQuery,
  type Expression,
  type ExpressionBuilder,
  type Insertable,
  type Kysely,
  type NotNull,
  type Selectable,
  type SqlBool,
  sql,
  type Updateable,
} from 'kysely';
import { DECIDED_RANKS, RANKS_OF_KIND } from '../domain/link-standing.js';
import { classifyStatus, statusProgress } from '../domain/payment-status.js';
import type { PaymentType } from '../domain/payment-type.js';
import { SANDBOX_LINK_ADDRESS } from '../domain/sandbox-link.js';
import { GroupCommit } from './group-commit.js';
import {
  AWAITING_PAYMENT_CONDITION,
  AWAITS_PAYMENT_UNTIL,
  BEFORE_SETTLEMENT_RANK_EARLIER,
  DUE_REMINDER_CONDITION,
  EXPIRY_UNSHOWN_CONDITION,
  PAID_CONDITION,
  PAID_SINCE_OF_PAID,
  RANKED_BEFORE_SETTLEMENT_LATER,
  REPORTED_UNANSWERED_CONDITION,
  STATUS_LINE_BEHIND_CONDITION,
  UNANNOUNCED_CONDITION,
} from './migrations.js';
import { prepareQuery, type SlotFor } from './prepared.js';
import { referenceKey } from './reference-key.js';
import {
  type LedgerDatabase,
  type LinkState,
  type LinksTable,
  type NotificationsTable,
  UNANSWERED_STATES,
} from './schema.js';

export type LinkRecord = Selectable<LinksTable>;
export type NotificationRecord = Selectable<NotificationsTable>;
/** A link whose address SAFEDEBIT gave. */
export type LinkWithAddress = LinkRecord & { link: string };

/** REJECTED's and CANCELED's rank (below SETTLED: in SEPA both come before settlement). */
const BEFORE_SETTLEMENT_RANK = statusProgress(classifyStatus('REJECTED'));

/** What is known of a link when the rep's submission is accepted, before SAFEDEBIT is asked. */
export interface NewLink {
  submissionKey: string;
  createdAt: Date;
  teamId?: string;
  userId: string;
  originChannel: string;
  originThreadTs?: string;
  amountCents: number;
  currency: string;
  paymentReference: string;
  consumerReference: string;
  customer?: string;
  maskedEmail: string;
  maskedPhone: string;
  /** 1 when SAFEDEBIT sends the link by SMS / email, as on the wire. */
  smsOption: 0 | 1;
  emailOption: 0 | 1;
  paymentType: PaymentType;
  /** When the link stops working, from the duration sent to SAFEDEBIT for it; none when its unit is undeclared. */
  expiresAt?: Date;
}

/** A new link's row as claimSubmission writes it: the columns known before SAFEDEBIT is asked. */
export type NewLinkRow = Required<
  Pick<
    Insertable<LinksTable>,
    | 'id'
    | 'submission_key'
    | 'created_at'
    | 'team_id'
    | 'user_id'
    | 'origin_channel'
    | 'origin_thread_ts'
    | 'amount_cents'
    | 'currency'
    | 'payment_reference'
    | 'reference_key'
    | 'consumer_reference'
    | 'customer'
    | 'masked_email'
    | 'masked_phone'
    | 'sms_option'
    | 'email_option'
    | 'payment_type'
    | 'sandbox'
    | 'expires_at'
  >
>;

/**
 * The row claimSubmission stores for `link` under `id`: also what the link's summary shows when it is first posted, so
 * that it says what App Home, `/paylink status` and the export will read back.
 */
export function newLinkRow(link: NewLink, id: string, sandbox: 0 | 1): NewLinkRow {
  return {
    id,
    submission_key: link.submissionKey,
    created_at: link.createdAt.toISOString(),
    team_id: link.teamId ?? null,
    user_id: link.userId,
    origin_channel: link.originChannel,
    origin_thread_ts: link.originThreadTs ?? null,
    amount_cents: link.amountCents,
    currency: link.currency,
    payment_reference: link.paymentReference,
    reference_key: referenceKey(link.paymentReference),
    consumer_reference: link.consumerReference,
    customer: link.customer ?? null,
    masked_email: link.maskedEmail,
    masked_phone: link.maskedPhone,
    sms_option: link.smsOption,
    email_option: link.emailOption,
    payment_type: link.paymentType,
    sandbox,
    expires_at: link.expiresAt?.toISOString() ?? null,
  };
}

/** A link's payment status as the ledger has it, and when it came: both null before any notification. */
export type ReportedStatus = Pick<LinksTable, 'payment_status' | 'payment_status_at'>;

/** A refusal's detail is SAFEDEBIT's code (null when it gave only a message); an outage's, its kind. */
export type LinkOutcomeRecord =
  | { state: 'created'; link: string }
  /**
   * `repTold` false: the rep has not been told yet, which a round does (claimUntoldOutcomes) should the flow stop before
   * it tells them and records so (recordRepTold).
   */
  | { state: 'refused' | 'outage'; detail: string | null; repTold?: boolean };

export interface SummaryPlace {
  channel: string;
  ts: string;
  threadTs: string;
}

export interface NewNotification {
  linkId: string;
  dedupeKey: string;
  status: string;
  /** How far along the payment this status is: a lower rank never replaces a higher one. */
  rank: number;
  paymentId?: string;
  receivedAt: Date;
}

/**
 * A new link's id: 16 random bytes, base64url. The first byte's top bit is cleared, so that no id starts with `-` or
 * `_` (1 in 32 would): the export would have to write one starting with `-` as `'-…` for a spreadsheet not to take it
 * for a formula, and finance could no longer find it in the logs. 127 random bits still name a link uniquely.
 */
export function newLinkId(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('base64url');
}

/**
 * The link ledger: one row per link and one per notification received, on SQLite or PostgreSQL alike.
 * Whatever must happen once (a SAFEDEBIT call per submission, a thread reply per notification) is claimed
 * here with a unique key or a conditional update, so it holds across instances and restarts.
 */
export class Ledger {
  /** 1 when this instance runs the sandbox: the `sandbox` of the links it makes, and the kind it lists. */
  readonly #sandbox: 0 | 1;
  readonly #insertLink;
  readonly #recordCreated;
  readonly #recordFailure;
  readonly #recordSummary;

  /**
   * `sandbox`: this instance runs the built-in sandbox; its lists, totals, rounds and export hold only sandbox links,
   * and a live instance's only live ones, so that trial links never count as real ones on a ledger gone live.
   */
  constructor(
    readonly db: Kysely<LedgerDatabase>,
    options: { sandbox?: boolean; groupCommits?: boolean } = {},
  ) {
    this.#sandbox = options.sandbox ? 1 : 0;
    const groupCommit = options.groupCommits ? new GroupCommit(db) : undefined;
    const write = groupCommit && (<Row>(query: CompiledQuery<Row>) => groupCommit.run(query));
    this.#insertLink = prepareQuery(
      db,
      (slot: SlotFor<NewLinkRow>) =>
        db
          .insertInto('links')
          .values({
            id: slot('id'),
            submission_key: slot('submission_key'),
            created_at: slot('created_at'),
            team_id: slot('team_id'),
            user_id: slot('user_id'),
            origin_channel: slot('origin_channel'),
            origin_thread_ts: slot('origin_thread_ts'),
            summary_channel: null,
            summary_ts: null,
            thread_ts: null,
            amount_cents: slot('amount_cents'),
            currency: slot('currency'),
            payment_reference: slot('payment_reference'),
            reference_key: slot('reference_key'),
            consumer_reference: slot('consumer_reference'),
            customer: slot('customer'),
            masked_email: slot('masked_email'),
            masked_phone: slot('masked_phone'),
            sms_option: slot('sms_option'),
            email_option: slot('email_option'),
            payment_type: slot('payment_type'),
            sandbox: slot('sandbox'),
            expires_at: slot('expires_at'),
            link: null,
            state: 'requested' satisfies LinkState,
            state_detail: null,
            payment_status: null,
            payment_status_rank: null,
            payment_status_at: null,
            summary_status: null,
          })
          .onConflict((conflict) => conflict.column('submission_key').doNothing())
          .returning('id'),
      write,
    );
    this.#recordCreated = prepareQuery(
      db,
      (slot: SlotFor<{ id: string; link: string }>) =>
        db
          .updateTable('links')
          // Until the rep has it: a flow that stops before then leaves it for the round that announces it late in the
          // rep's DM. Written late (tried again beside the flow's Slack calls, or kept and played by a round), it finds
          // the summary's place recorded, or the link already made (sent privately, or confirmed by a notification),
          // whose mark says whether the rep has it.
          .set({
            state: 'created' satisfies LinkState,
            link: slot('link'),
            undelivered_to_rep: sql<number>`case when summary_ts is null and state <> 'created' then 1 else undelivered_to_rep end`,
          })
          .where('id', '=', slot('id'))
          .returning(['payment_status', 'payment_status_at']),
      write,
    );
    this.#recordFailure = prepareQuery(
      db,
      (slot: SlotFor<{ id: string; state: 'refused' | 'outage'; detail: string | null; untold: number }>) =>
        db
          .updateTable('links')
          .set({ state: slot('state'), state_detail: slot('detail'), undelivered_to_rep: slot('untold') })
          .where('id', '=', slot('id'))
          // Recorded late (kept through an outage), it may find the link taken since for an interrupted one by
          // another instance, which it corrects, or confirmed by a notification, which it must not undo.
          .where('state', 'in', ['requested', 'interrupted'] satisfies LinkState[])
          .returning(['payment_status', 'payment_status_at']),
      write,
    );
    this.#recordSummary = prepareQuery(
      db,
      (
        slot: SlotFor<{
          id: string;
          channel: string;
          ts: string;
          threadTs: string;
          shownStatus: string | null;
          link: string | null;
          undelivered: number;
        }>,
      ) =>
        db
          .updateTable('links')
          .set({
            summary_channel: slot('channel'),
            summary_ts: slot('ts'),
            thread_ts: slot('threadTs'),
            summary_status: slot('shownStatus'),
            state: 'created' satisfies LinkState,
            link: sql<string | null>`coalesce(link, ${slot('link')})`,
            // The summary is where the rep asked, its link in the thread (or sent privately when that post failed);
            // unless neither reached the rep, whose link a round then gives late (SUMMARY_WITHOUT_LINK).
            undelivered_to_rep: slot('undelivered'),
          })
          .where('id', '=', slot('id'))
          .returning('payment_status'),
      write,
    );
  }

  /**
   * Records a new link in state `requested` and returns its id, or undefined when this submission was
   * already claimed (Slack delivered it twice, or to two instances): then there is nothing left to do.
   */
  async claimSubmission(link: NewLink): Promise<string | undefined> {
    const [inserted] = await this.#insertLink(newLinkRow(link, newLinkId(), this.#sandbox));
    return inserted?.id;
  }

  /**
   * What SAFEDEBIT answered: the link, or why there is none. Returns the link's payment status as it
   * stands, with when it came (a notification may already have come), read in the same statement.
   */
  async recordOutcome(id: string, outcome: LinkOutcomeRecord): Promise<ReportedStatus> {
    const [row] =
      outcome.state === 'created'
        ? await this.#recordCreated({ id, link: outcome.link })
        : await this.#recordFailure({
            id,
            state: outcome.state,
            detail: outcome.detail,
            untold: outcome.repTold === false ? 1 : 0,
          });
    return { payment_status: row?.payment_status ?? null, payment_status_at: row?.payment_status_at ?? null };
  }

  /**
   * Where the summary was posted, and which status its line shows. Returns the link's payment status as it
   * stands once the summary is known: null means no notification has arrived yet, since a link's first
   * notification sets it in the transaction that keeps it (and any later one finds the summary).
   * A summary is posted only for a link that exists: the link is `created` with its address (null when unknown),
   * even if recording SAFEDEBIT's answer failed before. `repHasLink` false: the summary is posted but its link reached
   * the rep nowhere (its reply, the private fallback and the modal all failed), for a round to give it late.
   */
  async recordSummary(
    id: string,
    place: SummaryPlace,
    shownStatus: string | null,
    link: string | null,
    repHasLink = true,
  ): Promise<string | null> {
    const [row] = await this.#recordSummary({
      id,
      ...place,
      shownStatus,
      link,
      undelivered: repHasLink ? 0 : SUMMARY_WITHOUT_LINK,
    });
    return row?.payment_status ?? null;
  }

  /** The rep was told of a refusal or an outage recorded with `repTold` false: no round tells them again. */
  async recordRepTold(id: string): Promise<void> {
    await this.db
      .updateTable('links')
      .set({ undelivered_to_rep: 0 })
      .where('id', '=', id)
      .where('state', 'in', UNTOLD_STATES)
      .execute();
  }

  /**
   * The link reached the rep privately (its summary could not be posted): it is recorded `created` with its address,
   * even if recording SAFEDEBIT's answer failed before, and is not sent to them again.
   */
  async recordSentPrivately(id: string, link: string): Promise<void> {
    await this.db
      .updateTable('links')
      .set({
        state: 'created' satisfies LinkState,
        link: sql<string>`coalesce(link, ${link})`,
        undelivered_to_rep: 0,
      })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Claims the right to rewrite the link's status line: two instances writing it at once could leave Slack showing
   * the lesser status while the ledger records the other. A claim older than `staleBefore` may be taken over.
   */
  async claimStatusLine(id: string, now: Date, staleBefore: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('links')
      .set({ status_line_claimed_at: now.toISOString() })
      .where('id', '=', id)
      .where(unclaimedOrStale('status_line_claimed_at', staleBefore))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Ends the claim made at `claimedAt`; one another instance took over since stays its own. */
  async releaseStatusLine(id: string, claimedAt: Date): Promise<void> {
    await this.db
      .updateTable('links')
      .set({ status_line_claimed_at: null })
      .where('id', '=', id)
      .where('status_line_claimed_at', '=', claimedAt.toISOString())
      .execute();
  }

  async recordSummaryStatus(id: string, shownStatus: string): Promise<void> {
    await this.db.updateTable('links').set({ summary_status: shownStatus }).where('id', '=', id).execute();
  }

  async findLink(id: string): Promise<LinkRecord | undefined> {
    return this.db.selectFrom('links').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The link a submission claimed, by its submission key. */
  async findLinkOfSubmission(submissionKey: string): Promise<LinkRecord | undefined> {
    return this.db.selectFrom('links').selectAll().where('submission_key', '=', submissionKey).executeTakeFirst();
  }

  /**
   * Whether a submission whose key starts with `keyPrefix` (another submission from one modal) was claimed after
   * `createdAt`.
   */
  async submittedAgain(keyPrefix: string, createdAt: string): Promise<boolean> {
    // Compared for equality, not as a range: a database's collation may order `:` and what follows as it likes.
    const later = await this.db
      .selectFrom('links')
      .select('id')
      .where('created_at', '>', createdAt)
      .where(sql<string>`substr(submission_key, 1, ${keyPrefix.length})`, '=', keyPrefix)
      .limit(1)
      .executeTakeFirst();
    return later !== undefined;
  }

  /**
   * Keeps a notification (a repeat is recognised by its key and changes nothing) and, when it is new and at
   * least as far along as the link's current status (and not that very status), makes it the link's status. True when
   * it was new.
   */
  async recordNotification(notification: NewNotification): Promise<boolean> {
    const receivedAt = notification.receivedAt.toISOString();
    return this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('notifications')
        .values({
          dedupe_key: notification.dedupeKey,
          link_id: notification.linkId,
          received_at: receivedAt,
          status: notification.status,
          payment_id: notification.paymentId ?? null,
          reply_claimed_at: null,
          replied_at: null,
        })
        .onConflict((conflict) => conflict.column('dedupe_key').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      await trx
        .updateTable('links')
        .set({
          payment_status: notification.status,
          payment_status_rank: notification.rank,
          payment_status_at: receivedAt,
          paid_at: RANKS_OF_KIND.paid.includes(notification.rank)
            ? sql<string>`coalesce(${PAID_SINCE}, ${receivedAt})`
            : null,
        })
        .where('id', '=', notification.linkId)
        .where((eb) =>
          eb.or([
            eb('payment_status_rank', 'is', null),
            eb('payment_status_rank', '<', notification.rank),
            // The same status again (another payment's) leaves it as it was, since when it was first reported.
            eb.and([
              eb('payment_status_rank', '=', notification.rank),
              eb('payment_status', '<>', notification.status),
            ]),
            // A REJECTED or CANCELED ranked 50 by an instance of a release before, still running during a rolling
            // upgrade (today's, ranked 30, is above: the same status again keeps its time).
            ...(notification.rank >= BEFORE_SETTLEMENT_RANK
              ? [
                  eb.and([
                    eb('payment_status_rank', '=', BEFORE_SETTLEMENT_RANK_EARLIER),
                    eb(sql<string>`upper(payment_status)`, 'in', RANKED_BEFORE_SETTLEMENT_LATER),
                  ]),
                ]
              : []),
          ]),
        )
        .execute();
      return true;
    });
  }

  /** The link's notifications whose thread reply has not been posted yet, oldest first, as notificationsOf orders them. */
  async unrepliedNotifications(linkId: string): Promise<NotificationRecord[]> {
    return this.db
      .selectFrom('notifications')
      .selectAll()
      .where('link_id', '=', linkId)
      .where('replied_at', 'is', null)
      .orderBy('received_at')
      .orderBy('dedupe_key')
      .execute();
  }

  /**
   * A page of up to `page.limit` links whose summary is posted and that have a notification with no thread reply yet
   * and no live claim on it (none, or one made before `staleBefore`): Slack did not take the reply, and nothing may
   * bring the notification again. The links with the oldest such notifications first, from after `page.after`.
   */
  async linksWithUnpostedReplies(staleBefore: Date, page: RoundPageAsked): Promise<RoundPage> {
    const oldest = sql<string>`min(notifications.received_at)`;
    const rows = await this.db
      .selectFrom('notifications')
      .innerJoin('links', 'links.id', 'notifications.link_id')
      .select(['notifications.link_id as id', oldest.as('key')])
      .where('notifications.replied_at', 'is', null)
      .where(unclaimedOrStale('notifications.reply_claimed_at', staleBefore))
      .where('links.summary_ts', 'is not', null)
      .groupBy('notifications.link_id')
      .$if(page.after !== undefined, (query) =>
        query.having((eb) => after(eb, oldest, eb.ref('notifications.link_id'), page.after as RoundCursor)),
      )
      .orderBy(oldest)
      .orderBy('notifications.link_id')
      .limit(page.limit)
      .execute();
    return roundPage(rows, page.limit);
  }

  /**
   * A page of up to `page.limit` links whose summary's status line shows less than their furthest-along status, with
   * no live claim on the line: its chat.update failed, and SAFEDEBIT may send nothing more that would rewrite it.
   * Oldest status first, from after `page.after`.
   */
  async linksWithStatusLineBehind(staleBefore: Date, page: RoundPageAsked): Promise<RoundPage> {
    // Written as the partial index links_status_line_behind is, so that SQLite's planner uses it.
    return this.#linksPage('payment_status_at', [STATUS_LINE_BEHIND], staleBefore, page);
  }

  /**
   * A page of up to `page.limit` links past their expiry by `now` with no status, whose summary's status line still
   * says they await payment, with no live claim on the line: the status round rewrites it once. Earliest expiry first,
   * from after `page.after`.
   */
  async linksWithExpiryUnshown(now: Date, staleBefore: Date, page: RoundPageAsked): Promise<RoundPage> {
    // Written as the partial index links_expiry_unshown is, so that SQLite's planner uses it.
    const expired: LinkCondition = (eb) => eb('expires_at', '<=', now.toISOString());
    return this.#linksPage('expires_at', [EXPIRY_UNSHOWN, expired], staleBefore, page);
  }

  /** A round's page of the links meeting `conditions` whose status line no live claim holds, in the order of `key`. */
  async #linksPage(
    key: 'payment_status_at' | 'expires_at',
    conditions: readonly (LinkCondition | Expression<SqlBool>)[],
    staleBefore: Date,
    page: RoundPageAsked,
  ): Promise<RoundPage> {
    const keyValue = sql<string>`${sql.ref(key)}`;
    const rows = await conditions
      .reduce(
        (query, condition) => query.where(condition),
        this.db.selectFrom('links').select(['id', keyValue.as('key')]),
      )
      .where(unclaimedOrStale('status_line_claimed_at', staleBefore))
      .$if(page.after !== undefined, (query) =>
        query.where((eb) => after(eb, keyValue, eb.ref('id'), page.after as RoundCursor)),
      )
      .orderBy(key)
      .orderBy('id')
      .limit(page.limit)
      .execute();
    return roundPage(rows, page.limit);
  }

  /**
   * Claims the right to post a notification's thread reply. Only one claimant wins; a claim older than
   * `staleBefore` (its instance died mid-post) may be taken over.
   */
  async claimReply(dedupeKey: string, now: Date, staleBefore: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('notifications')
      .set({ reply_claimed_at: now.toISOString() })
      .where('dedupe_key', '=', dedupeKey)
      .where('replied_at', 'is', null)
      .where(unclaimedOrStale('reply_claimed_at', staleBefore))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** The reply was posted, or can never be (the conversation is gone): no one posts it again. */
  async markReplied(dedupeKey: string, at: Date): Promise<void> {
    await this.db
      .updateTable('notifications')
      .set({ replied_at: at.toISOString() })
      .where('dedupe_key', '=', dedupeKey)
      .execute();
  }

  /**
   * Slack could not take the reply now: the next delivery of the notification may try again. Only the claim made at
   * `claimedAt` is released: one another instance took over since stays its own.
   */
  async releaseReply(dedupeKey: string, claimedAt: Date): Promise<void> {
    await this.db
      .updateTable('notifications')
      .set({ reply_claimed_at: null })
      .where('dedupe_key', '=', dedupeKey)
      .where('replied_at', 'is', null)
      .where('reply_claimed_at', '=', claimedAt.toISOString())
      .execute();
  }

  /**
   * The latest links that exist (SAFEDEBIT made them), newest first, or the earliest with `oldestFirst`: one rep's, or
   * the whole team's without `userId`; `awaiting` keeps those still awaiting payment at `now`, `paid` those paid.
   */
  async latestLinks(options: LatestLinksFilter & { limit: number; oldestFirst?: boolean }): Promise<LinkRecord[]> {
    const order = options.oldestFirst ? 'asc' : 'desc';
    return this.db
      .selectFrom('links')
      .selectAll()
      .where(this.#latestLinks(options))
      .orderBy('created_at', order)
      .orderBy('id', order)
      .limit(options.limit)
      .execute();
  }

  /** How many links latestLinks finds with no limit: a rep's through links_by_rep. */
  async countLatestLinks(options: LatestLinksFilter): Promise<number> {
    return this.#countLinks(this.#latestLinks(options));
  }

  #latestLinks({ userId, only, now }: LatestLinksFilter): LinkCondition {
    return (eb) =>
      eb.and([
        eb('state', '=', 'created' satisfies LinkState),
        this.#ofThisKind(eb),
        ...(userId !== undefined ? [eb('user_id', '=', userId)] : []),
        ...(only === 'awaiting' ? [this.#awaitingPayment(now)(eb)] : []),
        ...(only === 'paid' ? [eb('payment_status_rank', 'in', RANKS_OF_KIND.paid)] : []),
      ]);
  }

  async #countLinks(condition: LinkCondition): Promise<number> {
    const row = await this.db
      .selectFrom('links')
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .where(condition)
      .executeTakeFirstOrThrow();
    // PostgreSQL's COUNT is a bigint, which node-pg reads as a string.
    return Number(row.count);
  }

  /**
   * How many links (one rep's, or the team's) await payment at `now` and for how much, and how many were paid between
   * `paidFrom` (included) and `paidUntil` (excluded), by the date their paid standing began (`paid_at`, or, written by
   * a release before it, the paid status's date: PAID_SINCE); the multiple payments begun then apart (LinkTotals).
   */
  async totals(options: { userId?: string; paidFrom: Date; paidUntil: Date; now: Date }): Promise<LinkTotals> {
    /** The links `only` holds, those for a multiple payment apart from the others. */
    const total = async (only: LinkCondition): Promise<{ multiPay: Tally; others: Tally }> => {
      const rows = await this.db
        .selectFrom('links')
        .select((eb) => [
          'payment_type',
          eb.fn.countAll<number>().as('count'),
          eb.fn.sum<number | string | null>('amount_cents').as('cents'),
        ])
        .$if(options.userId !== undefined, (query) => query.where('user_id', '=', options.userId ?? ''))
        .where(this.#ofThisKind)
        .where(only)
        .groupBy('payment_type')
        .execute();
      const tally = (multiPay: boolean) =>
        rows
          .filter((row) => (row.payment_type === 'multi') === multiPay)
          // PostgreSQL's COUNT is a bigint and its SUM of a bigint a numeric, which node-pg reads as strings.
          .reduce((sum, row) => addTallies(sum, { count: Number(row.count), cents: Number(row.cents ?? 0) }), NO_LINKS);
      return { multiPay: tally(true), others: tally(false) };
    };
    const paidFrom = options.paidFrom.toISOString();
    const paidUntil = options.paidUntil.toISOString();
    const awaiting = this.#awaitingPayment(options.now);
    // Each also says what its condition implies in the words of its index (links_awaiting_payment, links_paid_since),
    // which is what the planners need to use it: without them, every link ever made was read, twice a draw of App Home.
    const [awaitingTotal, paidTotal] = await Promise.all([
      total((eb) => eb.and([awaiting(eb), AWAITING_PAYMENT, eb(AWAITS_UNTIL, '>', options.now.toISOString())])),
      total((eb) =>
        eb.and([
          eb('state', '=', 'created' satisfies LinkState),
          eb('payment_status_rank', 'in', RANKS_OF_KIND.paid),
          eb(PAID_SINCE, '>=', paidFrom),
          eb(PAID_SINCE, '<', paidUntil),
          PAID,
          eb(PAID_SINCE_OF_PAID_LINK, '>=', paidFrom),
          eb(PAID_SINCE_OF_PAID_LINK, '<', paidUntil),
        ]),
      ),
    ]);
    return {
      awaiting: addTallies(awaitingTotal.multiPay, awaitingTotal.others),
      paid: paidTotal.others,
      multiPayBegun: paidTotal.multiPay,
    };
  }

  /**
   * The links (whatever became of them) with this payment reference, case aside; one rep's with `userId`. Those
   * SAFEDEBIT made come first, then newest first: a reference paid, then tried again and refused, still shows its link.
   */
  async linksWithReference(
    paymentReference: string,
    options: ReferenceFilter & { limit: number },
  ): Promise<LinkRecord[]> {
    return this.db
      .selectFrom('links')
      .selectAll()
      .where(this.#withReference(paymentReference, options))
      .orderBy((eb) => eb.case().when('state', '=', 'created').then(0).else(1).end())
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(options.limit)
      .execute();
  }

  /** How many links linksWithReference finds with no limit, through the reference's index. */
  async countLinksWithReference(paymentReference: string, options: ReferenceFilter = {}): Promise<number> {
    return this.#countLinks(this.#withReference(paymentReference, options));
  }

  #withReference(paymentReference: string, { userId, states }: ReferenceFilter): LinkCondition {
    return (eb) =>
      eb.and([
        eb.or([
          eb('reference_key', '=', referenceKey(paymentReference)),
          // Written by an instance of a release before reference_key, still running during a rolling upgrade.
          eb.and([
            eb('reference_key', 'is', null),
            eb(eb.fn('lower', ['payment_reference']), '=', eb.fn('lower', [eb.val(paymentReference)])),
          ]),
        ]),
        this.#ofThisKind(eb),
        ...(userId !== undefined ? [eb('user_id', '=', userId)] : []),
        ...(states !== undefined ? [eb('state', 'in', [...states])] : []),
      ]);
  }

  /** Every notification of a link, oldest first: its history. */
  async notificationsOf(linkId: string): Promise<NotificationRecord[]> {
    return this.db
      .selectFrom('notifications')
      .selectAll()
      .where('link_id', '=', linkId)
      .orderBy('received_at')
      .orderBy('dedupe_key')
      .execute();
  }

  /**
   * Every link of this instance's kind (whatever became of it) created between `from` (included) and `until`
   * (excluded), oldest first.
   */
  async linksCreatedBetween(from: Date, until: Date): Promise<LinkRecord[]> {
    return this.db
      .selectFrom('links')
      .selectAll()
      .where('created_at', '>=', from.toISOString())
      .where('created_at', '<', until.toISOString())
      .where(this.#ofThisKind)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  /** Keeps the thread's permalink, so Slack is asked for it once per link. */
  async recordPermalink(id: string, permalink: string): Promise<void> {
    await this.db.updateTable('links').set({ summary_permalink: permalink }).where('id', '=', id).execute();
  }

  /**
   * Claims up to `limit` links created at or before `createdUpTo` that still await payment at `now`, were given to
   * their rep and were never reminded: each is returned to one claimant only, whichever instance asks and however
   * often, since the update sets `reminded_at` only where it is still unset (PostgreSQL checks that again on a row
   * another transaction just claimed; SQLite runs one writer at a time).
   */
  async claimDueReminders(createdUpTo: Date, now: Date, limit: number): Promise<LinkRecord[]> {
    const awaiting = this.#awaitingPayment(now);
    const due = (eb: ExpressionBuilder<LedgerDatabase, 'links'>) =>
      eb.and([
        DUE_REMINDER,
        eb('created_at', '<=', createdUpTo.toISOString()),
        awaiting(eb),
        this.#ofThisKind(eb),
        // A link not yet given to its rep waits for the round that gives it, so that the reminder does not come first.
        eb('undelivered_to_rep', '=', 0),
      ]);
    return this.#claimLinks(due, 'created_at', { reminded_at: now.toISOString() }, limit).execute();
  }

  /** Slack certainly did not take the reminder: the next round may send it. */
  async releaseReminder(id: string, claimedAt: Date): Promise<void> {
    await this.db
      .updateTable('links')
      .set({ reminded_at: null })
      .where('id', '=', id)
      .where('reminded_at', '=', claimedAt.toISOString())
      .execute();
  }

  /**
   * Claims up to `limit` links still `requested` with no summary (SAFEDEBIT's answer never recorded) that were
   * claimed at or before `window.upTo`, and not before `window.from` when given: the instance asking SAFEDEBIT
   * stopped. Each becomes `interrupted` and is returned to one claimant only, as claimDueReminders does. Links in
   * `skip` are left alone.
   */
  async claimInterruptedLinks(
    window: { from?: Date; upTo: Date },
    limit: number,
    skip: readonly string[] = [],
  ): Promise<LinkRecord[]> {
    const abandoned = (eb: ExpressionBuilder<LedgerDatabase, 'links'>) =>
      eb.and([
        eb('state', '=', 'requested' satisfies LinkState),
        eb('summary_ts', 'is', null),
        eb('created_at', '<=', window.upTo.toISOString()),
        this.#ofThisKind(eb),
        ...inWindow(eb, window, skip),
      ]);
    return this.#claimLinks(abandoned, 'created_at', { state: 'interrupted' satisfies LinkState }, limit).execute();
  }

  /** Slack certainly did not take the rep's notice of an interrupted link: a later round may claim it again. */
  async releaseInterruptedLink(id: string): Promise<void> {
    await this.db
      .updateTable('links')
      .set({ state: 'requested' satisfies LinkState })
      .where('id', '=', id)
      .where('state', '=', 'interrupted' satisfies LinkState)
      .execute();
  }

  /**
   * Claims up to `limit` links SAFEDEBIT made whose rep was never given them (the instance recording the link stopped
   * before its summary was posted or the link sent privately; with `summaryPosted`, the summary was posted but the link
   * reached the rep nowhere), claimed at or before `window.upTo`, and not before
   * `window.from` when given. Each is returned to one claimant only, as claimDueReminders does, and counts as given.
   * Links in `skip` are left alone.
   */
  async claimUndeliveredLinks(
    window: { from?: Date; upTo: Date },
    limit: number,
    skip: readonly string[] = [],
    summaryPosted = false,
  ): Promise<LinkWithAddress[]> {
    const undelivered = (eb: ExpressionBuilder<LedgerDatabase, 'links'>) =>
      eb.and([
        eb('undelivered_to_rep', '=', summaryPosted ? SUMMARY_WITHOUT_LINK : 1),
        eb('state', '=', 'created' satisfies LinkState),
        eb('link', 'is not', null),
        eb('created_at', '<=', window.upTo.toISOString()),
        this.#ofThisKind(eb),
        ...inWindow(eb, window, skip),
      ]);
    return this.#claimLinks(undelivered, 'created_at', { undelivered_to_rep: 0 }, limit)
      .$narrowType<{ link: NotNull }>()
      .execute();
  }

  /**
   * Claims up to `limit` refusals and outages whose rep was never told of them (the instance recording them stopped
   * before it told the rep: the modal left on "creating…"), claimed at or before `window.upTo`, and not before
   * `window.from` when given. Each is returned to one claimant only, as claimDueReminders does, and counts as told;
   * releaseUndeliveredLink gives one back. Links in `skip` are left alone.
   */
  async claimUntoldOutcomes(
    window: { from?: Date; upTo: Date },
    limit: number,
    skip: readonly string[] = [],
  ): Promise<LinkRecord[]> {
    const untold = (eb: ExpressionBuilder<LedgerDatabase, 'links'>) =>
      eb.and([
        eb('undelivered_to_rep', '=', 1),
        eb('state', 'in', UNTOLD_STATES),
        eb('created_at', '<=', window.upTo.toISOString()),
        this.#ofThisKind(eb),
        ...inWindow(eb, window, skip),
      ]);
    return this.#claimLinks(untold, 'created_at', { undelivered_to_rep: 0 }, limit).execute();
  }

  /**
   * Slack certainly did not take what a round sent to give a link late in the rep's DM: its summary (see
   * claimUndeliveredLinks and claimUnannouncedLinks), or, with `summaryPosted` where the rep asked (see recordSummary's
   * `repHasLink`), the link by itself; or to tell a refusal or an outage late (claimUntoldOutcomes). A later round may
   * claim it again, its summary still as it was when claimed.
   */
  async releaseUndeliveredLink(id: string, summaryPosted = false): Promise<void> {
    await this.db
      .updateTable('links')
      .set({ undelivered_to_rep: summaryPosted ? SUMMARY_WITHOUT_LINK : 1 })
      .where('id', '=', id)
      .where('undelivered_to_rep', '=', 0)
      .where('summary_ts', summaryPosted ? 'is not' : 'is', null)
      .execute();
  }

  /**
   * SAFEDEBIT sent a notification for a link whose answer paylink never had (`interrupted`: paylink stopped while
   * asking; `outage`: the answer was lost or unreadable), so the link exists: it becomes `created`, with its former
   * state as its detail since its address never arrived. Returns the link to one claimant only (the one that posts
   * its summary), undefined to any other caller and for a link in any other state. Until its summary's place is
   * recorded, it counts as not given to its rep, confirmed at `now`: should the claimant stop first, a later round
   * announces it in the rep's DM (claimUnannouncedLinks).
   */
  async confirmUnansweredLink(id: string, now: Date): Promise<LinkRecord | undefined> {
    return this.db
      .updateTable('links')
      .set({
        state: 'created' satisfies LinkState,
        state_detail: sql<string>`state`,
        confirmed_at: now.toISOString(),
        undelivered_to_rep: 1,
      })
      .where('id', '=', id)
      .where('state', 'in', UNANSWERED_STATES)
      .returningAll()
      .executeTakeFirst();
  }

  /**
   * Puts back a confirmation whose summary Slack surely did not post (it was out of reach, say), as the link was
   * before it (`before`, read ahead of the confirmation), for a later notification or round to confirm it again.
   */
  async unconfirmLink(id: string, before: Pick<LinkRecord, 'state' | 'state_detail'>): Promise<void> {
    await this.db
      .updateTable('links')
      .set({ state: before.state, state_detail: before.state_detail, confirmed_at: null, undelivered_to_rep: 0 })
      .where('id', '=', id)
      .where('state', '=', 'created' satisfies LinkState)
      .where('state_detail', '=', before.state)
      .where('summary_ts', 'is', null)
      .execute();
  }

  /**
   * A confirmed link whose summary Slack may have posted (a timeout) or refused for good: its rep is not DMd about it
   * later, which would say paylink stopped while announcing it.
   */
  async forgoLateDelivery(id: string): Promise<void> {
    await this.db.updateTable('links').set({ undelivered_to_rep: 0 }).where('id', '=', id).execute();
  }

  /**
   * Claims up to `limit` links a notification confirmed at or before `confirmedUpTo` whose rep was never given them
   * (the instance announcing the link stopped before its summary's place was recorded), oldest confirmation first.
   * Each is returned to one claimant only, as claimDueReminders does, and counts as given. Links in `skip` are left
   * alone. No window on `created_at`: a link may be confirmed hours after it was asked for.
   */
  async claimUnannouncedLinks(confirmedUpTo: Date, limit: number, skip: readonly string[] = []): Promise<LinkRecord[]> {
    const unannounced = (eb: ExpressionBuilder<LedgerDatabase, 'links'>) =>
      eb.and([
        // Written as the partial index links_unannounced is, so that SQLite's planner uses it.
        UNANNOUNCED,
        eb('confirmed_at', '<=', confirmedUpTo.toISOString()),
        this.#ofThisKind(eb),
        ...inWindow(eb, {}, skip),
      ]);
    return this.#claimLinks(unannounced, 'confirmed_at', { undelivered_to_rep: 0 }, limit).execute();
  }

  /**
   * Links whose answer never reached paylink (`interrupted`, `outage`) although SAFEDEBIT has reported on them: each
   * was to be confirmed when its notification came, but its summary could not be posted then. Oldest first.
   */
  async reportedUnansweredLinks(limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('links')
      .select('id')
      .where(REPORTED_UNANSWERED)
      .where(this.#ofThisKind)
      .orderBy('created_at')
      .limit(limit)
      .execute();
    return rows.map((row) => row.id);
  }

  /**
   * Claims up to `limit` links that meet `which`, the oldest by `oldestFirst` first, by setting `claim` on them in one
   * statement that checks `which` again on each row it updates: a link another instance claimed at the same moment no
   * longer meets it (PostgreSQL checks a row another transaction just updated again; SQLite runs one writer at a time),
   * so each link goes to one claimant only. `which` is to stop holding once `claim` is set.
   */
  #claimLinks(
    which: LinkCondition,
    oldestFirst: 'created_at' | 'confirmed_at',
    claim: Updateable<LinksTable>,
    limit: number,
  ) {
    return this.db
      .updateTable('links')
      .set(claim)
      .where('id', 'in', (eb) => eb.selectFrom('links').select('id').where(which).orderBy(oldestFirst).limit(limit))
      .where(which)
      .returningAll();
  }

  /**
   * A link SAFEDEBIT made whose furthest status (if any) decides nothing yet (no paid, failed or refunded status), and
   * which, with no status at all, has not expired by `now` (its stored expiry, if any, still ahead): hasExpired
   * (link-standing) says the same in code.
   */
  #awaitingPayment(now: Date): LinkCondition {
    return (eb) =>
      eb.and([
        eb('state', '=', 'created' satisfies LinkState),
        eb.or([
          eb.and([
            eb('payment_status_rank', 'is', null),
            eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now.toISOString())]),
          ]),
          eb('payment_status_rank', 'not in', DECIDED_RANKS),
        ]),
      ]);
  }

  /**
   * A link of this instance's kind: made by the sandbox when it runs the sandbox, live when it is live. A trial link is
   * one marked so, or one whose address is the sandbox's payment page, which a sandbox instance of a release before the
   * mark writes unmarked (madeBySandbox says the same in code).
   */
  readonly #ofThisKind: LinkCondition = (eb) => {
    const trial = eb.or([
      eb('sandbox', '=', 1),
      eb(eb.fn.coalesce('link', eb.val('')), 'like', `%${SANDBOX_LINK_ADDRESS}%`),
    ]);
    return this.#sandbox === 1 ? trial : eb.not(trial);
  };

  /** The rep opened paylink's App Home: from now on it is kept up to date for them. */
  async recordHomeOpened(userId: string, at: Date): Promise<void> {
    await this.db
      .insertInto('home_views')
      .values({ user_id: userId, opened_at: at.toISOString() })
      .onConflict((conflict) => conflict.column('user_id').doUpdateSet({ opened_at: at.toISOString() }))
      .execute();
  }

  /** Which of these users ever opened paylink's App Home. */
  async homeViewers(userIds: readonly string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('home_views')
      .select('user_id')
      .where('user_id', 'in', [...userIds])
      .execute();
    return rows.map((row) => row.user_id);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

/** How many links, for how much in all. */
export interface Tally {
  count: number;
  cents: number;
}

const NO_LINKS: Tally = { count: 0, cents: 0 };

function addTallies(a: Tally, b: Tally): Tally {
  return { count: a.count + b.count, cents: a.cents + b.cents };
}

export interface LinkTotals {
  awaiting: Tally;
  /** Links paid in the period, their whole amount: every payment type but the multiple payment. */
  paid: Tally;
  /**
   * `multi_pay` links whose first part was paid in the period, and the amounts they are for: the customer pays them
   * in parts whose amounts no notification gives, so no more than their count is known to be paid.
   */
  multiPayBegun: Tally;
}

/** The links whose summary's status line is behind their furthest-along status (see linksWithStatusLineBehind). */
const STATUS_LINE_BEHIND = sql<boolean>`${sql.raw(STATUS_LINE_BEHIND_CONDITION)}`;

/** The links whose status line does not show their expiry yet (see linksWithExpiryUnshown). */
const EXPIRY_UNSHOWN = sql<boolean>`${sql.raw(EXPIRY_UNSHOWN_CONDITION)}`;

/** The links a reminder may still be due for (see claimDueReminders). */
const DUE_REMINDER = sql<boolean>`${sql.raw(DUE_REMINDER_CONDITION)}`;

/** The links that may await payment: those #awaitingPayment keeps and those that expired unpaid (see totals). */
const AWAITING_PAYMENT = sql<boolean>`${sql.raw(AWAITING_PAYMENT_CONDITION)}`;

/** Until when a link that may await payment awaits it (see totals). */
const AWAITS_UNTIL = sql<string>`${sql.raw(AWAITS_PAYMENT_UNTIL)}`;

/** The paid links (see totals). */
const PAID = sql<boolean>`${sql.raw(PAID_CONDITION)}`;

/** PAID_SINCE of a paid link, as the index of paid links holds it (see totals). */
const PAID_SINCE_OF_PAID_LINK = sql<string | null>`${sql.raw(PAID_SINCE_OF_PAID)}`;

/** The links SAFEDEBIT reported on whose answer never reached paylink (see reportedUnansweredLinks). */
const REPORTED_UNANSWERED = sql<boolean>`${sql.raw(REPORTED_UNANSWERED_CONDITION)}`;

/** The confirmed links whose rep was not given them yet (see claimUnannouncedLinks). */
const UNANNOUNCED = sql<boolean>`${sql.raw(UNANNOUNCED_CONDITION)}`;
/**
 * `undelivered_to_rep` of a link whose summary was posted where the rep asked but which itself reached them nowhere:
 * not 1, which an instance of the release before, during a rolling upgrade, would take for a link with no summary, and
 * announce again in the rep's DM, moving its summary there.
 */
const SUMMARY_WITHOUT_LINK = 2;
/** The states of a request SAFEDEBIT made no link for, as far as paylink knows, whose rep may not have been told. */
const UNTOLD_STATES: LinkState[] = ['refused', 'outage'];

/** A claim (`column` holds when it was made) no one holds, or one made before `staleBefore` by an instance that never finished. */
function unclaimedOrStale(column: string, staleBefore: Date) {
  return sql<boolean>`(${sql.ref(column)} is null or ${sql.ref(column)} < ${staleBefore.toISOString()})`;
}

/**
 * When a link's paid standing began: `paid_at`, or for a payment recorded by an instance of a release before it (still
 * running during a rolling upgrade), the time of its paid status, as the migration that added it dated them. Null for
 * a link not paid.
 */
const PAID_SINCE = sql<string | null>`coalesce(paid_at, case when payment_status_rank in (${sql.join(
  RANKS_OF_KIND.paid,
)}) then payment_status_at end)`;

/** The rounds' further conditions: claimed not before `window.from` when given, and not one of `skip`. */
function inWindow(
  eb: ExpressionBuilder<LedgerDatabase, 'links'>,
  window: { from?: Date },
  skip: readonly string[],
): Expression<SqlBool>[] {
  return [
    ...(window.from === undefined ? [] : [eb('created_at', '>=', window.from.toISOString())]),
    ...(skip.length === 0 ? [] : [eb('id', 'not in', skip)]),
  ];
}

/**
 * Where a round's page of links left off: the order key (a time) and id of its last link. The next page starts after
 * it, so that links Slack keeps refusing do not fill every round's page and hold back those after them.
 */
export interface RoundCursor {
  key: string;
  id: string;
}

/** A page of a round's links asked for: up to `limit` of them, after `after` (from the first without). */
export interface RoundPageAsked {
  limit: number;
  after?: RoundCursor;
}

/** A page of a round's links, and where the next one starts: undefined when this one was the last. */
export interface RoundPage {
  ids: string[];
  next?: RoundCursor;
}

function roundPage(rows: readonly { id: string; key: string }[], limit: number): RoundPage {
  const last = rows.at(-1);
  return { ids: rows.map((row) => row.id), ...(rows.length < limit || !last ? {} : { next: last }) };
}

/** A row ordered by (`key`, `id`) after `cursor`. */
function after(
  eb: ExpressionBuilder<LedgerDatabase, 'links' | 'notifications'>,
  key: Expression<string>,
  id: Expression<string>,
  cursor: RoundCursor,
): Expression<SqlBool> {
  return eb.or([eb(key, '>', cursor.key), eb.and([eb(key, '=', cursor.key), eb(id, '>', cursor.id)])]);
}

/** Which links latestLinks finds: one rep's with `userId`, those awaiting payment at `now` or paid with `only`. */
interface LatestLinksFilter {
  userId?: string;
  only?: 'awaiting' | 'paid';
  now: Date;
}

/** Which links with a reference linksWithReference finds: one rep's with `userId`, in these `states` only. */
interface ReferenceFilter {
  userId?: string;
  states?: readonly LinkState[];
}

/** A condition on a link's row, as Kysely's `where` takes it. */
type LinkCondition = (eb: ExpressionBuilder<LedgerDatabase, 'links'>) => Expression<SqlBool>;
