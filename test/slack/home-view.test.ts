import type { types } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { OPEN_THREAD_ACTION } from '../../src/constants.js';
import { LOCALES } from '../../src/i18n/locale.js';
import { buildHomeView, buildUnavailableHomeView, type HomeData } from '../../src/slack/views/home-view.js';
import { linkRecord } from '../support/link-records.js';
import { visibleText } from '../support/paylink-harness.js';

const NOW = new Date('2026-11-30T09:30:00.000Z');
const NONE = { count: 0, cents: 0 };
const NO_TOTALS = { awaiting: NONE, paid: NONE, multiPayBegun: NONE };

function data(overrides: Partial<HomeData> = {}): HomeData {
  return {
    locale: 'en',
    timeZone: 'Europe/Paris',
    now: NOW,
    sandbox: false,
    month: 'November 2026',
    mine: { totals: NO_TOTALS, links: [], more: false },
    permalinks: new Map(),
    ...overrides,
  };
}

type Section = types.SectionBlock & { accessory?: { type: string; url?: string; action_id?: string } };
const sections = (view: types.HomeView) => view.blocks.filter((block): block is Section => block.type === 'section');

describe('App Home', () => {
  it('shows the totals, then each link: amount, reference, customer, status and its date, age, and its thread', () => {
    const paid = linkRecord({
      payment_status: 'SETTLED',
      payment_status_rank: 40,
      payment_status_at: '2026-11-28T13:32:00.000Z',
    });
    const awaiting = linkRecord({ payment_reference: 'F-2026-032', customer: 'ACME <SAS> & co', amount_cents: 9_900 });
    const view = buildHomeView(
      data({
        mine: {
          totals: { awaiting: { count: 3, cents: 250_000 }, paid: { count: 1, cents: 125_050 }, multiPayBegun: NONE },
          links: [awaiting, paid],
          more: false,
        },
        permalinks: new Map([[paid.id, 'https://paylink-test.slack.com/archives/C0SALES/p1700000000000100']]),
      }),
    );
    expect(view.type).toBe('home');
    const text = visibleText(view);
    expect(text).toContain('Awaiting payment*\n3 links · €2,500.00');
    expect(text).toContain('Paid in November 2026*\n1 link · €1,250.50');
    // Dates as Slack's token, which each viewer's Slack shows in their own time zone (in Paris time where it cannot).
    expect(text).toContain('Updated <!date^1796031000^{date_short}, {time}|30 Nov 2026, 10:30>');
    const [, first, second] = sections(view);
    expect(first?.text?.text).toBe(
      '*€99.00* · F-2026-032 · ACME &lt;SAS&gt; &amp; co\n:hourglass: Awaiting payment · <!date^1795771800^{date_short}, {time}|27 Nov 2026, 10:30>\n_created 3 days ago_',
    );
    expect(first?.accessory).toBeUndefined();
    expect(second?.text?.text).toBe(
      '*€1,250.50* · F-2026-031 · Jean Dupont\n:white_check_mark: Paid · <!date^1795872720^{date_short}, {time}|28 Nov 2026, 14:32>\n_created 3 days ago_',
    );
    expect(second?.accessory).toMatchObject({
      type: 'button',
      action_id: OPEN_THREAD_ACTION,
      url: 'https://paylink-test.slack.com/archives/C0SALES/p1700000000000100',
    });
  });

  it.each([
    ['en', 'Multiple payments begun in November 2026*\n1 link · for €1,250.50 in all', 'towards a multiple payment'],
    [
      'fr',
      'Paiements multiples commencés en novembre 2026*\n1 lien · pour 1\u202F250,50\u00A0€ en tout',
      'sur un paiement multiple',
    ],
  ] as const)(
    "shows multiple payments begun apart (%s): a part paid, of an amount no notification gives, is not the link's amount paid",
    (locale, begun, towards) => {
      const partPaid = linkRecord({
        payment_type: 'multi',
        payment_status: 'SETTLED',
        payment_status_rank: 40,
        payment_status_at: '2026-11-28T13:32:00.000Z',
      });
      const month = locale === 'fr' ? 'novembre 2026' : 'November 2026';
      const totals = { ...NO_TOTALS, multiPayBegun: { count: 1, cents: 125_050 } };
      const text = visibleText(
        buildHomeView(data({ locale, month, mine: { totals, links: [partPaid], more: false } })),
      );
      expect(text).toContain(begun);
      expect(text).toContain(towards);
      // Without any, the tab says nothing of them.
      const none = visibleText(
        buildHomeView(data({ locale, month, mine: { totals: NO_TOTALS, links: [], more: false } })),
      );
      expect(none).not.toMatch(/ultiple/);
    },
  );

  it.each(LOCALES)('tells a new rep how to create a first link (%s), or that they may not', (locale) => {
    const empty = visibleText(buildHomeView(data({ locale })));
    expect(empty).toContain('/paylink');
    expect(empty).toMatch(/1250[.,]50 F-2026-031/);
    const refused = visibleText(buildHomeView(data({ locale, notAllowed: true })));
    expect(refused).not.toContain('1250');
    expect(refused).toMatch(/paylink/);
  });

  it("gives an admin the team's links and totals, each with its rep, and stays within Slack's 100 blocks", () => {
    const links = Array.from({ length: 20 }, (_, index) => linkRecord({ user_id: `U0REP${index % 3}` }));
    const view = buildHomeView(
      data({
        sandbox: true,
        mine: { totals: NO_TOTALS, links, more: false },
        team: { totals: { ...NO_TOTALS, awaiting: { count: 40, cents: 1 } }, links, more: false },
      }),
    );
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    const text = visibleText(view);
    expect(text).toContain("The team's latest links");
    expect(text).toContain('40 links · €0.01');
    expect(text).toContain('SANDBOX');
    expect(text.match(/by <@U0REP1>/g)).toHaveLength(7);
    const mineOnly = visibleText(buildHomeView(data({ mine: { totals: NO_TOTALS, links, more: false } })));
    expect(mineOnly).not.toContain("team's");
    expect(mineOnly).not.toContain('by <@');
  });

  it.each([
    ['en', 'No one in the team has created a payment link yet.'],
    ['fr', "Personne dans l'équipe n'a encore créé de lien de paiement."],
  ] as const)("says so under the team's links when the team has none yet (%s)", (locale, said) => {
    const none = { totals: NO_TOTALS, links: [], more: false };
    const text = visibleText(buildHomeView(data({ locale, mine: none, team: none })));
    expect(text.endsWith(said)).toBe(true);
  });

  it.each([
    ['fr', '12\u202F345 liens · 1\u202F234\u202F567,89\u00A0€', 'Payés en novembre 2026*\n1\u202F000 liens'],
    ['en', '12,345 links · €1,234,567.89', 'Paid in November 2026*\n1,000 links'],
  ] as const)('groups the digits of a count of links as it does those of an amount (%s)', (locale, awaiting, paid) => {
    const totals = {
      awaiting: { count: 12_345, cents: 123_456_789 },
      paid: { count: 1_000, cents: 100_000 },
      multiPayBegun: NONE,
    };
    const month = locale === 'fr' ? 'novembre 2026' : 'November 2026';
    const text = visibleText(buildHomeView(data({ locale, month, mine: { totals, links: [], more: false } })));
    expect(text).toContain(awaiting);
    expect(text).toContain(paid);
  });

  it.each([
    ['en', 'created just now', 'created in'],
    ['fr', "créé à l'instant", 'créé dans'],
  ] as const)(
    'never says a link was created in the future, drawn by an instance whose clock is behind the one that made it (%s)',
    (locale, age, future) => {
      // Made by another instance whose clock is 2 s ahead of this one's.
      const justMade = linkRecord({ created_at: new Date(NOW.getTime() + 2_000).toISOString() });
      const text = visibleText(
        buildHomeView(data({ locale, mine: { totals: NO_TOTALS, links: [justMade], more: false } })),
      );
      expect(text).toContain(age);
      expect(text).not.toContain(future);
    },
  );

  it.each([
    ['en', 'created just now'],
    ['fr', "créé à l'instant"],
  ] as const)('says a link under a minute old was created just now, not 0 seconds ago (%s)', (locale, age) => {
    const justMade = linkRecord({ created_at: new Date(NOW.getTime() - 59_000).toISOString() });
    const text = visibleText(
      buildHomeView(data({ locale, mine: { totals: NO_TOTALS, links: [justMade], more: false } })),
    );
    expect(text).toContain(age);
    expect(text).not.toMatch(/second/);
  });

  it.each([
    ['36 h', 36 * 3_600_000, 'created 1 day ago'],
    ['59 min 45 s', 59 * 60_000 + 45_000, 'created 59 minutes ago'],
    ['23 h 50 min', 23 * 3_600_000 + 50 * 60_000, 'created 23 hours ago'],
  ] as const)('does not say a link is older than it is, as its reminder does not (%s old)', (_, ageMs, age) => {
    const link = linkRecord({ created_at: new Date(NOW.getTime() - ageMs).toISOString() });
    const text = visibleText(buildHomeView(data({ mine: { totals: NO_TOTALS, links: [link], more: false } })));
    expect(text).toContain(age);
  });

  it('says, under a list as long as it goes, that it shows the latest links only, and how to find an older one', () => {
    const links = Array.from({ length: 3 }, () => linkRecord());
    const full = visibleText(buildHomeView(data({ mine: { totals: NO_TOTALS, links, more: true } })));
    // mrkdwn: a raw `<…>` is taken by Slack for a link or a mention, and the placeholder lost.
    expect(full).toContain('The latest 3 links only. An older one: `/paylink status &lt;payment reference&gt;`.');
    const shorter = visibleText(buildHomeView(data({ mine: { totals: NO_TOTALS, links, more: false } })));
    expect(shorter).not.toContain('The latest');
  });

  it('says why a link that was never made has no status', () => {
    const refused = linkRecord({ state: 'refused', state_detail: 'EXIST_005', link: null });
    const view = buildHomeView(data({ locale: 'fr', mine: { totals: NO_TOTALS, links: [refused], more: false } }));
    expect(visibleText(view)).toContain('Refusé par SAFEDEBIT');
    expect(visibleText(view)).toContain('il y a 3 jours');
  });

  it('cuts a very long customer name rather than a whole line', () => {
    const long = linkRecord({ customer: 'x'.repeat(500) });
    const [, section] = sections(buildHomeView(data({ mine: { totals: NO_TOTALS, links: [long], more: false } })));
    expect(section?.text?.text).toContain(`${'x'.repeat(79)}…`);
    expect(section?.text?.text).not.toContain('x'.repeat(81));
  });
});

describe('App Home when the ledger cannot be read', () => {
  it.each([
    [
      'en',
      'Your payment links',
      ':warning: paylink could not read its links just now. Come back to this tab in a moment.',
    ],
    [
      'fr',
      'Vos liens de paiement',
      ":warning: paylink n'a pas pu lire ses liens pour l'instant. Revenez sur cet onglet dans un instant.",
    ],
  ] as const)('says so under its title, briefly (%s)', (locale, title, unavailable) => {
    const view = buildUnavailableHomeView({ locale, sandbox: false });
    expect(view.type).toBe('home');
    expect(visibleText(view)).toBe(`${title}\n${unavailable}`);
  });

  it('says SANDBOX as the drawn Home does', () => {
    const banner = buildHomeView(data({ sandbox: true })).blocks[1];
    expect(JSON.stringify(banner)).toContain('SANDBOX');
    expect(buildUnavailableHomeView({ locale: 'en', sandbox: true }).blocks[1]).toEqual(banner);
  });
});
