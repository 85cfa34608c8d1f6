/**
 * The `error` of a Slack platform error (`not_in_channel`…); for a transport failure, the deepest code along
 * its causes (`ENOTFOUND` rather than the client's generic `slack_webapi_request_error`), `timeout` for a request
 * given up on (a TimeoutError, whose own `code` is a number: Slack's client checking a token at start).
 */
export function slackErrorCode(error: unknown): string {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  if (typeof data?.error === 'string') return data.error;
  let code: string | undefined;
  let current: unknown = error;
  for (let depth = 0; current !== null && typeof current === 'object' && depth < 6; depth += 1) {
    const { code: own, name, original, cause } = current as Record<string, unknown>;
    if (typeof own === 'string') code = own;
    else if (name === 'TimeoutError') code = 'timeout';
    current = original ?? cause;
  }
  return code ?? 'unknown_error';
}

/** Slack's refusals of a token itself: no request with it works until an admin fixes it. */
const TOKEN_REFUSALS: ReadonlySet<string> = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
]);

/**
 * True when Slack refuses paylink itself, whatever is asked next: its token (revoked, the app uninstalled) or a scope
 * the call needs (`missing_scope`: the app installed from an older manifest). Only an admin can fix it; trying again
 * cannot.
 */
export function slackRefusesApp(code: string): boolean {
  return TOKEN_REFUSALS.has(code) || code === 'missing_scope';
}

/** The tokens checked with Slack at start: the codes that say Slack refused one, and what the admin does then. */
export const TOKEN_CHECKS = {
  SLACK_BOT_TOKEN: {
    refusals: TOKEN_REFUSALS,
    advice: "copy the Bot User OAuth Token again from the app's OAuth & Permissions page",
  },
  SLACK_APP_TOKEN: {
    // An app-level token may also lack connections:write, or be another kind of token.
    refusals: new Set([...TOKEN_REFUSALS, 'missing_scope', 'not_allowed_token_type']),
    advice:
      'generate an app-level token with connections:write under Basic Information → App-Level Tokens, and copy it again',
  },
};
export type SlackTokenVariable = keyof typeof TOKEN_CHECKS;

export function describeTokenCheckFailure(variable: SlackTokenVariable, error: unknown, apiUrl: string): string {
  const code = slackErrorCode(error);
  const { refusals, advice } = TOKEN_CHECKS[variable];
  if (refusals.has(code)) return `Slack refused ${variable} (${code}): ${advice}`;
  // Slack's failures (5xx, 429) answer with an HTTP status, which says more than the client's error code.
  const { statusCode } = (error ?? {}) as { statusCode?: unknown };
  return `could not check ${variable} with Slack at ${apiUrl} (${typeof statusCode === 'number' ? `HTTP ${statusCode}` : code})`;
}
