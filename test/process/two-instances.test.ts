import { afterEach, describe, expect, it } from 'vitest';
import {
  type AppProcess,
  openModalOf,
  type ProcessWorld,
  startAppProcess,
  startProcessWorld,
  validSubmission,
} from '../support/app-process.js';
import { PUBLIC_URL, SIGNING_SECRET } from '../support/paylink-harness.js';
import { sendInteraction } from '../support/slack-requests.js';
import { SALES_CHANNEL } from '../support/slack-workspace.js';

/** Two instances of `npm start` behind one imaginary load balancer, sharing one PostgreSQL ledger. */
describe('two app processes on one PostgreSQL', () => {
  let world: ProcessWorld | undefined;
  let instances: AppProcess[] = [];
  afterEach(async () => {
    await world?.close(instances);
    world = undefined;
    instances = [];
  });

  it('a submission delivered to both calls SAFEDEBIT once; a notification delivered to both posts once', async () => {
    world = await startProcessWorld('postgres');
    const { standin, safedebit, env } = world;
    // Started together: both migrate the empty database at once.
    instances = await Promise.all([startAppProcess(env), startAppProcess(env)]);
    const [a, b] = instances as [AppProcess, AppProcess];

    const submission = validSubmission(await openModalOf(a.baseUrl, standin));
    const acks = await Promise.all([a, b].map((app) => sendInteraction(app.baseUrl, SIGNING_SECRET, submission)));
    expect(acks.map((ack) => ack.status)).toEqual([200, 200]);
    await standin.waitForCall('views.update', (call) => JSON.stringify(call.args.view).includes('paypage?SDESSID='));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(safedebit.requests).toHaveLength(1);
    const linkPosts = standin.messagesIn(SALES_CHANNEL.id).filter((m) => String(m.text).includes('paypage?SDESSID='));
    expect(linkPosts).toHaveLength(1);

    const callbackPath = (safedebit.requests[0]?.body as { url_callback: string } | undefined)?.url_callback.slice(
      PUBLIC_URL.length,
    );
    const notify = (app: AppProcess) =>
      fetch(`${app.baseUrl}${callbackPath}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ payment_status: 'SETTLED', pay_id: 'P-77' }),
      }).then((response) => response.status);
    expect(await Promise.all([notify(a), notify(b), notify(a), notify(b)])).toEqual([200, 200, 200, 200]);
    const paidReplies = standin
      .messagesIn(SALES_CHANNEL.id)
      .filter((m) => m.thread_ts && m.thread_ts !== m.ts && String(m.text).includes('Paid'));
    expect(paidReplies).toHaveLength(1);
  }, 30_000);
});
