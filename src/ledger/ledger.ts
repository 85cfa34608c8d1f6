import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { PaymentType } from '../domain/payment-type.js';
import type { LedgerDatabase, LinkState, LinksTable, NotificationsTable } from './schema.js';

export type LinkRecord = Selectable<LinksTable>;
export type NotificationRecord = Selectable<NotificationsTable>;

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
}

/** A refusal's detail is SAFEDEBIT's code (null when it gave only a message); an outage's, its kind. */
export type LinkOutcomeRecord =
  | { state: 'created'; link: string }
  | { state: 'refused' | 'outage'; detail: string | null };

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
 * The link ledger: one row per link and one per notification received, on SQLite or PostgreSQL alike.
 * Whatever must happen once (a SAFEDEBIT call per submission, a thread reply per notification) is claimed
 * here with a unique key or a conditional update, so it holds across instances and restarts.
 */
export class Ledger {
  constructor(readonly db: Kysely<LedgerDatabase>) {}

  /**
   * Records a new link in state `requested` and returns its id, or undefined when this submission was
   * already claimed (Slack delivered it twice, or to two instances): then there is nothing left to do.
   */
  async claimSubmission(link: NewLink): Promise<string | undefined> {
    const inserted = await this.db
      .insertInto('links')
      .values({
        id: randomBytes(16).toString('base64url'),
        submission_key: link.submissionKey,
        created_at: link.createdAt.toISOString(),
        team_id: link.teamId ?? null,
        user_id: link.userId,
        origin_channel: link.originChannel,
        origin_thread_ts: link.originThreadTs ?? null,
        summary_channel: null,
        summary_ts: null,
        thread_ts: null,
        amount_cents: link.amountCents,
        currency: link.currency,
        payment_reference: link.paymentReference,
        consumer_reference: link.consumerReference,
        customer: link.customer ?? null,
        masked_email: link.maskedEmail,
        masked_phone: link.maskedPhone,
        sms_option: link.smsOption,
        email_option: link.emailOption,
        payment_type: link.paymentType,
        link: null,
        state: 'requested' satisfies LinkState,
        state_detail: null,
        payment_status: null,
        payment_status_rank: null,
        payment_status_at: null,
        summary_status: null,
      })
      .onConflict((conflict) => conflict.column('submission_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted?.id;
  }

  /**
   * What SAFEDEBIT answered: the link, or why there is none. Returns the link's payment status as it
   * stands (a notification may already have come), read in the same statement.
   */
  async recordOutcome(id: string, outcome: LinkOutcomeRecord): Promise<string | null> {
    const row = await this.db
      .updateTable('links')
      .set(
        outcome.state === 'created'
          ? { state: outcome.state, link: outcome.link }
          : { state: outcome.state, state_detail: outcome.detail },
      )
      .where('id', '=', id)
      .returning('payment_status')
      .executeTakeFirst();
    return row?.payment_status ?? null;
  }

  /**
   * Where the summary was posted, and which status its line shows. Returns the link's payment status as it
   * stands once the summary is known: null means no notification has arrived yet, since a link's first
   * notification sets it in the transaction that keeps it (and any later one finds the summary).
   */
  async recordSummary(id: string, place: SummaryPlace, shownStatus: string | null): Promise<string | null> {
    const row = await this.db
      .updateTable('links')
      .set({
        summary_channel: place.channel,
        summary_ts: place.ts,
        thread_ts: place.threadTs,
        summary_status: shownStatus,
      })
      .where('id', '=', id)
      .returning('payment_status')
      .executeTakeFirst();
    return row?.payment_status ?? null;
  }

  async recordSummaryStatus(id: string, shownStatus: string): Promise<void> {
    await this.db.updateTable('links').set({ summary_status: shownStatus }).where('id', '=', id).execute();
  }

  async findLink(id: string): Promise<LinkRecord | undefined> {
    return this.db.selectFrom('links').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Keeps a notification (a repeat is recognised by its key and changes nothing) and, when it is new and at
   * least as far along as the link's current status, makes it the link's status. True when it was new.
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
        })
        .where('id', '=', notification.linkId)
        .where((eb) =>
          eb.or([eb('payment_status_rank', 'is', null), eb('payment_status_rank', '<=', notification.rank)]),
        )
        .execute();
      return true;
    });
  }

  /** The link's notifications whose thread reply has not been posted yet, oldest first. */
  async unrepliedNotifications(linkId: string): Promise<NotificationRecord[]> {
    return this.db
      .selectFrom('notifications')
      .selectAll()
      .where('link_id', '=', linkId)
      .where('replied_at', 'is', null)
      .orderBy('received_at')
      .execute();
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
      .where((eb) =>
        eb.or([eb('reply_claimed_at', 'is', null), eb('reply_claimed_at', '<', staleBefore.toISOString())]),
      )
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

  /** Slack could not take the reply now: the next delivery of the notification may try again. */
  async releaseReply(dedupeKey: string): Promise<void> {
    await this.db
      .updateTable('notifications')
      .set({ reply_claimed_at: null })
      .where('dedupe_key', '=', dedupeKey)
      .where('replied_at', 'is', null)
      .execute();
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
