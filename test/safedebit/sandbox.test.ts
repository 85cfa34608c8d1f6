import { describe, expect, it } from 'vitest';
import { checkLinkRequest, LinkIssuer } from '../../src/safedebit/sandbox.js';
import { LOGIN, PASSWORD, validRequest } from './fixtures.js';

const CREDENTIALS = { login: LOGIN, password: PASSWORD };
const basic = (login: string, password: string) => `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;
const AUTHORIZATION = basic(LOGIN, PASSWORD);

describe('checkLinkRequest', () => {
  it('takes a documented request with the right credentials', () => {
    const request = validRequest();
    expect(checkLinkRequest(AUTHORIZATION, JSON.stringify(request), CREDENTIALS)).toEqual({ ok: true, request });
  });

  it.each([
    ['no credentials', undefined, 'AUTH_001'],
    ['another scheme', `Bearer ${LOGIN}`, 'AUTH_001'],
    ['an unknown login', basic('someone', PASSWORD), 'AUTH_001'],
    ['a wrong password', basic(LOGIN, 'wrong'), 'AUTH_002'],
  ])('refuses %s as SAFEDEBIT does, before reading the body', (_label, authorization, code) => {
    expect(checkLinkRequest(authorization, 'not even JSON', CREDENTIALS)).toEqual({
      ok: false,
      answer: { result: false, code },
    });
  });

  it.each([
    ['a field too long', { ...validRequest(), consumer_city: 'x'.repeat(36) }, 'SANDBOX_INVALID_CONSUMER_CITY'],
    ['a missing field', { ...validRequest(), consumer_email: undefined }, 'SANDBOX_INVALID_CONSUMER_EMAIL'],
    ['a mistyped field', { ...validRequest(), amount: 1250 }, 'SANDBOX_INVALID_AMOUNT'],
    ['an unknown field', { ...validRequest(), colour: 'blue' }, 'SANDBOX_UNKNOWN_FIELD'],
  ])('refuses %s with its own code', (_label, body, code) => {
    expect(checkLinkRequest(AUTHORIZATION, JSON.stringify(body), CREDENTIALS)).toEqual({
      ok: false,
      answer: { result: false, code },
    });
  });

  it('refuses a body that is not a JSON object', () => {
    expect(checkLinkRequest(AUTHORIZATION, 'amount=100', CREDENTIALS)).toEqual({
      ok: false,
      answer: { result: false, code: 'SANDBOX_INVALID_BODY' },
    });
  });
});

describe('LinkIssuer', () => {
  it('issues a link per payment reference, EXIST_005 for a reference used before', () => {
    let base = 'http://first';
    const issuer = new LinkIssuer((id) => `${base}/pay/${id}`);
    const request = validRequest();
    const answer = issuer.issue(request);
    expect(answer).toEqual({ result: true, link: expect.stringMatching(/^http:\/\/first\/pay\/[0-9a-f]{32}$/) });
    expect(issuer.issue({ ...request, amount: '1' })).toEqual({ result: false, code: 'EXIST_005' });

    // The base is asked for each link: it may only be known after the issuer was made.
    base = 'http://second';
    const second = issuer.issue(validRequest());
    expect(second).toMatchObject({ link: expect.stringMatching(/^http:\/\/second\//) });
  });

  it('remembers what it issued, with a payment id for its notifications', () => {
    const issuer = new LinkIssuer((id) => `https://pay.example/${id}`);
    const request = validRequest();
    const answer = issuer.issue(request);
    expect(answer).toEqual({ result: true, link: expect.any(String) });
    if (!answer.result) return;
    const id = answer.link.slice('https://pay.example/'.length);
    expect(issuer.find(id)).toEqual({ id, link: answer.link, payId: expect.stringMatching(/^[0-9a-f]{16}$/), request });
    expect(issuer.find('0123')).toBeUndefined();
  });
});
