import { describe, expect, it } from 'vitest';
import { madeBySandbox } from '../../src/domain/sandbox-link.js';
import { linkRecord } from '../support/link-records.js';

describe('a trial link', () => {
  it("is one the sandbox marked, or one with the sandbox's payment page as address, which older releases did not mark", () => {
    const trialPage = 'http://localhost:3000/sandbox/pay/0123456789abcdef0123456789abcdef';
    expect(madeBySandbox(linkRecord({ sandbox: 1, link: null }))).toBe(true);
    expect(madeBySandbox(linkRecord({ sandbox: 0, link: trialPage }))).toBe(true);
    expect(madeBySandbox(linkRecord({ sandbox: 0, link: 'https://pay.safedebit.fr/paypage?SDESSID=abc' }))).toBe(false);
    expect(madeBySandbox(linkRecord({ sandbox: 0, link: null }))).toBe(false);
  });
});
