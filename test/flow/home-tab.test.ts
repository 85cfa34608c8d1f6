import { afterEach, describe, expect, it } from 'vitest';
import { HOME_LINKS } from '../../src/flow/link-reports.js';
import { newLink } from '../support/link-records.js';
import { type ListenerTestContext, listenerContext } from '../support/listener-context.js';
import { visibleText } from '../support/paylink-harness.js';

let t: ListenerTestContext;
afterEach(async () => {
  await t.close();
});

/** The rep's Home as drawn when they open it, with `count` links of theirs in the ledger. */
async function homeWith(count: number): Promise<string> {
  t = await listenerContext({ PAYLINK_LOCALE: 'en' });
  for (let made = 0; made < count; made += 1) {
    const id = await t.ledger.claimSubmission(
      newLink({ createdAt: new Date(t.ctx.clock().getTime() - made * 60_000) }),
    );
    if (id === undefined) throw new Error('not claimed');
    await t.ledger.recordOutcome(id, { state: 'created', link: `https://pay.example/paypage?SDESSID=${made}` });
  }
  await t.ctx.homeTabs.opened('U0REP');
  const [published] = t.slack.callsTo('views.publish');
  return visibleText(published?.args.view);
}

describe('App Home’s list of the rep’s links', () => {
  it(`says it shows the latest ${HOME_LINKS} only when older ones were left out, not when there are exactly that many`, async () => {
    const exactly = await homeWith(HOME_LINKS);
    expect(exactly.match(/Awaiting payment ·/g)).toHaveLength(HOME_LINKS);
    expect(exactly).not.toContain('links only');
    await t.close();
    const more = await homeWith(HOME_LINKS + 1);
    expect(more.match(/Awaiting payment ·/g)).toHaveLength(HOME_LINKS);
    expect(more).toContain(`The latest ${HOME_LINKS} links only.`);
  });
});
