import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer, type RequestListener } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createSafedebitClient,
  MAX_PAYMENT_LINK_LENGTH,
  type SafedebitClientOptions,
} from '../../src/safedebit/client.js';
import type { PaymentLinkOutcome } from '../../src/safedebit/outcome.js';
import { type PaymentLinkRequest, paymentLinkRequestSchema } from '../../src/safedebit/request.js';
import { type SafedebitStandin, type StandinMode, startSafedebitStandin } from '../support/safedebit-standin.js';
import { LOGIN, PASSWORD, validRequest } from './fixtures.js';

const USER_AGENT = 'paylink-test/1.0';
const SHORT_TIMEOUT_MS = 300;

let sandbox: SafedebitStandin;
const toClose: { close(): Promise<void> }[] = [];

function clientFor(overrides: Partial<SafedebitClientOptions> = {}) {
  const client = createSafedebitClient({
    baseUrl: sandbox.url,
    login: LOGIN,
    password: PASSWORD,
    timeoutMs: 2_000,
    userAgent: USER_AGENT,
    ...overrides,
  });
  toClose.push(client);
  return client;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** An HTTP server answering what the sandbox never would; closed after the test. */
async function startRawServer(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  const port = await listen(server);
  toClose.push({
    close: () => {
      server.closeAllConnections();
      return closeServer(server);
    },
  });
  return `http://127.0.0.1:${port}/ssp`;
}

/** Counts undici's connection attempts to `baseUrl`'s host, through its diagnostics channels. */
function watchConnections(baseUrl: string) {
  const { host } = new URL(baseUrl);
  const counts = { attempts: 0, failures: 0 };
  const isOurs = (message: unknown) => (message as { connectParams: { host: string } }).connectParams.host === host;
  const onAttempt = (message: unknown) => {
    if (isOurs(message)) counts.attempts += 1;
  };
  const onFailure = (message: unknown) => {
    if (isOurs(message)) counts.failures += 1;
  };
  subscribe('undici:client:beforeConnect', onAttempt);
  subscribe('undici:client:connectError', onFailure);
  return {
    counts,
    stop() {
      unsubscribe('undici:client:beforeConnect', onAttempt);
      unsubscribe('undici:client:connectError', onFailure);
    },
  };
}

const link = (pattern: RegExp) => ({
  kind: 'link',
  link: expect.stringMatching(pattern),
  latencyMs: expect.any(Number),
});
const refusal = (code: string) => ({ kind: 'refusal', code, latencyMs: expect.any(Number) });
const refusalSaying = (said: { code?: string; message: string }) => ({
  kind: 'refusal',
  ...said,
  latencyMs: expect.any(Number),
});
const outage = (reason: string, detail: string) => ({ kind: 'outage', reason, detail, latencyMs: expect.any(Number) });

beforeAll(async () => {
  sandbox = await startSafedebitStandin({ login: LOGIN, password: PASSWORD });
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(() => {
  sandbox.setMode({ kind: 'normal' });
  sandbox.requests.length = 0;
});

afterEach(async () => {
  await Promise.all(toClose.splice(0).map((client) => client.close()));
});

describe('createPaymentLink: links', () => {
  it("returns the sandbox's link and sends exactly the body the schema produced", async () => {
    const request = validRequest({
      consumer_zip_code: '01000',
      consumer_type: 1,
      sms_option: 1,
      email_option: 0,
      link_duration: 30,
    });
    const outcome = await clientFor().createPaymentLink(request);

    expect(outcome).toEqual(link(new RegExp(`^${sandbox.url}/paypage\\?SDESSID=[0-9a-f]{32}$`)));
    expect(sandbox.requests).toHaveLength(1);
    const [sent] = sandbox.requests;
    expect(sent?.method).toBe('POST');
    expect(sent?.path).toBe('/ssp/get_link_payment');
    expect(sent?.rawBody).toBe(JSON.stringify(paymentLinkRequestSchema.parse(request)));
    expect(sent?.body).toMatchObject({ amount: '125050', consumer_zip_code: '01000', sms_option: 1, email_option: 0 });
    expect(sent?.headers).toMatchObject({
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': USER_AGENT,
    });
  });

  it('accepts a base URL with a trailing slash', async () => {
    const outcome = await clientFor({ baseUrl: `${sandbox.url}/` }).createPaymentLink(validRequest());
    expect(outcome.kind).toBe('link');
    expect(sandbox.requests.map((request) => request.path)).toEqual(['/ssp/get_link_payment']);
  });

  it('waits for a slow answer that comes within the timeout', async () => {
    sandbox.setMode({ kind: 'slow', delayMs: 100 });
    const outcome = await clientFor({ timeoutMs: 1_000 }).createPaymentLink(validRequest());
    expect(outcome).toEqual(link(/\/paypage\?SDESSID=/));
    expect(outcome.latencyMs).toBeGreaterThanOrEqual(95);
  });
});

describe('createPaymentLink: refusals', () => {
  it('reports AUTH_001 for a wrong login', async () => {
    const outcome = await clientFor({ login: 'someone-else' }).createPaymentLink(validRequest());
    expect(outcome).toEqual(refusal('AUTH_001'));
  });

  it('reports AUTH_002 for a wrong password', async () => {
    const outcome = await clientFor({ password: 'wrong' }).createPaymentLink(validRequest());
    expect(outcome).toEqual(refusal('AUTH_002'));
  });

  it('reports EXIST_005 for a payment reference already used', async () => {
    const client = clientFor();
    const request = validRequest();
    expect((await client.createPaymentLink(request)).kind).toBe('link');
    expect(await client.createPaymentLink({ ...request, consumer_reference: 'CLI-0043' })).toEqual(
      refusal('EXIST_005'),
    );
  });

  it('passes on a code it does not know', async () => {
    sandbox.setMode({ kind: 'refuse', code: 'PAY_042' });
    expect(await clientFor().createPaymentLink(validRequest())).toEqual(refusal('PAY_042'));
  });

  it("passes on SAFEDEBIT's words with the code", async () => {
    sandbox.setMode({ kind: 'refuse', code: 'PAY_042', message: 'Montant hors plafond' });
    expect(await clientFor().createPaymentLink(validRequest())).toEqual(
      refusalSaying({ code: 'PAY_042', message: 'Montant hors plafond' }),
    );
  });

  it('takes result false with words and no code for a refusal, not an outage', async () => {
    sandbox.setMode({ kind: 'refuse', message: 'Le champ consumer_email est invalide' });
    const outcome = await clientFor().createPaymentLink(validRequest());
    expect(outcome).toEqual(refusalSaying({ message: 'Le champ consumer_email est invalide' }));
    expect(outcome).not.toHaveProperty('code');
    expect(sandbox.requests).toHaveLength(1);
  });
});

describe('createPaymentLink: outages', () => {
  it.each<[string, StandinMode, string, string]>([
    ['a 500', { kind: 'status', status: 500 }, 'http_status', 'HTTP 500 (content-type application/json)'],
    ['an HTML page', { kind: 'html' }, 'html', 'HTML page instead of JSON (content-type text/html; charset=utf-8)'],
    [
      'text that is not JSON',
      { kind: 'not_json' },
      'not_json',
      'answer is not JSON (content-type application/json, 11 characters)',
    ],
    ['JSON of another shape', { kind: 'shape' }, 'unexpected_shape', 'undocumented answer: result: invalid_union'],
    ['a 10 MB answer', { kind: 'huge', bytes: 10 * 1024 * 1024 }, 'too_large', 'answer longer than 65536 bytes'],
    ['a dropped connection', { kind: 'drop' }, 'connection', 'connection failed: UND_ERR_SOCKET (1 attempt)'],
    ['no answer', { kind: 'hang' }, 'timeout', `no complete answer within ${SHORT_TIMEOUT_MS} ms`],
  ])('reports %s as an outage, sent once', async (_label, mode, reason, detail) => {
    sandbox.setMode(mode);
    const outcome = await clientFor({ timeoutMs: SHORT_TIMEOUT_MS }).createPaymentLink(validRequest());
    expect(outcome).toEqual(outage(reason, detail));
    // Within the one timeout: a second wait would take it to twice as long (the margin, for a loaded machine's timers).
    expect(outcome.latencyMs).toBeLessThan(SHORT_TIMEOUT_MS * 2);
    expect(sandbox.requests).toHaveLength(1);
  });

  it("takes SAFEDEBIT's JSON for what it says even when labelled text/html, as PHP labels what it echoes", async () => {
    const baseUrl = await startRawServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=UTF-8' });
      response.end('{"result":true,"link":"https://pay.safedebit.fr/paypage?SDESSID=abc"}');
    });
    const outcome = await clientFor({ baseUrl }).createPaymentLink(validRequest());
    expect(outcome).toMatchObject({ kind: 'link', link: 'https://pay.safedebit.fr/paypage?SDESSID=abc' });
  });

  // The documentation shows JSON booleans; a PHP back office may echo its result as a string or a number. A link it made
  // taken for an outage would be lost to the rep (and asking again meets EXIST_005); a refusal would lose its code.
  it.each([
    ['"true"', 'link'],
    ['1', 'link'],
    ['"1"', 'link'],
    ['"false"', 'refusal'],
    ['0', 'refusal'],
  ])('reads result %s as the boolean it writes', async (result, kind) => {
    const baseUrl = await startRawServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(`{"result":${result},"link":"https://pay.safedebit.fr/paypage?SDESSID=abc","code":"AUTH_002"}`);
    });
    const outcome = await clientFor({ baseUrl }).createPaymentLink(validRequest());
    expect(outcome).toMatchObject(
      kind === 'link' ? { kind, link: 'https://pay.safedebit.fr/paypage?SDESSID=abc' } : { kind, code: 'AUTH_002' },
    );
  });

  it('takes a result it cannot read as a boolean for an outage', async () => {
    const baseUrl = await startRawServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"result":"ok","link":"https://pay.safedebit.fr/paypage?SDESSID=abc"}');
    });
    expect(await clientFor({ baseUrl }).createPaymentLink(validRequest())).toMatchObject({
      kind: 'outage',
      reason: 'unexpected_shape',
    });
  });

  it('reads an answer in the charset it declares: a refusal from a Latin-1 server keeps its accents and ’', async () => {
    const baseUrl = await startRawServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json; charset=ISO-8859-1' });
      const words = Buffer.concat([
        Buffer.from('Référence inconnue de l', 'latin1'),
        Buffer.from([0x92]),
        Buffer.from('op'),
      ]);
      response.end(
        Buffer.concat([Buffer.from('{"result":false,"code":"X_001","message":"'), words, Buffer.from('"}')]),
      );
    });
    const outcome = await clientFor({ baseUrl }).createPaymentLink(validRequest());
    expect(outcome).toMatchObject({ kind: 'refusal', code: 'X_001', message: 'Référence inconnue de l’op' });
  });

  it('reports an HTML page that begins with blank lines (as PHP pages often do) as an HTML page', async () => {
    const baseUrl = await startRawServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=UTF-8' });
      response.end('\n\r\n  <!DOCTYPE html><html><body>Maintenance</body></html>');
    });
    const outcome = await clientFor({ baseUrl }).createPaymentLink(validRequest());
    expect(outcome).toEqual(outage('html', 'HTML page instead of JSON (content-type text/html; charset=UTF-8)'));
  });

  it('times out an answer whose body stops half way', async () => {
    const baseUrl = await startRawServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"result":true,');
    });
    const outcome = await clientFor({ baseUrl, timeoutMs: SHORT_TIMEOUT_MS }).createPaymentLink(validRequest());
    expect(outcome).toEqual(outage('timeout', `no complete answer within ${SHORT_TIMEOUT_MS} ms`));
    expect(outcome.latencyMs).toBeGreaterThanOrEqual(SHORT_TIMEOUT_MS - 5);
  });

  it('retries a refused connection once, then reports it', async () => {
    const closed = createTcpServer();
    const port = await listen(closed);
    await closeServer(closed);
    const baseUrl = `http://127.0.0.1:${port}/ssp`;
    const watch = watchConnections(baseUrl);
    try {
      const outcome = await clientFor({ baseUrl }).createPaymentLink(validRequest());
      expect(outcome).toEqual(outage('unreachable', 'connection failed: ECONNREFUSED (2 attempts)'));
      expect(watch.counts).toEqual({ attempts: 2, failures: 2 });
    } finally {
      watch.stop();
    }
  });

  it('retries a name that does not resolve once, then reports it', async () => {
    const baseUrl = 'http://safedebit.invalid/ssp';
    const watch = watchConnections(baseUrl);
    try {
      const outcome = await clientFor({ baseUrl }).createPaymentLink(validRequest());
      expect(outcome).toEqual(
        outage('unreachable', expect.stringMatching(/^connection failed: (ENOTFOUND|EAI_AGAIN) \(2 attempts\)$/)),
      );
      expect(watch.counts).toEqual({ attempts: 2, failures: 2 });
    } finally {
      watch.stop();
    }
  });

  it('retries once when the TLS handshake never completes, and still ends at the deadline', async () => {
    const sockets: Socket[] = [];
    const received: string[] = [];
    const silent = createTcpServer((socket) => {
      sockets.push(socket);
      socket.on('data', (bytes: Buffer) => received.push(bytes.toString('latin1')));
    });
    const port = await listen(silent);
    const timeoutMs = 1_500;
    try {
      const client = clientFor({ baseUrl: `https://127.0.0.1:${port}/ssp`, timeoutMs });
      const outcome = await client.createPaymentLink(validRequest());
      // undici's connect timer is coarse: the second connect and the deadline end at about the same time.
      expect([
        'connection failed: UND_ERR_CONNECT_TIMEOUT (2 attempts)',
        `no complete answer within ${timeoutMs} ms`,
      ]).toContain(outcome.kind === 'outage' ? outcome.detail : outcome.kind);
      expect(outcome.latencyMs).toBeLessThan(timeoutMs * 1.5);
      expect(sockets).toHaveLength(2);
      expect(received.join('')).not.toContain('POST');
    } finally {
      for (const socket of sockets) socket.destroy();
      await closeServer(silent);
    }
  });

  it('does not retry a connection that was dropped after the request was sent', async () => {
    sandbox.setMode({ kind: 'drop' });
    const watch = watchConnections(sandbox.url);
    try {
      const outcome = await clientFor().createPaymentLink(validRequest());
      expect(outcome).toEqual(outage('connection', 'connection failed: UND_ERR_SOCKET (1 attempt)'));
      expect(watch.counts).toEqual({ attempts: 1, failures: 0 });
      expect(sandbox.requests).toHaveLength(1);
    } finally {
      watch.stop();
    }
  });
});

describe('createPaymentLink: answers the sandbox never gives', () => {
  let answer: unknown;
  let baseUrl: string;
  beforeEach(async () => {
    baseUrl = await startRawServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer));
    });
  });

  it.each<[string, unknown, Partial<PaymentLinkRequest>, object]>([
    ['a numeric code', { result: false, code: 1234 }, {}, refusal('1234')],
    [
      'a payment id, which paylink does not ask for',
      { result: true, link: 'https://pay.safedebit.fr/paypage?SDESSID=ab', pay_id: 'P1' },
      {},
      link(/^https:\/\/pay\.safedebit\.fr\//),
    ],
    [
      'an http link on localhost',
      { result: true, link: 'http://localhost:8080/paypage?SDESSID=ab' },
      {},
      link(/^http:\/\/localhost:8080\//),
    ],
    [
      'an http link elsewhere',
      { result: true, link: 'http://pay.safedebit.fr/paypage?SDESSID=ab' },
      {},
      outage('unexpected_shape', 'undocumented answer: link: custom'),
    ],
    // Slack markup in a link could mention a channel or show one address and open another; a user part names a host
    // it does not open. None of it belongs in a payment page's address.
    ...[
      'https://pay.safedebit.fr/paypage?SDESSID=1 <!channel>',
      'https://evil.example/x|https://pay.safedebit.fr/paypage?SDESSID=1',
      'https://pay.safedebit.fr/paypage?SDESSID=1\nhttps://evil.example/',
      'https://pay.safedebit.fr@evil.example/paypage?SDESSID=1',
    ].map((tampered): [string, unknown, Partial<PaymentLinkRequest>, object] => [
      `a link ${JSON.stringify(tampered)}`,
      { result: true, link: tampered },
      {},
      outage('unexpected_shape', 'undocumented answer: link: custom'),
    ]),
    [
      // A PHP back office may echo a value with its line break: SAFEDEBIT made the link, the rep must get it.
      'a link with blanks around it',
      { result: true, link: ' https://pay.safedebit.fr/paypage?SDESSID=1\r\n' },
      {},
      link(/^https:\/\/pay\.safedebit\.fr\/paypage\?SDESSID=1$/),
    ],
    [
      'a link as long as Slack can show',
      { result: true, link: `https://pay.safedebit.fr/paypage?SDESSID=${'a'.repeat(MAX_PAYMENT_LINK_LENGTH - 41)}` },
      {},
      link(new RegExp(`^https://pay\\.safedebit\\.fr/paypage\\?SDESSID=a{${MAX_PAYMENT_LINK_LENGTH - 41}}$`)),
    ],
    [
      // Slack could show it nowhere whole: not in a button (3000 characters), a field of `/paylink status` (2000).
      'a link longer than Slack can show',
      { result: true, link: `https://pay.safedebit.fr/paypage?SDESSID=${'a'.repeat(3000)}` },
      {},
      outage('unexpected_shape', 'undocumented answer: link: custom'),
    ],
    [
      'success without a link',
      { result: true },
      {},
      outage('unexpected_shape', 'undocumented answer: link: invalid_type'),
    ],
    [
      'a refusal without a code or words',
      { result: false },
      {},
      outage('unexpected_shape', 'undocumented answer: result false without a code or a message'),
    ],
    [
      'a refusal whose words are under msg',
      { result: false, msg: 'Paiement refusé' },
      {},
      refusalSaying({ message: 'Paiement refusé' }),
    ],
    [
      'a refusal whose words are under error_message, beside an empty code',
      { result: false, code: '', error_message: 'Référence inconnue' },
      {},
      refusalSaying({ message: 'Référence inconnue' }),
    ],
    [
      'a refusal with words under several names: message first',
      { result: false, error: 'generic', message: 'precise' },
      {},
      refusalSaying({ message: 'precise' }),
    ],
    [
      'a refusal whose only words are not text, or nothing visible',
      { result: false, message: { text: 'x' }, msg: ' \u200B\n' },
      {},
      outage('unexpected_shape', 'undocumented answer: result false without a code or a message'),
    ],
  ])('handles %s', async (_label, body, overrides, expected) => {
    answer = body;
    const outcome = await clientFor({ baseUrl }).createPaymentLink(validRequest(overrides));
    expect(outcome).toEqual(expected);
    if (!('paymentId' in expected)) expect(outcome).not.toHaveProperty('paymentId');
  });
});

describe('createPaymentLink: the schema guards the wire', () => {
  it('throws, sending nothing, for an over-long field', async () => {
    const request = validRequest({ consumer_first_name: 'Marie-Christine-Élisabeth' });
    await expect(clientFor().createPaymentLink(request)).rejects.toThrow(
      new TypeError('get_link_payment request refused by the schema: consumer_first_name: too_big'),
    );
    expect(sandbox.requests).toHaveLength(0);
  });

  it('throws, sending nothing, for a key the table does not list', async () => {
    const request = { ...validRequest(), consumer_birthday: '1990-01-01' } as PaymentLinkRequest;
    await expect(clientFor().createPaymentLink(request)).rejects.toThrow(
      new TypeError('get_link_payment request refused by the schema: (root): unknown keys consumer_birthday'),
    );
    expect(sandbox.requests).toHaveLength(0);
  });
});

describe('secrets', () => {
  it('never appear in an outcome detail or a thrown message', async () => {
    const secretValue = 'SECRET-VALUE-7731';
    const forbidden = [PASSWORD, Buffer.from(`${LOGIN}:${PASSWORD}`).toString('base64'), secretValue, 'Basic '];
    const texts: string[] = [];
    const record = (outcome: PaymentLinkOutcome) => texts.push(JSON.stringify(outcome));
    const client = clientFor({ timeoutMs: SHORT_TIMEOUT_MS });
    const request = () =>
      validRequest({ payment_reference: `${secretValue}-${texts.length}`, consumer_city: secretValue });

    const modes: StandinMode[] = [
      { kind: 'normal' },
      { kind: 'status', status: 503 },
      { kind: 'html' },
      { kind: 'not_json' },
      { kind: 'shape' },
      { kind: 'huge', bytes: 1024 * 1024 },
      { kind: 'drop' },
      { kind: 'hang' },
    ];
    for (const mode of modes) {
      sandbox.setMode(mode);
      record(await client.createPaymentLink(request()));
    }
    sandbox.setMode({ kind: 'normal' });
    record(await clientFor({ password: `${PASSWORD}x` }).createPaymentLink(request()));
    await client.createPaymentLink({ ...request(), consumer_first_name: secretValue.repeat(2) }).catch((error) => {
      texts.push(String(error), (error as Error).stack ?? '');
    });

    expect(texts).toHaveLength(11);
    for (const text of texts) {
      for (const secret of forbidden) expect(text).not.toContain(secret);
      expect(text.toLowerCase()).not.toContain('authorization');
    }
  });
});
