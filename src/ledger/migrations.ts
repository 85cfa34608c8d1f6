import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';
import { SANDBOX_PAY_PATH } from '../constants.js';
import { RANKS_OF_KIND } from '../domain/link-standing.js';
import { classifyStatus, statusProgress } from '../domain/payment-status.js';
import { referenceKey } from './reference-key.js';

/** The ranks of paid statuses when `paid_at` came (SETTLED, CREDITED, GUARANTEED, INDEMNIZED), as they were then. */
const PAID_RANKS_AT_MIGRATION = [40, 45, 55];
/**
 * REJECTED's and CANCELED's rank before SEPA's order was followed (both come before settlement); migrations 07 and 15
 * rank them BEFORE_SETTLEMENT_RANK, as statusProgress does now.
 */
export const BEFORE_SETTLEMENT_RANK_EARLIER = 50;
const BEFORE_SETTLEMENT_RANK = 30;
/** How the statuses ranked BEFORE_SETTLEMENT_RANK_EARLIER until then were written, upper-cased (an alias included). */
export const RANKED_BEFORE_SETTLEMENT_LATER = ['REJECTED', 'CANCELED', 'CANCELLED'] as const;

/**
 * The ledger's migrations, in order. They are in the code (not files beside it) so the build carries them;
 * a released migration is never edited, only followed by a new one.
 */
/**
 * A link whose summary's status line shows less than its furthest-along status. Fixed, as the index made of it is:
 * the ledger's query repeats it word for word, which is what SQLite's planner needs to use a partial index.
 */
export const STATUS_LINE_BEHIND_CONDITION =
  'payment_status is not null and summary_ts is not null and (summary_status is null or summary_status <> payment_status)';

/**
 * A link with an expiry, whose summary's status line still says it awaits payment: no status, nothing else shown. Fixed
 * for its index as STATUS_LINE_BEHIND_CONDITION is; the links past their expiry among them have a line to rewrite.
 */
export const EXPIRY_UNSHOWN_CONDITION =
  'expires_at is not null and payment_status is null and summary_ts is not null and summary_status is null';

/**
 * The ranks of the statuses after which a link no longer awaits payment (paid, failed, refunded) when the reminder
 * index was narrowed to the links still awaiting it; DECIDED_RANKS is tested to be the same.
 */
export const DECIDED_RANKS_AT_MIGRATION = [30, 40, 45, 50, 55, 60, 65, 70] as const;

/**
 * A link the reminder round may still have to remind of: not reminded, made, no status yet or one that decides nothing.
 * Fixed for its index as STATUS_LINE_BEHIND_CONDITION is. A link paid before its reminder leaves the index.
 */
export const DUE_REMINDER_CONDITION = `reminded_at is null and state = 'created' and (payment_status_rank is null or payment_status_rank not in (${DECIDED_RANKS_AT_MIGRATION.join(', ')}))`;

/**
 * A link whose answer never reached paylink (UNANSWERED_STATES) that SAFEDEBIT reported on: the interrupted-links round
 * confirms it. Fixed for its index as STATUS_LINE_BEHIND_CONDITION is.
 */
export const REPORTED_UNANSWERED_CONDITION = "state in ('interrupted', 'outage') and payment_status is not null";

/**
 * A link SAFEDEBIT reported on whose answer never reached paylink (no address), confirmed, that its rep was not given
 * yet: the summary's place is not recorded. Fixed for its index as STATUS_LINE_BEHIND_CONDITION is. Every other link
 * marked 1 has its address, or no confirmation (a refusal or an outage not told to its rep yet).
 */
export const UNANNOUNCED_CONDITION = 'undelivered_to_rep = 1 and link is null';

/**
 * A link that may await payment: made, with no status or one that decides nothing. Fixed for its index as
 * STATUS_LINE_BEHIND_CONDITION is. The links with no status past their expiry stay in it for good (the clock passes an
 * expiry, no write does): the index grows with the links that expired unpaid, far fewer all the same than every link
 * ever made, and the totals read past them (AWAITS_PAYMENT_UNTIL).
 */
export const AWAITING_PAYMENT_CONDITION = `state = 'created' and (payment_status_rank is null or payment_status_rank not in (${DECIDED_RANKS_AT_MIGRATION.join(', ')}))`;

/**
 * Until when a link that may await payment (AWAITING_PAYMENT_CONDITION) awaits it: its expiry when it has no status,
 * for ever (a date later than any now) when its expiry is unknown or its status decides nothing yet. Such a link
 * awaits payment at `now` exactly when this is after `now`: the totals say so too, so that the index holding it skips
 * the links that expired unpaid.
 */
export const AWAITS_PAYMENT_UNTIL =
  "coalesce(case when payment_status_rank is null then expires_at end, '9999-12-31T23:59:59.999Z')";

/** The ranks of paid statuses when the paid links' index came; RANKS_OF_KIND.paid is tested to be the same. */
export const PAID_RANKS_AT_TOTALS_INDEXES = [40, 45, 55] as const;

/** A paid link. Fixed for its index as STATUS_LINE_BEHIND_CONDITION is. */
export const PAID_CONDITION = `state = 'created' and payment_status_rank in (${PAID_RANKS_AT_TOTALS_INDEXES.join(', ')})`;

/**
 * When a paid link's paid standing began: PAID_SINCE (ledger) for a link whose rank is a paid one, written so that an
 * index holds it. Not payment_status_at alone: a later paid status may be dated before paid_at (two instances' clocks,
 * or a notification's time read before another's commit).
 */
export const PAID_SINCE_OF_PAID = 'coalesce(paid_at, payment_status_at)';

const MIGRATIONS: Record<string, Migration> = {
  '2026-11-27-01-links-and-notifications': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('links')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('submission_key', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('team_id', 'text')
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('origin_channel', 'text', (c) => c.notNull())
        .addColumn('origin_thread_ts', 'text')
        .addColumn('summary_channel', 'text')
        .addColumn('summary_ts', 'text')
        .addColumn('thread_ts', 'text')
        .addColumn('amount_cents', 'bigint', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('payment_reference', 'text', (c) => c.notNull())
        .addColumn('consumer_reference', 'text', (c) => c.notNull())
        .addColumn('customer', 'text')
        .addColumn('masked_email', 'text', (c) => c.notNull())
        .addColumn('masked_phone', 'text', (c) => c.notNull())
        .addColumn('sms_option', 'integer', (c) => c.notNull())
        .addColumn('email_option', 'integer', (c) => c.notNull())
        .addColumn('payment_type', 'text', (c) => c.notNull())
        .addColumn('link', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('state_detail', 'text')
        .addColumn('payment_status', 'text')
        .addColumn('payment_status_rank', 'integer')
        .addColumn('payment_status_at', 'text')
        .addColumn('summary_status', 'text')
        .execute();
      await db.schema.createIndex('links_by_rep').on('links').columns(['user_id', 'created_at']).execute();
      await db.schema.createIndex('links_by_date').on('links').column('created_at').execute();
      await db.schema
        .createTable('notifications')
        .addColumn('dedupe_key', 'text', (c) => c.primaryKey())
        .addColumn('link_id', 'text', (c) => c.notNull().references('links.id'))
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('payment_id', 'text')
        .addColumn('reply_claimed_at', 'text')
        .addColumn('replied_at', 'text')
        .execute();
      await db.schema
        .createIndex('notifications_by_link')
        .on('notifications')
        .columns(['link_id', 'received_at'])
        .execute();
    },
  },
  '2026-11-27-02-reminders-and-home': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('links').addColumn('summary_permalink', 'text').execute();
      await db.schema.alterTable('links').addColumn('reminded_at', 'text').execute();
      // `/paylink status <reference>` finds a link whatever the case the rep types it in.
      await db.schema.createIndex('links_by_reference').on('links').expression(sql`lower(payment_reference)`).execute();
      // The reminder timer's query: only links not reminded yet, so it stays small however old the ledger.
      await db.schema
        .createIndex('links_awaiting_reminder')
        .on('links')
        .column('created_at')
        .where(sql<boolean>`reminded_at is null and state = 'created'`)
        .execute();
      await db.schema
        .createTable('home_views')
        .addColumn('user_id', 'text', (c) => c.primaryKey())
        .addColumn('opened_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '2026-11-27-03-paid-at': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('links').addColumn('paid_at', 'text').execute();
      // Links paid before: the date of their paid status, the best known.
      await sql`update links set paid_at = payment_status_at where payment_status_rank in (${sql.join(
        PAID_RANKS_AT_MIGRATION,
      )})`.execute(db);
    },
  },
  '2026-11-27-04-status-delivery': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('links').addColumn('status_line_claimed_at', 'text').execute();
      // The status round's query: only notifications whose reply is not posted, however old the ledger.
      await db.schema
        .createIndex('notifications_unreplied')
        .on('notifications')
        .column('received_at')
        .where(sql<boolean>`replied_at is null`)
        .execute();
    },
  },
  '2026-11-27-05-reference-key': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('links').addColumn('reference_key', 'text').execute();
      const links = db as Kysely<{ links: { id: string; payment_reference: string; reference_key: string | null } }>;
      for (const { id, payment_reference } of await links
        .selectFrom('links')
        .select(['id', 'payment_reference'])
        .execute()) {
        await links
          .updateTable('links')
          .set({ reference_key: referenceKey(payment_reference) })
          .where('id', '=', id)
          .execute();
      }
      await db.schema.dropIndex('links_by_reference').execute();
      await db.schema.createIndex('links_by_reference_key').on('links').column('reference_key').execute();
    },
  },
  '2026-11-27-06-status-line-behind': {
    async up(db: Kysely<unknown>) {
      // The status round's other query: only links whose status line is behind, however old the ledger.
      await db.schema
        .createIndex('links_status_line_behind')
        .on('links')
        .column('payment_status_at')
        .where(sql.raw<boolean>(STATUS_LINE_BEHIND_CONDITION))
        .execute();
    },
  },
  '2026-11-27-07-rejected-before-settled': {
    async up(db: Kysely<unknown>) {
      // REJECTED ranked 50, above SETTLED, until SEPA's order was followed (a reject comes before settlement).
      await sql`update links set payment_status_rank = ${BEFORE_SETTLEMENT_RANK}
        where payment_status_rank = ${BEFORE_SETTLEMENT_RANK_EARLIER} and upper(payment_status) = 'REJECTED'`.execute(
        db,
      );
      const rejected = await (db as StatusLedger)
        .selectFrom('links')
        .select('id')
        .where(sql<boolean>`upper(payment_status) = 'REJECTED'`)
        .execute();
      await restatusFromNotifications(db as StatusLedger, rejected);
    },
  },
  '2026-11-27-08-sandbox-links': {
    async up(db: Kysely<unknown>) {
      // An instance of the release before writes no `sandbox`: its links are live ones, which is what it runs.
      await db.schema
        .alterTable('links')
        .addColumn('sandbox', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      // Trial links made before the mark: those the sandbox made have the address of its payment page.
      await sql`update links set sandbox = 1 where link like ${`%${SANDBOX_PAY_PATH}/%`}`.execute(db);
    },
  },
  '2026-11-27-09-undelivered-links': {
    async up(db: Kysely<unknown>) {
      // Set by the release that writes it, from SAFEDEBIT's answer until the rep has the link. 0 for every link before
      // it, and for those an instance of the release before records during a rolling upgrade: none is taken for a
      // link its rep never got.
      await db.schema
        .alterTable('links')
        .addColumn('undelivered_to_rep', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  },
  '2026-11-27-10-link-expiry': {
    async up(db: Kysely<unknown>) {
      // Written when a link is claimed, from the duration sent for it. Links made before, and those an instance of the
      // release before makes during a rolling upgrade, have none: no expiry is known for them, they never expire.
      await db.schema.alterTable('links').addColumn('expires_at', 'text').execute();
      // The status round's look for status lines to mark expired: only links whose line still says awaiting payment.
      await db.schema
        .createIndex('links_expiry_unshown')
        .on('links')
        .column('expires_at')
        .where(sql.raw<boolean>(EXPIRY_UNSHOWN_CONDITION))
        .execute();
    },
  },
  '2026-11-27-11-round-indexes': {
    async up(db: Kysely<unknown>) {
      // The reminder index kept every link paid or failed before its reminder, forever: only those still due now.
      await db.schema.dropIndex('links_awaiting_reminder').execute();
      await db.schema
        .createIndex('links_due_reminder')
        .on('links')
        .column('created_at')
        .where(sql.raw<boolean>(DUE_REMINDER_CONDITION))
        .execute();
      // The interrupted-links round looks for these every minute: without an index, it read every link each time.
      await db.schema
        .createIndex('links_reported_unanswered')
        .on('links')
        .column('created_at')
        .where(sql.raw<boolean>(REPORTED_UNANSWERED_CONDITION))
        .execute();
    },
  },
  '2026-11-27-12-unreplied-notifications-by-link': {
    async up(db: Kysely<unknown>) {
      // The status round groups unreplied notifications by link: SQLite's planner read notifications_by_link, every
      // notification ever received, for that order rather than the index on received_at. This one has both.
      await db.schema
        .createIndex('notifications_unreplied_by_link')
        .on('notifications')
        .columns(['link_id', 'received_at'])
        .where(sql<boolean>`replied_at is null`)
        .execute();
      await db.schema.dropIndex('notifications_unreplied').execute();
    },
  },
  '2026-11-27-13-totals-indexes': {
    async up(db: Kysely<unknown>) {
      // App Home's totals read every link ever made, twice a draw: only those that may await payment, by the time they
      // stop awaiting it (the links that expired unpaid, most of them, are left behind)…
      await db.schema
        .createIndex('links_awaiting_payment')
        .on('links')
        .expression(sql.raw(`(${AWAITS_PAYMENT_UNTIL})`))
        .column('user_id')
        .where(sql.raw<boolean>(AWAITING_PAYMENT_CONDITION))
        .execute();
      // …and the paid ones by the date their payment began, for the month's.
      await db.schema
        .createIndex('links_paid_since')
        .on('links')
        .expression(sql.raw(`(${PAID_SINCE_OF_PAID})`))
        .column('user_id')
        .where(sql.raw<boolean>(PAID_CONDITION))
        .execute();
    },
  },
  '2026-11-28-14-unannounced-links': {
    async up(db: Kysely<unknown>) {
      // Written when a notification confirms a link, with the mark that its rep was not given it yet. None for the links
      // confirmed before, nor for those an instance of the release before confirms during a rolling upgrade: none is
      // taken for a link its rep never got (its summary may have been posted, the release before did not say).
      await db.schema.alterTable('links').addColumn('confirmed_at', 'text').execute();
      // The interrupted-links round looks for these every minute: a handful at most, among every link ever made.
      await db.schema
        .createIndex('links_unannounced')
        .on('links')
        .column('confirmed_at')
        .where(sql.raw<boolean>(UNANNOUNCED_CONDITION))
        .execute();
    },
  },
  '2026-11-29-15-canceled-before-settled': {
    async up(db: Kysely<unknown>) {
      // CANCELED ranked 50 too, above SETTLED, until 29 Nov: in SEPA a cancellation comes before settlement, as a reject.
      const cancelled = (
        await (db as StatusLedger)
          .selectFrom('links')
          .select(['id', 'payment_status'])
          .where('payment_status_rank', '=', BEFORE_SETTLEMENT_RANK_EARLIER)
          .execute()
      ).filter((link) => {
        const status = classifyStatus(link.payment_status ?? '');
        return status.known && status.status === 'CANCELED';
      });
      for (const { id } of cancelled) {
        await sql`update links set payment_status_rank = ${BEFORE_SETTLEMENT_RANK} where id = ${id}`.execute(db);
      }
      await restatusFromNotifications(db as StatusLedger, cancelled);
    },
  },
  '2026-11-29-16-reference-key-spaces': {
    async up(db: Kysely<unknown>) {
      // referenceKey writes every space as a plain one since: the keys of references pasted with no-break spaces.
      const links = db as Kysely<{ links: { id: string; payment_reference: string; reference_key: string | null } }>;
      for (const { id, payment_reference, reference_key } of await links
        .selectFrom('links')
        .select(['id', 'payment_reference', 'reference_key'])
        .execute()) {
        const key = referenceKey(payment_reference);
        if (key !== reference_key) {
          await links.updateTable('links').set({ reference_key: key }).where('id', '=', id).execute();
        }
      }
    },
  },
  '2026-11-30-17-status-accents': {
    async up(db: Kysely<unknown>) {
      // Statuses written with accents (REMBOURSÉ) or as INDEMNIFIED were unknown until 30 Nov, and never replaced a
      // known one: a link refunded with REMBOURSÉ stayed paid. The statuses of links that had one are worked out again.
      const ledger = db as StatusLedger;
      const notifications = await ledger.selectFrom('notifications').select(['link_id', 'status']).execute();
      const reread = new Set(
        notifications.filter(({ status }) => readOtherwiseSince30Nov(status)).map((n) => n.link_id),
      );
      await restatusFromNotifications(
        ledger,
        [...reread].map((id) => ({ id })),
      );
    },
  },
};

/** A status classifyStatus knows since 30 Nov only: one with a letter outside ASCII, or INDEMNIFIED. */
function readOtherwiseSince30Nov(status: string): boolean {
  const newlyKnowable = /[^\p{ASCII}]/u.test(status) || status.toUpperCase().replace(/[\s_-]+/g, '') === 'INDEMNIFIED';
  return newlyKnowable && classifyStatus(status).known;
}

/** What restatusFromNotifications reads and writes. */
type StatusLedger = Kysely<{
  links: { id: string; payment_status: string | null; payment_status_rank: number | null };
  notifications: { link_id: string; status: string; received_at: string };
}>;

/**
 * A status that came after one ranked above settlement (a SETTLED after a REJECTED) was kept but not shown: each link's
 * status is worked out again from its notifications, in the order they came, as the ledger ranks them now.
 */
async function restatusFromNotifications(db: StatusLedger, links: readonly { id: string }[]): Promise<void> {
  for (const { id } of links) {
    const notifications = await db
      .selectFrom('notifications')
      .select(['status', 'received_at'])
      .where('link_id', '=', id)
      .orderBy('received_at')
      .execute();
    let status: { status: string; rank: number; at: string; paidAt: string | null } | undefined;
    for (const n of notifications) {
      const rank = statusProgress(classifyStatus(n.status));
      // As the ledger records them: a lower rank never replaces, nor does the same status again (it keeps its time).
      if (status !== undefined && (rank < status.rank || (rank === status.rank && n.status === status.status)))
        continue;
      const paid = RANKS_OF_KIND.paid.includes(rank);
      status = {
        status: n.status,
        rank,
        at: n.received_at,
        paidAt: paid ? (status?.paidAt ?? n.received_at) : null,
      };
    }
    if (status === undefined) continue;
    await sql`update links set payment_status = ${status.status}, payment_status_rank = ${status.rank},
      payment_status_at = ${status.at}, paid_at = ${status.paidAt} where id = ${id}`.execute(db);
  }
}

export const ledgerMigrations: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
