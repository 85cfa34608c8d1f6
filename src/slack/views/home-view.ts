import type { types } from '@slack/bolt';
import { SLASH_COMMAND } from '../../constants.js';
import { formatAmount } from '../../domain/amount.js';
import { linkReportTexts } from '../../i18n/link-reports.js';
import { messagesFor } from '../../i18n/messages.js';
import type { LinkRecord, LinkTotals } from '../../ledger/ledger.js';
import { type LinkLineContext, linkSection } from '../messages/link-lines.js';
import { dateTimeShown } from '../mrkdwn.js';
import { contextBlock, mrkdwn, plain } from './text.js';

/** A list of links with where they stand, as App Home shows it. */
export interface HomeLinks {
  totals: LinkTotals;
  /** Newest first. */
  links: readonly LinkRecord[];
  /** Older links were left out: the list says how to find them. */
  more: boolean;
}

export interface HomeData extends LinkLineContext {
  sandbox: boolean;
  /** "November 2026": the month "paid this month" counts. */
  month: string;
  mine: HomeLinks;
  /** The whole team's, for an admin. */
  team?: HomeLinks;
  /** The rep may not create links (PAYLINK_ALLOWED_USERS): the empty state says so instead of how. */
  notAllowed?: boolean;
  /** Thread permalinks by link id, for the links whose thread exists. */
  permalinks: ReadonlyMap<string, string>;
}

/**
 * The rep's App Home: how much awaits payment and how much was paid this month, then their latest links, newest
 * first, each with a button to its thread; an admin also gets the team's. At most 2 × 20 links plus a dozen
 * blocks: well under Slack's 100.
 */
export function buildHomeView(data: HomeData): types.HomeView {
  const t = linkReportTexts(data.locale);
  const mine = data.mine.links.length > 0 ? linkSections(data, data.mine, false) : [emptyState(data)];
  const team = data.team
    ? [
        { type: 'divider' } as const,
        header(t.homeTeam),
        totalsBlock(data, data.team),
        ...(data.team.links.length > 0
          ? linkSections(data, data.team, true)
          : [{ type: 'section', text: mrkdwn(t.homeTeamEmpty) } as const]),
      ]
    : [];
  return {
    type: 'home',
    blocks: [
      ...titleBlocks(data),
      totalsBlock(data, data.mine),
      { type: 'context', elements: [mrkdwn(t.homeUpdated(dateTimeShown(data.now, data.locale, data.timeZone)))] },
      { type: 'divider' },
      header(t.homeMine),
      ...mine,
      ...team,
    ],
  };
}

/**
 * The Home drawn when the ledger cannot be read: its title, and that the links cannot be shown just now (as
 * `/paylink list` says), rather than an empty or stale tab.
 */
export function buildUnavailableHomeView(data: Pick<HomeData, 'locale' | 'sandbox'>): types.HomeView {
  return {
    type: 'home',
    blocks: [...titleBlocks(data), { type: 'section', text: mrkdwn(linkReportTexts(data.locale).homeUnavailable) }],
  };
}

/** The tab's title, and in the sandbox the banner saying so. */
function titleBlocks({ locale, sandbox }: Pick<HomeData, 'locale' | 'sandbox'>): types.KnownBlock[] {
  const banner = sandbox ? [contextBlock(messagesFor(locale).sandboxBanner)] : [];
  return [header(linkReportTexts(locale).homeTitle), ...banner];
}

function header(text: string): types.HeaderBlock {
  return { type: 'header', text: plain(text, 150) };
}

/**
 * "Awaiting payment: 3 links · 2 500,00 €" beside "Paid in November 2026: 1 link · 1 250,50 €", and, when there are
 * any, the multiple payments begun in the month, whose parts paid no notification gives.
 */
function totalsBlock(data: HomeData, list: HomeLinks): types.SectionBlock {
  const t = linkReportTexts(data.locale);
  const { awaiting, paid, multiPayBegun } = list.totals;
  const count = ({ count, cents }: { count: number; cents: number }) =>
    t.linkCount(count, formatAmount(cents, data.locale));
  const multiPay =
    multiPayBegun.count === 0
      ? []
      : [
          mrkdwn(
            `*${t.homeMultiPayBegunIn(data.month)}*\n${t.multiPayCount(multiPayBegun.count, formatAmount(multiPayBegun.cents, data.locale))}`,
          ),
        ];
  return {
    type: 'section',
    fields: [
      mrkdwn(`*${t.homeAwaiting}*\n${count(awaiting)}`),
      mrkdwn(`*${t.homePaidIn(data.month)}*\n${count(paid)}`),
      ...multiPay,
    ],
  };
}

function linkSections(data: HomeData, list: HomeLinks, showRep: boolean): types.KnownBlock[] {
  const sections = list.links.map((link) => {
    const permalink = data.permalinks.get(link.id);
    return linkSection(link, data, { showRep, ...(permalink ? { permalink } : {}) });
  });
  const note = linkReportTexts(data.locale).homeLatestOnly(list.links.length, SLASH_COMMAND);
  return list.more ? [...sections, contextBlock(note)] : sections;
}

function emptyState(data: HomeData): types.SectionBlock {
  const text = data.notAllowed
    ? messagesFor(data.locale).notAllowedUser
    : linkReportTexts(data.locale).homeEmpty(SLASH_COMMAND);
  return { type: 'section', text: mrkdwn(text) };
}
