import { afterEach, describe, expect, it } from 'vitest';
import { openLedger } from '../../src/ledger/open.js';
import {
  type AppProcess,
  exitCodeOf,
  type ProcessWorld,
  startAppProcess,
  startProcessWorld,
} from '../support/app-process.js';
import { ENGINES, ledgerLocationOf } from '../support/databases.js';
import { newLink } from '../support/link-records.js';

/**
 * A reminder round claims one due link at a time (reminded_at set), then sends its DM: an instance that dies during
 * the round (kill -9, a host going down) leaves at most the link whose DM was in flight claimed, and that DM may have
 * been posted. Every other due link is reminded by the next instance.
 */
describe.each(ENGINES)('reminders of an instance killed mid-round (%s)', (engine) => {
  let world: ProcessWorld | undefined;
  const apps: AppProcess[] = [];
  afterEach(async () => {
    await world?.close(apps.splice(0));
    world = undefined;
  });

  it('are sent by the next instance, except the one that may have been posted', async () => {
    world = await startProcessWorld(engine);
    const { standin } = world;
    // Five links made a day ago, still awaiting payment (reminders just turned on, say).
    const ledger = await openLedger(ledgerLocationOf(world.database));
    try {
      for (const n of [1, 2, 3, 4, 5]) {
        const id = await ledger.claimSubmission(
          newLink({ createdAt: new Date(Date.now() - 86_400_000), paymentReference: `F-DUE-${n}` }),
        );
        await ledger.recordOutcome(String(id), { state: 'created', link: `https://pay.example/paypage?SDESSID=${n}` });
      }
    } finally {
      await ledger.close();
    }
    const env = { ...world.env, PAYLINK_REMIND_AFTER: '10s' };
    const isReminder = (call: { args: Record<string, unknown> }) => String(call.args.text).includes('still awaiting');

    // Slack is slow to take each DM; the first instance is killed while its first reminder is being posted.
    standin.setDelay('chat.postMessage', 5_000);
    const first = await startAppProcess(env);
    apps.push(first);
    await standin.waitForCall('chat.postMessage', isReminder, 15_000);
    const killed = exitCodeOf(first);
    first.child.kill('SIGKILL');
    await killed;
    standin.setDelay('chat.postMessage', 0);

    const next = await startAppProcess(env);
    apps.push(next);
    const references = () =>
      standin
        .callsTo('chat.postMessage')
        .filter(isReminder)
        .map((call) => String(call.args.text).match(/F-DUE-\d/)?.[0]);
    // One attempted by the killed instance (may have been posted), the four others by the next one, once each. A round
    // is due within a second (a tenth of 10s, at least 1 s); a loaded machine may take longer to start and send them.
    await expect.poll(() => new Set(references()).size, { timeout: 20_000 }).toBe(5);
    expect(references()).toHaveLength(5);
  }, 40_000);
});
