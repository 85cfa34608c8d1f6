/** What one `get_link_payment` call came to. A refusal is SAFEDEBIT's answer; an outage is no answer. */
export type PaymentLinkOutcome =
  | { kind: 'link'; link: string; paymentId?: string; latencyMs: number }
  | { kind: 'refusal'; code: string; latencyMs: number }
  | { kind: 'outage'; reason: OutageReason; detail: string; latencyMs: number };

export type OutageReason =
  | 'timeout'
  | 'connection'
  | 'http_status'
  | 'html'
  | 'not_json'
  | 'unexpected_shape'
  | 'too_large';
