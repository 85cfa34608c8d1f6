import type { Logger, LogLevel } from '@slack/bolt';
import { CALLBACK_ROUTE_PREFIX } from './constants.js';
import { cutToUnits } from './domain/text-cut.js';

const SEVERITY: Record<string, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Longer strings are cut in a log line: no one reads them whole, and a sender could make them as long as it likes. */
const MAX_LOGGED_STRING = 4096;

/** Where a phone number starts: no digit or dot before it, a percent-escape's last digit aside (`%20` before `06…`). */
const NUMBER_START = String.raw`(?<!(?<!%[\dA-Fa-f])[\d.])`;
/** What may stand between a phone number's digits: a space (or + or %20 in a query string), a dot, a dash. */
const DIGITS_APART = '(?:[ .+-]|%20)';

/**
 * A character of an email address's name, as the form takes it (any letter or digit) or a URL carries it (`%40`). Not
 * `|`, which Slack writes between an address and its label (`<mailto:a@x.fr|a@x.fr>`): the second is a name of its own.
 */
const EMAIL_NAME_CHARACTER = String.raw`[\p{L}\p{M}\p{N}._%+!#$'*^\x60{}~-]`;

/** Anything that looks like a credential or customer contact, masked even if a caller slips one in. */
const SENSITIVE_PATTERNS: ReadonlyArray<[RegExp, string, cheapTest?: RegExp]> = [
  [/\bxox[a-z]-[A-Za-z0-9-]+/g, 'xox*-[redacted]'],
  [/\bxapp-[A-Za-z0-9-]+/g, 'xapp-[redacted]'],
  [/\bBasic\s+[A-Za-z0-9+/=]{6,}/gi, 'Basic [redacted]'],
  // Socket Mode's WebSocket URL (apps.connections.open, logged by Slack's WebClient at debug): its ticket connects.
  [/([?&]ticket=)[^&"\s\\]+/g, '$1[redacted]'],
  // A callback URL's token (Bolt writes the URL of a request no route takes, e.g. a PUT to a callback URL).
  [new RegExp(`(${CALLBACK_ROUTE_PREFIX}/)[A-Za-z0-9_-]{20,}`, 'g'), '$1[redacted]'],
  // Linear on any text (anyone can have a URL or a field name logged): a local part starts only where a run of its
  // characters does, and every repeat is bounded, so no run is scanned again from each of its characters. Written
  // percent-encoded too, as a query string in a URL Bolt logs carries them: `@` as %40, `+` as %2B, a space as + or %20.
  // Any letter, as the form takes accented and non-Latin addresses; a query string's `=`, `&`, `?` and `/` end a name.
  [
    new RegExp(
      String.raw`(?<!${EMAIL_NAME_CHARACTER})(${EMAIL_NAME_CHARACTER})${EMAIL_NAME_CHARACTER}{0,254}(@|%40)((?:[\p{L}\p{M}\p{N}%-]{1,63}\.){1,16}[\p{L}\p{M}]{2,63})(?![\p{L}\p{M}\p{N}_])`,
      'gu',
    ),
    '$1•••$2$3',
    // Most lines hold no address: an @ looked for first spares them the Unicode pattern, every line's costliest.
    /@|%40/,
  ],
  [new RegExp(String.raw`${NUMBER_START}(?:\+|%2[Bb]|00)\d(?:\d|${DIGITS_APART}){7,16}(\d{2})\b`, 'g'), '+•••$1'],
  [
    new RegExp(String.raw`${NUMBER_START}0[1-9](?:${DIGITS_APART}?\d{2}){3}${DIGITS_APART}?(\d{2})(?![\d.])`, 'g'),
    '0••••••••$1',
  ],
];

export interface JsonLoggerOptions {
  level: `${LogLevel}`;
  /** Exact values never to print (tokens, secrets, passwords), whatever field they turn up in. */
  secrets: readonly string[];
  /** Fields every line carries (SANDBOX mode says so on each line). */
  context?: Record<string, unknown>;
  write?: (line: string) => void;
  now?: () => Date;
}

/**
 * One JSON object per line, the shape log pipelines ingest. Bolt's own string messages become `msg`;
 * our events pass an object whose `event` field names what happened.
 */
export function createJsonLogger(options: JsonLoggerOptions): Logger {
  let level: string = options.level;
  let name = 'paylink';
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  // Shorter ones are not looked for: a 3-letter password would mask every word holding it. Slack's tokens and secrets
  // are long, the config refuses a PAYLINK_CALLBACK_SECRET under 16; a short SAFEDEBIT password is SSP's to refuse.
  const secrets = options.secrets.filter((secret) => secret.length >= 6);
  // Looked for in the JSON line, so as JSON writes them: a password's `"` or `\` is escaped there.
  const secretsInJson = secrets.map((secret) => JSON.stringify(secret).slice(1, -1));
  const redact = (text: string, among: readonly string[]) => {
    let result = text;
    for (const secret of among) result = result.split(secret).join('[redacted]');
    for (const [pattern, replacement, cheapTest] of SENSITIVE_PATTERNS) {
      if (cheapTest === undefined || cheapTest.test(result)) result = result.replace(pattern, replacement);
    }
    return result;
  };
  // A long string is redacted before it is cut, so that no cut leaves the start of a secret unrecognised.
  const shortened = (key: string, value: unknown) => {
    const safe = jsonSafe(key, value);
    return typeof safe === 'string' && safe.length > MAX_LOGGED_STRING
      ? `${cutToUnits(redact(safe, secrets), MAX_LOGGED_STRING)}…[cut at ${MAX_LOGGED_STRING} characters]`
      : safe;
  };
  const log = (lineLevel: string, parts: unknown[]) => {
    if ((SEVERITY[lineLevel] ?? 0) < (SEVERITY[level] ?? 0)) return;
    const fields: Record<string, unknown> = {};
    const texts: string[] = [];
    for (const part of parts) {
      if (part instanceof Error) texts.push(`${part.name}: ${part.message}`);
      else if (part !== null && typeof part === 'object' && !Array.isArray(part)) Object.assign(fields, part);
      else texts.push(typeof part === 'string' ? part : JSON.stringify(part));
    }
    const entry = {
      time: now().toISOString(),
      level: lineLevel,
      name,
      ...options.context,
      ...fields,
      ...(texts.length ? { msg: texts.join(' ') } : {}),
    };
    write(redact(JSON.stringify(entry, shortened), secretsInJson));
  };
  return {
    debug: (...parts) => log('debug', parts),
    info: (...parts) => log('info', parts),
    warn: (...parts) => log('warn', parts),
    error: (...parts) => log('error', parts),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level as LogLevel,
    setName: (next) => {
      name = next;
    },
  };
}

function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  return value;
}

/**
 * Debug lines of Slack's socket client that quote a whole envelope or answer: what the rep typed in the form (the
 * customer's email and phone as written, which no pattern recognises in every writing) and Slack's verification token.
 */
const ENVELOPE_LINE =
  /^(Received a message on the WebSocket|Unable to parse an incoming WebSocket message|Calling ack\(\)|Sending a WebSocket message|ack\(\) call begins|ack\(\) response sent)/;

/**
 * Errors Slack's socket client logs for a connection that dropped (a NAT or load balancer timing it out, a network
 * blip), which it opens again by itself: not an operator's to act on, unless it cannot (`socket_mode_lost`, an error).
 * Not Slack refusing a new connection's URL (`Failed to retrieve a new WSS URL`): the client may ask again for ever,
 * deaf, and those errors are all an operator would see of it.
 */
const SOCKET_DROP_LINE =
  /^(WebSocket error occurred|WebSocket error!|Failed to send ping to Slack|WebSocket not available, skipping ping)/;

/**
 * The logger for Slack's socket client: its lines quoting envelopes keep their first words only, and its errors about a
 * dropped connection are `socket_mode_dropped` warnings.
 */
export function socketClientLogger(logger: Logger): Logger {
  return {
    ...logger,
    debug: (...parts) => {
      const [first] = parts;
      const envelope = typeof first === 'string' ? ENVELOPE_LINE.exec(first) : null;
      logger.debug(...(envelope ? [`${envelope[1]} (envelope not logged)`] : parts));
    },
    error: (...parts) => {
      const [first] = parts;
      if (typeof first === 'string' && SOCKET_DROP_LINE.test(first))
        logger.warn({ event: 'socket_mode_dropped', reason: first });
      else logger.error(...parts);
    },
  };
}

/**
 * Refusals Bolt's HTTP receiver logs as bare words, each named as paylink's events are (`reason`: Bolt's words). A
 * request not signed with SLACK_SIGNING_SECRET is what a mistyped secret looks like: every `/paylink` fails in Slack.
 */
const BOLT_REFUSALS: ReadonlyArray<{ words: RegExp; event: string; msg?: string }> = [
  {
    // Its timestamp more than 5 minutes from this host's clock: Bolt refuses it before it checks the signature.
    words: /^Failed to parse and verify the request data: (.*request is stale.*)$/s,
    event: 'request_not_verified',
    msg: "Slack's timestamp is more than 5 minutes from this host's clock: set its clock right (NTP); Bolt checks the signature only then",
  },
  {
    words: /^Failed to parse and verify the request data: (.*)$/s,
    event: 'request_not_verified',
    msg: "a request not signed with SLACK_SIGNING_SECRET: if Slack's own requests are refused, the secret is not this Slack app's",
  },
  { words: /^Request body exceeded the maximum allowed size (.*)$/s, event: 'request_too_large' },
];

/** The logger for Bolt's HTTP receiver: its refusals logged as events. */
export function withBoltRefusalsNamed(logger: Logger): Logger {
  return {
    ...logger,
    warn: (...parts) => {
      const [first] = parts;
      for (const refusal of typeof first === 'string' && parts.length === 1 ? BOLT_REFUSALS : []) {
        const said = refusal.words.exec(first as string);
        if (said) {
          logger.warn({ event: refusal.event, reason: said[1], ...(refusal.msg ? { msg: refusal.msg } : {}) });
          return;
        }
      }
      logger.warn(...parts);
    },
  };
}
