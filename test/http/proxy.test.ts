import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LoopbackProxy, startLoopbackProxy } from '../support/loopback-proxy.js';
import { type Harness, SIGNING_SECRET, startHarness, VALID_FORM, visibleText } from '../support/paylink-harness.js';
import { sendSlashCommand } from '../support/slack-requests.js';

const isCreatedView = (view: Record<string, unknown>) => visibleText(view).includes('paypage?SDESSID=');

describe('outbound calls and HTTP_PROXY', () => {
  let proxy: LoopbackProxy;
  let h: Harness | undefined;
  beforeEach(async () => {
    proxy = await startLoopbackProxy();
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
    await proxy.close();
  });

  /** Creates one link, and has one /paylink answered through its response_url (the modal cannot open). */
  async function createLinkAndRespond(harness: Harness): Promise<string> {
    const { view } = await harness.openModal();
    await harness.submit(view, VALID_FORM);
    await harness.waitForViewUpdate(view.id, isCreatedView);
    harness.standin.failNext('views.open', 'expired_trigger_id');
    const responseUrl = harness.standin.responseUrl();
    await sendSlashCommand(harness.baseUrl, SIGNING_SECRET, {
      trigger_id: harness.standin.issueTriggerId(),
      response_url: responseUrl,
    });
    await harness.standin.waitForResponse((post) => post.url === responseUrl);
    return responseUrl;
  }

  it('sends every Slack call, the response_url post and the SAFEDEBIT call through the proxy', async () => {
    h = await startHarness({ env: { HTTP_PROXY: proxy.url } });
    const responseUrl = await createLinkAndRespond(h);

    const slackHost = new URL(h.standin.apiUrl).host;
    const throughProxy = proxy.requestsTo(slackHost);
    expect(throughProxy).toEqual(
      expect.arrayContaining([
        'POST /api/auth.test', // Bolt's own client, checking the token at start
        'POST /api/views.open',
        'POST /api/chat.postMessage',
        'POST /api/views.update',
        `POST ${new URL(responseUrl).pathname}`,
      ]),
    );
    // Not one Slack call went around it.
    expect(throughProxy.filter((request) => request.startsWith('POST /api/'))).toHaveLength(h.standin.calls.length);
    expect(proxy.requestsTo(new URL(h.safedebit.url).host)).toEqual([
      `POST ${new URL(h.safedebit.url).pathname}/get_link_payment`,
    ]);
  });

  it('goes straight to the hosts NO_PROXY names, loopback included only when named', async () => {
    h = await startHarness({ env: { HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' } });
    await createLinkAndRespond(h);
    expect(h.safedebit.requests).toHaveLength(1);
    expect(proxy.tunnels).toEqual([]);
  });

  it('in Socket Mode, opens the WebSocket and asks for its URL through the proxy too', async () => {
    h = await startHarness({ socketMode: true, env: { HTTP_PROXY: proxy.url } });
    await h.overSocket.openModal();
    expect(proxy.requestsTo(new URL(h.standin.apiUrl).host)).toEqual(
      expect.arrayContaining([
        'POST /api/apps.connections.open',
        expect.stringMatching(/^GET \/link\/\?ticket=/),
        'POST /api/views.open',
      ]),
    );
  });
});
