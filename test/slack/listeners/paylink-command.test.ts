import { afterEach, describe, expect, it } from 'vitest';
import { paylinkCommand } from '../../../src/slack/listeners/commands/paylink.js';
import { decodeModalOrigin } from '../../../src/slack/metadata.js';
import { fakeAck, type ListenerTestContext, listenerContext } from '../../support/listener-context.js';
import { visibleText } from '../../support/paylink-harness.js';
import { slashCommandPayload } from '../../support/slack-requests.js';
import { SALES_CHANNEL, SALES_REP } from '../../support/slack-workspace.js';

let t: ListenerTestContext;
afterEach(async () => {
  await t.close();
});

/** `/paylink <text>` as Bolt hands it to the listener. */
function typed(text: string, user = SALES_REP.id) {
  const command = slashCommandPayload({
    text,
    user_id: user,
    trigger_id: '1111.2222.trigger',
    response_url: 'https://hooks.slack.test/commands/T0001/1/cmd',
  });
  const ack = fakeAck();
  return { ack, args: { ack, command } as unknown as Parameters<ReturnType<typeof paylinkCommand>>[0] };
}

describe('/paylink', () => {
  it('acknowledges at once, then opens the form pre-filled with the amount and the reference', async () => {
    t = await listenerContext();
    const { ack, args } = typed('1 250,50 F-2026-031');
    await paylinkCommand(t.ctx)(args);
    expect(ack.acks).toEqual([undefined]);
    const [open] = t.slack.callsTo('views.open');
    expect(open?.args.trigger_id).toBe('1111.2222.trigger');
    const json = JSON.stringify(open?.args.view);
    expect(json).toContain('"initial_value":"1 250,50"');
    expect(json).toContain('"initial_value":"F-2026-031"');
    const view = open?.args.view as { private_metadata: string };
    expect(decodeModalOrigin(view.private_metadata)).toEqual({
      channel: SALES_CHANNEL.id,
      user: SALES_REP.id,
      responseUrl: 'https://hooks.slack.test/commands/T0001/1/cmd',
    });
  });

  it('answers help in the acknowledgement, privately, and opens nothing', async () => {
    t = await listenerContext();
    const { ack, args } = typed('help');
    await paylinkCommand(t.ctx)(args);
    expect(ack.acks).toMatchObject([{ response_type: 'ephemeral' }]);
    const help = visibleText(ack.acks[0]);
    for (const word of ['list', 'status', 'export']) expect(help).toContain(word);
    expect(t.slack.calls).toHaveLength(0);
  });

  it('refuses a rep who may not create links in the acknowledgement, and opens nothing', async () => {
    t = await listenerContext({ PAYLINK_ALLOWED_USERS: 'U0SOMEONEELSE' });
    const { ack, args } = typed('12,50 F-1');
    await paylinkCommand(t.ctx)(args);
    expect(ack.acks).toMatchObject([{ response_type: 'ephemeral', text: expect.stringContaining('not allowed') }]);
    expect(t.slack.callsTo('views.open')).toHaveLength(0);
  });

  it.each([
    ['en', 'C0DEALS', 'Use this channel: <#C0DEALS>.'],
    ['fr', 'C0DEALS, D0ADMIN', 'Utilisez ce canal\u00A0: <#C0DEALS>.'],
    ['en', 'C00, C01, C02, C03, C04, C05, C06, C07, C08, C09, C10', 'Use one of these channels: <#C00>, <#C01>, '],
    ['fr', 'C00, C01, C02, C03, C04, C05, C06, C07, C08, C09, C10', "Utilisez l'un de ces canaux\u00A0: <#C00>, "],
  ])(
    'refuses a channel not allowed (%s, %s), naming where to go as a sentence reads',
    async (locale, channels, told) => {
      t = await listenerContext({ PAYLINK_LOCALE: locale, PAYLINK_ALLOWED_CHANNELS: channels });
      const { ack, args } = typed('12,50 F-1');
      await paylinkCommand(t.ctx)(args);
      const text = visibleText(ack.acks[0]);
      expect(text).toContain(told);
      // One channel is not "one of these"; past ten, the ellipsis ends the sentence, with no period after it.
      expect(text).toMatch(channels.includes('C10') ? /<#C09>…$/ : /<#C0DEALS>\.$/);
      expect(t.slack.callsTo('views.open')).toHaveLength(0);
    },
  );

  it('acknowledges a report at once and answers it later, privately, through the response_url', async () => {
    t = await listenerContext();
    const { ack, args } = typed('list');
    await paylinkCommand(t.ctx)(args);
    expect(ack.acks).toEqual([undefined]);
    expect(t.tracked).toHaveLength(1);
    await Promise.all(t.tracked);
    expect(t.slack.callsTo('respond')).toMatchObject([
      { args: { url: 'https://hooks.slack.test/commands/T0001/1/cmd', response_type: 'ephemeral' } },
    ]);
  });

  it('refuses the export to a rep who is not an admin, politely, and prepares nothing', async () => {
    t = await listenerContext({ PAYLINK_ADMINS: 'U0ADMIN' });
    const { ack, args } = typed('export 2026-10');
    await paylinkCommand(t.ctx)(args);
    expect(ack.acks).toMatchObject([{ response_type: 'ephemeral' }]);
    expect(t.tracked).toHaveLength(0);
    expect(t.slack.calls).toHaveLength(0);
  });

  it('starts the export for an admin, saying it is on its way', async () => {
    t = await listenerContext({ PAYLINK_ADMINS: SALES_REP.id });
    const { ack, args } = typed('export 2026-10');
    await paylinkCommand(t.ctx)(args);
    expect(ack.acks).toMatchObject([{ response_type: 'ephemeral' }]);
    expect(t.tracked).toHaveLength(1);
  });
});
