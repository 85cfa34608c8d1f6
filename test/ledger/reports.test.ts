import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { classifyStatus, statusProgress } from '../../src/domain/payment-status.js';
import type { Ledger, LinkRecord, LinkWithAddress, NewLink } from '../../src/ledger/ledger.js';
import { ledgerMigrations } from '../../src/ledger/migrations.js';
import { openLedger } from '../../src/ledger/open.js';
import { ENGINES, freshDatabase, ledgerLocationOf } from '../support/databases.js';
import { testLedgers } from '../support/ledgers.js';
import { linkRecord, newLink as newSubmission } from '../support/link-records.js';

const NOW = new Date('2026-11-27T10:00:00.000Z');
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);
const NONE = { count: 0, cents: 0 };

/** A submission claimed at NOW unless `overrides` say otherwise. */
const newLink = (overrides: Partial<NewLink> = {}) => newSubmission({ createdAt: NOW, ...overrides });

/** A link SAFEDEBIT made, its answer recorded, not yet given to its rep. */
async function madeLink(ledger: Ledger, overrides: Partial<NewLink> = {}): Promise<string> {
  const id = String(await ledger.claimSubmission(newLink(overrides)));
  await ledger.recordOutcome(id, { state: 'created', link: `https://pay.example/paypage?SDESSID=${id}` });
  return id;
}

/** A link SAFEDEBIT made and its rep was given, with these statuses received in order (a minute apart from `at`). */
async function createdLink(
  ledger: Ledger,
  overrides: Partial<NewLink> = {},
  statuses: string[] = [],
  at = NOW,
): Promise<string> {
  const id = await madeLink(ledger, overrides);
  // Given to its rep (no summary: the tests that need one record it).
  await ledger.recordSentPrivately(id, `https://pay.example/paypage?SDESSID=${id}`);
  for (const [index, status] of statuses.entries()) {
    await ledger.recordNotification({
      linkId: id,
      dedupeKey: `${id}:${status}`,
      status,
      rank: statusProgress(classifyStatus(status)),
      receivedAt: new Date(at.getTime() + (index + 1) * 60_000),
    });
  }
  return id;
}

describe.each(ENGINES)('what the ledger tells reps and finance, on %s', (engine) => {
  const { open } = testLedgers(engine);

  it("lists a rep's links that exist, newest first, and only the awaiting or the paid ones when asked", async () => {
    const ledger = await open();
    const awaiting = await createdLink(ledger, { createdAt: minutes(1) });
    const pending = await createdLink(ledger, { createdAt: minutes(2) }, ['PENDING']);
    const unknown = await createdLink(ledger, { createdAt: minutes(3) }, ['SOMETHING_NEW']);
    const paid = await createdLink(ledger, { createdAt: minutes(4) }, ['ISSUED', 'SETTLED']);
    const indemnified = await createdLink(ledger, { createdAt: minutes(5) }, ['RETURNED', 'INDEMNIZED']);
    const failed = await createdLink(ledger, { createdAt: minutes(6) }, ['REJECTED']);
    const refunded = await createdLink(ledger, { createdAt: minutes(7) }, ['SETTLED', 'REMBOURSE']);
    const someoneElses = await createdLink(ledger, { createdAt: minutes(8), userId: 'U0OTHER' });
    const refused = String(await ledger.claimSubmission(newLink({ createdAt: minutes(9) })));
    await ledger.recordOutcome(refused, { state: 'refused', detail: 'EXIST_005' });
    await ledger.claimSubmission(newLink({ createdAt: minutes(10) })); // still being created

    const ids = (links: { id: string }[]) => links.map((link) => link.id);
    expect(ids(await ledger.latestLinks({ now: NOW, userId: 'U0REP', limit: 20 }))).toEqual([
      refunded,
      failed,
      indemnified,
      paid,
      unknown,
      pending,
      awaiting,
    ]);
    expect(ids(await ledger.latestLinks({ now: NOW, userId: 'U0REP', limit: 2 }))).toEqual([refunded, failed]);
    expect(ids(await ledger.latestLinks({ now: NOW, limit: 3 }))).toEqual([someoneElses, refunded, failed]);
    expect(ids(await ledger.latestLinks({ now: NOW, userId: 'U0REP', limit: 20, only: 'awaiting' }))).toEqual([
      unknown,
      pending,
      awaiting,
    ]);
    // What awaits payment the longest first: the first to chase, out of App Home's sight once it is among the older.
    const longestAwaiting = await ledger.latestLinks({
      now: NOW,
      userId: 'U0REP',
      limit: 2,
      only: 'awaiting',
      oldestFirst: true,
    });
    expect(ids(longestAwaiting)).toEqual([awaiting, pending]);
    expect(ids(await ledger.latestLinks({ now: NOW, userId: 'U0REP', limit: 20, only: 'paid' }))).toEqual([
      indemnified,
      paid,
    ]);
    expect(await ledger.latestLinks({ now: NOW, userId: 'U0NOBODY', limit: 20 })).toEqual([]);

    // As many as each would list with no limit: what a list showing only some says it left out.
    expect(await ledger.countLatestLinks({ now: NOW, userId: 'U0REP' })).toBe(7);
    expect(await ledger.countLatestLinks({ now: NOW })).toBe(8);
    expect(await ledger.countLatestLinks({ now: NOW, userId: 'U0REP', only: 'awaiting' })).toBe(3);
    expect(await ledger.countLatestLinks({ now: NOW, userId: 'U0REP', only: 'paid' })).toBe(2);
    expect(await ledger.countLatestLinks({ now: NOW, userId: 'U0NOBODY' })).toBe(0);
  });

  it('adds up what awaits payment and what was paid in a period, in whole cents, as numbers', async () => {
    const ledger = await open();
    const big = 9_007_199_254_740; // bigint on PostgreSQL: its SUM is a numeric there
    await createdLink(ledger, { amountCents: big });
    await createdLink(ledger, { amountCents: 1 }, ['PENDING']);
    // Paid on the first minutes after NOW (statuses are a minute apart).
    await createdLink(ledger, { amountCents: 10_000 }, ['SETTLED']);
    await createdLink(ledger, { amountCents: 20_000 }, ['WAITING', 'CREDITED']);
    await createdLink(ledger, { amountCents: 40_000, userId: 'U0OTHER' }, ['SETTLED']);
    await createdLink(ledger, { amountCents: 80_000 }, ['REJECTED']);

    const period = { paidFrom: NOW, paidUntil: minutes(2) };
    const mine = await ledger.totals({ now: NOW, userId: 'U0REP', ...period });
    expect(mine).toEqual({
      awaiting: { count: 2, cents: big + 1 },
      paid: { count: 1, cents: 10_000 },
      multiPayBegun: NONE,
    });
    const team = await ledger.totals({ now: NOW, paidFrom: NOW, paidUntil: minutes(3) });
    expect(team).toEqual({
      awaiting: { count: 2, cents: big + 1 },
      paid: { count: 3, cents: 70_000 },
      multiPayBegun: NONE,
    });
    const none = await ledger.totals({ now: NOW, userId: 'U0NOBODY', ...period });
    expect(none).toEqual({ awaiting: NONE, paid: NONE, multiPayBegun: NONE });
  });

  it("counts a multiple payment's link apart: a part paid is not its whole amount paid, nor is the link awaiting payment", async () => {
    const ledger = await open();
    await createdLink(ledger, { amountCents: 125_050, paymentType: 'multi' }, ['SETTLED']);
    await createdLink(ledger, { amountCents: 30_000, paymentType: 'multi' });
    await createdLink(ledger, { amountCents: 10_000 }, ['SETTLED']);
    await createdLink(ledger, { amountCents: 2_000, paymentType: 'later' }, ['SETTLED']);

    expect(await ledger.totals({ now: NOW, paidFrom: NOW, paidUntil: minutes(2) })).toEqual({
      awaiting: { count: 1, cents: 30_000 },
      paid: { count: 2, cents: 12_000 },
      multiPayBegun: { count: 1, cents: 125_050 },
    });
  });

  it('counts a payment in the month its paid standing began, whatever paid status comes after', async () => {
    const ledger = await open();
    const received = async (id: string, status: string, at: string, paymentId?: string) => {
      await ledger.recordNotification({
        linkId: id,
        dedupeKey: `${id}:${status}:${paymentId ?? ''}`,
        status,
        rank: statusProgress(classifyStatus(status)),
        ...(paymentId === undefined ? {} : { paymentId }),
        receivedAt: new Date(at),
      });
    };
    const october = { paidFrom: new Date('2026-09-30T22:00:00Z'), paidUntil: new Date('2026-10-31T23:00:00Z') };
    const november = { paidFrom: october.paidUntil, paidUntil: new Date('2026-11-30T23:00:00Z') };
    const december = { paidFrom: november.paidUntil, paidUntil: new Date('2026-12-31T23:00:00Z') };

    const credited = await createdLink(ledger, { amountCents: 100_000 });
    await received(credited, 'SETTLED', '2026-10-30T09:00:00Z');
    await received(credited, 'CREDITED', '2026-11-02T09:00:00Z');
    const instalments = await createdLink(ledger, { amountCents: 20_000 });
    await received(instalments, 'SETTLED', '2026-10-15T09:00:00Z', 'PAY-1');
    await received(instalments, 'SETTLED', '2026-11-15T09:00:00Z', 'PAY-2');
    await received(instalments, 'GUARANTEED', '2026-11-16T09:00:00Z');
    // Paid, returned by the bank, then indemnified: paid again from the indemnity on.
    const indemnified = await createdLink(ledger, { amountCents: 3_000 });
    await received(indemnified, 'SETTLED', '2026-10-20T09:00:00Z');
    await received(indemnified, 'RETURNED', '2026-11-20T09:00:00Z');
    await received(indemnified, 'INDEMNIZED', '2026-12-01T09:00:00Z');

    expect((await ledger.totals({ ...october, now: NOW })).paid).toEqual({ count: 2, cents: 120_000 });
    expect((await ledger.totals({ ...november, now: NOW })).paid).toEqual({ count: 0, cents: 0 });
    expect((await ledger.totals({ ...december, now: NOW })).paid).toEqual({ count: 1, cents: 3_000 });
    expect(await ledger.findLink(credited)).toMatchObject({
      payment_status: 'CREDITED',
      payment_status_at: '2026-11-02T09:00:00.000Z',
      paid_at: '2026-10-30T09:00:00.000Z',
    });
  });

  it("counts a payment begun exactly at the month's start in that month and one begun exactly at its end in the next", async () => {
    const ledger = await open();
    const month = { now: NOW, paidFrom: minutes(10), paidUntil: minutes(20) };
    const received = (linkId: string, status: string, at: Date) =>
      ledger.recordNotification({
        linkId,
        dedupeKey: `${linkId}:${status}`,
        status,
        rank: statusProgress(classifyStatus(status)),
        receivedAt: at,
      });
    // Paid at minutes(9), (10), (19), (20): the first and last fall outside [10, 20).
    await createdLink(ledger, { amountCents: 1 }, ['SETTLED'], minutes(8));
    await createdLink(ledger, { amountCents: 10 }, ['SETTLED'], minutes(9));
    await createdLink(ledger, { amountCents: 100 }, ['SETTLED'], minutes(18));
    await createdLink(ledger, { amountCents: 1_000 }, ['SETTLED'], minutes(19));
    // Its later paid status recorded by an instance whose clock is a minute behind (or read before the other's commit):
    // the link's status dates from before the month, its payment from the month's first instant.
    const behind = await createdLink(ledger, { amountCents: 10_000 });
    await received(behind, 'SETTLED', minutes(10));
    await received(behind, 'GUARANTEED', minutes(9));
    expect(await ledger.findLink(behind)).toMatchObject({
      paid_at: minutes(10).toISOString(),
      payment_status_at: minutes(9).toISOString(),
    });
    // The same a minute later: its status dates from the month, its payment from the minute it ends.
    const behindAtTheEnd = await createdLink(ledger, { amountCents: 100_000 });
    await received(behindAtTheEnd, 'SETTLED', minutes(20));
    await received(behindAtTheEnd, 'GUARANTEED', minutes(19));

    expect((await ledger.totals(month)).paid).toEqual({ count: 3, cents: 10_110 });
    expect((await ledger.totals({ ...month, paidFrom: minutes(20), paidUntil: minutes(30) })).paid).toEqual({
      count: 2,
      cents: 101_000,
    });
  });

  it('counts as awaiting payment a link with a status paylink does not know, whatever its expiry', async () => {
    const ledger = await open();
    await createdLink(ledger, { amountCents: 7, expiresAt: minutes(-30) }, ['SOMETHING_NEW'], minutes(-60));
    await createdLink(ledger, { amountCents: 70, expiresAt: minutes(-30) }, ['SETTLED', 'SOMETHING_NEW'], minutes(-60));
    const month = { now: NOW, paidFrom: minutes(-1000), paidUntil: minutes(1000) };
    expect(await ledger.totals(month)).toEqual({
      awaiting: { count: 1, cents: 7 },
      paid: { count: 1, cents: 70 },
      multiPayBegun: NONE,
    });
  });

  it('finds links by payment reference whatever the case, with their history oldest first', async () => {
    const ledger = await open();
    const refused = String(await ledger.claimSubmission(newLink({ paymentReference: 'F-2026-031' })));
    await ledger.recordOutcome(refused, { state: 'refused', detail: 'EXIST_005' });
    const created = await createdLink(ledger, { paymentReference: 'f-2026-031', createdAt: minutes(1) }, [
      'CREATED',
      'ISSUED',
      'SETTLED',
    ]);
    await createdLink(ledger, { paymentReference: 'F-2026-0310' });
    const someoneElses = await createdLink(ledger, {
      paymentReference: 'F-2026-031',
      userId: 'U0OTHER',
      createdAt: minutes(2),
    });

    const ids = (links: { id: string }[]) => links.map((link) => link.id);
    expect(ids(await ledger.linksWithReference('F-2026-031', { limit: 5 }))).toEqual([someoneElses, created, refused]);
    expect(ids(await ledger.linksWithReference('F-2026-031', { userId: 'U0REP', limit: 5 }))).toEqual([
      created,
      refused,
    ]);
    expect(ids(await ledger.linksWithReference('F-2026-031', { userId: 'U0REP', limit: 1 }))).toEqual([created]);
    expect(await ledger.linksWithReference('F-2026', { limit: 5 })).toEqual([]);
    expect(await ledger.countLinksWithReference('f-2026-031')).toBe(3);
    expect(await ledger.countLinksWithReference('F-2026-031', { userId: 'U0REP' })).toBe(2);
    expect(await ledger.countLinksWithReference('F-2026-031', { states: ['created'] })).toBe(2);
    expect(await ledger.countLinksWithReference('F-2026')).toBe(0);
    const history = await ledger.notificationsOf(created);
    expect(history.map((notification) => notification.status)).toEqual(['CREATED', 'ISSUED', 'SETTLED']);
  });

  it('finds the links SAFEDEBIT made with a reference before the tries it refused since, however many', async () => {
    // A reference paid, then tried again and refused (EXIST_005): `status` shows 5 links, the paid one among them.
    const ledger = await open();
    const made = await createdLink(ledger, { paymentReference: 'F-2026-031' }, ['SETTLED']);
    const retries: string[] = [];
    for (let minute = 1; minute <= 6; minute += 1) {
      const retry = String(
        await ledger.claimSubmission(newLink({ paymentReference: 'F-2026-031', createdAt: minutes(minute) })),
      );
      await ledger.recordOutcome(retry, { state: 'refused', detail: 'EXIST_005' });
      retries.unshift(retry);
    }
    const found = await ledger.linksWithReference('F-2026-031', { userId: 'U0REP', limit: 5 });
    expect(found.map((link) => link.id)).toEqual([made, ...retries.slice(0, 4)]);
  });

  it('finds a reference with accented letters whatever their case, composed or not', async () => {
    const ledger = await open();
    const summer = await createdLink(ledger, { paymentReference: 'FACTURE-ÉTÉ-12' });
    const ids = async (typed: string) => (await ledger.linksWithReference(typed, { limit: 5 })).map((link) => link.id);
    expect(await ids('facture-été-12')).toEqual([summer]);
    expect(await ids('FACTURE-E\u0301TE\u0301-12')).toEqual([summer]);
    expect(await ids('facture-ete-12')).toEqual([]);
  });

  it("gives a month's links whatever became of them, oldest first, its bounds as given", async () => {
    const ledger = await open();
    const before = await createdLink(ledger, { createdAt: minutes(-1) });
    const first = await createdLink(ledger, { createdAt: NOW });
    const refused = String(await ledger.claimSubmission(newLink({ createdAt: minutes(5) })));
    await ledger.recordOutcome(refused, { state: 'refused', detail: 'EXIST_005' });
    const atTheEnd = await createdLink(ledger, { createdAt: minutes(10) });
    const rows = await ledger.linksCreatedBetween(NOW, minutes(10));
    expect(rows.map((link) => link.id)).toEqual([first, refused]);
    expect(rows.map((link) => link.id)).not.toContain(before);
    expect(rows.map((link) => link.id)).not.toContain(atTheEnd);
  });

  it('hands each due reminder to one claimant across instances, never a paid or a recent link', async () => {
    const [a, b] = [await open(), await open()];
    const due = await Promise.all(
      Array.from({ length: 12 }, (_, index) => createdLink(a, { createdAt: minutes(-100 - index) })),
    );
    const pendingDue = await createdLink(a, { createdAt: minutes(-100) }, ['WAITINGFORVALIDATION'], minutes(-90));
    await createdLink(a, { createdAt: minutes(-100) }, ['SETTLED'], minutes(-90));
    await createdLink(a, { createdAt: minutes(-100) }, ['CANCELED'], minutes(-90));
    await createdLink(a, { createdAt: minutes(-10) }); // not due yet
    const refused = String(await a.claimSubmission(newLink({ createdAt: minutes(-100) })));
    await a.recordOutcome(refused, { state: 'refused', detail: 'EXIST_005' });
    const cutoff = minutes(-60);
    // Created exactly PAYLINK_REMIND_AFTER ago: due.
    const dueJustNow = await createdLink(a, { createdAt: cutoff });
    // Both instances claim at once, round after round, until nothing is left: each link comes out once.
    const claimed: LinkRecord[] = [];
    for (let round = 0; round < 10; round += 1) {
      const got = (await Promise.all([a, b, a, b].map((ledger) => ledger.claimDueReminders(cutoff, NOW, 5)))).flat();
      if (got.length === 0) break;
      claimed.push(...got);
    }
    expect(claimed.map((link) => link.id).sort()).toEqual([...due, pendingDue, dueJustNow].sort());
    expect(claimed.every((link) => link.reminded_at === NOW.toISOString())).toBe(true);

    // Released (Slack did not take the DM): the next round claims it again, and only it.
    await b.releaseReminder(String(due[0]), NOW);
    const later = minutes(1);
    expect((await a.claimDueReminders(cutoff, later, 5)).map((link) => link.id)).toEqual([due[0]]);
    // A release by a claim that is not the current one changes nothing.
    await a.releaseReminder(String(due[0]), NOW);
    expect(await b.claimDueReminders(cutoff, minutes(2), 5)).toEqual([]);
  });

  it('takes a link that expired with no status out of what awaits payment: the list, the total, the reminders', async () => {
    const ledger = await open();
    const expired = await createdLink(ledger, { createdAt: minutes(-120), expiresAt: NOW });
    const payable = await createdLink(ledger, { createdAt: minutes(-119), expiresAt: minutes(1) });
    // A debit under way, or paid: its standing is SAFEDEBIT's, whatever the link's age.
    const issued = await createdLink(
      ledger,
      { createdAt: minutes(-500), expiresAt: minutes(-380) },
      ['ISSUED'],
      minutes(-499),
    );
    await createdLink(ledger, { createdAt: minutes(-500), expiresAt: minutes(-380) }, ['SETTLED'], minutes(-499));
    // No expiry known (no unit declared when it was sent): it never expires, however old.
    const noExpiry = await createdLink(ledger, { createdAt: minutes(-5000) });

    const ids = (links: { id: string }[]) => links.map((link) => link.id);
    expect(await ledger.findLink(expired)).toMatchObject({ expires_at: NOW.toISOString() });
    expect(ids(await ledger.latestLinks({ now: NOW, limit: 10, only: 'awaiting' }))).toEqual([
      payable,
      issued,
      noExpiry,
    ]);
    expect(ids(await ledger.latestLinks({ now: NOW, limit: 10 }))).toContain(expired);
    const month = { paidFrom: minutes(-1000), paidUntil: minutes(1000) };
    expect((await ledger.totals({ now: NOW, ...month })).awaiting.count).toBe(3);
    expect(ids(await ledger.claimDueReminders(minutes(-60), NOW, 10)).sort()).toEqual(
      [payable, issued, noExpiry].sort(),
    );
    // A millisecond earlier, the first had not expired yet.
    expect((await ledger.totals({ now: new Date(NOW.getTime() - 1), ...month })).awaiting.count).toBe(4);
  });

  it("keeps the sandbox's links and live ones apart: each instance lists, counts, exports and reminds its own kind", async () => {
    const [live, sandbox] = [await open(), await open({ sandbox: true })];
    const trialPaid = await createdLink(sandbox, { createdAt: minutes(-100), paymentReference: 'F-1' }, ['SETTLED']);
    const trialUnpaid = await createdLink(sandbox, { createdAt: minutes(-100), paymentReference: 'F-2' });
    const trialInterrupted = String(await sandbox.claimSubmission(newLink({ createdAt: minutes(-100) })));
    const real = await createdLink(live, { createdAt: minutes(-100), paymentReference: 'F-1' });
    const realInterrupted = String(await live.claimSubmission(newLink({ createdAt: minutes(-100) })));
    expect(await live.findLink(trialPaid)).toMatchObject({ sandbox: 1 });
    expect(await live.findLink(real)).toMatchObject({ sandbox: 0 });

    const ids = (links: { id: string }[]) => links.map((link) => link.id).sort();
    const month = { now: NOW, paidFrom: minutes(-1000), paidUntil: minutes(1000) };
    expect(ids(await live.latestLinks({ now: NOW, limit: 10 }))).toEqual([real]);
    expect(ids(await sandbox.latestLinks({ now: NOW, limit: 10 }))).toEqual(
      ids([{ id: trialPaid }, { id: trialUnpaid }]),
    );
    expect(await live.totals(month)).toEqual({
      awaiting: { count: 1, cents: 125_050 },
      paid: NONE,
      multiPayBegun: NONE,
    });
    expect((await sandbox.totals(month)).paid.count).toBe(1);
    expect(ids(await live.linksWithReference('F-1', { limit: 5 }))).toEqual([real]);
    expect(ids(await live.linksCreatedBetween(minutes(-1000), NOW))).toEqual(
      ids([{ id: real }, { id: realInterrupted }]),
    );
    expect(ids(await live.claimDueReminders(minutes(-60), NOW, 10))).toEqual([real]);
    expect(ids(await sandbox.claimDueReminders(minutes(-60), NOW, 10))).toEqual([trialUnpaid]);
    expect(ids(await live.claimInterruptedLinks({ upTo: minutes(-10) }, 10))).toEqual([realInterrupted]);
    expect(ids(await sandbox.claimInterruptedLinks({ upTo: minutes(-10) }, 10))).toEqual([trialInterrupted]);
  });

  it('hands each interrupted link to one claimant across instances, never one being created, answered or posted', async () => {
    const [a, b] = [await open(), await open()];
    const requested = (createdAt: Date) => a.claimSubmission(newLink({ createdAt })).then(String);
    const abandoned = await Promise.all(Array.from({ length: 7 }, (_, index) => requested(minutes(-30 - index))));
    const beingCreated = await requested(minutes(-1));
    const answered = await createdLink(a, { createdAt: minutes(-40) });
    const refused = await requested(minutes(-40));
    await a.recordOutcome(refused, { state: 'refused', detail: 'EXIST_005' });
    // Its answer could not be recorded, but its summary was posted: the link exists, nothing was interrupted.
    const posted = await requested(minutes(-40));
    await a.recordSummary(posted, { channel: 'C0SALES', ts: '1.000100', threadTs: '1.000100' }, null, 'https://p/x');
    // The same, by an instance of a release before recordSummary also recorded the link: still requested, summary posted.
    const postedBefore = await requested(minutes(-40));
    await a.db
      .updateTable('links')
      .set({ summary_channel: 'C0SALES', summary_ts: '1.000200', thread_ts: '1.000200' })
      .where('id', '=', postedBefore)
      .execute();

    const upTo = minutes(-10);
    const claimed: LinkRecord[] = [];
    for (let round = 0; round < 10; round += 1) {
      const got = (await Promise.all([a, b, a, b].map((ledger) => ledger.claimInterruptedLinks({ upTo }, 3)))).flat();
      if (got.length === 0) break;
      claimed.push(...got);
    }
    expect(claimed.map((link) => link.id).sort()).toEqual([...abandoned].sort());
    expect(claimed.every((link) => link.state === 'interrupted')).toBe(true);
    expect((await a.findLink(beingCreated))?.state).toBe('requested');
    expect((await a.findLink(answered))?.state).toBe('created');
    expect((await a.findLink(refused))?.state).toBe('refused');
    expect((await a.findLink(posted))?.state).toBe('created');
    expect((await a.findLink(postedBefore))?.state).toBe('requested');

    // Released (Slack did not take the rep's DM): claimed again, and only it.
    await b.releaseInterruptedLink(String(abandoned[0]));
    expect((await a.claimInterruptedLinks({ upTo }, 3)).map((link) => link.id)).toEqual([abandoned[0]]);
    // SAFEDEBIT's answer recorded after all (a very late flow): it stands, and a release changes nothing.
    await a.recordOutcome(String(abandoned[1]), { state: 'created', link: 'https://pay.example/paypage?SDESSID=late' });
    await a.releaseInterruptedLink(String(abandoned[1]));
    expect((await a.findLink(String(abandoned[1])))?.state).toBe('created');
  });

  it('looks for interrupted links only from `from` on when given', async () => {
    const ledger = await open();
    const old = String(await ledger.claimSubmission(newLink({ createdAt: minutes(-200) })));
    const recent = String(await ledger.claimSubmission(newLink({ createdAt: minutes(-30) })));
    const window = { from: minutes(-100), upTo: minutes(-10) };
    expect((await ledger.claimInterruptedLinks(window, 10)).map((link) => link.id)).toEqual([recent]);
    expect((await ledger.claimInterruptedLinks({ upTo: minutes(-10) }, 10)).map((link) => link.id)).toEqual([old]);
  });

  it('leaves the links it is told to skip (their instance holds a write the ledger refused) for both claims', async () => {
    const ledger = await open();
    const held = String(await ledger.claimSubmission(newLink({ createdAt: minutes(-40) })));
    const free = String(await ledger.claimSubmission(newLink({ createdAt: minutes(-30) })));
    const heldMade = await madeLink(ledger, { createdAt: minutes(-40) });
    const freeMade = await madeLink(ledger, { createdAt: minutes(-30) });
    const upTo = minutes(-10);
    const skip = [held, heldMade];
    expect((await ledger.claimInterruptedLinks({ upTo }, 10, skip)).map((link) => link.id)).toEqual([free]);
    expect((await ledger.claimUndeliveredLinks({ upTo }, 10, skip)).map((link) => link.id)).toEqual([freeMade]);
    expect(await ledger.findLink(held)).toMatchObject({ state: 'requested' });
    expect(await ledger.findLink(heldMade)).toMatchObject({ undelivered_to_rep: 1 });
  });

  it('hands each link never given to its rep to one claimant across instances, and no link its rep was given', async () => {
    const [a, b, sandbox] = [await open(), await open(), await open({ sandbox: true })];
    const place = { channel: 'C0SALES', ts: '1.000100', threadTs: '1.000100' };
    // SAFEDEBIT's answer recorded, then the instance stopped: neither summary nor link reached the rep.
    const undelivered = await Promise.all(
      Array.from({ length: 5 }, (_, index) => madeLink(a, { createdAt: minutes(-40 - index) })),
    );
    const beingDelivered = await madeLink(a, { createdAt: minutes(-1) });
    const summarized = await createdLink(a, { createdAt: minutes(-40) });
    await a.recordSummary(summarized, place, null, 'https://pay.example/paypage?SDESSID=s');
    const sentPrivately = await createdLink(a, { createdAt: minutes(-40) });
    await a.recordSentPrivately(sentPrivately, 'https://pay.example/paypage?SDESSID=p');
    // Its answer could not be recorded, the link was sent privately all the same: the link is known, and given.
    const sentUnrecorded = String(await a.claimSubmission(newLink({ createdAt: minutes(-40) })));
    await a.recordSentPrivately(sentUnrecorded, 'https://pay.example/paypage?SDESSID=u');
    const otherKind = await madeLink(sandbox, { createdAt: minutes(-40) });
    // Recorded by an instance of the release before, still running during a rolling upgrade: it sets no flag.
    const previousRelease = String(await a.claimSubmission(newLink({ createdAt: minutes(-40) })));
    await a.db
      .updateTable('links')
      .set({ state: 'created', link: 'https://pay.example/paypage?SDESSID=old' })
      .where('id', '=', previousRelease)
      .execute();

    const upTo = minutes(-10);
    const claimed: LinkWithAddress[] = [];
    for (let round = 0; round < 10; round += 1) {
      const got = (await Promise.all([a, b, a, b].map((ledger) => ledger.claimUndeliveredLinks({ upTo }, 2)))).flat();
      if (got.length === 0) break;
      claimed.push(...got);
    }
    expect(claimed.map((link) => link.id).sort()).toEqual([...undelivered].sort());
    expect(claimed.every((link) => link.link.startsWith('https://pay.example/'))).toBe(true);
    expect(await a.findLink(sentUnrecorded)).toMatchObject({
      state: 'created',
      link: 'https://pay.example/paypage?SDESSID=u',
      undelivered_to_rep: 0,
    });
    expect((await sandbox.claimUndeliveredLinks({ upTo }, 10)).map((link) => link.id)).toEqual([otherKind]);
    expect(await a.claimUndeliveredLinks({ upTo: NOW }, 10)).toEqual([expect.objectContaining({ id: beingDelivered })]);

    // Released (Slack did not take the DM): claimed again, and only it.
    await b.releaseUndeliveredLink(String(undelivered[0]));
    expect((await a.claimUndeliveredLinks({ upTo }, 3)).map((link) => link.id)).toEqual([undelivered[0]]);
    // Its summary posted after all (a very late flow): a release changes nothing.
    await a.recordSummary(String(undelivered[1]), place, null, null);
    await a.releaseUndeliveredLink(String(undelivered[1]));
    expect(await a.claimUndeliveredLinks({ upTo: NOW }, 10)).toEqual([]);
    // Only from `from` on when given.
    await b.releaseUndeliveredLink(String(undelivered[4]));
    expect(await a.claimUndeliveredLinks({ from: minutes(-43), upTo }, 10)).toEqual([]);
    expect((await a.claimUndeliveredLinks({ from: minutes(-44), upTo }, 10)).map((link) => link.id)).toEqual([
      undelivered[4],
    ]);
  });

  it('confirms an interrupted link to one caller across instances, and no link in another state', async () => {
    const [a, b] = [await open(), await open()];
    const interrupted = String(await a.claimSubmission(newLink({ createdAt: minutes(-30) })));
    const beingCreated = String(await a.claimSubmission(newLink({ createdAt: minutes(-1) })));
    const answered = await createdLink(a, { createdAt: minutes(-40) });
    await a.claimInterruptedLinks({ upTo: minutes(-10) }, 10);
    expect((await a.latestLinks({ now: NOW, limit: 10 })).map((link) => link.id)).toEqual([answered]);

    const confirmed = await Promise.all([a, b, a, b].map((ledger) => ledger.confirmUnansweredLink(interrupted, NOW)));
    expect(confirmed.filter((link) => link !== undefined)).toEqual([
      expect.objectContaining({ id: interrupted, state: 'created', state_detail: 'interrupted', link: null }),
    ]);
    expect(await a.confirmUnansweredLink(beingCreated, NOW)).toBeUndefined();
    expect(await b.confirmUnansweredLink(answered, NOW)).toBeUndefined();
    expect((await a.findLink(beingCreated))?.state).toBe('requested');
    // A link that exists from now on: listed with the others, and a late release of the rep's notice leaves it so.
    expect((await a.latestLinks({ now: NOW, limit: 10 })).map((link) => link.id)).toEqual([interrupted, answered]);
    await a.releaseInterruptedLink(interrupted);
    expect((await b.findLink(interrupted))?.state).toBe('created');
  });

  it('confirms a link whose answer was an outage, never a refused one', async () => {
    const ledger = await open();
    const lost = String(await ledger.claimSubmission(newLink()));
    await ledger.recordOutcome(lost, { state: 'outage', detail: 'timeout' });
    const refused = String(await ledger.claimSubmission(newLink()));
    await ledger.recordOutcome(refused, { state: 'refused', detail: 'EXIST_005' });
    expect(await ledger.confirmUnansweredLink(lost, NOW)).toMatchObject({ state: 'created', state_detail: 'outage' });
    expect(await ledger.confirmUnansweredLink(lost, NOW)).toBeUndefined();
    expect(await ledger.confirmUnansweredLink(refused, NOW)).toBeUndefined();
  });

  it('hands each confirmed link its instance stopped before announcing to one claimant, once its confirmation is old', async () => {
    const [a, b, sandbox] = [await open(), await open(), await open({ sandbox: true })];
    const place = { channel: 'C0SALES', ts: '1.000100', threadTs: '1.000100' };
    /** A link whose answer never reached paylink, asked hours before SAFEDEBIT's notification confirmed it. */
    const confirmedAt = async (ledger: Ledger, at: Date) => {
      const id = String(await ledger.claimSubmission(newLink({ createdAt: minutes(-300) })));
      await ledger.recordOutcome(id, { state: 'outage', detail: 'timeout' });
      expect(await ledger.confirmUnansweredLink(id, at)).toMatchObject({ state: 'created', undelivered_to_rep: 1 });
      return id;
    };
    // Confirmed, then the instance stopped before its summary's place was recorded.
    const unannounced = await Promise.all(
      Array.from({ length: 5 }, (_, index) => confirmedAt(a, minutes(-40 - index))),
    );
    // Its confirming instance may still be waiting on Slack.
    const beingAnnounced = await confirmedAt(a, minutes(-1));
    const announced = await confirmedAt(a, minutes(-40));
    await a.recordSummary(announced, place, null, null);
    // Slack surely did not take its summary: put back for a later notification or round to confirm again.
    const before = await confirmedAt(a, minutes(-40)).then((id) => a.findLink(id));
    const putBack = String(before?.id);
    await a.unconfirmLink(putBack, { state: 'outage', state_detail: 'timeout' });
    expect(await a.findLink(putBack)).toMatchObject({ state: 'outage', undelivered_to_rep: 0, confirmed_at: null });
    const otherKind = await confirmedAt(sandbox, minutes(-40));
    // A link made with its address and never given to its rep is the other round's, which never takes these.
    const withAddress = String(await a.claimSubmission(newLink({ createdAt: minutes(-40) })));
    await a.recordOutcome(withAddress, { state: 'created', link: 'https://pay.example/paypage?SDESSID=w' });

    const upTo = minutes(-10);
    const claimed: LinkRecord[] = [];
    for (let round = 0; round < 10; round += 1) {
      const got = (await Promise.all([a, b, a, b].map((ledger) => ledger.claimUnannouncedLinks(upTo, 2)))).flat();
      if (got.length === 0) break;
      claimed.push(...got);
    }
    expect(claimed.map((link) => link.id).sort()).toEqual([...unannounced].sort());
    expect(claimed.every((link) => link.link === null && link.state_detail === 'outage')).toBe(true);
    expect((await a.claimUndeliveredLinks({ upTo: NOW }, 10)).map((link) => link.id)).toEqual([withAddress]);
    expect((await sandbox.claimUnannouncedLinks(upTo, 10)).map((link) => link.id)).toEqual([otherKind]);
    expect((await a.claimUnannouncedLinks(NOW, 10)).map((link) => link.id)).toEqual([beingAnnounced]);

    // Released (Slack did not take the DM): claimed again, and only it; not one of `skip`.
    await b.releaseUndeliveredLink(String(unannounced[0]));
    await b.releaseUndeliveredLink(String(unannounced[1]));
    expect((await a.claimUnannouncedLinks(upTo, 10, [String(unannounced[1])])).map((link) => link.id)).toEqual([
      unannounced[0],
    ]);
    // Its summary's place recorded after all (a very late write): a release changes nothing.
    await a.recordSummary(String(unannounced[1]), place, null, null);
    await a.releaseUndeliveredLink(String(unannounced[1]));
    expect(await a.claimUnannouncedLinks(NOW, 10)).toEqual([]);
  });

  it('remembers who opened App Home, once per person, and keeps the thread permalinks', async () => {
    const ledger = await open();
    expect(await ledger.homeViewers(['U0REP', 'U0FIN'])).toEqual([]);
    await ledger.recordHomeOpened('U0REP', NOW);
    await ledger.recordHomeOpened('U0REP', minutes(1));
    expect(await ledger.homeViewers(['U0REP', 'U0FIN'])).toEqual(['U0REP']);
    expect(await ledger.homeViewers([])).toEqual([]);
    const rows = await ledger.db.selectFrom('home_views').selectAll().execute();
    expect(rows).toEqual([{ user_id: 'U0REP', opened_at: minutes(1).toISOString() }]);

    const id = await createdLink(ledger);
    await ledger.recordPermalink(id, 'https://paylink-test.slack.com/archives/C0SALES/p1700000000000100');
    expect(await ledger.findLink(id)).toMatchObject({
      summary_permalink: 'https://paylink-test.slack.com/archives/C0SALES/p1700000000000100',
    });
  });
});

describe.each(ENGINES)(
  'links written by an instance of the release before, during a rolling upgrade, on %s',
  (engine) => {
    const { open } = testLedgers(engine);

    /**
     * A created link as the releases before wrote it, with the status it recorded `minute`s after NOW: without
     * reference_key, paid_at, sandbox, undelivered_to_rep, expires_at and confirmed_at, which they did not know.
     */
    async function writtenByPreviousRelease(ledger: Ledger, id: string, status: string, rank: number, minute: number) {
      const previousRelease = ledger.db as unknown as Kysely<{ links: Record<string, unknown> }>;
      const {
        reference_key: _key,
        paid_at: _paid,
        sandbox: _sandbox,
        undelivered_to_rep: _undelivered,
        expires_at: _expiry,
        confirmed_at: _confirmed,
        ...row
      } = linkRecord({
        id,
        payment_reference: 'F-2026-777',
        state: 'created',
        payment_status: status,
        payment_status_rank: rank,
        payment_status_at: minutes(minute).toISOString(),
      });
      await previousRelease.insertInto('links').values(row).execute();
      return row;
    }

    it('are found by reference and counted paid in their month, though that release left out reference_key and paid_at', async () => {
      const ledger = await open();
      const row = await writtenByPreviousRelease(ledger, 'old-instance', 'SETTLED', 40, 5);

      expect((await ledger.linksWithReference('f-2026-777', { limit: 5 })).map((link) => link.id)).toEqual([
        'old-instance',
      ]);
      expect((await ledger.totals({ now: NOW, paidFrom: NOW, paidUntil: minutes(6) })).paid).toEqual({
        count: 1,
        cents: row.amount_cents,
      });
      expect((await ledger.totals({ now: NOW, paidFrom: minutes(6), paidUntil: minutes(60) })).paid.count).toBe(0);
    });

    it('are counted paid in the month their paid status came exactly at the start of, not in the month ending then', async () => {
      const ledger = await open();
      const row = await writtenByPreviousRelease(ledger, 'settled-at-the-start', 'SETTLED', 40, 5);
      expect((await ledger.totals({ now: NOW, paidFrom: minutes(5), paidUntil: minutes(6) })).paid).toEqual({
        count: 1,
        cents: row.amount_cents,
      });
      expect((await ledger.totals({ now: NOW, paidFrom: minutes(4), paidUntil: minutes(5) })).paid.count).toBe(0);
    });

    it('are live links, since that release ran live: a sandbox instance does not see them', async () => {
      const ledger = await open();
      await writtenByPreviousRelease(ledger, 'old-instance', 'SETTLED', 40, 5);
      expect((await ledger.latestLinks({ now: NOW, limit: 5 })).map((link) => link.id)).toEqual(['old-instance']);
      expect(await (await open({ sandbox: true })).latestLinks({ now: NOW, limit: 5 })).toEqual([]);
    });

    it("are trial links when that release ran the sandbox: their address is the sandbox's payment page", async () => {
      const live = await open();
      const { sandbox: _unknownThen, ...row } = linkRecord({
        id: 'trial-by-old-release',
        created_at: NOW.toISOString(),
        link: 'http://localhost:3000/sandbox/pay/0123456789abcdef0123456789abcdef',
        payment_status: 'SETTLED',
        payment_status_rank: 40,
        payment_status_at: NOW.toISOString(),
        paid_at: NOW.toISOString(),
      });
      await (live.db as unknown as Kysely<{ links: Record<string, unknown> }>)
        .insertInto('links')
        .values(row)
        .execute();
      const sandbox = await open({ sandbox: true });

      const ids = (links: { id: string }[]) => links.map((link) => link.id);
      const month = { now: NOW, paidFrom: minutes(-60), paidUntil: minutes(60) };
      expect({
        liveList: ids(await live.latestLinks({ now: NOW, limit: 10 })),
        livePaid: (await live.totals(month)).paid.count,
        liveExport: ids(await live.linksCreatedBetween(month.paidFrom, month.paidUntil)),
        liveStatus: ids(await live.linksWithReference(row.payment_reference, { limit: 5 })),
        sandboxList: ids(await sandbox.latestLinks({ now: NOW, limit: 10 })),
      }).toEqual({
        liveList: [],
        livePaid: 0,
        liveExport: [],
        liveStatus: [],
        sandboxList: ['trial-by-old-release'],
      });
    });

    it.each(['REJECTED', 'Cancelled'])(
      'do not hide a payment settled after a %s that release ranked above SETTLED',
      async (failed) => {
        const ledger = await open();
        await writtenByPreviousRelease(ledger, 'failed-by-old-instance', failed, 50, 1);
        // Days later the customer pays on a new attempt; a current instance gets the notification.
        const settled = { dedupeKey: 'settled', status: 'SETTLED', rank: 40, receivedAt: minutes(60) };
        await ledger.recordNotification({ linkId: 'failed-by-old-instance', ...settled });
        expect(await ledger.findLink('failed-by-old-instance')).toMatchObject({ payment_status: 'SETTLED' });
      },
    );

    it('keep their payment in the month of its paid status when a current instance records a later paid status', async () => {
      const ledger = await open();
      // Settled 5 minutes after NOW, recorded by the release before (no paid_at): counted in [NOW, +6 min).
      await writtenByPreviousRelease(ledger, 'settled-by-old-instance', 'SETTLED', 40, 5);
      expect((await ledger.totals({ now: NOW, paidFrom: NOW, paidUntil: minutes(6) })).paid.count).toBe(1);
      // Weeks later (another month) SAFEDEBIT sends CREDITED for the same payment; a current instance records it.
      const credited = { dedupeKey: 'credited', status: 'CREDITED', rank: 40, receivedAt: minutes(60 * 24 * 40) };
      await ledger.recordNotification({ linkId: 'settled-by-old-instance', ...credited });
      // "A later CREDITED after SETTLED does not move it": the payment still counts in the month it was settled…
      expect((await ledger.totals({ now: NOW, paidFrom: NOW, paidUntil: minutes(6) })).paid.count).toBe(1);
      // …and not a second time in the month of the CREDITED.
      const later = { paidFrom: minutes(60 * 24 * 39), paidUntil: minutes(60 * 24 * 41) };
      expect((await ledger.totals({ ...later, now: NOW })).paid.count).toBe(0);
    });
  },
);

/**
 * A SQLite ledger made by an earlier paylink, with only the migrations `kept` names and what `seed` put in it; then
 * opened as paylink opens it at start, for `check`.
 */
/** A ledger of an earlier release, as its seed writes it: rows of any shape, the columns that release had. */
type EarlierLedger = Kysely<{ links: Record<string, unknown>; notifications: Record<string, unknown> }>;

async function upgradedLedger(
  kept: (migration: string) => boolean,
  seed: (old: EarlierLedger) => Promise<unknown>,
  check: (ledger: Ledger) => Promise<void>,
): Promise<void> {
  const database = await freshDatabase('sqlite');
  try {
    const location = ledgerLocationOf(database);
    if (location.engine !== 'sqlite') throw new Error('expected a SQLite file');
    const earlier = Object.fromEntries(
      Object.entries(await ledgerMigrations.getMigrations()).filter(([name]) => kept(name)),
    );
    const old = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new SqliteDatabase(location.path) }) });
    await new Migrator({ db: old, provider: { getMigrations: async () => earlier } }).migrateToLatest();
    await seed(old as EarlierLedger);
    await old.destroy();
    const ledger = await openLedger(location);
    try {
      await check(ledger);
    } finally {
      await ledger.close();
    }
  } finally {
    await database.drop();
  }
}

/** A notification's row as a release before wrote it, its reply posted when it came. */
function repliedNotification(linkId: string, key: string, status: string, at: Date) {
  return {
    dedupe_key: key,
    link_id: linkId,
    received_at: at.toISOString(),
    status,
    payment_id: null,
    reply_claimed_at: null,
    replied_at: at.toISOString(),
  };
}

/** A link's row as a release before the `sandbox` column wrote it (Kysely leaves an undefined column out). */
function earlierRow(overrides: Partial<LinkRecord>) {
  return {
    ...linkRecord(overrides),
    sandbox: undefined,
    undelivered_to_rep: undefined,
    expires_at: undefined,
    confirmed_at: undefined,
  };
}

describe('a ledger made before paid_at', () => {
  it('dates the payment of its paid links by their paid status, and no other', async () => {
    const oldRow = (id: string, status: string | null, rank: number | null) => ({
      id,
      submission_key: `key-${id}`,
      created_at: NOW.toISOString(),
      user_id: 'U0REP',
      origin_channel: 'C0SALES',
      amount_cents: 1_000,
      currency: 'EUR',
      payment_reference: `F-${id}`,
      consumer_reference: 'CUST-42',
      masked_email: 'j•••@example.com',
      masked_phone: '•• •• •• 56 78',
      sms_option: 0,
      email_option: 0,
      payment_type: 'now',
      state: 'created',
      payment_status: status,
      payment_status_rank: rank,
      payment_status_at: status === null ? null : minutes(5).toISOString(),
    });
    await upgradedLedger(
      (migration) => migration < '2026-11-27-03-paid-at',
      (old) =>
        old
          .insertInto('links')
          .values([oldRow('paid', 'CREDITED', 40), oldRow('returned', 'RETURNED', 50), oldRow('awaiting', null, null)])
          .execute(),
      async (ledger) => {
        expect(await ledger.findLink('paid')).toMatchObject({ paid_at: minutes(5).toISOString() });
        expect(await ledger.findLink('returned')).toMatchObject({ paid_at: null });
        expect(await ledger.findLink('awaiting')).toMatchObject({ paid_at: null });
        const paid = (await ledger.totals({ now: NOW, paidFrom: NOW, paidUntil: minutes(6) })).paid;
        expect(paid).toEqual({ count: 1, cents: 1_000 });
      },
    );
  });
});

describe('a ledger made before reference keys', () => {
  it('finds its links by reference whatever the case once upgraded', async () => {
    await upgradedLedger(
      (migration) => migration < '2026-11-27-05-reference-key',
      (old) =>
        old
          .insertInto('links')
          .values({ ...earlierRow({ id: 'old', payment_reference: 'FACTURE-É1' }), reference_key: undefined })
          .execute(),
      async (ledger) => {
        expect((await ledger.linksWithReference('facture-é1', { limit: 5 })).map((link) => link.id)).toEqual(['old']);
      },
    );
  });
});

describe('a ledger made while reference keys kept no-break spaces', () => {
  it('finds a reference pasted with them by the same reference typed with plain spaces', async () => {
    await upgradedLedger(
      (migration) => migration < '2026-11-29-16-reference-key-spaces',
      (old) =>
        old
          .insertInto('links')
          .values({
            ...earlierRow({ id: 'pasted', payment_reference: 'FAC\u00a02026\u00a0031' }),
            reference_key: 'fac\u00a02026\u00a0031',
          })
          .execute(),
      async (ledger) => {
        expect((await ledger.linksWithReference('FAC 2026 031', { limit: 5 })).map((link) => link.id)).toEqual([
          'pasted',
        ]);
      },
    );
  });
});

describe('a ledger made while REJECTED ranked above SETTLED', () => {
  it('ranks its rejected links below settlement, so a payment made after the reject shows', async () => {
    const status = (id: string, payment_status: string, payment_status_rank: number) =>
      earlierRow({ id, state: 'created', payment_status, payment_status_rank, payment_status_at: NOW.toISOString() });
    await upgradedLedger(
      (migration) => migration < '2026-11-27-07-rejected-before-settled',
      (old) =>
        old
          .insertInto('links')
          .values([status('rejected', 'Rejected', 50), status('returned', 'RETURNED', 50)])
          .execute(),
      async (ledger) => {
        expect(await ledger.findLink('rejected')).toMatchObject({ payment_status_rank: 30 });
        expect(await ledger.findLink('returned')).toMatchObject({ payment_status_rank: 50 });
        const settled = { dedupeKey: 'settled', status: 'SETTLED', rank: 40, receivedAt: minutes(2) };
        await ledger.recordNotification({ linkId: 'rejected', ...settled });
        expect(await ledger.findLink('rejected')).toMatchObject({
          payment_status: 'SETTLED',
          paid_at: expect.any(String),
        });
      },
    );
  });
});

describe('a ledger made while REJECTED ranked above SETTLED, with a payment settled after its reject', () => {
  it('shows the link paid once upgraded, as a link rejected then settled today does', async () => {
    // What the release before wrote for REJECTED (rank 50) then SETTLED (rank 40, kept but not made the status).
    const notification = (key: string, status: string, at: Date) =>
      repliedNotification('paid-after-reject', key, status, at);
    await upgradedLedger(
      (migration) => migration < '2026-11-27-07-rejected-before-settled',
      async (db) => {
        await db
          .insertInto('links')
          .values(
            earlierRow({
              id: 'paid-after-reject',
              state: 'created',
              payment_status: 'REJECTED',
              payment_status_rank: 50,
              payment_status_at: minutes(1).toISOString(),
              summary_status: 'REJECTED',
            }),
          )
          .execute();
        await db
          .insertInto('notifications')
          .values([notification('r', 'REJECTED', minutes(1)), notification('s', 'SETTLED', minutes(2))])
          .execute();
      },
      async (ledger) => {
        expect(await ledger.findLink('paid-after-reject')).toMatchObject({
          payment_status: 'SETTLED',
          payment_status_rank: 40,
          paid_at: minutes(2).toISOString(),
        });
        expect((await ledger.totals({ now: NOW, paidFrom: NOW, paidUntil: minutes(60) })).paid.count).toBe(1);
      },
    );
  });
});

describe('a ledger made while CANCELED ranked above SETTLED', () => {
  it('ranks its cancelled links below settlement, and shows paid one settled after its cancellation', async () => {
    const link = (id: string, payment_status: string) =>
      earlierRow({
        id,
        state: 'created',
        payment_status,
        payment_status_rank: 50,
        payment_status_at: minutes(1).toISOString(),
        summary_status: payment_status,
      });
    await upgradedLedger(
      (migration) => migration < '2026-11-29-15-canceled-before-settled',
      async (db) => {
        await db
          .insertInto('links')
          .values([link('cancelled', 'Cancelled'), link('paid-after-cancel', 'CANCELED'), link('returned', 'RETURNED')])
          .execute();
        // What the release before wrote for CANCELED (rank 50) then SETTLED (rank 40, kept but not made the status).
        await db
          .insertInto('notifications')
          .values([
            repliedNotification('cancelled', 'c', 'Cancelled', minutes(1)),
            repliedNotification('paid-after-cancel', 'pc', 'CANCELED', minutes(1)),
            repliedNotification('paid-after-cancel', 'ps', 'SETTLED', minutes(2)),
            repliedNotification('returned', 'r', 'RETURNED', minutes(1)),
          ])
          .execute();
      },
      async (ledger) => {
        expect(await ledger.findLink('cancelled')).toMatchObject({
          payment_status: 'Cancelled',
          payment_status_rank: 30,
          payment_status_at: minutes(1).toISOString(),
        });
        expect(await ledger.findLink('paid-after-cancel')).toMatchObject({
          payment_status: 'SETTLED',
          payment_status_rank: 40,
          paid_at: minutes(2).toISOString(),
        });
        expect(await ledger.findLink('returned')).toMatchObject({
          payment_status: 'RETURNED',
          payment_status_rank: 50,
        });
        expect((await ledger.totals({ now: NOW, paidFrom: NOW, paidUntil: minutes(60) })).paid.count).toBe(1);
      },
    );
  });
});

describe('a ledger made while accented statuses were unknown', () => {
  it('shows refunded a link paid then refunded with REMBOURSÉ, and no other link changed', async () => {
    const link = (id: string, payment_status: string) =>
      earlierRow({
        id,
        state: 'created',
        payment_status,
        payment_status_rank: 40,
        payment_status_at: minutes(1).toISOString(),
        paid_at: minutes(1).toISOString(),
        summary_status: payment_status,
      });
    await upgradedLedger(
      (migration) => migration < '2026-11-30-17-status-accents',
      async (db) => {
        await db
          .insertInto('links')
          .values([link('refunded', 'SETTLED'), link('paid', 'SETTLED'), link('paid-twice', 'SETTLED')])
          .execute();
        // What the release before kept: REMBOURSÉ an unknown status (rank 1), so the link stayed paid.
        await db
          .insertInto('notifications')
          .values([
            repliedNotification('refunded', 'rs', 'SETTLED', minutes(1)),
            repliedNotification('refunded', 'rr', 'Remboursé', minutes(2)),
            repliedNotification('paid', 'ps', 'SETTLED', minutes(1)),
            // An accented status still unknown, then two parts paid: nothing to work out again.
            repliedNotification('paid-twice', 'pc', 'Créé', minutes(0)),
            repliedNotification('paid-twice', 'p1', 'SETTLED', minutes(1)),
            repliedNotification('paid-twice', 'p2', 'SETTLED', minutes(30)),
          ])
          .execute();
      },
      async (ledger) => {
        expect(await ledger.findLink('refunded')).toMatchObject({
          payment_status: 'Remboursé',
          payment_status_rank: 70,
          payment_status_at: minutes(2).toISOString(),
          paid_at: null,
        });
        for (const id of ['paid', 'paid-twice']) {
          expect(await ledger.findLink(id)).toMatchObject({
            payment_status: 'SETTLED',
            payment_status_at: minutes(1).toISOString(),
            paid_at: minutes(1).toISOString(),
          });
        }
        expect((await ledger.totals({ now: NOW, paidFrom: NOW, paidUntil: minutes(60) })).paid.count).toBe(2);
      },
    );
  });
});

describe('a ledger made before sandbox links were marked', () => {
  it("marks the links the sandbox made, by their payment page's address, and no other", async () => {
    const oldRow = (id: string, link: string | null) =>
      earlierRow({ id, state: link === null ? 'refused' : 'created', link });
    await upgradedLedger(
      (migration) => migration < '2026-11-27-08-sandbox-links',
      (old) =>
        old
          .insertInto('links')
          .values([
            oldRow('trial', 'http://localhost:3000/sandbox/pay/0123456789abcdef0123456789abcdef'),
            oldRow('real', 'https://pay.safedebit.fr/paypage?SDESSID=abc'),
            oldRow('refused', null),
          ])
          .execute(),
      async (ledger) => {
        expect(await ledger.findLink('trial')).toMatchObject({ sandbox: 1 });
        expect(await ledger.findLink('real')).toMatchObject({ sandbox: 0 });
        expect(await ledger.findLink('refused')).toMatchObject({ sandbox: 0 });
      },
    );
  });
});

describe('a ledger made before links were marked undelivered', () => {
  it('takes none of its links for one its rep was never given, summary or not', async () => {
    await upgradedLedger(
      (migration) => migration < '2026-11-27-09-undelivered-links',
      (old) =>
        old
          .insertInto('links')
          .values([
            { ...earlierRow({ id: 'posted' }), sandbox: 0 },
            {
              ...earlierRow({ id: 'no-summary', summary_channel: null, summary_ts: null, thread_ts: null }),
              sandbox: 0,
            },
          ])
          .execute(),
      async (ledger) => {
        expect(await ledger.findLink('no-summary')).toMatchObject({ state: 'created', undelivered_to_rep: 0 });
        expect(await ledger.claimUndeliveredLinks({ upTo: minutes(60) }, 10)).toEqual([]);
      },
    );
  });
});

describe('a ledger made before link expiries were kept', () => {
  it('knows no expiry of its links: none expires, whatever the duration set today', async () => {
    await upgradedLedger(
      (migration) => migration < '2026-11-27-10-link-expiry',
      (old) =>
        old
          .insertInto('links')
          .values(earlierRow({ id: 'sent-last-year', created_at: '2025-11-27T09:30:00.000Z' }))
          .execute(),
      async (ledger) => {
        expect(await ledger.findLink('sent-last-year')).toMatchObject({ expires_at: null });
        const awaiting = await ledger.latestLinks({ now: NOW, limit: 5, only: 'awaiting' });
        expect(awaiting.map((link) => link.id)).toEqual(['sent-last-year']);
      },
    );
  });
});

describe('a ledger made before confirmations were dated', () => {
  it('keeps its links, and takes none of those it confirmed for one its rep was never given', async () => {
    await upgradedLedger(
      (migration) => migration < '2026-11-28-14-unannounced-links',
      (old) =>
        old
          .insertInto('links')
          .values([
            { ...earlierRow({ id: 'posted' }), sandbox: 0, undelivered_to_rep: 0 },
            // Confirmed by a notification, its summary refused or perhaps posted: that release did not say which.
            {
              ...earlierRow({
                id: 'confirmed',
                link: null,
                state_detail: 'interrupted',
                summary_channel: null,
                summary_ts: null,
                thread_ts: null,
              }),
              sandbox: 0,
              undelivered_to_rep: 0,
              expires_at: null,
            },
          ])
          .execute(),
      async (ledger) => {
        expect(await ledger.findLink('posted')).toMatchObject({ state: 'created', summary_ts: '1700000000.000100' });
        expect(await ledger.findLink('confirmed')).toMatchObject({
          state: 'created',
          state_detail: 'interrupted',
          confirmed_at: null,
          undelivered_to_rep: 0,
        });
        expect(await ledger.claimUnannouncedLinks(minutes(60), 10)).toEqual([]);
        // Confirmed from now on, a link is dated and may be claimed.
        const lost = String(await ledger.claimSubmission(newLink()));
        await ledger.recordOutcome(lost, { state: 'outage', detail: 'timeout' });
        await ledger.confirmUnansweredLink(lost, NOW);
        expect((await ledger.claimUnannouncedLinks(minutes(60), 10)).map((link) => link.id)).toEqual([lost]);
      },
    );
  });
});

describe('a ledger made before reminders and App Home', () => {
  it('gets their columns and table at the next start, its links kept', async () => {
    await upgradedLedger(
      (migration) => migration.includes('-01-'),
      async () => undefined,
      async (ledger) => {
        const id = await createdLink(ledger, {}, ['SETTLED']);
        expect(await ledger.findLink(id)).toMatchObject({ reminded_at: null, summary_permalink: null });
        await ledger.recordHomeOpened('U0REP', NOW);
        expect(await ledger.homeViewers(['U0REP'])).toEqual(['U0REP']);
      },
    );
  });
});
