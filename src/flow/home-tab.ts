import type { Logger, types } from '@slack/bolt';
import type { Config } from '../config.js';
import { userAllowed } from '../domain/access.js';
import { monthBounds, monthOf } from '../domain/month.js';
import { errorCodeOrMessage } from '../http/transport-errors.js';
import { formatMonth } from '../i18n/dates.js';
import type { Ledger } from '../ledger/ledger.js';
import { slackErrorCode } from '../slack/errors.js';
import { buildHomeView, buildUnavailableHomeView, type HomeLinks } from '../slack/views/home-view.js';
import type { SlackWebApi } from '../slack/web-api.js';
import { HOME_LINKS, isAdmin } from './link-reports.js';
import { threadPermalinks } from './thread-permalinks.js';

export interface HomeContext {
  ledger: Ledger;
  slack: SlackWebApi;
  logger: Logger;
  config: Pick<Readonly<Config>, 'locale' | 'admins' | 'allowedUsers'>;
  sandbox: boolean;
  clock: () => Date;
  timeZone: string;
}

/** paylink's App Home, kept up to date for those who opened it. Never throws: a failure is logged. */
export interface HomeTabs {
  /** The user opened the Home tab: remembered, and drawn afresh. */
  opened(userId: string): Promise<void>;
  /** A link's status changed: the Home of its rep, and of the admins, is drawn again where they opened it before. */
  refreshAfterStatusChange(linkId: string): Promise<void>;
}

export function createHomeTabs(ctx: HomeContext): HomeTabs {
  const failed = (step: string, user: string | undefined, error: unknown) =>
    ctx.logger.warn({ event: 'home_not_published', step, user, error: slackErrorCode(error) });
  const draw = oneDrawAtATime((userId) => publishHome(ctx, userId));
  return {
    async opened(userId) {
      // The user is looking at the tab: drawn even if the ledger did not take the visit (it then says so, if it cannot
      // be read either). Unrecorded, the visit draws no later status change until the next one: logged apart from a
      // Home Slack did not take.
      await ctx.ledger
        .recordHomeOpened(userId, ctx.clock())
        .catch((error) =>
          ctx.logger.warn({ event: 'home_visit_not_recorded', user: userId, error: errorCodeOrMessage(error) }),
        );
      await draw(userId).catch((error) => failed('opened', userId, error));
    },
    async refreshAfterStatusChange(linkId) {
      try {
        const link = await ctx.ledger.findLink(linkId);
        if (!link) return;
        const viewers = await ctx.ledger.homeViewers([...new Set([link.user_id, ...ctx.config.admins])]);
        await Promise.all(viewers.map((user) => draw(user).catch((error) => failed('refresh', user, error))));
      } catch (error) {
        failed('refresh', undefined, error);
      }
    },
  };
}

/**
 * One draw of a user's Home at a time: a draw asked for while one is under way is made once it ends, from the ledger
 * as it is then. Else a draw that read the ledger before a status changed (then waited on Slack for permalinks) could
 * reach Slack after the draw showing the change, and leave the Home behind. Asked for several times meanwhile, it is
 * drawn once more; every caller's promise settles once a draw begun after it asked is published (or failed), not
 * when a stream of changes ends.
 */
function oneDrawAtATime(publish: (userId: string) => Promise<void>): (userId: string) => Promise<void> {
  // Per user: the draw not begun yet (joined by whoever asks before it begins), and the last draw asked for.
  const waiting = new Map<string, Promise<void>>();
  const last = new Map<string, Promise<void>>();
  return (userId) => {
    const queued = waiting.get(userId);
    if (queued) return queued;
    const before = last.get(userId) ?? Promise.resolve();
    const draw = before
      .catch(() => undefined)
      .then(() => {
        waiting.delete(userId);
        return publish(userId);
      });
    waiting.set(userId, draw);
    last.set(userId, draw);
    draw
      .finally(() => {
        if (last.get(userId) === draw) last.delete(userId);
      })
      .catch(() => undefined);
    return draw;
  };
}

/**
 * Draws one user's Home from the ledger and publishes it; when the ledger cannot be read, a Home saying so, as
 * `/paylink list` and `status` answer, rather than nothing (the tab left empty or stale).
 */
async function publishHome(ctx: HomeContext, userId: string): Promise<void> {
  let drawn: DrawnHome | undefined;
  try {
    drawn = await drawHome(ctx, userId);
  } catch (error) {
    ctx.logger.error({ event: 'report_failed', report: 'home', user: userId, error });
  }
  const view = drawn?.view ?? buildUnavailableHomeView({ locale: ctx.config.locale, sandbox: ctx.sandbox });
  await ctx.slack.views.publish({ user_id: userId, view });
  ctx.logger.debug({ event: 'home_published', user: userId, ...(drawn ? drawn.shown : { unavailable: true }) });
}

interface DrawnHome {
  view: types.HomeView;
  /** How many of the user's links it shows, and whether it shows the team's. */
  shown: { links: number; team: boolean };
}

/** One user's Home as the ledger has it now. */
async function drawHome(ctx: HomeContext, userId: string): Promise<DrawnHome> {
  const now = ctx.clock();
  const month = monthOf(now, ctx.timeZone);
  const { from, until } = monthBounds(month, ctx.timeZone);
  const linksOf = async (owner: string | undefined): Promise<HomeLinks> => {
    const [totals, links] = await Promise.all([
      ctx.ledger.totals({ ...(owner ? { userId: owner } : {}), paidFrom: from, paidUntil: until, now }),
      // One more than shown: whether older links were left out.
      ctx.ledger.latestLinks({ ...(owner ? { userId: owner } : {}), limit: HOME_LINKS + 1, now }),
    ]);
    return { totals, links: links.slice(0, HOME_LINKS), more: links.length > HOME_LINKS };
  };
  const [mine, team] = await Promise.all([linksOf(userId), isAdmin(ctx, userId) ? linksOf(undefined) : undefined]);
  const permalinks = await threadPermalinks(ctx, [...mine.links, ...(team?.links ?? [])], userId);
  const view = buildHomeView({
    locale: ctx.config.locale,
    timeZone: ctx.timeZone,
    now,
    sandbox: ctx.sandbox,
    month: formatMonth(now, ctx.config.locale, ctx.timeZone),
    mine,
    ...(team ? { team } : {}),
    notAllowed: !userAllowed(ctx.config, userId),
    permalinks,
  });
  return { view, shown: { links: mine.links.length, team: team !== undefined } };
}
