import { describe, expect, it } from 'vitest';
import type { NewLink } from '../../src/ledger/ledger.js';
import { EXPIRY_SHOWN } from '../../src/ledger/schema.js';
import { ENGINES } from '../support/databases.js';
import { testLedgers } from '../support/ledgers.js';

const NOW = new Date('2026-11-27T10:00:00.000Z');
const NEW_LINK: NewLink = {
  submissionKey: 'V0VIEW:hash-1',
  createdAt: NOW,
  teamId: 'T0TEAM',
  userId: 'U0REP',
  originChannel: 'C0SALES',
  amountCents: 9_007_199_254_740, // far above any real amount: bigint on PostgreSQL, read back as a number
  currency: 'EUR',
  paymentReference: 'F-2026-031',
  consumerReference: 'CUST-42',
  customer: 'Jean Dupont',
  maskedEmail: 'j•••@example.com',
  maskedPhone: '+33 6 •• •• •• 78',
  smsOption: 1,
  emailOption: 0,
  paymentType: 'now',
};

describe.each(ENGINES)('the ledger on %s', (engine) => {
  const { open, closeAll } = testLedgers(engine);

  it('migrates once, however many instances start at once, and again at a restart', async () => {
    const [first, second, third] = await Promise.all([open(), open(), open()]);
    const id = await first?.claimSubmission(NEW_LINK);
    expect(id).toBeDefined();
    // The instances started at once work on the one ledger they migrated: the others see the link, and cannot claim it.
    expect((await second?.findLinkOfSubmission(NEW_LINK.submissionKey))?.id).toBe(id);
    expect(await third?.claimSubmission(NEW_LINK)).toBeUndefined();
    await closeAll();
    const restarted = await open();
    expect(await restarted.claimSubmission(NEW_LINK)).toBeUndefined();
  });

  it('claims a submission once, even when claimed concurrently, and keeps the row as given', async () => {
    const [a, b] = [await open(), await open()];
    const claims = await Promise.all([a, b, a, b].map((ledger) => ledger.claimSubmission(NEW_LINK)));
    const ids = claims.filter((id) => id !== undefined);
    expect(ids).toHaveLength(1);
    const row = await a.findLink(String(ids[0]));
    expect(row).toMatchObject({
      submission_key: NEW_LINK.submissionKey,
      created_at: NOW.toISOString(),
      team_id: 'T0TEAM',
      user_id: 'U0REP',
      origin_channel: 'C0SALES',
      origin_thread_ts: null,
      amount_cents: NEW_LINK.amountCents,
      currency: 'EUR',
      customer: 'Jean Dupont',
      masked_email: NEW_LINK.maskedEmail,
      sms_option: 1,
      email_option: 0,
      payment_type: 'now',
      state: 'requested',
      link: null,
      payment_status: null,
    });
    expect(typeof row?.amount_cents).toBe('number');
    expect(await a.claimSubmission({ ...NEW_LINK, submissionKey: 'V0VIEW:hash-2' })).toBeDefined();
  });

  it('tells whether a modal was submitted again after a submission: its later keys only, not another modal’s', async () => {
    const ledger = await open();
    const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
    await ledger.claimSubmission({ ...NEW_LINK, submissionKey: 'V0FIRST:a', createdAt: at(0) });
    await ledger.claimSubmission({ ...NEW_LINK, submissionKey: 'V0FIRS:b', createdAt: at(1) });
    await ledger.claimSubmission({ ...NEW_LINK, submissionKey: 'V0FIRST2:c', createdAt: at(1) });
    expect(await ledger.submittedAgain('V0FIRST:', at(0).toISOString())).toBe(false);
    await ledger.claimSubmission({ ...NEW_LINK, submissionKey: 'V0FIRST:d', createdAt: at(2) });
    expect(await ledger.submittedAgain('V0FIRST:', at(0).toISOString())).toBe(true);
    expect(await ledger.submittedAgain('V0FIRST:', at(2).toISOString())).toBe(false);
  });

  it('records what SAFEDEBIT answered and where the summary went', async () => {
    const ledger = await open();
    const id = String(await ledger.claimSubmission(NEW_LINK));
    await ledger.recordOutcome(id, { state: 'created', link: 'https://pay.example/paypage?SDESSID=1' });
    const place = { channel: 'C0SALES', ts: '1700000000.000100', threadTs: '1700000000.000100' };
    await ledger.recordSummary(id, place, null, 'https://pay.example/paypage?SDESSID=1');
    expect(await ledger.findLink(id)).toMatchObject({
      state: 'created',
      link: 'https://pay.example/paypage?SDESSID=1',
      summary_channel: 'C0SALES',
      summary_ts: '1700000000.000100',
      thread_ts: '1700000000.000100',
    });
    // SAFEDEBIT's answer could not be recorded, its summary's place could: the link is known all the same.
    const unrecorded = String(await ledger.claimSubmission({ ...NEW_LINK, submissionKey: 'unrecorded' }));
    await ledger.recordSummary(unrecorded, place, null, 'https://pay.example/paypage?SDESSID=2');
    expect(await ledger.findLink(unrecorded)).toMatchObject({
      state: 'created',
      link: 'https://pay.example/paypage?SDESSID=2',
      undelivered_to_rep: 0,
    });
    // The answer's write, tried again late, leaves the summary's word on whether the rep has the link as it is.
    await ledger.recordOutcome(unrecorded, { state: 'created', link: 'https://pay.example/paypage?SDESSID=2' });
    expect(await ledger.findLink(unrecorded)).toMatchObject({ undelivered_to_rep: 0 });
    const notGiven = String(await ledger.claimSubmission({ ...NEW_LINK, submissionKey: 'not-given' }));
    await ledger.recordSummary(notGiven, place, null, 'https://pay.example/paypage?SDESSID=3', false);
    await ledger.recordOutcome(notGiven, { state: 'created', link: 'https://pay.example/paypage?SDESSID=3' });
    // Not 1: an instance of the release before (a rolling upgrade) claims a link marked 1 as one with no summary, and
    // would announce it again in the rep's DM, moving its summary there.
    expect(await ledger.findLink(notGiven)).toMatchObject({ undelivered_to_rep: 2 });
    const upTo = new Date(NOW.getTime() + 60_000);
    expect(await ledger.claimUndeliveredLinks({ upTo }, 10)).toEqual([]);
    expect((await ledger.claimUndeliveredLinks({ upTo }, 10, [], true)).map((link) => link.id)).toEqual([notGiven]);
    await ledger.releaseUndeliveredLink(notGiven, true);
    expect(await ledger.findLink(notGiven)).toMatchObject({ undelivered_to_rep: 2 });
    // Sent privately (no summary), then the answer's write played late by a round: the rep still has the link.
    const sentPrivately = String(await ledger.claimSubmission({ ...NEW_LINK, submissionKey: 'sent-privately' }));
    await ledger.recordSentPrivately(sentPrivately, 'https://pay.example/paypage?SDESSID=4');
    await ledger.recordOutcome(sentPrivately, { state: 'created', link: 'https://pay.example/paypage?SDESSID=4' });
    expect(await ledger.findLink(sentPrivately)).toMatchObject({ state: 'created', undelivered_to_rep: 0 });
    expect(await ledger.claimUndeliveredLinks({ upTo }, 10)).toEqual([]);
    // A summary posted without the link's address (a link known to exist from a notification) keeps the one known.
    await ledger.recordSummary(id, place, null, null);
    expect((await ledger.findLink(id))?.link).toBe('https://pay.example/paypage?SDESSID=1');
    const refused = String(await ledger.claimSubmission({ ...NEW_LINK, submissionKey: 'other' }));
    await ledger.recordOutcome(refused, { state: 'refused', detail: 'EXIST_005' });
    expect(await ledger.findLink(refused)).toMatchObject({ state: 'refused', state_detail: 'EXIST_005', link: null });
  });

  it('records a refusal or an outage over a link taken meanwhile for an interrupted one, never over a confirmed one', async () => {
    // The write kept through a ledger outage comes late: another instance may have acted on the link meanwhile.
    const ledger = await open();
    const taken = String(await ledger.claimSubmission({ ...NEW_LINK, submissionKey: 'taken' }));
    await ledger.db.updateTable('links').set({ state: 'interrupted' }).where('id', '=', taken).execute();
    await ledger.recordOutcome(taken, { state: 'refused', detail: 'EXIST_005' });
    expect(await ledger.findLink(taken)).toMatchObject({ state: 'refused', state_detail: 'EXIST_005' });

    const confirmed = String(await ledger.claimSubmission({ ...NEW_LINK, submissionKey: 'confirmed' }));
    await ledger.db
      .updateTable('links')
      .set({ state: 'created', state_detail: 'outage' })
      .where('id', '=', confirmed)
      .execute();
    await ledger.recordOutcome(confirmed, { state: 'outage', detail: 'timeout' });
    expect(await ledger.findLink(confirmed)).toMatchObject({ state: 'created', state_detail: 'outage' });
  });

  it('keeps each notification once and only moves the status forward', async () => {
    const ledger = await open();
    const id = String(await ledger.claimSubmission(NEW_LINK));
    const notification = (key: string, status: string, rank: number, minutes: number) => ({
      linkId: id,
      dedupeKey: key,
      status,
      rank,
      receivedAt: new Date(NOW.getTime() + minutes * 60_000),
    });
    expect(await ledger.recordNotification(notification('settled', 'SETTLED', 40, 1))).toBe(true);
    expect(await ledger.recordNotification(notification('settled', 'SETTLED', 40, 2))).toBe(false);
    expect(await ledger.recordNotification(notification('created', 'CREATED', 10, 3))).toBe(true);
    expect(await ledger.findLink(id)).toMatchObject({
      payment_status: 'SETTLED',
      payment_status_rank: 40,
      payment_status_at: new Date(NOW.getTime() + 60_000).toISOString(),
    });
    expect(await ledger.recordNotification(notification('credited', 'CREDITED', 40, 4))).toBe(true);
    expect(await ledger.findLink(id)).toMatchObject({ payment_status: 'CREDITED' });
    // The same status again, for another payment: the link's status has not changed since the first.
    expect(
      await ledger.recordNotification({ ...notification('credited-2', 'CREDITED', 40, 5), paymentId: 'P-2' }),
    ).toBe(true);
    expect(await ledger.findLink(id)).toMatchObject({
      payment_status: 'CREDITED',
      payment_status_at: new Date(NOW.getTime() + 4 * 60_000).toISOString(),
    });
    const pending = await ledger.unrepliedNotifications(id);
    expect(pending.map((n) => n.status)).toEqual(['SETTLED', 'CREATED', 'CREDITED', 'CREDITED']);
  });

  it('keeps since when a link is rejected when another payment of it is rejected too', async () => {
    const ledger = await open();
    const id = String(await ledger.claimSubmission(NEW_LINK));
    const rejected = (key: string, minutes: number) => ({
      linkId: id,
      dedupeKey: key,
      status: 'REJECTED',
      rank: 30,
      receivedAt: new Date(NOW.getTime() + minutes * 60_000),
      paymentId: key,
    });
    await ledger.recordNotification(rejected('P-1', 1));
    await ledger.recordNotification(rejected('P-2', 120));
    expect(await ledger.findLink(id)).toMatchObject({
      payment_status: 'REJECTED',
      payment_status_at: new Date(NOW.getTime() + 60_000).toISOString(),
    });
  });

  it('moves a REJECTED ranked 50 by the release before (a rolling upgrade) on to a SETTLED', async () => {
    const ledger = await open();
    const id = String(await ledger.claimSubmission(NEW_LINK));
    await ledger.db
      .updateTable('links')
      .set({ payment_status: 'REJECTED', payment_status_rank: 50, payment_status_at: NOW.toISOString() })
      .where('id', '=', id)
      .execute();
    const settledAt = new Date(NOW.getTime() + 60_000);
    await ledger.recordNotification({ linkId: id, dedupeKey: 's', status: 'SETTLED', rank: 40, receivedAt: settledAt });
    expect(await ledger.findLink(id)).toMatchObject({
      payment_status: 'SETTLED',
      payment_status_rank: 40,
      payment_status_at: settledAt.toISOString(),
    });
  });

  it('lets one claimant post a reply; a released or stale claim can be taken again, a posted one never', async () => {
    const [a, b] = [await open(), await open()];
    const id = String(await a.claimSubmission(NEW_LINK));
    await a.recordNotification({ linkId: id, dedupeKey: 'k', status: 'SETTLED', rank: 40, receivedAt: NOW });
    const staleBefore = new Date(NOW.getTime() - 60_000);
    const claims = await Promise.all([a, b, a, b].map((ledger) => ledger.claimReply('k', NOW, staleBefore)));
    expect(claims.filter(Boolean)).toHaveLength(1);

    await a.releaseReply('k', NOW);
    expect(await b.claimReply('k', NOW, staleBefore)).toBe(true);
    const later = new Date(NOW.getTime() + 30_000);
    expect(await a.claimReply('k', later, new Date(later.getTime() - 60_000))).toBe(false);
    // A claim made at the stale limit itself is not older than it: still live.
    expect(await a.claimReply('k', new Date(NOW.getTime() + 60_000), NOW)).toBe(false);
    const muchLater = new Date(NOW.getTime() + 120_000);
    expect(await a.claimReply('k', muchLater, new Date(muchLater.getTime() - 60_000))).toBe(true);
    // b, still on its stale claim, cannot release a's: a keeps the reply.
    await b.releaseReply('k', NOW);
    expect(await b.claimReply('k', muchLater, new Date(muchLater.getTime() - 60_000))).toBe(false);

    await a.markReplied('k', muchLater);
    const muchMuchLater = new Date(NOW.getTime() + 3_600_000);
    expect(await b.claimReply('k', muchMuchLater, muchMuchLater)).toBe(false);
    expect(await b.unrepliedNotifications(id)).toEqual([]);
  });

  it('finds the links whose status line is behind their status, oldest status first, unless being rewritten', async () => {
    const [a, b] = [await open(), await open()];
    const place = (n: number) => ({ channel: 'C0SALES', ts: `1700000000.00010${n}`, threadTs: `1700000000.00010${n}` });
    const linkWith = async (n: number, status: string | undefined, summary: boolean) => {
      const id = String(await a.claimSubmission({ ...NEW_LINK, submissionKey: `submission-${n}` }));
      await a.recordOutcome(id, { state: 'created', link: `https://pay.example/paypage?SDESSID=${n}` });
      if (summary) await a.recordSummary(id, place(n), null, `https://pay.example/paypage?SDESSID=${n}`);
      const receivedAt = new Date(NOW.getTime() - n * 60_000);
      if (status) await a.recordNotification({ linkId: id, dedupeKey: `k${n}`, status, rank: 40, receivedAt });
      return id;
    };
    const newer = await linkWith(1, 'SETTLED', true);
    const older = await linkWith(2, 'SETTLED', true);
    const shown = await linkWith(3, 'SETTLED', true);
    await a.recordSummaryStatus(shown, 'SETTLED');
    const movedOn = await linkWith(4, 'SETTLED', true);
    await a.recordSummaryStatus(movedOn, 'CREATED');
    await linkWith(5, undefined, true);
    await linkWith(6, 'SETTLED', false);
    const staleBefore = new Date(NOW.getTime() - 60_000);
    expect((await b.linksWithStatusLineBehind(staleBefore, { limit: 10 })).ids).toEqual([movedOn, older, newer]);
    // A page as long as asked says where the next starts; the last one says none.
    const first = await b.linksWithStatusLineBehind(staleBefore, { limit: 2 });
    expect(first.ids).toEqual([movedOn, older]);
    expect(first.next).toBeDefined();
    expect(
      await b.linksWithStatusLineBehind(staleBefore, { limit: 2, ...(first.next && { after: first.next }) }),
    ).toEqual({
      ids: [newer],
    });

    expect(await a.claimStatusLine(older, NOW, staleBefore)).toBe(true);
    expect((await b.linksWithStatusLineBehind(staleBefore, { limit: 10 })).ids).toEqual([movedOn, newer]);
    const later = new Date(NOW.getTime() + 120_000);
    expect((await b.linksWithStatusLineBehind(new Date(later.getTime() - 60_000), { limit: 10 })).ids).toEqual([
      movedOn,
      older,
      newer,
    ]);
  });

  it('lets one instance rewrite a status line; a stale claim is taken over, and its late release frees only its own', async () => {
    const [a, b] = [await open(), await open()];
    const id = String(await a.claimSubmission(NEW_LINK));
    const staleBefore = new Date(NOW.getTime() - 60_000);
    const claims = await Promise.all([a, b, a, b].map((ledger) => ledger.claimStatusLine(id, NOW, staleBefore)));
    expect(claims.filter(Boolean)).toHaveLength(1);

    await a.releaseStatusLine(id, NOW);
    expect(await b.claimStatusLine(id, NOW, staleBefore)).toBe(true);
    const muchLater = new Date(NOW.getTime() + 120_000);
    const staleThen = new Date(muchLater.getTime() - 60_000);
    expect(await a.claimStatusLine(id, muchLater, staleThen)).toBe(true);
    // b, back from its stale claim, releases it: a's claim stands, so b cannot rewrite the line beside a.
    await b.releaseStatusLine(id, NOW);
    expect(await b.claimStatusLine(id, muchLater, staleThen)).toBe(false);
    await a.releaseStatusLine(id, muchLater);
    expect(await b.claimStatusLine(id, muchLater, staleThen)).toBe(true);
  });

  it('finds the links past their expiry whose status line still says awaiting, earliest expiry first, once', async () => {
    const [a, b] = [await open(), await open()];
    const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);
    const linkWith = async (
      n: number,
      expiresAt: Date | undefined,
      options: { status?: string; summary?: boolean },
    ) => {
      const claim = { ...NEW_LINK, submissionKey: `submission-${n}`, ...(expiresAt ? { expiresAt } : {}) };
      const id = String(await a.claimSubmission(claim));
      await a.recordOutcome(id, { state: 'created', link: `https://pay.example/paypage?SDESSID=${n}` });
      const place = { channel: 'C0SALES', ts: `1700000000.00010${n}`, threadTs: `1700000000.00010${n}` };
      if (options.summary !== false) await a.recordSummary(id, place, null, null);
      const { status } = options;
      if (status) await a.recordNotification({ linkId: id, dedupeKey: `k${n}`, status, rank: 40, receivedAt: NOW });
      return id;
    };
    const later = await linkWith(1, minutes(-1), {});
    const earlier = await linkWith(2, minutes(-5), {});
    await linkWith(3, minutes(1), {}); // not expired yet
    await linkWith(4, undefined, {}); // no expiry known
    await linkWith(5, minutes(-5), { status: 'SETTLED' }); // its status shows instead
    await linkWith(6, minutes(-5), { summary: false }); // no line to rewrite
    const shown = await linkWith(7, minutes(-5), {});
    await a.recordSummaryStatus(shown, EXPIRY_SHOWN);
    const staleBefore = minutes(-1);
    expect((await b.linksWithExpiryUnshown(NOW, staleBefore, { limit: 10 })).ids).toEqual([earlier, later]);
    const first = await b.linksWithExpiryUnshown(NOW, staleBefore, { limit: 1 });
    expect(first.ids).toEqual([earlier]);
    const second = await b.linksWithExpiryUnshown(NOW, staleBefore, {
      limit: 1,
      ...(first.next && { after: first.next }),
    });
    expect(second.ids).toEqual([later]);
    expect(
      await b.linksWithExpiryUnshown(NOW, staleBefore, { limit: 1, ...(second.next && { after: second.next }) }),
    ).toEqual({
      ids: [],
    });
    expect(await a.claimStatusLine(earlier, NOW, staleBefore)).toBe(true);
    expect((await b.linksWithExpiryUnshown(NOW, staleBefore, { limit: 10 })).ids).toEqual([later]);
  });
});
