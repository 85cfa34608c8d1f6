import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CustomRoute } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SANDBOX_API_PATH } from '../../src/constants.js';
import { createJsonLogger } from '../../src/logger.js';
import type { PaymentLinkRequest } from '../../src/safedebit/request.js';
import { CODELESS_REFUSAL_MESSAGE, createSandbox, type EmbeddedSandbox, testPathOf } from '../../src/sandbox/routes.js';
import { validRequest } from '../safedebit/fixtures.js';
import { movableClock } from '../support/movable-clock.js';

/**
 * The built-in sandbox's routes, served alone on a loopback port, with a stand-in for paylink's callback URL
 * that records what the sandbox notifies. The whole loop through paylink is in test/slack/sandbox-mode.test.ts.
 */

interface Notification {
  method: string;
  path: string;
  contentType: string | undefined;
  body: unknown;
}

const TIMEOUT_MS = 300;
let servers: Server[] = [];
let sandbox: EmbeddedSandbox;
let base: string;
let logs: string[];
let notifications: Notification[];
/** What the callback stand-in answers, once `callbackHeld` settles (paylink answers once Slack took its reply). */
let callbackStatus: number;
let callbackHeld: Promise<unknown>;
let callbackBase: string;
/** The sandbox's clock: its links' `link_duration` counts in minutes (SAFEDEBIT_LINK_DURATION_UNIT). */
let clock: ReturnType<typeof movableClock>;

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Bolt's custom routes on a plain server: `:name` segments become `req.params`. */
function serveRoutes(routes: CustomRoute[]): Server {
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    for (const route of routes) {
      const pattern = new RegExp(`^${route.path.replace(/:(\w+)/g, '(?<$1>[^/]+)')}$`);
      const methods = [route.method].flat();
      const matched = pattern.exec(path);
      if (matched && methods.includes(req.method ?? '')) {
        route.handler(Object.assign(req, { params: { ...matched.groups } }), res);
        return;
      }
    }
    res.writeHead(404).end();
  });
}

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeEach(async () => {
  logs = [];
  notifications = [];
  callbackStatus = 200;
  callbackHeld = Promise.resolve();
  callbackBase = await listen(
    createServer(async (req, res) => {
      const text = await readAll(req);
      notifications.push({
        method: req.method ?? '',
        path: req.url ?? '',
        contentType: req.headers['content-type'],
        body: JSON.parse(text),
      });
      // As it stands when the notification arrives, answered once `callbackHeld` settles.
      const status = callbackStatus;
      await callbackHeld;
      res.writeHead(status).end();
    }),
  );
  let sandboxBase = '';
  clock = movableClock();
  sandbox = createSandbox({
    logger: createJsonLogger({ level: 'debug', secrets: [], write: (line) => logs.push(line) }),
    locale: 'en',
    timeoutMs: TIMEOUT_MS,
    publicUrl: () => sandboxBase,
    expiry: { clock: clock.now, unit: 'minutes' },
  });
  // Its address is only known once it listens, as paylink's with PORT=0.
  sandboxBase = await listen(serveRoutes(sandbox.routes));
  base = sandboxBase;
});

afterEach(async () => {
  await sandbox.close();
  await Promise.all(
    servers.map((server) => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    }),
  );
  servers = [];
});

function askLink(body: unknown, password = sandbox.credentials.password): Promise<Response> {
  const authorization = `Basic ${Buffer.from(`${sandbox.credentials.login}:${password}`).toString('base64')}`;
  return fetch(`${base}${SANDBOX_API_PATH}/get_link_payment`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** A link issued for `request` (its callback pointed at the stand-in unless it says otherwise). */
async function issue(overrides: Partial<PaymentLinkRequest> = {}): Promise<string> {
  const answer = (await (
    await askLink(validRequest({ url_callback: `${callbackBase}/cb/TOKEN`, ...overrides }))
  ).json()) as { link: string };
  return answer.link;
}

function press(link: string, decision: string): Promise<Response> {
  return fetch(link, { method: 'POST', body: new URLSearchParams({ decision }), redirect: 'manual' });
}

describe('the sandbox’s get_link_payment', () => {
  it('checks Basic auth and the field table, then answers a link under paylink’s public URL', async () => {
    expect(await (await askLink(validRequest(), 'wrong')).json()).toEqual({ result: false, code: 'AUTH_002' });
    expect(await (await askLink({ ...validRequest(), consumer_city: 'x'.repeat(36) })).json()).toEqual({
      result: false,
      code: 'SANDBOX_INVALID_CONSUMER_CITY',
    });
    const answer = await askLink(validRequest());
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(await answer.json()).toEqual({
      result: true,
      link: expect.stringMatching(new RegExp(`^${base}/sandbox/pay/[0-9a-f]{32}$`)),
    });
  });

  it('answers each documented test reference its way', async () => {
    const answerTo = (reference: string) => askLink(validRequest({ payment_reference: reference }));
    expect(await (await answerTo('SANDBOX-EXIST')).json()).toEqual({ result: false, code: 'EXIST_005' });
    expect(await (await answerTo('SANDBOX-REFUSE-42')).json()).toEqual({
      result: false,
      message: CODELESS_REFUSAL_MESSAGE,
    });
    const html = await answerTo('SANDBOX-HTML500');
    expect(html.status).toBe(500);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await html.text()).toContain('<h1>Internal Server Error</h1>');
  });

  it('answers a SANDBOX-SLOW reference only after SAFEDEBIT_TIMEOUT_MS', async () => {
    const started = performance.now();
    const answer = await askLink(validRequest({ payment_reference: 'SANDBOX-SLOW' }));
    expect(performance.now() - started).toBeGreaterThan(TIMEOUT_MS + 900);
    expect(await answer.json()).toMatchObject({ result: true });
  });

  it('refuses a body over 64 KiB', async () => {
    expect((await askLink(`{"padding":"${'x'.repeat(70_000)}"}`)).status).toBe(413);
  });

  it.each([
    ['SANDBOX-EXIST-7', 'exists'],
    ['sandbox-refuse', 'refuse'],
    ['Sandbox-Slow-1', 'slow'],
    ['SANDBOX-HTML500', 'html500'],
    ['F-SANDBOX-EXIST', undefined],
    ['SANDBOX-OTHER', undefined],
  ])('testPathOf(%s) → %s', (reference, path) => {
    expect(testPathOf(reference)).toBe(path);
  });
});

describe('the sandbox’s payment page', () => {
  it('shows the amount, reference and customer, escaped, with a strict policy and no script', async () => {
    const link = await issue({
      amount: '123456',
      payment_reference: '<b>F&1</b>',
      consumer_type: 1,
      social_reference: 'ACME "Ltd"',
      consumer_reference: 'C<42>',
    });
    const page = await fetch(link);
    expect(page.status).toBe(200);
    const policy = page.headers.get('content-security-policy') ?? '';
    expect(policy).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; form-action 'self'/);
    expect(policy).toContain("frame-ancestors 'none'");
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await page.text();
    expect(html).toContain('<dd>€1,234.56</dd>');
    expect(html).toContain('<dd>&lt;b&gt;F&amp;1&lt;/b&gt;</dd>');
    expect(html).toContain('<dd>ACME &quot;Ltd&quot; · C&lt;42&gt;</dd>');
    expect(html).not.toMatch(/<script|<b>/);

    const head = await fetch(link, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('pay: notifies url_callback server to server as SAFEDEBIT would, then 303 to paylink’s thank-you page', async () => {
    const link = await issue({ payment_reference: 'F-PAY-1' });
    const paid = await press(link, 'pay');
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe(`${base}/thanks?lang=en`);
    expect(notifications).toEqual([
      {
        method: 'POST',
        path: '/cb/TOKEN',
        contentType: 'application/json',
        body: {
          payment_status: 'SETTLED',
          payment_reference: 'F-PAY-1',
          pay_id: expect.stringMatching(/^[0-9a-f]{16}$/),
        },
      },
    ]);
  });

  it('past its link_duration, takes no decision and says the link expired; one chosen in time is still shown', async () => {
    const unpaid = await issue({ payment_reference: 'F-LATE-1', link_duration: 10 });
    const paidInTime = await issue({ payment_reference: 'F-TIME-1', link_duration: 10 });
    const noDuration = await issue({ payment_reference: 'F-OPEN-1' });
    expect((await press(paidInTime, 'pay')).status).toBe(303);
    clock.advance(10 * 60_000);

    const page = await fetch(unpaid);
    expect(page.status).toBe(410);
    const text = await page.text();
    expect(text).toContain('Payment link expired');
    expect(text).not.toContain('value="pay"');
    expect((await fetch(unpaid, { method: 'HEAD' })).status).toBe(410);
    expect((await press(unpaid, 'pay')).status).toBe(410);
    expect(await (await fetch(paidInTime)).text()).toContain('This payment was made.');
    expect((await press(noDuration, 'refuse')).status).toBe(303);
    expect(notifications.map((n) => (n.body as { payment_reference: string }).payment_reference)).toEqual([
      'F-TIME-1',
      'F-OPEN-1',
    ]);
  });

  /**
   * A link of 10 minutes pressed twice: the first press's notification held at paylink until the second press has
   * reached the sandbox, with the deadline passing before the second press (`lateSecond`) or after it, and paylink
   * answering the first `firstAnswer`, the second 200. Resolves with both presses' statuses.
   */
  async function twoPresses(reference: string, lateSecond: boolean, firstAnswer: number): Promise<number[]> {
    const link = await issue({ payment_reference: reference, link_duration: 10 });
    let answerPaylink = () => {};
    callbackHeld = new Promise<void>((resolve) => {
      answerPaylink = resolve;
    });
    callbackStatus = firstAnswer;
    const first = press(link, 'pay');
    await vi.waitFor(() => expect(notifications).toHaveLength(1));
    if (lateSecond) clock.advance(10 * 60_000);
    const again = press(link, 'pay');
    // Long enough for the second press to reach the sandbox while the first is still being answered.
    await new Promise((resolve) => setTimeout(resolve, 150));
    if (!lateSecond) clock.advance(10 * 60_000);
    callbackStatus = 200;
    answerPaylink();
    return [(await first).status, (await again).status];
  }

  it('pressed in time, its notification still on its way at the deadline: a second press is not told it expired', async () => {
    expect(await twoPresses('F-EDGE-1', true, 200)).toEqual([303, 303]);
    expect(notifications).toHaveLength(1);
  });

  it('pressed in time, its notification refused by paylink after the deadline: a second press gets 410, sends nothing', async () => {
    expect(await twoPresses('F-EDGE-2', true, 403)).toEqual([502, 410]);
    expect(notifications).toHaveLength(1);
  });

  it('pressed twice in time, the first refused by paylink after the deadline: the second is still sent', async () => {
    expect(await twoPresses('F-EDGE-3', false, 403)).toEqual([502, 303]);
    expect(notifications).toHaveLength(2);
  });

  it('pay and refuse pressed at once (two tabs, a quick change of mind): one decision, one notification', async () => {
    const link = await issue({ payment_reference: 'F-RACE-1' });
    const [paid, refused] = await Promise.all([press(link, 'pay'), press(link, 'refuse')]);
    expect([paid.status, refused.status]).toEqual([303, 303]);
    expect(notifications.map((n) => (n.body as { payment_status: string }).payment_status)).toEqual(['SETTLED']);
  });

  it('follows payment_lang and manual_redirect_url when the request gives them', async () => {
    const link = await issue({
      payment_reference: 'F-REFUSE-1',
      payment_lang: 'fr',
      manual_redirect_url: 'https://merchant.example/merci?commande=1',
    });
    const page = await fetch(link);
    expect(page.headers.get('content-security-policy')).toContain("form-action 'self' https://merchant.example;");
    const html = await page.text();
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('<button name="decision" value="pay">Payer</button>');

    const refused = await press(link, 'refuse');
    expect(refused.status).toBe(303);
    expect(refused.headers.get('location')).toBe('https://merchant.example/merci?commande=1');
    expect(notifications.map((n) => n.body)).toMatchObject([{ payment_status: 'REJECTED' }]);
    expect(await (await fetch(link)).text()).toContain('Ce paiement a été refusé.');
  });

  it('a notification paylink refused keeps the buttons and says nothing was recorded; pressing again delivers it', async () => {
    const link = await issue();
    callbackStatus = 404;
    const failed = await press(link, 'pay');
    expect(failed.status).toBe(502);
    const page = await failed.text();
    expect(page).toContain('The sandbox could not notify paylink (paylink answered HTTP 404). Nothing was recorded');
    expect(page).toContain('value="refuse"');
    callbackStatus = 200;
    expect((await press(link, 'refuse')).status).toBe(303);
    expect(notifications.map((n) => n.body)).toMatchObject([
      { payment_status: 'SETTLED' },
      { payment_status: 'REJECTED' },
    ]);
  });

  // paylink answers 503 once it kept a notification it could not show in Slack yet: it may be recorded.
  it('a notification paylink may have kept (503) is not said unrecorded, and only it can be sent again', async () => {
    const link = await issue();
    callbackStatus = 503;
    const failed = await press(link, 'pay');
    expect(failed.status).toBe(502);
    const page = await failed.text();
    expect(page).toContain('paylink did not confirm it took the notification (paylink answered HTTP 503)');
    expect(page).not.toContain('Nothing was recorded');
    expect(page).toContain('value="pay"');
    expect(page).not.toContain('value="refuse"');
    // Whatever a replayed form says, the same decision goes again; paylink takes it once.
    callbackStatus = 200;
    expect((await press(link, 'refuse')).status).toBe(303);
    expect(notifications.map((n) => n.body)).toMatchObject([
      { payment_status: 'SETTLED' },
      { payment_status: 'SETTLED' },
    ]);
    expect(await (await fetch(link)).text()).toContain('This payment was made.');
  });

  it('a callback URL out of reach: the page names its origin only, never the token', async () => {
    const closed = `${callbackBase.replace(/:\d+$/, ':1')}`;
    const link = await issue({ url_callback: `${closed}/cb/SECRET-TOKEN` });
    const failed = await press(link, 'pay');
    expect(failed.status).toBe(502);
    const html = await failed.text();
    expect(html).toContain(`(${closed} could not be reached)`);
    expect(html).not.toContain('SECRET-TOKEN');
    const logged = logs.map((line) => JSON.parse(line)).find((e) => e.event === 'sandbox_notification_failed');
    expect(logged).toMatchObject({ level: 'warn', origin: closed, error: 'ECONNREFUSED' });
    expect(logs.join('\n')).not.toContain('SECRET-TOKEN');
  });

  it('anything but pay or refuse is a 400 that sends nothing; an unknown page a 404', async () => {
    const link = await issue();
    expect((await press(link, 'maybe')).status).toBe(400);
    expect(notifications).toHaveLength(0);
    expect((await fetch(`${base}/sandbox/pay/0123`)).status).toBe(404);
    expect((await press(`${base}/sandbox/pay/0123`, 'pay')).status).toBe(404);
  });
});
