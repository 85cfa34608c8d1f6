import type { Logger, LogLevel } from '@slack/bolt';

const SEVERITY: Record<string, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Anything that looks like a credential or customer contact, masked even if a caller slips one in. */
const SENSITIVE_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/\bxox[a-z]-[A-Za-z0-9-]+/g, 'xox*-[redacted]'],
  [/\bxapp-[A-Za-z0-9-]+/g, 'xapp-[redacted]'],
  [/\bBasic\s+[A-Za-z0-9+/=]{6,}/gi, 'Basic [redacted]'],
  // Socket Mode's WebSocket URL (apps.connections.open, logged by Slack's WebClient at debug): its ticket connects.
  [/([?&]ticket=)[^&"\s\\]+/g, '$1[redacted]'],
  // A callback URL's token (Bolt writes the URL of a request no route takes, e.g. a PUT to a callback URL).
  [/(\/cb\/)[A-Za-z0-9_-]{20,}/g, '$1[redacted]'],
  [/\b([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})\b/g, '$1•••@$2'],
  [/(?<![\d.])(?:\+|00)\d[\d .-]{7,16}(\d{2})\b/g, '+•••$1'],
  [/(?<![\d.])0[1-9](?:[ .-]?\d{2}){3}[ .-]?(\d{2})(?![\d.])/g, '0••••••••$1'],
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
  // Looked for in the JSON line, so as JSON writes them: a password's `"` or `\` is escaped there.
  const secrets = options.secrets
    .filter((secret) => secret.length >= 6)
    .map((secret) => JSON.stringify(secret).slice(1, -1));
  const redact = (text: string) => {
    let result = text;
    for (const secret of secrets) result = result.split(secret).join('[redacted]');
    for (const [pattern, replacement] of SENSITIVE_PATTERNS) result = result.replace(pattern, replacement);
    return result;
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
    write(redact(JSON.stringify(entry, jsonSafe)));
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

/** The logger for Slack's socket client: its lines quoting envelopes keep their first words only. */
export function withoutSlackEnvelopes(logger: Logger): Logger {
  return {
    ...logger,
    debug: (...parts) => {
      const [first] = parts;
      const envelope = typeof first === 'string' ? ENVELOPE_LINE.exec(first) : null;
      logger.debug(...(envelope ? [`${envelope[1]} (envelope not logged)`] : parts));
    },
  };
}
