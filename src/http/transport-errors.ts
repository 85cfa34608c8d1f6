/** A proxy did not open the tunnel asked of it (outbound.ts): nothing reached the target. */
export const TUNNEL_NOT_OPENED = 'PROXY_TUNNEL_NOT_OPENED';

/**
 * Failures before the server could read a byte of the request: refused, name not resolved, no route to the host or
 * its network, no local address to connect from, connect timed out (undici's connect timeout ends at the TLS
 * handshake, and the request is only written after it), or a proxy that did not open the tunnel to it (outbound.ts).
 * Only these make a retry safe for a call that creates something.
 */
export const NEVER_CONNECTED_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  TUNNEL_NOT_OPENED,
]);

/** Why Node refused a server's TLS certificate, by what mends it. */
export type CertificateRefusal = 'unknown_authority' | 'expired' | 'not_yet_valid' | 'other_name';

/**
 * Node's refusals of a server's TLS certificate, by their code: the handshake failed, so the request was never
 * written.
 */
export const CERTIFICATE_REFUSALS: ReadonlyMap<string, CertificateRefusal> = new Map([
  ['DEPTH_ZERO_SELF_SIGNED_CERT', 'unknown_authority'],
  ['SELF_SIGNED_CERT_IN_CHAIN', 'unknown_authority'],
  ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unknown_authority'],
  ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'unknown_authority'],
  ['CERT_HAS_EXPIRED', 'expired'],
  ['CERT_NOT_YET_VALID', 'not_yet_valid'],
  ['ERR_TLS_CERT_ALTNAME_INVALID', 'other_name'],
]);

/**
 * The first error code along the `cause` chain: undici rejects with the socket's own error
 * (`ECONNREFUSED`), while wrappers such as fetch's `TypeError('fetch failed')` carry it as their cause.
 */
export function errorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const { code } = current as { code?: unknown };
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** errorCode, or for an error that carries none (pg's "Connection terminated unexpectedly"), its message. */
export function errorCodeOrMessage(error: unknown): string {
  return errorCode(error) ?? (error instanceof Error ? error.message : String(error));
}
