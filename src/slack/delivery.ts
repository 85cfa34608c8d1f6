import type { Logger } from '@slack/bolt';
import { sandboxed } from '../i18n/messages.js';
import { slackErrorCode } from './errors.js';
import type { SlackMessage } from './messages/link-messages.js';
import type { ModalOrigin } from './metadata.js';
import type { ResponseUrlMessage } from './response-url.js';
import { SlackApiError, type SlackWebApi, slackMayHaveActed } from './web-api.js';

/** What posting to Slack needs: shared by the link flow and the payment notifications. */
export interface SlackDeliveryContext {
  slack: SlackWebApi;
  logger: Logger;
  sandbox: boolean;
}

/**
 * Slack errors that mean "the bot may not post there", as opposed to Slack being unwell: not a member, or the
 * conversation's posting rules leave it out (an announcement channel, a thread-only one, one without threads, a thread
 * an admin locked: a message shortcut works on messages there), or the message asked from takes no replies (a system
 * message such as someone joining: `cannot_reply_to_message`).
 */
export const CANNOT_POST_ERRORS: ReadonlySet<string> = new Set([
  'not_in_channel',
  'channel_not_found',
  'is_archived',
  'restricted_action',
  'restricted_action_read_only_channel',
  'restricted_action_thread_only_channel',
  'restricted_action_non_threadable_channel',
  'restricted_action_thread_locked',
  'cannot_reply_to_message',
]);

/** Slack's refusals of a message for its content: asked again, Slack would refuse it again. */
export const MESSAGE_REFUSED_ERRORS: ReadonlySet<string> = new Set([
  'invalid_blocks',
  'invalid_attachments',
  'msg_too_long',
  'no_text',
]);

/** Posts a message (in a thread when `threadTs` is given) and returns its ts. */
export async function postMessage(
  ctx: SlackDeliveryContext,
  channel: string,
  message: SlackMessage,
  threadTs?: string,
): Promise<string> {
  const result = await ctx.slack.chat.postMessage({
    channel,
    ...message,
    ...(threadTs ? { thread_ts: threadTs } : {}),
    unfurl_links: false,
    unfurl_media: false,
  });
  if (!result.ts) throw new Error('chat.postMessage returned no ts');
  return result.ts;
}

/** Where a message went: the conversation and its ts, the thread its replies go to, and whether a DM stood in. */
export interface PostedPlace {
  channel: string;
  ts: string;
  threadTs: string;
  inDirectMessage: boolean;
}

/**
 * Where a summary went, or, when neither the conversation nor the DM took it, the last error (logged) and whether
 * posting it again is safe and may work: Slack was out of reach or answered an HTTP error, or did not open the DM in
 * time, and surely posted nothing.
 */
export type SummaryPosting = { place: PostedPlace } | { place?: undefined; error: unknown; mayTryAgain: boolean };

/**
 * Posts a link's summary where the rep asked (in the thread of `origin.threadTs` when given), or in their DM with
 * paylink where the bot may not post. A failure is logged with `link`.
 */
export async function postSummaryWhereAsked(
  ctx: SlackDeliveryContext,
  origin: Pick<ModalOrigin, 'channel' | 'user' | 'threadTs'>,
  message: SlackMessage,
  link: string,
): Promise<SummaryPosting> {
  try {
    const ts = await postMessage(ctx, origin.channel, message, origin.threadTs);
    return { place: { channel: origin.channel, ts, threadTs: origin.threadTs ?? ts, inDirectMessage: false } };
  } catch (error) {
    if (!CANNOT_POST_ERRORS.has(slackErrorCode(error))) {
      ctx.logger.error({ event: 'slack_post_failed', step: 'summary', error: slackErrorCode(error), link });
      return { error, mayTryAgain: slackSurelyDidNotPost(error) };
    }
  }
  let posting = false;
  try {
    const dm = await directMessageChannel(ctx, origin.user);
    posting = true;
    const ts = await postMessage(ctx, dm, message);
    ctx.logger.info({ event: 'post_fallback_dm', channel: origin.channel, user: origin.user });
    return { place: { channel: dm, ts, threadTs: ts, inDirectMessage: true } };
  } catch (error) {
    ctx.logger.error({ event: 'slack_post_failed', step: 'summary_dm', error: slackErrorCode(error), link });
    return { error, mayTryAgain: mayPostAgain(error, posting) };
  }
}

/** The rep's DM with paylink. */
export async function directMessageChannel(ctx: SlackDeliveryContext, user: string): Promise<string> {
  const opened = await ctx.slack.conversations.open({ users: user });
  const id = opened.channel?.id;
  if (!id) throw new Error('conversations.open returned no channel');
  return id;
}

/**
 * Slack's refusals of a DM that are about its one recipient, whose account is gone (deactivated, deleted, or a bot)
 * or hidden from the app (`user_not_visible`: moved to another workspace of the org, an information barrier):
 * unlike a refusal of every call (a revoked token; `account_inactive`, which is about the token's own account…), they
 * say nothing of the next DM, to someone else.
 */
const RECIPIENT_GONE_ERRORS: ReadonlySet<string> = new Set([
  'user_not_found',
  'user_disabled',
  'user_not_visible',
  'cannot_dm_bot',
  'is_archived',
]);

/**
 * How a DM went: sent (in conversation `channel`, as message `ts`), or not, and then whether sending it again is safe,
 * and whether it was refused for its recipient alone (`recipientGone`).
 */
export type DirectMessageOutcome =
  | { sent: true; channel: string; ts: string }
  | { sent: false; error: string; mayTryAgain: boolean; recipientGone: boolean };

/**
 * DMs `user`. A DM that failed may be sent again only when Slack certainly did not post it (the post was not sent
 * yet, or Slack answered an HTTP error or could not be reached) and did not refuse it for good (a refusal would
 * come again). A timeout while posting may have posted: not sent again, so never twice.
 */
export async function sendDirectMessage(
  ctx: SlackDeliveryContext,
  user: string,
  message: SlackMessage,
): Promise<DirectMessageOutcome> {
  let posting = false;
  try {
    const channel = await directMessageChannel(ctx, user);
    posting = true;
    return { sent: true, channel, ts: await postMessage(ctx, channel, message) };
  } catch (error) {
    const code = slackErrorCode(error);
    return {
      sent: false,
      error: code,
      mayTryAgain: mayPostAgain(error, posting),
      recipientGone: RECIPIENT_GONE_ERRORS.has(code),
    };
  }
}

/**
 * Slack's refusals of a DM for its own sake: its recipient, the conversation, the message's content. Asked again, Slack
 * would refuse it again; other refusals (Slack unwell, the token or a scope an admin may fix) are about every call.
 */
const DM_REFUSED_FOR_GOOD: ReadonlySet<string> = new Set([
  ...RECIPIENT_GONE_ERRORS,
  ...CANNOT_POST_ERRORS,
  ...MESSAGE_REFUSED_ERRORS,
  'team_access_not_granted',
]);

/**
 * Whether a DM that failed may be posted again: Slack refused it (`ok: false`, nothing posted) for a reason that may
 * pass, or never got it (not connected, an HTTP error; any failure while opening the conversation, which posts
 * nothing). A timeout while posting (`posting`) may have posted it: not again, so never twice.
 */
function mayPostAgain(error: unknown, posting: boolean): boolean {
  if (error instanceof SlackApiError) return !DM_REFUSED_FOR_GOOD.has(error.data.error);
  return !posting || !slackMayHaveActed(error);
}

/**
 * A post Slack surely did not make and may make if asked again: it could not be reached, or answered an HTTP error
 * (a 5xx, a rate limit, past the client's retries). A refusal (`ok: false`) would come again; a timeout may have posted.
 */
function slackSurelyDidNotPost(error: unknown): boolean {
  return !(error instanceof SlackApiError) && !slackMayHaveActed(error);
}

/** Reaches the rep privately: the response_url first (works in any conversation), else a DM. False if neither took it. */
export async function sendToRep(
  ctx: SlackDeliveryContext,
  origin: ModalOrigin,
  message: SlackMessage,
): Promise<boolean> {
  const marked = { ...message, text: sandboxed(message.text, ctx.sandbox) };
  if (origin.responseUrl && (await respondQuietly(ctx, origin.responseUrl, marked))) return true;
  try {
    await postMessage(ctx, await directMessageChannel(ctx, origin.user), marked);
    return true;
  } catch (error) {
    ctx.logger.error({ event: 'rep_unreachable', user: origin.user, error: slackErrorCode(error) });
    return false;
  }
}

/** Posts to a response_url; false (and a warning) when it could not. */
export async function respondQuietly(
  ctx: Pick<SlackDeliveryContext, 'logger' | 'slack'>,
  url: string,
  message: ResponseUrlMessage,
): Promise<boolean> {
  try {
    await ctx.slack.respond(url, message);
    return true;
  } catch (error) {
    ctx.logger.warn({ event: 'response_url_failed', error: error instanceof Error ? error.message : String(error) });
    return false;
  }
}
