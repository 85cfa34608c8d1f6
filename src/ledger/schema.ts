import type { ColumnType } from 'kysely';
import type { PaymentType } from '../domain/payment-type.js';

/**
 * The ledger's tables, as Kysely sees them. Times are ISO 8601 strings in UTC (`2026-11-27T05:28:51.123Z`):
 * the same text on both engines, and in that form text order is time order.
 */
export interface LedgerDatabase {
  links: LinksTable;
  notifications: NotificationsTable;
  home_views: HomeViewsTable;
}

/**
 * What became of the request to SAFEDEBIT. `interrupted`: the instance asking stopped before SAFEDEBIT's answer
 * was recorded (a crash, a kill), so whether the link exists is unknown; its rep was told. A notification for it
 * later shows that it exists: it becomes `created`.
 */
const LINK_STATES = ['requested', 'created', 'refused', 'outage', 'interrupted'] as const;
export type LinkState = (typeof LINK_STATES)[number];

/** The states of a link whose answer paylink never had (stopped while asking, or lost): a notification confirms it. */
export const UNANSWERED_STATES: readonly LinkState[] = ['interrupted', 'outage'];

/**
 * `summary_status` of a link whose status line says it expired unpaid. Empty, which no status can be (an empty status
 * is no status, see parseNotification), so that any status SAFEDEBIT sends later differs from it and is shown.
 */
export const EXPIRY_SHOWN = '';

export interface LinksTable {
  /** 16 random bytes, base64url: the callback token names it. */
  id: string;
  /** One row per view submission, however often Slack delivers it, to however many instances. */
  submission_key: string;
  created_at: string;
  team_id: string | null;
  /** The rep who asked for the link. */
  user_id: string;
  /** Where the rep asked (the command's conversation, or the thread of a message shortcut). */
  origin_channel: string;
  origin_thread_ts: string | null;
  /** Where the summary was posted, once it was: the rep's conversation, or a DM from paylink. */
  summary_channel: string | null;
  summary_ts: string | null;
  /** The thread the link and its status replies went to. */
  thread_ts: string | null;
  amount_cents: number;
  currency: string;
  payment_reference: string;
  /** The payment reference as `/paylink status` looks it up, whatever its case (see referenceKey). */
  reference_key: string;
  consumer_reference: string;
  /** The customer's name, or company name. */
  customer: string | null;
  /** Masked as channels show them: the full email and phone number are never stored. */
  masked_email: string;
  masked_phone: string;
  sms_option: number;
  email_option: number;
  /** `now`, `multi` or `later`: which of SAFEDEBIT's pay_now / multi_pay / pay_later was sent. */
  payment_type: PaymentType;
  link: string | null;
  state: LinkState;
  /**
   * The refusal's code, or the outage's kind; for a created link, `interrupted` when paylink stopped before
   * SAFEDEBIT's answer and learned that the link exists from a notification (its address is unknown).
   */
  state_detail: string | null;
  /** The furthest-along status SAFEDEBIT reported, its rank, and when it arrived. */
  payment_status: string | null;
  payment_status_rank: number | null;
  payment_status_at: string | null;
  /**
   * The status the summary's status line shows now (or could never be rewritten to), so a repeat does not rewrite it;
   * EXPIRY_SHOWN when it shows the link expired unpaid.
   */
  summary_status: string | null;
  /** Set by the instance rewriting the status line, so that two never do at once (a stale claim may be taken over). */
  status_line_claimed_at: string | null;
  /**
   * The thread's permalink, asked of Slack once (App Home, lists, reminders) and kept: it never changes. Empty when Slack
   * said the summary is gone (deleted, its conversation closed to paylink): none will ever be had.
   */
  summary_permalink: string | null;
  /** When the instance that sent the rep's reminder claimed it: set once, so one DM per link. */
  reminded_at: string | null;
  /**
   * When the link's paid standing began: its first paid status since it last had a status of another kind. Another
   * paid status later (CREDITED after SETTLED, an instalment) keeps it, so a payment counts in one month only.
   */
  paid_at: string | null;
  /**
   * 1 for a link made by paylink's built-in sandbox (no SAFEDEBIT credentials), 0 for a real one: an instance sees only
   * the links of its own kind, so that trial links never count once the same ledger goes live. A number, as
   * `sms_option`: SQLite has no boolean type. Defaults to 0, what an instance of a release before writes.
   */
  sandbox: ColumnType<number, number | undefined, number>;
  /**
   * 1 from when SAFEDEBIT's link is recorded, or a notification confirms a link whose answer never came, until the rep
   * has it (its summary's place recorded, or the link sent to them privately): a link still 1 long after its flow must
   * have ended was left by an instance that stopped, and its rep gets it by DM. 2 when its summary was posted but the
   * link itself reached the rep nowhere (the link then comes by itself in their DM). 1 too for a refusal or an outage
   * recorded and not yet told to the rep. 0 otherwise, and by default, as an instance of a release before writes it.
   */
  undelivered_to_rep: ColumnType<number, number | undefined, number>;
  /**
   * When the link stops working, as it was claimed: its creation plus the `link_duration` sent for it, when its unit
   * was declared. Null when none is known (no unit declared, or written by a release before): the link never expires.
   * Kept, not worked out from today's setting, which may have changed since the link was sent.
   */
  expires_at: string | null;
  /**
   * When a notification confirmed the link (see UNANSWERED_STATES), as the instance announcing it claimed it: the round
   * that DMs a link never given to its rep goes by it, since the link may have been asked for hours before. Null for
   * any other link, and for those confirmed by a release before.
   */
  confirmed_at: string | null;
}

export interface NotificationsTable {
  /** The link, the status and the payment id, hashed: a repeat has the same key. */
  dedupe_key: string;
  link_id: string;
  received_at: string;
  status: string;
  payment_id: string | null;
  /** Set by the instance posting the thread reply; a stale claim (a crash mid-post) may be taken over. */
  reply_claimed_at: string | null;
  replied_at: string | null;
}

/** Reps who opened paylink's App Home: theirs is published again when one of their links changes. */
export interface HomeViewsTable {
  user_id: string;
  /** The last time they opened it. */
  opened_at: string;
}
