import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/safedebit/sandbox.js';
import { LOGIN, PASSWORD, validRequest } from './fixtures.js';

const AUTHORIZATION = `Basic ${Buffer.from(`${LOGIN}:${PASSWORD}`).toString('base64')}`;

let sandbox: Sandbox;

beforeEach(async () => {
  sandbox = await startSandbox({ login: LOGIN, password: PASSWORD });
});

afterEach(async () => {
  await sandbox.close();
});

/** Posts a raw body to get_link_payment with the right credentials and returns the parsed answer. */
async function postLinkRequest(body: string): Promise<unknown> {
  const response = await request(`${sandbox.url}/get_link_payment`, {
    method: 'POST',
    headers: { authorization: AUTHORIZATION, 'content-type': 'application/json' },
    body,
  });
  expect(response.statusCode).toBe(200);
  return response.body.json();
}

describe('sandbox', () => {
  it('serves a payment page for the link it gave, with the reference escaped', async () => {
    const answer = (await postLinkRequest(
      JSON.stringify(validRequest({ amount: '123456', payment_reference: '<b>F&1</b>' })),
    )) as { result: boolean; link: string };
    expect(answer.result).toBe(true);

    const page = await request(answer.link);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(await page.body.text()).toContain(
      '<h1>SAFEDEBIT SANDBOX — payment page for 1234.56 EUR ref &lt;b&gt;F&amp;1&lt;/b&gt;</h1>',
    );
  });

  it('answers 404 for an unknown payment session', async () => {
    const page = await request(`${sandbox.url}/paypage?SDESSID=0123`);
    expect(page.statusCode).toBe(404);
    await page.body.dump();
  });

  it.each([
    ['a field too long', { ...validRequest(), consumer_city: 'x'.repeat(36) }, 'SANDBOX_INVALID_CONSUMER_CITY'],
    ['a missing field', { ...validRequest(), consumer_email: undefined }, 'SANDBOX_INVALID_CONSUMER_EMAIL'],
    ['a mistyped field', { ...validRequest(), amount: 1250 }, 'SANDBOX_INVALID_AMOUNT'],
    ['an unknown field', { ...validRequest(), colour: 'blue' }, 'SANDBOX_UNKNOWN_FIELD'],
  ])('refuses %s with its own code', async (_label, body, code) => {
    expect(await postLinkRequest(JSON.stringify(body))).toEqual({ result: false, code });
  });

  it('refuses a body that is not a JSON object', async () => {
    expect(await postLinkRequest('amount=100')).toEqual({ result: false, code: 'SANDBOX_INVALID_BODY' });
  });

  it('records requests without their authorization header', async () => {
    const body = JSON.stringify(validRequest());
    await postLinkRequest(body);
    expect(sandbox.requests).toEqual([
      {
        method: 'POST',
        path: '/ssp/get_link_payment',
        headers: expect.objectContaining({ 'content-type': 'application/json' }),
        rawBody: body,
        body: JSON.parse(body),
      },
    ]);
    expect(sandbox.requests[0]?.headers).not.toHaveProperty('authorization');
  });

  it('ends hanging connections when it closes', async () => {
    sandbox.setMode({ kind: 'hang' });
    const pending = request(`${sandbox.url}/get_link_payment`, { method: 'POST', body: '{}' });
    await expect.poll(() => sandbox.requests.length).toBe(1);
    const started = performance.now();
    await sandbox.close();
    expect(performance.now() - started).toBeLessThan(500);
    await expect(pending).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
    sandbox = await startSandbox({ login: LOGIN, password: PASSWORD });
  });
});
