import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOGIN, PASSWORD, validRequest } from '../safedebit/fixtures.js';
import { type SafedebitStandin, startSafedebitStandin } from './safedebit-standin.js';

const AUTHORIZATION = `Basic ${Buffer.from(`${LOGIN}:${PASSWORD}`).toString('base64')}`;

let standin: SafedebitStandin;

beforeEach(async () => {
  standin = await startSafedebitStandin({ login: LOGIN, password: PASSWORD });
});

afterEach(async () => {
  await standin.close();
});

describe('the SAFEDEBIT stand-in', () => {
  it('answers with a link, and records requests without their authorization header', async () => {
    const body = JSON.stringify(validRequest());
    const response = await request(`${standin.url}/get_link_payment`, {
      method: 'POST',
      headers: { authorization: AUTHORIZATION, 'content-type': 'application/json' },
      body,
    });
    expect(await response.body.json()).toEqual({
      result: true,
      link: expect.stringMatching(new RegExp(`^${standin.url}/paypage\\?SDESSID=[0-9a-f]{32}$`)),
    });
    expect(standin.requests).toEqual([
      {
        method: 'POST',
        path: '/ssp/get_link_payment',
        headers: expect.objectContaining({ 'content-type': 'application/json' }),
        rawBody: body,
        body: JSON.parse(body),
      },
    ]);
    expect(standin.requests[0]?.headers).not.toHaveProperty('authorization');
  });

  it('ends hanging connections when it closes', async () => {
    standin.setMode({ kind: 'hang' });
    const pending = request(`${standin.url}/get_link_payment`, { method: 'POST', body: '{}' });
    await expect.poll(() => standin.requests.length).toBe(1);
    const started = performance.now();
    await standin.close();
    expect(performance.now() - started).toBeLessThan(500);
    await expect(pending).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
    standin = await startSafedebitStandin({ login: LOGIN, password: PASSWORD });
  });
});
