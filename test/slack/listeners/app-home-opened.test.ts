import { afterEach, describe, expect, it } from 'vitest';
import { appHomeOpened } from '../../../src/slack/listeners/events/app-home-opened.js';
import { type ListenerTestContext, listenerContext } from '../../support/listener-context.js';
import { appHomeOpenedEvent } from '../../support/slack-requests.js';
import { SALES_REP } from '../../support/slack-workspace.js';

let t: ListenerTestContext;
afterEach(async () => {
  await t.close();
});

type EventArgs = Parameters<ReturnType<typeof appHomeOpened>>[0];
const opened = (tab: 'home' | 'messages') => ({ event: appHomeOpenedEvent(SALES_REP.id, tab) }) as unknown as EventArgs;

describe('app_home_opened', () => {
  it('draws the Home tab after the ack, and remembers who opened it', async () => {
    t = await listenerContext();
    await appHomeOpened(t.ctx)(opened('home'));
    expect(t.tracked).toHaveLength(1);
    await Promise.all(t.tracked);
    const [publish] = t.slack.callsTo('views.publish');
    expect(publish?.args).toMatchObject({ user_id: SALES_REP.id, view: { type: 'home' } });
    expect(await t.ledger.homeViewers([SALES_REP.id])).toEqual([SALES_REP.id]);
  });

  it('does nothing for the Messages tab', async () => {
    t = await listenerContext();
    await appHomeOpened(t.ctx)(opened('messages'));
    expect(t.tracked).toEqual([]);
    expect(t.slack.callsTo('views.publish')).toEqual([]);
    expect(await t.ledger.homeViewers([SALES_REP.id])).toEqual([]);
  });
});
