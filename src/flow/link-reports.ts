import type { Config } from '../config.js';
import { formatMonth } from '../i18n/dates.js';
import { linkReportTexts } from '../i18n/link-reports.js';
import { sandboxed } from '../i18n/messages.js';
import { respondQuietly } from '../slack/delivery.js';
import type { SlackMessage } from '../slack/messages/link-messages.js';
import { buildListMessage, buildStatusMessage, type ReportContext } from '../slack/messages/report-messages.js';
import { type PermalinkContext, threadPermalinks } from './thread-permalinks.js';

/** How many links `/paylink list` shows, and how many links one reference may match in `/paylink status`. */
const LIST_LINKS = 10;
const STATUS_LINKS = 5;

export interface ReportFlowContext extends PermalinkContext {
  config: Pick<Readonly<Config>, 'locale' | 'admins'>;
  sandbox: boolean;
  clock: () => Date;
  timeZone: string;
}

/** Who asked, and where the private answer goes (the command's response_url). */
export interface Asker {
  user: string;
  responseUrl: string;
}

export function isAdmin(ctx: Pick<ReportFlowContext, 'config'>, user: string): boolean {
  return ctx.config.admins.includes(user);
}

/** `/paylink list [open|paid]`: the asker's last links, answered privately. */
export async function answerList(ctx: ReportFlowContext, asker: Asker, only?: 'awaiting' | 'paid'): Promise<void> {
  await answer(ctx, asker, 'list', async () => {
    const context = reportContext(ctx);
    const links = await ctx.ledger.latestLinks({
      userId: asker.user,
      limit: LIST_LINKS,
      ...(only ? { only } : {}),
      now: context.now,
    });
    return buildListMessage(context, only, links, await threadPermalinks(ctx, links));
  });
}

/** `/paylink status <reference>`: the asker's links with that reference (anyone's for an admin), with their history. */
export async function answerStatus(ctx: ReportFlowContext, asker: Asker, reference: string): Promise<void> {
  await answer(ctx, asker, 'status', async () => {
    const owner = isAdmin(ctx, asker.user) ? {} : { userId: asker.user };
    const links = await ctx.ledger.linksWithReference(reference, { ...owner, limit: STATUS_LINKS });
    const [histories, permalinks] = await Promise.all([
      Promise.all(links.map((link) => ctx.ledger.notificationsOf(link.id))),
      threadPermalinks(ctx, links),
    ]);
    const found = links.map((link, index) => ({
      link,
      history: histories[index] ?? [],
      ...(permalinks.has(link.id) ? { permalink: permalinks.get(link.id) } : {}),
    }));
    return buildStatusMessage(reportContext(ctx), reference, found);
  });
}

export function reportContext(ctx: ReportFlowContext): ReportContext {
  return { locale: ctx.config.locale, timeZone: ctx.timeZone, now: ctx.clock(), sandbox: ctx.sandbox };
}

/** "novembre 2026" for the month that starts at `from`, in the deployment's time zone. */
export function monthName(ctx: ReportFlowContext, from: Date): string {
  return formatMonth(from, ctx.config.locale, ctx.timeZone);
}

/** Builds the answer and sends it privately; when the ledger cannot be read, says so instead. */
async function answer(
  ctx: ReportFlowContext,
  asker: Asker,
  report: string,
  build: () => Promise<SlackMessage>,
): Promise<void> {
  let message: SlackMessage;
  try {
    message = await build();
  } catch (error) {
    ctx.logger.error({ event: 'report_failed', report, user: asker.user, error });
    message = { text: sandboxed(linkReportTexts(ctx.config.locale).unavailable, ctx.sandbox) };
  }
  const { text, blocks } = message;
  await respondQuietly(ctx, asker.responseUrl, { text, ...(blocks ? { blocks } : {}), response_type: 'ephemeral' });
}
