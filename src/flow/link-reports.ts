import type { Config } from '../config.js';
import { formatMonth } from '../i18n/dates.js';
import { type LinksSearched, linkReportTexts } from '../i18n/link-reports.js';
import { sandboxed } from '../i18n/messages.js';
import { respondQuietly } from '../slack/delivery.js';
import type { SlackMessage } from '../slack/messages/link-messages.js';
import {
  buildListMessage,
  buildStatusMessage,
  type PartShown,
  type ReportContext,
  type SeeAll,
} from '../slack/messages/report-messages.js';
import { type PermalinkContext, threadPermalinks } from './thread-permalinks.js';

/**
 * How many links `/paylink list` shows, how many links of one reference `/paylink status` shows, and how many App Home
 * lists (the rep's, and the team's for an admin).
 */
const LIST_LINKS = 10;
const STATUS_LINKS = 5;
export const HOME_LINKS = 20;

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

/**
 * `/paylink list [open|paid]`: the asker's last links (`open`: those awaiting payment the longest, the first to chase,
 * which App Home's latest leave out), answered privately; when more matched, how many, and where the asker sees them all.
 */
export async function answerList(ctx: ReportFlowContext, asker: Asker, only?: 'awaiting' | 'paid'): Promise<void> {
  await answer(ctx, asker, 'list', async () => {
    const context = reportContext(ctx);
    const filter = { userId: asker.user, ...(only ? { only } : {}), now: context.now };
    const { shown, matched } = await latestOf(
      ctx,
      'list',
      LIST_LINKS,
      (limit) => ctx.ledger.latestLinks({ ...filter, limit, oldestFirst: only === 'awaiting' }),
      () => ctx.ledger.countLatestLinks(filter),
    );
    // App Home lists the asker's latest links, whatever their standing: all of them when there are few enough.
    const homeShowsAll = only === undefined && matched !== undefined && matched <= HOME_LINKS;
    const part = partShown(ctx, asker, matched, shown.length, homeShowsAll);
    return buildListMessage(context, only, shown, await threadPermalinks(ctx, shown, asker.user), part);
  });
}

/**
 * `/paylink status <reference>`: the asker's links with that reference (anyone's for an admin), with their history;
 * when more matched, how many, and where the asker sees them all.
 */
export async function answerStatus(ctx: ReportFlowContext, asker: Asker, reference: string): Promise<void> {
  await answer(ctx, asker, 'status', async () => {
    const searched: LinksSearched = isAdmin(ctx, asker.user) ? 'team' : 'own';
    const owner = searched === 'team' ? {} : { userId: asker.user };
    const { shown: links, matched } = await latestOf(
      ctx,
      'status',
      STATUS_LINKS,
      (limit) => ctx.ledger.linksWithReference(reference, { ...owner, limit }),
      () => ctx.ledger.countLinksWithReference(reference, owner),
    );
    const [histories, permalinks] = await Promise.all([
      Promise.all(links.map((link) => ctx.ledger.notificationsOf(link.id))),
      threadPermalinks(ctx, links, asker.user),
    ]);
    const found = links.map((link, index) => ({
      link,
      history: histories[index] ?? [],
      ...(permalinks.has(link.id) ? { permalink: permalinks.get(link.id) } : {}),
    }));
    // App Home lists no reference's links (nor those SAFEDEBIT did not make): only the export has them all.
    return buildStatusMessage(
      reportContext(ctx),
      reference,
      searched,
      found,
      partShown(ctx, asker, matched, links.length, false),
    );
  });
}

/**
 * The first `limit` links `find` gives, and how many matched: one more is read to know whether there are more, and
 * only then are they counted, so that an answer showing every link costs no second query. A count that fails leaves
 * `matched` undefined (more than shown): the links read are shown all the same.
 */
async function latestOf<T>(
  ctx: Pick<ReportFlowContext, 'logger'>,
  report: 'list' | 'status',
  limit: number,
  find: (limit: number) => Promise<T[]>,
  count: () => Promise<number>,
): Promise<{ shown: T[]; matched: number | undefined }> {
  const found = await find(limit + 1);
  if (found.length <= limit) return { shown: found, matched: found.length };
  const shown = found.slice(0, limit);
  try {
    // Counted after the read, a link whose standing changed meanwhile may leave the count: one more was there all the
    // same.
    return { shown, matched: Math.max(await count(), limit + 1) };
  } catch (error) {
    ctx.logger.warn({ event: 'report_not_counted', report, error });
    return { shown, matched: undefined };
  }
}

/** What an answer says of the links it leaves out, if it leaves out any (`matched` undefined: more, uncounted). */
function partShown(
  ctx: ReportFlowContext,
  asker: Asker,
  matched: number | undefined,
  shown: number,
  homeShowsAll: boolean,
): PartShown | undefined {
  if (matched === undefined) return exportWhere(ctx, asker);
  if (matched <= shown) return undefined;
  return { matched, ...seeAllWhere(ctx, asker, homeShowsAll) };
}

/**
 * Where the asker sees every link: App Home, or the export, which holds every link of a month, whatever became of it,
 * but only an admin may ask for it.
 */
function seeAllWhere(ctx: ReportFlowContext, asker: Asker, homeShowsAll: boolean): { seeAll?: SeeAll } {
  return homeShowsAll ? { seeAll: 'home' } : exportWhere(ctx, asker);
}

/** The export, or with no admin, nowhere: a rep pointed to one would look for no one. */
function exportWhere(ctx: ReportFlowContext, asker: Asker): { seeAll?: Exclude<SeeAll, 'home'> } {
  if (isAdmin(ctx, asker.user)) return { seeAll: 'export' };
  return ctx.config.admins.length > 0 ? { seeAll: 'admin_export' } : {};
}

/** What the report messages need: the locale, the time zone, now, and whether this instance is the sandbox. */
export function reportContext(
  ctx: Pick<ReportFlowContext, 'timeZone' | 'clock' | 'sandbox'> & { config: Pick<Readonly<Config>, 'locale'> },
): ReportContext {
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
