import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Callback tokens: `url_callback` carries, signed, everything needed to answer a SAFEDEBIT notification in
 * the right Slack thread, so no database is needed and any instance can serve it. SAFEDEBIT caps the
 * whole URL at 128 characters, hence a compact binary layout:
 *
 *   version(1) · channel(id) · status message ts(7) · thread ts(1 flag [+7]) · rep(id) · amount cents(6)
 *   · payment reference (UTF-8, the rest, cut to fit) · HMAC-SHA256 truncated to 12 bytes
 *
 * Slack ids ([A-Z0-9]) are a length byte and their value in base 36 (8 bytes for today's 11 characters);
 * a ts ("1700000000.000100") is 4 bytes of seconds and 3 of microseconds.
 */
export interface CallbackTarget {
  channel: string;
  /** The app's message that shows the link's status (updated with chat.update). */
  statusTs: string;
  /** The thread where status replies go: the status message itself, or the thread it was posted in. */
  threadTs: string;
  user: string;
  amountCents: number;
  /** May be cut short to fit SAFEDEBIT's URL limit; the full reference is in the Slack message. */
  paymentReference: string;
}

export const CALLBACK_ROUTE_PREFIX = '/cb';
const VERSION = 1;
const MAC_BYTES = 12;
const MAX_ID_CHARS = 20;
const TS_BYTES = 7;
const AMOUNT_BYTES = 5; // up to 2^40 cents, far above any PAYLINK_MAX_AMOUNT
const packedIdBytes = (chars: number) => Math.ceil((chars * Math.log2(36)) / 8);
/** Slack ids are 9 to 11 characters today; a longer one only leaves less room for the reference. */
const TYPICAL_ID_BYTES = 1 + packedIdBytes(11);
const MAX_FIXED_BYTES = 1 + TYPICAL_ID_BYTES + TS_BYTES + 1 + TS_BYTES + TYPICAL_ID_BYTES + AMOUNT_BYTES;
/** At least this much of the payment reference must fit for a notification to name its link. */
const MIN_REFERENCE_BYTES = 8;

const base64urlLength = (bytes: number) => Math.ceil((bytes * 4) / 3);
/** Room the public URL must leave in `url_callback` for the longest fixed part plus a useful reference. */
export const MIN_CALLBACK_TOKEN_LENGTH = base64urlLength(MAX_FIXED_BYTES + MIN_REFERENCE_BYTES + MAC_BYTES);

/** `${public url}/cb/`: what every callback URL starts with; the token follows. */
export function callbackUrlBase(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${CALLBACK_ROUTE_PREFIX}/`;
}

/**
 * Builds the signed callback URL, cutting the reference so that the URL fits in `maxLength`.
 * Throws a RangeError when even the fixed part cannot fit (ids far longer than Slack's).
 */
export function buildCallbackUrl(publicUrl: string, target: CallbackTarget, secret: string, maxLength: number): string {
  const base = callbackUrlBase(publicUrl);
  const fixed = encodeFixed(target);
  const maxPayloadBytes = Math.floor(((maxLength - base.length) * 3) / 4) - MAC_BYTES;
  if (fixed.length > maxPayloadBytes) throw new RangeError('callback token does not fit in url_callback');
  const reference = truncateUtf8(target.paymentReference, maxPayloadBytes - fixed.length);
  const payload = Buffer.concat([fixed, reference]);
  return `${base}${Buffer.concat([payload, mac(payload, secret)]).toString('base64url')}`;
}

/** The target a token names, or undefined when it is forged, altered, truncated or malformed. */
export function verifyCallbackToken(token: string, secret: string): CallbackTarget | undefined {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(token)) return undefined;
  const bytes = Buffer.from(token, 'base64url');
  // Only the canonical spelling: the decoder ignores trailing bits and characters, we do not.
  if (bytes.length <= MAC_BYTES || bytes.toString('base64url') !== token) return undefined;
  const payload = bytes.subarray(0, bytes.length - MAC_BYTES);
  const expected = mac(payload, secret);
  if (!timingSafeEqual(expected, bytes.subarray(bytes.length - MAC_BYTES))) return undefined;
  try {
    return decodePayload(payload);
  } catch {
    return undefined; // signed by us but unreadable: only a bug could cause it, treat as unknown
  }
}

function mac(payload: Buffer, secret: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest().subarray(0, MAC_BYTES);
}

function encodeFixed(target: CallbackTarget): Buffer {
  const sameThread = target.threadTs === target.statusTs;
  const amount = Buffer.alloc(AMOUNT_BYTES);
  amount.writeUIntBE(target.amountCents, 0, AMOUNT_BYTES);
  return Buffer.concat([
    Buffer.of(VERSION),
    encodeId(target.channel),
    encodeTs(target.statusTs),
    Buffer.of(sameThread ? 0 : 1),
    sameThread ? Buffer.alloc(0) : encodeTs(target.threadTs),
    encodeId(target.user),
    amount,
  ]);
}

function decodePayload(payload: Buffer): CallbackTarget {
  const reader = { offset: 0 };
  const take = (length: number) => {
    if (reader.offset + length > payload.length) throw new RangeError('short payload');
    const slice = payload.subarray(reader.offset, reader.offset + length);
    reader.offset += length;
    return slice;
  };
  if (take(1)[0] !== VERSION) throw new RangeError('unknown version');
  const channel = decodeId(take(1)[0] ?? 0, take);
  const statusTs = decodeTs(take(TS_BYTES));
  const threadTs = take(1)[0] === 0 ? statusTs : decodeTs(take(TS_BYTES));
  const user = decodeId(take(1)[0] ?? 0, take);
  const amountCents = take(AMOUNT_BYTES).readUIntBE(0, AMOUNT_BYTES);
  const paymentReference = payload.subarray(reader.offset).toString('utf8');
  return { channel, statusTs, threadTs, user, amountCents, paymentReference };
}

function encodeId(id: string): Buffer {
  if (!/^[A-Z0-9]+$/.test(id) || id.length > MAX_ID_CHARS) throw new RangeError('not a Slack id');
  const packed = Buffer.alloc(1 + packedIdBytes(id.length));
  packed[0] = id.length;
  let value = 0n;
  for (const char of id) value = value * 36n + BigInt(Number.parseInt(char, 36));
  for (let index = packed.length - 1; index >= 1; index -= 1) {
    packed[index] = Number(value & 0xffn);
    value >>= 8n;
  }
  return packed;
}

function decodeId(length: number, take: (bytes: number) => Buffer): string {
  if (length === 0 || length > MAX_ID_CHARS) throw new RangeError('bad id length');
  let value = 0n;
  for (const byte of take(packedIdBytes(length))) value = (value << 8n) | BigInt(byte);
  return value.toString(36).toUpperCase().padStart(length, '0');
}

function encodeTs(ts: string): Buffer {
  const match = /^(\d{1,10})\.(\d{6})$/.exec(ts);
  if (!match) throw new RangeError('not a Slack ts');
  const packed = Buffer.alloc(TS_BYTES);
  packed.writeUInt32BE(Number(match[1]), 0);
  packed.writeUIntBE(Number(match[2]), 4, 3);
  return packed;
}

function decodeTs(packed: Buffer): string {
  return `${packed.readUInt32BE(0)}.${String(packed.readUIntBE(4, 3)).padStart(6, '0')}`;
}

/** The longest prefix of `text` that fits in `maxBytes` of UTF-8 without splitting a character. */
function truncateUtf8(text: string, maxBytes: number): Buffer {
  let kept = '';
  for (const char of text) {
    if (Buffer.byteLength(kept + char, 'utf8') > maxBytes) break;
    kept += char;
  }
  return Buffer.from(kept, 'utf8');
}
