import type { Logger } from '@slack/bolt';
import { errorCodeOrMessage } from '../http/transport-errors.js';
import type { Ledger, LinkRecord } from '../ledger/ledger.js';
import { isDirectMessage } from '../slack/channel-ids.js';
import { slackErrorCode, slackRefusesApp } from '../slack/errors.js';
import type { SlackWebApi } from '../slack/web-api.js';

export interface PermalinkContext {
  ledger: Ledger;
  slack: SlackWebApi;
  logger: Logger;
}

/**
 * A summary in a direct message is in its rep's DM with paylink (Slack gives bots no other): no one else can open it,
 * an admin looking at the team's links included.
 */
const threadOpenableBy = (link: LinkRecord, viewer: string) =>
  link.user_id === viewer || link.summary_channel === null || !isDirectMessage(link.summary_channel);

/**
 * Slack's answers for a summary it will never give a permalink of: deleted by someone, or in a conversation gone or
 * closed to paylink. Kept as GONE, so that Slack is not asked again at every App Home, list and reminder.
 */
const SUMMARY_GONE_ERRORS: ReadonlySet<string> = new Set(['message_not_found', 'channel_not_found']);
const GONE = '';

/**
 * The permalink of each link's thread (its summary message) that `viewer` can open, by link id: kept in the ledger
 * once Slack gave it, asked of Slack otherwise. A link without a summary, or whose permalink Slack will not give now,
 * has none.
 */
export async function threadPermalinks(
  ctx: PermalinkContext,
  links: readonly LinkRecord[],
  viewer: string,
): Promise<Map<string, string>> {
  const openable = links.filter((link) => threadOpenableBy(link, viewer));
  const distinct = [...new Map(openable.map((link) => [link.id, link])).values()];
  const found = await Promise.all(
    distinct.map(async (link): Promise<[string, string] | undefined> => {
      if (link.summary_permalink === GONE) return undefined;
      if (link.summary_permalink) return [link.id, link.summary_permalink];
      if (!link.summary_channel || !link.summary_ts) return undefined;
      let permalink: string | undefined;
      try {
        ({ permalink } = await ctx.slack.chat.getPermalink({
          channel: link.summary_channel,
          message_ts: link.summary_ts,
        }));
      } catch (error) {
        const code = slackErrorCode(error);
        // Slack refusing paylink itself is said by what the permalink was for (the round, the tab's publication).
        if (!slackRefusesApp(code)) ctx.logger.warn({ event: 'permalink_unavailable', link: link.id, error: code });
        if (SUMMARY_GONE_ERRORS.has(code)) await keep(ctx, link.id, GONE);
        return undefined;
      }
      if (!permalink) return undefined;
      await keep(ctx, link.id, permalink);
      return [link.id, permalink];
    }),
  );
  return new Map(found.filter((entry) => entry !== undefined));
}

async function keep(ctx: PermalinkContext, link: string, permalink: string): Promise<void> {
  try {
    await ctx.ledger.recordPermalink(link, permalink);
  } catch (error) {
    // Shown all the same (or not, when gone): Slack is asked again next time.
    ctx.logger.warn({ event: 'permalink_not_kept', link, error: errorCodeOrMessage(error) });
  }
}
