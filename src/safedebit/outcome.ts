/**
 * What one `get_link_payment` call came to. A refusal is SAFEDEBIT's answer (`result: false`), with a code, its
 * own words, or both; an outage is no answer.
 */
export type PaymentLinkOutcome =
  | { kind: 'link'; link: string; latencyMs: number }
  | ({ kind: 'refusal'; latencyMs: number } & SafedebitRefusal)
  | { kind: 'outage'; reason: OutageReason; detail: string; latencyMs: number };

/** Why SAFEDEBIT said no: at least one of the two. */
export type SafedebitRefusal = { code: string; message?: string } | { code?: undefined; message: string };

/** `unreachable`: no try could connect, so nothing was sent; `connection`: cut, perhaps after the request was sent. */
export type OutageReason =
  | 'timeout'
  | 'unreachable'
  | 'connection'
  | 'http_status'
  | 'html'
  | 'not_json'
  | 'unexpected_shape'
  | 'too_large';
