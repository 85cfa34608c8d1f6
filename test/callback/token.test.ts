import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildCallbackUrl,
  CALLBACK_TOKEN_LENGTH,
  callbackUrlBase,
  isLinkId,
  verifyCallbackToken,
} from '../../src/callback/token.js';
import { loadConfig } from '../../src/config.js';
import { CALLBACK_ROUTE_PREFIX } from '../../src/constants.js';
import { FIELD_MAX_LENGTH } from '../../src/safedebit/fields.js';

const SECRET = 'callback-secret-0123456789abcdef';
const PUBLIC_URL = 'https://paylink.example.com';
const MAX_URL = FIELD_MAX_LENGTH.url_callback;
const LINK_ID = 'AAECAwQFBgcICQoLDA0ODw';

function tokenOf(url: string, publicUrl = PUBLIC_URL): string {
  const base = callbackUrlBase(publicUrl);
  expect(url.startsWith(base)).toBe(true);
  return url.slice(base.length);
}

const tokenFor = (linkId: string) => tokenOf(buildCallbackUrl(PUBLIC_URL, linkId, SECRET));
const linkIds = fc
  .uint8Array({ minLength: 16, maxLength: 16 })
  .map((bytes) => Buffer.from(bytes).toString('base64url'));

describe('callback URL and token', () => {
  it('names the ledger row, in a fixed number of characters', () => {
    const url = buildCallbackUrl(PUBLIC_URL, LINK_ID, SECRET);
    expect(url.startsWith(`${PUBLIC_URL}${CALLBACK_ROUTE_PREFIX}/`)).toBe(true);
    expect(tokenOf(url)).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(tokenOf(url)).toHaveLength(CALLBACK_TOKEN_LENGTH);
    expect(verifyCallbackToken(tokenOf(url), SECRET)).toBe(LINK_ID);
  });

  it('round-trips any ledger id', () => {
    fc.assert(
      fc.property(linkIds, (id) => {
        expect(verifyCallbackToken(tokenFor(id), SECRET)).toBe(id);
      }),
    );
  });

  it('refuses to sign what is not a ledger id', () => {
    for (const id of ['', 'short', `${LINK_ID}A`, `${LINK_ID.slice(0, 21)}/`, 'AAECAwQFBgcICQoLDA0ODx']) {
      expect(isLinkId(id), id).toBe(false);
      expect(() => buildCallbackUrl(PUBLIC_URL, id, SECRET)).toThrow(RangeError);
    }
    expect(isLinkId(randomBytes(16).toString('base64url'))).toBe(true);
  });

  describe('rejects anything but the token as signed', () => {
    const token = tokenFor(LINK_ID);
    const bytes = Buffer.from(token, 'base64url');
    const spell = (altered: Buffer) => altered.toString('base64url');

    it('every single-byte alteration', () => {
      for (let index = 0; index < bytes.length; index += 1) {
        for (let flip = 1; flip < 256; flip += 1) {
          const altered = Buffer.from(bytes);
          altered[index] = (altered[index] ?? 0) ^ flip;
          expect(verifyCallbackToken(spell(altered), SECRET), `byte ${index} ^ ${flip}`).toBeUndefined();
        }
      }
    });

    it('every truncation, of the bytes and of the text', () => {
      for (let length = 0; length < bytes.length; length += 1) {
        expect(verifyCallbackToken(spell(bytes.subarray(0, length)), SECRET)).toBeUndefined();
      }
      for (let length = 0; length < token.length; length += 1) {
        expect(verifyCallbackToken(token.slice(0, length), SECRET)).toBeUndefined();
      }
    });

    it('alterations, truncations and extensions of any id', () => {
      fc.assert(
        fc.property(
          linkIds,
          fc.nat(),
          fc.integer({ min: 1, max: 255 }),
          fc.uint8Array({ minLength: 1, maxLength: 8 }),
          (id, position, flip, extra) => {
            const signed = Buffer.from(tokenFor(id), 'base64url');
            const altered = Buffer.from(signed);
            const index = position % signed.length;
            altered[index] = (altered[index] ?? 0) ^ flip;
            expect(verifyCallbackToken(spell(altered), SECRET)).toBeUndefined();
            expect(verifyCallbackToken(spell(signed.subarray(0, index)), SECRET)).toBeUndefined();
            expect(verifyCallbackToken(spell(Buffer.concat([signed, extra])), SECRET)).toBeUndefined();
          },
        ),
      );
    });

    it('a token of another version, though signed with the secret', () => {
      // Signed as paylink signs (HMAC-SHA256 of version and id, cut to 12 bytes): only its version byte differs.
      const signedAs = (version: number) => {
        const payload = Buffer.concat([Buffer.of(version), Buffer.from(LINK_ID, 'base64url')]);
        const mac = createHmac('sha256', SECRET).update(payload).digest().subarray(0, 12);
        return spell(Buffer.concat([payload, mac]));
      };
      expect(signedAs(bytes[0] ?? 0)).toBe(token);
      for (const version of [0, 1, 3, 255]) expect(verifyCallbackToken(signedAs(version), SECRET)).toBeUndefined();
    });

    it('a token signed with another secret', () => {
      expect(verifyCallbackToken(token, `${SECRET}-other`)).toBeUndefined();
      expect(verifyCallbackToken(token, '')).toBeUndefined();
    });

    it.each([
      ['empty', ''],
      ['not base64url', `${token.slice(0, 10)}+/${token.slice(12)}`],
      ['padded', `${token}=`],
      ['absurdly long', 'A'.repeat(5000)],
      ['a path', `../${token}`.slice(0, CALLBACK_TOKEN_LENGTH)],
    ])('%s text', (_label, text) => {
      expect(verifyCallbackToken(text, SECRET)).toBeUndefined();
    });

    it('other spellings of the same bytes (canonical base64url only)', () => {
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const sameBytes = [...alphabet]
        .map((last) => `${token.slice(0, -1)}${last}`)
        .filter((spelling) => spelling !== token && Buffer.from(spelling, 'base64url').equals(bytes));
      expect(sameBytes.length).toBeGreaterThan(0);
      for (const spelling of sameBytes) expect(verifyCallbackToken(spelling, SECRET)).toBeUndefined();
    });
  });
});

describe('PAYLINK_PUBLIC_URL must leave room for the token in url_callback', () => {
  const env = (publicUrl: string) => ({
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: 'signing-secret-0123456789',
    PAYLINK_PUBLIC_URL: publicUrl,
  });
  /** The longest public URL the start-up check accepts. */
  const longestAccepted = MAX_URL - CALLBACK_TOKEN_LENGTH - CALLBACK_ROUTE_PREFIX.length - 1;
  const urlOfLength = (length: number) => `https://${'a'.repeat(length - 'https://'.length - '.fr'.length)}.fr`;

  it('refuses a URL one character too long, with one clear line naming the limit', () => {
    const result = loadConfig(env(urlOfLength(longestAccepted + 1)));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatch(/^PAYLINK_PUBLIC_URL: too long: /);
    expect(result.problems[0]).toContain(String(MAX_URL));
    expect(result.problems[0]).toContain(`at most ${longestAccepted} characters`);
    expect(result.problems[0]).not.toContain('\n');
  });

  it('accepts the longest URL it announces, and every link made with it fits and names its link', () => {
    const publicUrl = urlOfLength(longestAccepted);
    expect(publicUrl).toHaveLength(longestAccepted);
    expect(loadConfig(env(publicUrl)).ok).toBe(true);
    const url = buildCallbackUrl(publicUrl, LINK_ID, SECRET);
    expect(url).toHaveLength(MAX_URL);
    expect(verifyCallbackToken(tokenOf(url, publicUrl), SECRET)).toBe(LINK_ID);
  });

  it('ignores a trailing slash when measuring', () => {
    expect(loadConfig(env(`${urlOfLength(longestAccepted)}/`)).ok).toBe(true);
  });
});
