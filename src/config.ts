import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { CALLBACK_TOKEN_LENGTH, callbackUrlBase } from './callback/token.js';
import { CALLBACK_ROUTE_PREFIX } from './constants.js';
import { parseDuration } from './domain/duration.js';
import {
  LINK_DURATION_UNITS,
  type LinkDuration,
  type LinkDurationUnit,
  LONGEST_LINK_DURATION,
} from './domain/link-duration.js';
import { type OfferedPaymentTypes, PAYMENT_TYPES } from './domain/payment-type.js';
import { type AddressRule, parseAddressRules } from './http/client-address.js';
import { type ProxySettings, readProxySettings } from './http/outbound.js';
import { LOCALES, type Locale } from './i18n/locale.js';
import { type LedgerLocation, parseDatabaseUrl, withStandInHost } from './ledger/database-url.js';
import { FIELD_MAX_LENGTH } from './safedebit/fields.js';

/** SAFEDEBIT caps `url_callback` at 128 characters; the public URL must leave room for the token. */
const URL_CALLBACK_MAX_LENGTH = FIELD_MAX_LENGTH.url_callback;

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

const emptyAsUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const optionalText = (max?: number) =>
  z.preprocess(emptyAsUndefined, (max === undefined ? z.string().trim() : z.string().trim().max(max)).optional());
// Written in decimal digits: Number() would also take `0x10` (16), `1e3` and `3000.0`, which no admin means.
const decimalDigits = (value: unknown) => {
  const present = emptyAsUndefined(value);
  return typeof present === 'string' && !/^-?\d+$/.test(present.trim()) ? Number.NaN : present;
};
const integerIn = (min: number, max: number) =>
  z.preprocess(
    decimalDigits,
    z.coerce
      .number({ error: 'expected a whole number' })
      .min(min, `expected at least ${min}`)
      .max(max, `expected at most ${max}`)
      // Not `.int()`: zod takes its failure for a wrong type and stops there, hiding every other variable's problem.
      .refine(Number.isInteger, 'expected a whole number'),
  );
const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });
const withoutCredentials = (url: string) => !/^[a-z]+:\/\/[^/]*@/i.test(url);
const NO_CREDENTIALS = 'expected no user:password in the URL';
/** A base URL paylink adds paths to: a query or a fragment would swallow them. */
const baseUrl = httpUrl.refine((url) => !/[?#]/.test(url), 'expected no query (?) or fragment (#)');
const trimmedLowerCase = (value: unknown) =>
  typeof value === 'string' && value.trim() !== '' ? value.trim().toLowerCase() : undefined;
const oneOf = <const Values extends readonly [string, ...string[]]>(values: Values) =>
  z.enum(values, { error: `expected one of ${values.join(', ')}` });
/** A comma list of payment types, in the order the modal offers them; unset or empty: `now` alone. */
const paymentTypeList = z.preprocess(
  (value) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((type) => type.trim().toLowerCase())
          .filter((type) => type !== '')
      : [],
  z
    .array(z.enum(PAYMENT_TYPES, { error: `expected a comma-separated list of ${PAYMENT_TYPES.join(', ')}` }))
    .transform((types): OfferedPaymentTypes => {
      const [first = 'now', ...rest] = new Set(types);
      return [first, ...rest];
    }),
);
/** Reminders wait at least a second and at most a year: anything else is a typo. */
const SHORTEST_REMINDER_MS = 1_000;
const LONGEST_REMINDER_MS = 365 * 86_400_000;
const DURATION_EXAMPLE = 'a duration such as 72h, 30m, 10s or 3d';
const duration = z
  .string()
  .trim()
  .transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      const hint = /M$/.test(text) ? ' (M is ambiguous: 30m for minutes, 30d for a month)' : '';
      ctx.addIssue({ code: 'custom', message: `expected ${DURATION_EXAMPLE}${hint}` });
    } else if (ms < SHORTEST_REMINDER_MS || ms > LONGEST_REMINDER_MS)
      ctx.addIssue({ code: 'custom', message: `expected ${DURATION_EXAMPLE}, between 1s and 365d` });
    return ms ?? 0;
  });
/**
 * A comma list of Slack ids of one kind: users (U…, W… in Enterprise Grid) or conversations (C… public, G… private,
 * D… DM). One of the other kind would match nobody, so every rep would be refused everywhere: it stops the start.
 */
const slackIdList = (kind: 'user' | 'channel') =>
  z.preprocess(
    (value) => (typeof value === 'string' ? value : ''),
    z
      .string()
      .transform((list) =>
        list
          .split(',')
          .map((id) => id.trim())
          .filter((id) => id !== ''),
      )
      .pipe(
        z.array(
          kind === 'user'
            ? z
                .string()
                .regex(
                  /^[UW][A-Z0-9]+$/,
                  "expected comma-separated Slack user IDs (U… or W…) such as U012ABCDEF, from a profile's ⋮ menu → Copy member ID",
                )
            : z
                .string()
                .regex(
                  /^[CGD][A-Z0-9]+$/,
                  "expected comma-separated Slack channel IDs (C…, G… or D…) such as C012ABCDEF, from the bottom of a channel's details",
                ),
        ),
      ),
  );

const environmentFields = z.object({
  NODE_ENV: optionalText(),
  SLACK_BOT_TOKEN: z
    .string({ error: 'required' })
    .trim()
    .startsWith('xoxb-', 'expected a bot token starting with xoxb-'),
  SLACK_SIGNING_SECRET: optionalText(),
  SLACK_APP_TOKEN: z.preprocess(
    emptyAsUndefined,
    z.string().trim().startsWith('xapp-', 'expected an app-level token starting with xapp-').optional(),
  ),
  // Printed in the start's failure lines (`could not check … at <url>`): no credentials in it.
  SLACK_API_URL: z.preprocess(
    emptyAsUndefined,
    baseUrl.refine(withoutCredentials, NO_CREDENTIALS).default('https://slack.com/api/'),
  ),
  SLACK_SOCKET_PING_TIMEOUT_MS: z.preprocess(emptyAsUndefined, integerIn(1_000, 60_000).default(5_000)),
  PORT: z.preprocess(emptyAsUndefined, integerIn(0, 65535).default(3000)),
  SAFEDEBIT_API_URL: z.preprocess(
    emptyAsUndefined,
    baseUrl
      .refine(withoutCredentials, `${NO_CREDENTIALS} (SAFEDEBIT_LOGIN and SAFEDEBIT_PASSWORD carry them)`)
      .optional(),
  ),
  // HTTP Basic authentication ends the login at its first colon.
  SAFEDEBIT_LOGIN: optionalText().refine((login) => !login?.includes(':'), 'expected no colon (:)'),
  SAFEDEBIT_PASSWORD: z.preprocess(emptyAsUndefined, z.string().optional()),
  SAFEDEBIT_BENEFICIARY_REFERENCE: optionalText(FIELD_MAX_LENGTH.beneficiary_reference),
  SAFEDEBIT_TIMEOUT_MS: z.preprocess(emptyAsUndefined, integerIn(500, 120_000).default(10_000)),
  // The unit may be undeclared: the bound is then ten years in the smallest unit it could be.
  SAFEDEBIT_LINK_DURATION: z.preprocess(emptyAsUndefined, integerIn(1, LONGEST_LINK_DURATION.minutes).optional()),
  SAFEDEBIT_LINK_DURATION_UNIT: z.preprocess(trimmedLowerCase, oneOf(LINK_DURATION_UNITS).optional()),
  SAFEDEBIT_PAYMENT_SCENARIO: optionalText(FIELD_MAX_LENGTH.payment_scenario),
  SAFEDEBIT_MERCHANT_ID: optionalText(),
  SAFEDEBIT_SHOP_ID: optionalText(),
  SAFEDEBIT_SHOP_REFERENCE: optionalText(),
  // paylink appends its own paths (the callback, the thank-you page): a query or a fragment would swallow them.
  PAYLINK_PUBLIC_URL: z.preprocess(emptyAsUndefined, baseUrl.optional()),
  PAYLINK_REDIRECT_URL: z.preprocess(
    emptyAsUndefined,
    httpUrl
      .max(
        FIELD_MAX_LENGTH.manual_redirect_url,
        `expected at most ${FIELD_MAX_LENGTH.manual_redirect_url} characters (SAFEDEBIT's limit for manual_redirect_url)`,
      )
      .optional(),
  ),
  PAYLINK_PAYMENT_TYPES: paymentTypeList,
  PAYLINK_CALLBACK_SECRET: z.preprocess(
    emptyAsUndefined,
    z.string().min(16, 'expected at least 16 characters').optional(),
  ),
  PAYLINK_CALLBACK_ALLOWED_IPS: z.preprocess(emptyAsUndefined, z.string().optional()).transform((value, ctx) => {
    if (value === undefined) return undefined;
    const parsed = parseAddressRules(value);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.problem });
      return z.NEVER;
    }
    return parsed.rules;
  }),
  PAYLINK_TRUST_PROXY: z.preprocess(emptyAsUndefined, integerIn(0, 10).default(0)),
  PAYLINK_ALLOWED_USERS: slackIdList('user'),
  PAYLINK_ALLOWED_CHANNELS: slackIdList('channel'),
  PAYLINK_ADMINS: slackIdList('user'),
  PAYLINK_REMIND_AFTER: z.preprocess(emptyAsUndefined, duration.optional()),
  PAYLINK_LOCALE: z.preprocess(trimmedLowerCase, oneOf(LOCALES).default('fr')),
  PAYLINK_MAX_AMOUNT: z.preprocess(emptyAsUndefined, integerIn(1, 10_000_000).default(100_000)),
  DATABASE_URL: z.preprocess(emptyAsUndefined, z.string().optional()).transform((value, ctx) => {
    const location = parseDatabaseUrl(value);
    if ('error' in location) {
      ctx.addIssue({ code: 'custom', message: location.error });
      return z.NEVER;
    }
    return location;
  }),
  LOG_LEVEL: z.preprocess(trimmedLowerCase, oneOf(LOG_LEVELS).default('info')),
  // Node reads it too; glibc's `:Europe/Paris` spelling is taken as `Europe/Paris`.
  TZ: z.preprocess(
    (value) => (typeof value === 'string' ? value.trim().replace(/^:/, '') || undefined : value),
    z.string().refine(isTimeZone, 'expected a time zone such as Europe/Paris').default('Europe/Paris'),
  ),
});

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

type Environment = z.output<typeof environmentFields>;

/** Every variable the configuration reads: README.md's table and .env.example document each one, and no other. */
export const CONFIG_VARIABLES = Object.keys(environmentFields.shape) as readonly (keyof Environment)[];

/**
 * Rules across variables, on the parsed values. They run even when a variable failed its own check, so that every
 * problem is reported at once: a variable that failed holds what it could be read as (the text, NaN), and the rules
 * only ask whether a variable is set, parse a URL themselves, or compare a number.
 */
function checkAcrossVariables(e: Environment, ctx: z.RefinementCtx<Environment>): void {
  // In any case, as the other variables' words are read: `NODE_ENV=Production` is no development start.
  const production = e.NODE_ENV?.toLowerCase() === 'production';
  const problem = (variable: keyof Environment, message: string) =>
    ctx.addIssue({ code: 'custom', path: [variable], message });
  if (e.SLACK_APP_TOKEN === undefined && e.SLACK_SIGNING_SECRET === undefined) {
    problem('SLACK_SIGNING_SECRET', 'required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)');
  }
  if (
    e.PAYLINK_CALLBACK_SECRET === undefined &&
    e.SLACK_SIGNING_SECRET === undefined &&
    e.SLACK_APP_TOKEN !== undefined
  ) {
    problem(
      'PAYLINK_CALLBACK_SECRET',
      'required in Socket Mode without SLACK_SIGNING_SECRET (the callback key is derived from it)',
    );
  }
  if (e.SAFEDEBIT_API_URL === undefined) {
    const credentials = (['SAFEDEBIT_LOGIN', 'SAFEDEBIT_PASSWORD', 'SAFEDEBIT_BENEFICIARY_REFERENCE'] as const).filter(
      (variable) => e[variable] !== undefined,
    );
    if (production)
      problem('SAFEDEBIT_API_URL', 'required in production (the built-in sandbox is for development only)');
    // Else the sandbox would make the links, its own Pay button marking them paid, the credentials ignored.
    else if (credentials.length > 0)
      problem(
        'SAFEDEBIT_API_URL',
        `required with ${credentials.join(', ')} (leave SAFEDEBIT's credentials empty to use the built-in sandbox)`,
      );
  } else {
    for (const variable of ['SAFEDEBIT_LOGIN', 'SAFEDEBIT_PASSWORD', 'SAFEDEBIT_BENEFICIARY_REFERENCE'] as const) {
      if (e[variable] === undefined) problem(variable, 'required with SAFEDEBIT_API_URL');
    }
    if (production && !isHttps(e.SAFEDEBIT_API_URL))
      problem(
        'SAFEDEBIT_API_URL',
        'expected an https URL in production (the SAFEDEBIT password is sent with every call)',
      );
  }
  const publicUrl = e.PAYLINK_PUBLIC_URL;
  if (publicUrl === undefined) {
    // Without it, links would be made for real customers with a localhost url_callback and manual_redirect_url.
    if (e.SAFEDEBIT_API_URL !== undefined)
      problem(
        'PAYLINK_PUBLIC_URL',
        'required with SAFEDEBIT_API_URL: the public https address SAFEDEBIT calls back and sends customers to',
      );
    else if (production)
      problem('PAYLINK_PUBLIC_URL', 'required in production: the https address SAFEDEBIT calls back');
  } else {
    if (production && !isHttps(publicUrl)) problem('PAYLINK_PUBLIC_URL', 'expected an https URL in production');
    if (URL_CALLBACK_MAX_LENGTH - callbackUrlBase(publicUrl).length < CALLBACK_TOKEN_LENGTH) {
      const longest = URL_CALLBACK_MAX_LENGTH - CALLBACK_TOKEN_LENGTH - CALLBACK_ROUTE_PREFIX.length - 1;
      problem(
        'PAYLINK_PUBLIC_URL',
        `too long: SAFEDEBIT caps url_callback at ${URL_CALLBACK_MAX_LENGTH} characters and the callback token needs ${CALLBACK_TOKEN_LENGTH}; use a URL of at most ${longest} characters`,
      );
    }
  }
  if (production && e.PAYLINK_REDIRECT_URL !== undefined && !isHttps(e.PAYLINK_REDIRECT_URL))
    problem('PAYLINK_REDIRECT_URL', 'expected an https URL in production');
  if (production && !isHttps(e.SLACK_API_URL))
    problem('SLACK_API_URL', 'expected an https URL in production (the Slack tokens are sent with every call)');
  const duration = e.SAFEDEBIT_LINK_DURATION;
  const unit = e.SAFEDEBIT_LINK_DURATION_UNIT;
  if (unit !== undefined && duration === undefined)
    problem('SAFEDEBIT_LINK_DURATION_UNIT', 'set without SAFEDEBIT_LINK_DURATION');
  if (duration !== undefined && isLinkDurationUnit(unit) && duration > LONGEST_LINK_DURATION[unit]) {
    problem('SAFEDEBIT_LINK_DURATION', `expected at most ${LONGEST_LINK_DURATION[unit]} ${unit} (ten years)`);
  }
}

/** The scheme as a URL parser reads it, whatever its case (`HTTPS://` is https). */
function isHttps(url: string): boolean {
  return URL.canParse(url) && new URL(url).protocol === 'https:';
}

const environmentSchema = environmentFields.superRefine(checkAcrossVariables, { when: () => true });

function isLinkDurationUnit(unit: string | undefined): unit is LinkDurationUnit {
  return (LINK_DURATION_UNITS as readonly (string | undefined)[]).includes(unit);
}

/** Where and as whom to call SAFEDEBIT. Absent from Config: the built-in sandbox is used (development). */
export interface SafedebitConnection {
  apiUrl: string;
  login: string;
  password: string;
  beneficiaryReference: string;
}

/** Optional merchant-level fields sent with every link, under their SAFEDEBIT names. */
export interface MerchantFields {
  payment_scenario?: string;
  merchant_id?: string;
  shop_id?: string;
  shop_reference?: string;
}

export interface Config {
  slack: {
    botToken: string;
    signingSecret?: string;
    appToken?: string;
    apiUrl: string;
    /**
     * Socket Mode: how long the WebSocket client waits for Slack's pong before it reconnects, and the step of its
     * delay before each new try (this, times the failures in a row).
     */
    socketPingTimeoutMs: number;
  };
  port: number;
  safedebit?: SafedebitConnection;
  safedebitTimeoutMs: number;
  /**
   * `link_duration` sent with every link; with its unit declared, the ledger keeps when each link expires (Slack shows
   * it), and a link past it with no status is expired, no longer awaiting payment.
   */
  linkDuration?: LinkDuration;
  merchantFields: MerchantFields;
  /** Without a trailing slash; absent only with the sandbox (then http://localhost:PORT, where its payment page is). */
  publicUrl?: string;
  /**
   * `manual_redirect_url`: where the payment page sends the customer afterwards. Absent: paylink's own
   * thank-you page, in the customer's language.
   */
  redirectUrl?: string;
  paymentTypes: OfferedPaymentTypes;
  callbackSecret: string;
  /** Who may post payment notifications; absent: anyone holding a callback URL. */
  callbackAllowedAddresses?: readonly AddressRule[];
  /** Proxies in front of paylink whose `X-Forwarded-For` entries are believed; 0: the socket's address. */
  trustProxyHops: number;
  allowedUsers: readonly string[];
  allowedChannels: readonly string[];
  /** Slack user ids who see the whole team's links and may export them. */
  admins: readonly string[];
  /** How long after its creation an unpaid link earns its rep a reminder; absent: no reminders. */
  remindAfterMs?: number;
  locale: Locale;
  /** Where dates are shown and months begin (App Home's "paid this month", the export): TZ, Europe/Paris by default. */
  timeZone: string;
  maxAmountCents: number;
  /** The link ledger: the embedded SQLite file by default, PostgreSQL when several instances share the work. */
  ledger: LedgerLocation;
  logLevel: (typeof LOG_LEVELS)[number];
  /** The outbound proxies: HTTP_PROXY, HTTPS_PROXY, NO_PROXY (and their lowercase spellings). */
  proxy: ProxySettings;
}

export type ConfigResult = { ok: true; config: Readonly<Config> } | { ok: false; problems: string[] };

/**
 * Parses the environment once into a frozen, typed config. Problems come back as one readable line per
 * variable; values are never echoed, so a secret cannot leak through a start-up error.
 */
export function loadConfig(env: NodeJS.ProcessEnv): ConfigResult {
  const parsed = environmentSchema.safeParse(env);
  // The standard proxy variables, by the rules every HTTP client reads them with (outbound.ts).
  const proxy = readProxySettings(env);
  if (!parsed.success || !proxy.ok) {
    const problems = (parsed.error?.issues ?? []).map((issue) => {
      const variable = String(issue.path[0] ?? 'environment');
      const message = env[variable] === undefined && issue.code === 'invalid_type' ? 'required' : issue.message;
      return `${variable}: ${message}`;
    });
    return { ok: false, problems: onePerVariable([...problems, ...(proxy.ok ? [] : proxy.problems)]) };
  }
  const e = parsed.data;
  const publicUrl = e.PAYLINK_PUBLIC_URL?.replace(/\/+$/, '');
  const config: Config = {
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL.endsWith('/') ? e.SLACK_API_URL : `${e.SLACK_API_URL}/`,
      socketPingTimeoutMs: e.SLACK_SOCKET_PING_TIMEOUT_MS,
    },
    port: e.PORT,
    safedebit:
      e.SAFEDEBIT_API_URL === undefined
        ? undefined
        : {
            apiUrl: e.SAFEDEBIT_API_URL.replace(/\/+$/, ''),
            login: e.SAFEDEBIT_LOGIN ?? '',
            password: e.SAFEDEBIT_PASSWORD ?? '',
            beneficiaryReference: e.SAFEDEBIT_BENEFICIARY_REFERENCE ?? '',
          },
    safedebitTimeoutMs: e.SAFEDEBIT_TIMEOUT_MS,
    linkDuration:
      e.SAFEDEBIT_LINK_DURATION === undefined
        ? undefined
        : withoutUndefined({ value: e.SAFEDEBIT_LINK_DURATION, unit: e.SAFEDEBIT_LINK_DURATION_UNIT }),
    merchantFields: withoutUndefined({
      payment_scenario: e.SAFEDEBIT_PAYMENT_SCENARIO,
      merchant_id: e.SAFEDEBIT_MERCHANT_ID,
      shop_id: e.SAFEDEBIT_SHOP_ID,
      shop_reference: e.SAFEDEBIT_SHOP_REFERENCE,
    }),
    publicUrl,
    redirectUrl: e.PAYLINK_REDIRECT_URL,
    paymentTypes: e.PAYLINK_PAYMENT_TYPES,
    callbackSecret: e.PAYLINK_CALLBACK_SECRET ?? deriveCallbackSecret(e.SLACK_SIGNING_SECRET ?? ''),
    callbackAllowedAddresses: e.PAYLINK_CALLBACK_ALLOWED_IPS,
    trustProxyHops: e.PAYLINK_TRUST_PROXY,
    allowedUsers: e.PAYLINK_ALLOWED_USERS,
    allowedChannels: e.PAYLINK_ALLOWED_CHANNELS,
    admins: e.PAYLINK_ADMINS,
    remindAfterMs: e.PAYLINK_REMIND_AFTER,
    locale: e.PAYLINK_LOCALE,
    timeZone: e.TZ,
    maxAmountCents: e.PAYLINK_MAX_AMOUNT * 100,
    ledger: e.DATABASE_URL,
    logLevel: e.LOG_LEVEL,
    proxy: proxy.proxy,
  };
  return { ok: true, config: deepFreeze(config) };
}

/**
 * The values no log line may print: tokens, secrets, SAFEDEBIT's password, and the passwords in the proxies' and
 * PostgreSQL's URLs (as written, and decoded).
 */
export function secretsOf(config: Readonly<Config>): string[] {
  const urls = [
    config.proxy.httpProxy,
    config.proxy.httpsProxy,
    config.ledger.engine === 'postgres' ? config.ledger.url : undefined,
  ];
  return [
    config.slack.botToken,
    config.slack.signingSecret ?? '',
    config.slack.appToken ?? '',
    config.safedebit?.password ?? '',
    config.callbackSecret,
    ...urls.flatMap((url) => {
      // pg also reads a password given as `?password=`.
      const readable = url === undefined ? undefined : withStandInHost(url);
      const parsed = readable !== undefined && URL.canParse(readable) ? new URL(readable) : undefined;
      const passwords = [parsed?.password ?? '', parsed?.searchParams.get('password') ?? ''];
      return passwords.filter((password) => password !== '').flatMap((password) => [password, safelyDecoded(password)]);
    }),
  ].filter((secret) => secret !== '');
}

function safelyDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** `VAR: a` and `VAR: b` → `VAR: a; b`, in the order the variables first came: one line per variable. */
function onePerVariable(problems: readonly string[]): string[] {
  const byVariable = new Map<string, string[]>();
  for (const problem of problems) {
    const colon = problem.indexOf(': ');
    const variable = problem.slice(0, colon);
    const messages = byVariable.get(variable) ?? [];
    if (!messages.includes(problem.slice(colon + 2))) messages.push(problem.slice(colon + 2));
    byVariable.set(variable, messages);
  }
  return [...byVariable].map(([variable, messages]) => `${variable}: ${messages.join('; ')}`);
}

/** A distinct key for callback tokens, so a leaked callback key never signs Slack requests and vice versa. */
function deriveCallbackSecret(signingSecret: string): string {
  return createHmac('sha256', signingSecret).update('paylink/callback-token/v1').digest('base64url');
}

function withoutUndefined<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
