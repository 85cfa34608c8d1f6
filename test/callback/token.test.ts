import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildCallbackUrl,
  CALLBACK_ROUTE_PREFIX,
  type CallbackTarget,
  callbackUrlBase,
  MIN_CALLBACK_TOKEN_LENGTH,
  verifyCallbackToken,
} from '../../src/callback/token.js';
import { loadConfig } from '../../src/config.js';
import { FIELD_MAX_LENGTH } from '../../src/safedebit/fields.js';

const SECRET = 'callback-secret-0123456789abcdef';
const PUBLIC_URL = 'https://paylink.example.com';
const MAX_URL = FIELD_MAX_LENGTH.url_callback;

const TARGET: CallbackTarget = {
  channel: 'C0123456789',
  statusTs: '1700000000.000100',
  threadTs: '1699999999.123456',
  user: 'U012ABCDEFG',
  amountCents: 125050,
  paymentReference: 'F-2026-031',
};

function tokenOf(url: string, publicUrl = PUBLIC_URL): string {
  const base = callbackUrlBase(publicUrl);
  expect(url.startsWith(base)).toBe(true);
  return url.slice(base.length);
}

function tokenFor(target: CallbackTarget, publicUrl = PUBLIC_URL): string {
  return tokenOf(buildCallbackUrl(publicUrl, target, SECRET, MAX_URL), publicUrl);
}

const slackId = (prefix: string) => fc.stringMatching(/^[A-Z0-9]{8,10}$/).map((rest) => `${prefix}${rest}`);
const slackTs = fc
  .tuple(fc.integer({ min: 1_000_000_000, max: 4_294_967_295 }), fc.integer({ min: 0, max: 999_999 }))
  .map(([seconds, micros]) => `${seconds}.${String(micros).padStart(6, '0')}`);
const targets: fc.Arbitrary<CallbackTarget> = fc
  .record({
    channel: fc.constantFrom('C', 'G', 'D').chain(slackId),
    statusTs: slackTs,
    threadTs: fc.option(slackTs, { nil: undefined }),
    user: fc.constantFrom('U', 'W').chain(slackId),
    amountCents: fc.integer({ min: 1, max: 1_000_000_000 }),
    paymentReference: fc.string({ unit: 'binary', minLength: 1, maxLength: 64 }),
  })
  .map(({ threadTs, ...rest }) => ({ ...rest, threadTs: threadTs ?? rest.statusTs }));

describe('callback URL and token', () => {
  it('round-trips a target whose thread is not its status message', () => {
    const url = buildCallbackUrl(PUBLIC_URL, TARGET, SECRET, MAX_URL);
    expect(url.length).toBeLessThanOrEqual(MAX_URL);
    expect(url.startsWith(`${PUBLIC_URL}${CALLBACK_ROUTE_PREFIX}/`)).toBe(true);
    expect(tokenOf(url)).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(verifyCallbackToken(tokenOf(url), SECRET)).toEqual(TARGET);
  });

  it('round-trips a target whose status message starts the thread, in fewer characters', () => {
    const sameThread = { ...TARGET, threadTs: TARGET.statusTs };
    expect(verifyCallbackToken(tokenFor(sameThread), SECRET)).toEqual(sameThread);
    expect(tokenFor(sameThread).length).toBeLessThan(tokenFor(TARGET).length);
  });

  it.each([
    ['of 9 characters', 'C01234567', 'U0ABCDEFG'],
    ['of 10 characters', 'C012345678', 'U0ABCDEFGH'],
    ['of 11 characters', 'C0123456789', 'U0ABCDEFGHI'],
    ['with zeros after the prefix', 'C000000001', 'U00000000Z'],
  ])('round-trips ids %s', (_label, channel, user) => {
    const target = { ...TARGET, channel, user };
    expect(verifyCallbackToken(tokenFor(target), SECRET)).toEqual(target);
  });

  it('round-trips any target, the reference cut at a character boundary only when it must be', () => {
    fc.assert(
      fc.property(targets, (target) => {
        const url = buildCallbackUrl(PUBLIC_URL, target, SECRET, MAX_URL);
        expect(url.length).toBeLessThanOrEqual(MAX_URL);
        const decoded = verifyCallbackToken(tokenOf(url), SECRET);
        expect(decoded).toEqual({ ...target, paymentReference: decoded?.paymentReference });
        const reference = decoded?.paymentReference ?? '';
        expect(target.paymentReference.startsWith(reference)).toBe(true);
        expect(Buffer.from(reference, 'utf8').toString('utf8')).toBe(reference);
      }),
    );
  });

  it('cuts a UTF-8 reference between characters, keeping as much as fits in 128 characters', () => {
    const reference = `Facture-é€😀-${'ü'.repeat(20)}-${'😀'.repeat(10)}`;
    const url = buildCallbackUrl(PUBLIC_URL, { ...TARGET, paymentReference: reference }, SECRET, MAX_URL);
    expect(url.length).toBeLessThanOrEqual(MAX_URL);
    const kept = verifyCallbackToken(tokenOf(url), SECRET)?.paymentReference ?? '';
    expect(kept.length).toBeGreaterThan(8);
    expect(kept.length).toBeLessThan(reference.length);
    expect(reference.startsWith(kept)).toBe(true);
    expect(kept).not.toContain('\uFFFD');
    // The next character would not have fitted: the same target with it is cut at the same place.
    const next = Array.from(reference.slice(kept.length))[0] ?? '';
    const longer = buildCallbackUrl(PUBLIC_URL, { ...TARGET, paymentReference: kept + next }, SECRET, MAX_URL);
    expect(verifyCallbackToken(tokenOf(longer), SECRET)?.paymentReference).toBe(kept);
  });

  it('refuses to build a URL that cannot hold the token', () => {
    expect(() => buildCallbackUrl(`https://${'x'.repeat(100)}.example`, TARGET, SECRET, MAX_URL)).toThrow(RangeError);
  });

  describe('rejects anything but the token as signed', () => {
    const token = tokenFor({ ...TARGET, paymentReference: 'R'.repeat(64) });
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

    it('every extension by bytes', () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), (extra) => {
          expect(verifyCallbackToken(spell(Buffer.concat([bytes, extra])), SECRET)).toBeUndefined();
        }),
      );
    });

    it('alterations, truncations and extensions of any target', () => {
      fc.assert(
        fc.property(
          targets,
          fc.nat(),
          fc.integer({ min: 1, max: 255 }),
          fc.uint8Array({ minLength: 1, maxLength: 8 }),
          (target, position, flip, extra) => {
            const signed = Buffer.from(tokenFor(target), 'base64url');
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

    it('a token signed with another secret', () => {
      expect(verifyCallbackToken(token, `${SECRET}-other`)).toBeUndefined();
      expect(verifyCallbackToken(token, '')).toBeUndefined();
    });

    it.each([
      ['empty', ''],
      ['not base64url', `${token.slice(0, 10)}+/${token.slice(12)}`],
      ['padded', `${token}=`],
      ['absurdly long', 'A'.repeat(5000)],
      ['a path', `../${token}`],
    ])('%s text', (_label, text) => {
      expect(verifyCallbackToken(text, SECRET)).toBeUndefined();
    });

    it('other spellings of the same bytes (canonical base64url only)', () => {
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const lengthsSeen = new Set<number>();
      // References of 1 to 4 characters give tokens of every length modulo 4.
      for (const paymentReference of ['F', 'F-', 'F-2', 'F-20']) {
        const token = tokenFor({ ...TARGET, threadTs: TARGET.statusTs, paymentReference });
        lengthsSeen.add(token.length % 4);
        expect(verifyCallbackToken(token, SECRET)).toBeDefined();
        expect(verifyCallbackToken(`${token}A`, SECRET)).toBeUndefined();
        const bytes = Buffer.from(token, 'base64url');
        const sameBytes = [...alphabet]
          .map((last) => `${token.slice(0, -1)}${last}`)
          .filter((spelling) => spelling !== token && Buffer.from(spelling, 'base64url').equals(bytes));
        for (const spelling of sameBytes) expect(verifyCallbackToken(spelling, SECRET)).toBeUndefined();
      }
      expect(lengthsSeen.size).toBeGreaterThanOrEqual(3);
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
  const longestAccepted = MAX_URL - MIN_CALLBACK_TOKEN_LENGTH - CALLBACK_ROUTE_PREFIX.length - 1;
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

  it('accepts the longest URL it announces, and every link made with it still fits and names its link', () => {
    const publicUrl = urlOfLength(longestAccepted);
    expect(publicUrl).toHaveLength(longestAccepted);
    const result = loadConfig(env(publicUrl));
    expect(result.ok).toBe(true);
    const url = buildCallbackUrl(publicUrl, { ...TARGET, paymentReference: 'R'.repeat(64) }, SECRET, MAX_URL);
    expect(url.length).toBeLessThanOrEqual(MAX_URL);
    expect(verifyCallbackToken(tokenOf(url, publicUrl), SECRET)?.paymentReference.length).toBeGreaterThanOrEqual(8);
  });

  it('ignores a trailing slash when measuring', () => {
    expect(loadConfig(env(`${urlOfLength(longestAccepted)}/`)).ok).toBe(true);
  });
});
