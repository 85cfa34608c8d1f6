import { createHmac, timingSafeEqual } from 'node:crypto';
import { CALLBACK_ROUTE_PREFIX } from '../constants.js';

/**
 * Callback tokens: `url_callback` names, signed, the ledger row of the link it belongs to. Everything else
 * (thread, amount, rep) is read from the ledger, so the token is short whatever the payment reference:
 *
 *   version (1 byte) · link id (16 bytes) · HMAC-SHA256 truncated to 12 bytes   → 39 base64url characters
 */
const VERSION = 2;
/** Ledger ids are 16 random bytes, written as 22 base64url characters. */
const LINK_ID_BYTES = 16;
const MAC_BYTES = 12;
const TOKEN_BYTES = 1 + LINK_ID_BYTES + MAC_BYTES;

/** Every token has this length: the public URL must leave room for it in SAFEDEBIT's 128 characters. */
export const CALLBACK_TOKEN_LENGTH = Math.ceil((TOKEN_BYTES * 4) / 3);

/** `${public url}/cb/`: what every callback URL starts with; the token follows. */
export function callbackUrlBase(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${CALLBACK_ROUTE_PREFIX}/`;
}

/** True when `id` is what the ledger hands out: 16 bytes in canonical base64url. */
export function isLinkId(id: string): boolean {
  return /^[A-Za-z0-9_-]{22}$/.test(id) && Buffer.from(id, 'base64url').toString('base64url') === id;
}

/** The signed callback URL of a ledger row. Throws a RangeError when `linkId` is not a ledger id. */
export function buildCallbackUrl(publicUrl: string, linkId: string, secret: string): string {
  if (!isLinkId(linkId)) throw new RangeError('not a ledger link id');
  const payload = Buffer.concat([Buffer.of(VERSION), Buffer.from(linkId, 'base64url')]);
  return `${callbackUrlBase(publicUrl)}${Buffer.concat([payload, mac(payload, secret)]).toString('base64url')}`;
}

/** The link id a token names, or undefined when it is forged, altered, truncated or malformed. */
export function verifyCallbackToken(token: string, secret: string): string | undefined {
  if (token.length !== CALLBACK_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  const bytes = Buffer.from(token, 'base64url');
  // Only the canonical spelling: the decoder ignores trailing bits, we do not.
  if (bytes.length !== TOKEN_BYTES || bytes.toString('base64url') !== token) return undefined;
  const payload = bytes.subarray(0, TOKEN_BYTES - MAC_BYTES);
  if (!timingSafeEqual(mac(payload, secret), bytes.subarray(TOKEN_BYTES - MAC_BYTES))) return undefined;
  if (payload[0] !== VERSION) return undefined;
  return payload.subarray(1).toString('base64url');
}

function mac(payload: Buffer, secret: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest().subarray(0, MAC_BYTES);
}
