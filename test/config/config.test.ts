import { readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, type Config, loadConfig, secretsOf } from '../../src/config.js';
import { PROXY_VARIABLES } from '../../src/http/outbound.js';
import { readmeSection, readRepoFile } from '../support/repo-docs.js';

const MINIMAL = { SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_SIGNING_SECRET: 'signing-secret-value' };
/** What production requires, all given. */
const PRODUCTION = {
  ...MINIMAL,
  NODE_ENV: 'production',
  SAFEDEBIT_API_URL: 'https://api.example/ssp',
  SAFEDEBIT_LOGIN: 'l',
  SAFEDEBIT_PASSWORD: 'p',
  SAFEDEBIT_BENEFICIARY_REFERENCE: 'b',
  PAYLINK_PUBLIC_URL: 'https://paylink.example.com',
};

function configOf(env: Record<string, string>): Readonly<Config> {
  const result = loadConfig(env);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.config;
}

function problemsOf(env: Record<string, string>): string[] {
  const result = loadConfig(env);
  if (result.ok) throw new Error('expected problems');
  return result.problems;
}

describe('loadConfig', () => {
  it('applies the documented defaults and freezes the result', () => {
    const config = configOf(MINIMAL);
    expect(config).toMatchObject({
      port: 3000,
      locale: 'fr',
      maxAmountCents: 10_000_000,
      safedebitTimeoutMs: 10_000,
      logLevel: 'info',
      allowedUsers: [],
      allowedChannels: [],
      trustProxyHops: 0,
      paymentTypes: ['now'],
    });
    expect(config.linkDuration).toBeUndefined();
    expect(config.callbackAllowedAddresses).toBeUndefined();
    expect(config.slack.apiUrl).toBe('https://slack.com/api/');
    expect(config.slack.socketPingTimeoutMs).toBe(5000);
    expect(config.safedebit).toBeUndefined();
    expect(config.callbackSecret).not.toBe(MINIMAL.SLACK_SIGNING_SECRET);
    expect(config.callbackSecret.length).toBeGreaterThanOrEqual(32);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.slack)).toBe(true);
  });

  it('reads every variable into its typed place', () => {
    const config = configOf({
      ...MINIMAL,
      SLACK_APP_TOKEN: 'xapp-1-test',
      SLACK_API_URL: 'http://127.0.0.1:9999/api',
      SLACK_SOCKET_PING_TIMEOUT_MS: '1500',
      PORT: '8080',
      SAFEDEBIT_API_URL: 'https://api.safedebit.example/ssp/',
      SAFEDEBIT_LOGIN: 'login',
      SAFEDEBIT_PASSWORD: 'pass word',
      SAFEDEBIT_BENEFICIARY_REFERENCE: 'BENEF',
      SAFEDEBIT_TIMEOUT_MS: '5000',
      SAFEDEBIT_LINK_DURATION: '7',
      SAFEDEBIT_LINK_DURATION_UNIT: 'Days',
      SAFEDEBIT_PAYMENT_SCENARIO: 'SCEN-1',
      SAFEDEBIT_MERCHANT_ID: 'M1',
      SAFEDEBIT_SHOP_ID: '',
      PAYLINK_PUBLIC_URL: 'https://paylink.example.com/',
      PAYLINK_CALLBACK_SECRET: 'a-callback-secret-of-32-characters',
      PAYLINK_REDIRECT_URL: 'https://www.merchant.example/merci',
      PAYLINK_PAYMENT_TYPES: ' multi, NOW ,multi',
      PAYLINK_ALLOWED_USERS: 'U01, U02 ,',
      PAYLINK_ALLOWED_CHANNELS: 'C01',
      PAYLINK_LOCALE: 'en',
      PAYLINK_MAX_AMOUNT: '2500',
      LOG_LEVEL: 'DEBUG',
    });
    expect(config).toMatchObject({
      slack: { appToken: 'xapp-1-test', apiUrl: 'http://127.0.0.1:9999/api/', socketPingTimeoutMs: 1500 },
      port: 8080,
      safedebit: {
        apiUrl: 'https://api.safedebit.example/ssp',
        login: 'login',
        password: 'pass word',
        beneficiaryReference: 'BENEF',
      },
      safedebitTimeoutMs: 5000,
      linkDuration: { value: 7, unit: 'days' },
      merchantFields: { payment_scenario: 'SCEN-1', merchant_id: 'M1' },
      publicUrl: 'https://paylink.example.com',
      redirectUrl: 'https://www.merchant.example/merci',
      paymentTypes: ['multi', 'now'],
      callbackSecret: 'a-callback-secret-of-32-characters',
      allowedUsers: ['U01', 'U02'],
      allowedChannels: ['C01'],
      locale: 'en',
      maxAmountCents: 250_000,
      logLevel: 'debug',
    });
    expect(config.merchantFields).not.toHaveProperty('shop_id');
  });

  it.each(['eighty', '1.5'])(
    'reports every problem at once, one line per variable, without echoing values (PORT=%s)',
    (port) => {
      const problems = problemsOf({
        SLACK_BOT_TOKEN: 'xoxp-test-user-token-secret',
        PORT: port,
        PAYLINK_LOCALE: 'de',
        SAFEDEBIT_API_URL: 'https://api.example/ssp',
        SAFEDEBIT_PASSWORD: 'hunter2-secret',
        PAYLINK_MAX_AMOUNT: '-5',
      });
      expect(problems).toEqual([
        'SLACK_BOT_TOKEN: expected a bot token starting with xoxb-',
        'PORT: expected a whole number',
        'PAYLINK_LOCALE: expected one of fr, en',
        'PAYLINK_MAX_AMOUNT: expected at least 1',
        'SLACK_SIGNING_SECRET: required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)',
        'SAFEDEBIT_LOGIN: required with SAFEDEBIT_API_URL',
        'SAFEDEBIT_BENEFICIARY_REFERENCE: required with SAFEDEBIT_API_URL',
        'PAYLINK_PUBLIC_URL: required with SAFEDEBIT_API_URL: the public https address SAFEDEBIT calls back and sends customers to',
      ]);
      expect(problems.join('\n')).not.toMatch(/xoxp-test-user-token-secret|hunter2/);
    },
  );

  it.each(['0x10', '1e3', '3000.0', '16 €'])('takes numbers in decimal digits only, not %j', (written) => {
    expect(problemsOf({ ...MINIMAL, PORT: written, PAYLINK_MAX_AMOUNT: written })).toEqual([
      'PORT: expected a whole number',
      'PAYLINK_MAX_AMOUNT: expected a whole number',
    ]);
    expect(loadConfig({ ...MINIMAL, PAYLINK_MAX_AMOUNT: ' 250 ' })).toMatchObject({
      config: { maxAmountCents: 25_000 },
    });
  });

  it('reads the proxy variables with the rest, their problems in the same list', () => {
    expect(loadConfig({ ...MINIMAL, https_proxy: 'http://proxy.example:3128', NO_PROXY: 'localhost' })).toMatchObject({
      config: { proxy: { httpsProxy: 'http://proxy.example:3128', noProxy: 'localhost' } },
    });
    expect(problemsOf({ ...MINIMAL, PORT: 'x', HTTPS_PROXY: 'user:s3cret@proxy.example' })).toEqual([
      'PORT: expected a whole number',
      'HTTPS_PROXY: expected a proxy URL such as http://proxy.example:3128',
    ]);
  });

  it('names as secrets, never to be logged, the passwords in the proxies’ and PostgreSQL’s URLs too', () => {
    const config = configOf({
      ...MINIMAL,
      HTTPS_PROXY: 'http://paylink:pr0xy%23pass@proxy.example:3128',
      DATABASE_URL: 'postgres://paylink:db-s3cret@db.example:5432/paylink',
    });
    expect(secretsOf(config)).toEqual(
      expect.arrayContaining(['xoxb-test-token', 'pr0xy%23pass', 'pr0xy#pass', 'db-s3cret']),
    );
    // libpq's unix-socket form, with no host, and a password given as a parameter, as pg reads them.
    for (const url of [
      'postgresql://paylink:db-s3cret@/paylink?host=/run/postgresql',
      'postgres://paylink@db.example:5432/paylink?password=db-s3cret',
    ]) {
      expect(secretsOf(configOf({ ...MINIMAL, DATABASE_URL: url }))).toContain('db-s3cret');
    }
  });

  it('reads PAYLINK_LOCALE in any case, as LOG_LEVEL and PAYLINK_PAYMENT_TYPES', () => {
    expect(loadConfig({ ...MINIMAL, PAYLINK_LOCALE: ' EN ' })).toMatchObject({ config: { locale: 'en' } });
  });

  it('refuses what SAFEDEBIT_API_URL and SAFEDEBIT_LOGIN cannot carry, rather than drop it or fail at the first call', () => {
    const safedebit = {
      ...MINIMAL,
      SAFEDEBIT_LOGIN: 'shop',
      SAFEDEBIT_PASSWORD: 'hunter2-secret',
      SAFEDEBIT_BENEFICIARY_REFERENCE: 'BENEF-1',
      PAYLINK_PUBLIC_URL: 'https://pay.example.com',
    };
    expect(problemsOf({ ...safedebit, SAFEDEBIT_API_URL: 'https://api.example/ssp?env=prod' })).toEqual([
      'SAFEDEBIT_API_URL: expected no query (?) or fragment (#)',
    ]);
    const withCredentials = problemsOf({ ...safedebit, SAFEDEBIT_API_URL: 'https://shop:hunter2@api.example/ssp' });
    expect(withCredentials).toEqual([
      'SAFEDEBIT_API_URL: expected no user:password in the URL (SAFEDEBIT_LOGIN and SAFEDEBIT_PASSWORD carry them)',
    ]);
    expect(
      problemsOf({ ...safedebit, SAFEDEBIT_API_URL: 'https://api.example/ssp', SAFEDEBIT_LOGIN: 'shop:1' }),
    ).toEqual(['SAFEDEBIT_LOGIN: expected no colon (:)']);
    expect(loadConfig({ ...safedebit, SAFEDEBIT_API_URL: 'https://api.example/ssp' }).ok).toBe(true);
    // Nor Slack's, which a failed start prints.
    expect(problemsOf({ ...MINIMAL, SLACK_API_URL: 'https://bot:xoxb-1@slack.example/api/' })).toEqual([
      'SLACK_API_URL: expected no user:password in the URL',
    ]);
  });

  it('refuses a public URL with a query or a fragment, which would swallow the paths paylink adds', () => {
    for (const url of ['https://pay.example.com/?x=1', 'https://pay.example.com/#', 'https://pay.example.com/?']) {
      expect(problemsOf({ ...MINIMAL, PAYLINK_PUBLIC_URL: url })).toEqual([
        'PAYLINK_PUBLIC_URL: expected no query (?) or fragment (#)',
      ]);
    }
    expect(loadConfig({ ...MINIMAL, PAYLINK_PUBLIC_URL: 'https://pay.example.com/paylink/' }).ok).toBe(true);
  });

  it('takes TZ as the time zone of dates and months, Europe/Paris when unset or empty, and refuses an unknown one', () => {
    const zoneOf = (TZ?: string) => {
      const result = loadConfig({ ...MINIMAL, ...(TZ === undefined ? {} : { TZ }) });
      return result.ok ? result.config.timeZone : result.problems;
    };
    expect(zoneOf()).toBe('Europe/Paris');
    expect(zoneOf(' ')).toBe('Europe/Paris');
    expect(zoneOf('America/New_York')).toBe('America/New_York');
    expect(zoneOf(':Europe/Brussels')).toBe('Europe/Brussels');
    expect(zoneOf('Mars/Olympus_Mons')).toEqual(['TZ: expected a time zone such as Europe/Paris']);
  });

  it('says what is missing when nothing is set', () => {
    expect(problemsOf({})).toEqual([
      'SLACK_BOT_TOKEN: required',
      'SLACK_SIGNING_SECRET: required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)',
    ]);
  });

  it('needs SAFEDEBIT and a public https URL in production: no sandbox there', () => {
    // Written in any case, as the other variables' words are read: `Production` would otherwise be a development start.
    for (const production of ['production', 'Production', 'PRODUCTION']) {
      expect(problemsOf({ ...MINIMAL, NODE_ENV: production })).toEqual([
        'SAFEDEBIT_API_URL: required in production (the built-in sandbox is for development only)',
        'PAYLINK_PUBLIC_URL: required in production: the https address SAFEDEBIT calls back',
      ]);
    }
    expect(loadConfig(PRODUCTION).ok).toBe(true);
    expect(problemsOf({ ...PRODUCTION, PAYLINK_PUBLIC_URL: 'http://paylink.example.com' })).toEqual([
      'PAYLINK_PUBLIC_URL: expected an https URL in production',
    ]);
    expect(problemsOf({ ...PRODUCTION, SAFEDEBIT_API_URL: 'http://api.example/ssp' })).toEqual([
      'SAFEDEBIT_API_URL: expected an https URL in production (the SAFEDEBIT password is sent with every call)',
    ]);
    expect(problemsOf({ ...PRODUCTION, SLACK_API_URL: 'http://slack-relay.internal/api/' })).toEqual([
      'SLACK_API_URL: expected an https URL in production (the Slack tokens are sent with every call)',
    ]);
  });

  it('needs PAYLINK_PUBLIC_URL with a live SAFEDEBIT, outside production too; the sandbox goes without', () => {
    const live = {
      ...MINIMAL,
      SAFEDEBIT_API_URL: 'https://api.example/ssp',
      SAFEDEBIT_LOGIN: 'l',
      SAFEDEBIT_PASSWORD: 'p',
      SAFEDEBIT_BENEFICIARY_REFERENCE: 'b',
    };
    const required =
      'PAYLINK_PUBLIC_URL: required with SAFEDEBIT_API_URL: the public https address SAFEDEBIT calls back and sends customers to';
    expect(problemsOf(live)).toEqual([required]);
    expect(
      problemsOf({ ...live, PAYLINK_PUBLIC_URL: ' ', PAYLINK_REDIRECT_URL: 'https://shop.example/merci' }),
    ).toEqual([required]);
    expect(problemsOf({ ...PRODUCTION, PAYLINK_PUBLIC_URL: '' })).toEqual([required]);
    expect(loadConfig({ ...live, PAYLINK_PUBLIC_URL: 'https://paylink.example.com' }).ok).toBe(true);
    const sandbox = loadConfig(MINIMAL);
    expect(sandbox.ok && sandbox.config.publicUrl).toBeUndefined();
  });

  it("refuses SAFEDEBIT's credentials without SAFEDEBIT_API_URL, rather than run the sandbox with them ignored", () => {
    // SAFEDEBIT_API_URL left out or misspelled (SAFEDEBIT_URL): the sandbox would make the links, its Pay button
    // marking them paid.
    expect(
      problemsOf({
        ...MINIMAL,
        SAFEDEBIT_URL: 'https://api.example/ssp',
        SAFEDEBIT_LOGIN: 'merchant-login',
        SAFEDEBIT_PASSWORD: 'merchant-password',
        PAYLINK_PUBLIC_URL: 'https://paylink.example.com',
      }),
    ).toEqual([
      "SAFEDEBIT_API_URL: required with SAFEDEBIT_LOGIN, SAFEDEBIT_PASSWORD (leave SAFEDEBIT's credentials empty to use the built-in sandbox)",
    ]);
    // Empty, as .env.example has them: the sandbox.
    expect(
      loadConfig({ ...MINIMAL, SAFEDEBIT_LOGIN: '', SAFEDEBIT_PASSWORD: ' ', SAFEDEBIT_BENEFICIARY_REFERENCE: '' }).ok,
    ).toBe(true);
  });

  it('takes an https URL as https in production whatever the case of its scheme', () => {
    const capitals = loadConfig({
      ...PRODUCTION,
      SAFEDEBIT_API_URL: 'HTTPS://api.example/ssp',
      PAYLINK_PUBLIC_URL: 'Https://paylink.example.com',
      PAYLINK_REDIRECT_URL: 'HTTPS://www.merchant.example/merci',
    });
    expect(capitals.ok ? [] : capitals.problems).toEqual([]);
    expect(problemsOf({ ...PRODUCTION, PAYLINK_REDIRECT_URL: 'HTTP://www.merchant.example/merci' })).toEqual([
      'PAYLINK_REDIRECT_URL: expected an https URL in production',
    ]);
  });

  it('refuses a public URL that leaves no room for the callback token in 128 characters', () => {
    const longest = `https://${'a'.repeat(85 - 'https://'.length)}`;
    expect(loadConfig({ ...MINIMAL, PAYLINK_PUBLIC_URL: longest }).ok).toBe(true);
    expect(problemsOf({ ...MINIMAL, PAYLINK_PUBLIC_URL: `${longest}a` })).toEqual([
      'PAYLINK_PUBLIC_URL: too long: SAFEDEBIT caps url_callback at 128 characters and the callback token needs 39; use a URL of at most 85 characters',
    ]);
  });

  it('takes PAYLINK_REDIRECT_URL as the customer’s redirect, none by default (paylink’s own /thanks)', () => {
    const withPublicUrl = loadConfig({ ...MINIMAL, PAYLINK_PUBLIC_URL: 'https://paylink.example.com/' });
    expect(withPublicUrl.ok && withPublicUrl.config.redirectUrl).toBeUndefined();
    const longest = `https://merchant.example/${'a'.repeat(256 - 'https://merchant.example/'.length)}`;
    expect(loadConfig({ ...MINIMAL, PAYLINK_REDIRECT_URL: longest }).ok).toBe(true);
    expect(problemsOf({ ...MINIMAL, PAYLINK_REDIRECT_URL: `${longest}a` })).toEqual([
      "PAYLINK_REDIRECT_URL: expected at most 256 characters (SAFEDEBIT's limit for manual_redirect_url)",
    ]);
    expect(problemsOf({ ...MINIMAL, PAYLINK_REDIRECT_URL: 'merchant.example/merci' })).toEqual([
      'PAYLINK_REDIRECT_URL: expected an http(s) URL',
    ]);
    expect(problemsOf({ ...PRODUCTION, PAYLINK_REDIRECT_URL: 'http://www.merchant.example/merci' })).toEqual([
      'PAYLINK_REDIRECT_URL: expected an https URL in production',
    ]);
  });

  it('reads PAYLINK_PAYMENT_TYPES as a list of now, multi and later, and says what a bad one should be', () => {
    const all = loadConfig({ ...MINIMAL, PAYLINK_PAYMENT_TYPES: 'later,multi,now' });
    expect(all.ok && all.config.paymentTypes).toEqual(['later', 'multi', 'now']);
    const empty = loadConfig({ ...MINIMAL, PAYLINK_PAYMENT_TYPES: ' , ' });
    expect(empty.ok && empty.config.paymentTypes).toEqual(['now']);
    expect(problemsOf({ ...MINIMAL, PAYLINK_PAYMENT_TYPES: 'now,instalments,sometimes' })).toEqual([
      'PAYLINK_PAYMENT_TYPES: expected a comma-separated list of now, multi, later',
    ]);
  });

  it('sends SAFEDEBIT_LINK_DURATION with an undeclared unit, and bounds it by the unit when declared', () => {
    const undeclared = loadConfig({ ...MINIMAL, SAFEDEBIT_LINK_DURATION: '4320' });
    expect(undeclared.ok && undeclared.config.linkDuration).toEqual({ value: 4320 });
    const inMinutes = loadConfig({
      ...MINIMAL,
      SAFEDEBIT_LINK_DURATION: '4320',
      SAFEDEBIT_LINK_DURATION_UNIT: 'minutes',
    });
    expect(inMinutes.ok && inMinutes.config.linkDuration).toEqual({ value: 4320, unit: 'minutes' });
    expect(problemsOf({ ...MINIMAL, SAFEDEBIT_LINK_DURATION: '4320', SAFEDEBIT_LINK_DURATION_UNIT: 'days' })).toEqual([
      'SAFEDEBIT_LINK_DURATION: expected at most 3650 days (ten years)',
    ]);
    expect(problemsOf({ ...MINIMAL, SAFEDEBIT_LINK_DURATION: '3', SAFEDEBIT_LINK_DURATION_UNIT: 'weeks' })).toEqual([
      'SAFEDEBIT_LINK_DURATION_UNIT: expected one of days, hours, minutes',
    ]);
    expect(problemsOf({ ...MINIMAL, SAFEDEBIT_LINK_DURATION_UNIT: 'hours' })).toEqual([
      'SAFEDEBIT_LINK_DURATION_UNIT: set without SAFEDEBIT_LINK_DURATION',
    ]);
    expect(problemsOf({ ...MINIMAL, SAFEDEBIT_LINK_DURATION: '0' })).toEqual([
      'SAFEDEBIT_LINK_DURATION: expected at least 1',
    ]);
  });

  it('reads the callback allow-list and the proxy hops; a bad entry is one line naming its position', () => {
    const config = configOf({
      ...MINIMAL,
      PAYLINK_CALLBACK_ALLOWED_IPS: '203.0.113.7, 198.51.100.0/24, 2001:db8::/32',
      PAYLINK_TRUST_PROXY: '1',
    });
    expect(config.trustProxyHops).toBe(1);
    expect(config.callbackAllowedAddresses).toEqual([
      { kind: 'address', address: '203.0.113.7', family: 'ipv4' },
      { kind: 'range', network: '198.51.100.0', prefix: 24, family: 'ipv4' },
      { kind: 'range', network: '2001:db8::', prefix: 32, family: 'ipv6' },
    ]);
    expect(Object.isFrozen(config.callbackAllowedAddresses?.[0])).toBe(true);

    expect(
      problemsOf({
        ...MINIMAL,
        PAYLINK_CALLBACK_ALLOWED_IPS: '203.0.113.7, safedebit.example',
        PAYLINK_TRUST_PROXY: 'x',
      }),
    ).toEqual([
      'PAYLINK_CALLBACK_ALLOWED_IPS: entry 2 is not an IPv4 or IPv6 address or CIDR range (e.g. 203.0.113.7, 203.0.113.0/24, 2001:db8::/32)',
      'PAYLINK_TRUST_PROXY: expected a whole number',
    ]);
    expect(problemsOf({ ...MINIMAL, PAYLINK_TRUST_PROXY: '11' })).toEqual(['PAYLINK_TRUST_PROXY: expected at most 10']);
  });

  it("bounds Socket Mode's ping timeout to 1 to 60 s, in milliseconds", () => {
    for (const [value, problem] of [
      ['5s', 'expected a whole number'],
      ['999', 'expected at least 1000'],
      ['60001', 'expected at most 60000'],
    ] as const) {
      expect(problemsOf({ ...MINIMAL, SLACK_SOCKET_PING_TIMEOUT_MS: value }), value).toEqual([
        `SLACK_SOCKET_PING_TIMEOUT_MS: ${problem}`,
      ]);
    }
  });

  it('runs Socket Mode without a signing secret only with a callback secret', () => {
    expect(problemsOf({ SLACK_BOT_TOKEN: 'xoxb-x', SLACK_APP_TOKEN: 'xapp-x' })).toEqual([
      'PAYLINK_CALLBACK_SECRET: required in Socket Mode without SLACK_SIGNING_SECRET (the callback key is derived from it)',
    ]);
    expect(
      loadConfig({ SLACK_BOT_TOKEN: 'xoxb-x', SLACK_APP_TOKEN: 'xapp-x', PAYLINK_CALLBACK_SECRET: 'x'.repeat(16) }).ok,
    ).toBe(true);
  });

  it('refuses a callback secret shorter than 16 characters, in one line that does not show it', () => {
    const problems = problemsOf({ ...MINIMAL, PAYLINK_CALLBACK_SECRET: 'short-secret-15' });
    expect(problems).toEqual(['PAYLINK_CALLBACK_SECRET: expected at least 16 characters']);
  });

  it('derives the callback key from the signing secret as every release before did', () => {
    // Derived otherwise, the callback URL of every link already made would answer 404 after an upgrade.
    expect(configOf(MINIMAL).callbackSecret).toBe('wCS8-S7NKAT_1pVSZJRbNw20LbAcCaXP_CUpbY7V4Go');
  });
});

describe('the User-Agent towards SAFEDEBIT', () => {
  it('names paylink and the version package.json gives', async () => {
    const { USER_AGENT } = await import('../../src/app.js');
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(USER_AGENT.startsWith(`paylink/${version} `)).toBe(true);
  });
});

describe('a bad PAYLINK_PUBLIC_URL in production', () => {
  it('is one line, as the README promises ("one line per variable")', () => {
    for (const url of [
      'http://paylink.example.com/?x=1',
      `http://paylink.example.com/${'p'.repeat(80)}`,
      'ftp://paylink.example.com',
    ]) {
      const lines = problemsOf({ ...PRODUCTION, PAYLINK_PUBLIC_URL: url }).filter((line) =>
        line.startsWith('PAYLINK_PUBLIC_URL:'),
      );
      expect(lines, url).toHaveLength(1);
    }
  });
});

describe('README.md and .env.example', () => {
  /** What an admin may set: the schema's variables, and the standard proxy ones (documented by their uppercase names). */
  const readVariables = [
    ...CONFIG_VARIABLES,
    ...Object.values(PROXY_VARIABLES).map(([, upperCase]) => upperCase),
  ].sort();
  /** The variables named in the first cell of each row of the README's configuration table. */
  function readmeTableVariables(): string[] {
    const firstCells = readmeSection('## Configuration')
      .split('\n')
      .flatMap((line) => (line.startsWith('| `') ? [line.split(' | ')[0] ?? ''] : []));
    return firstCells
      .flatMap((cell) => [...cell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((match) => match[1] ?? ''))
      .sort();
  }
  /** `NAME=value` lines of .env.example, commented out or not. */
  const envExampleLines = [...readRepoFile('.env.example').matchAll(/^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/gm)];

  it("document exactly the variables paylink reads, each once: the README's configuration table", () => {
    expect(readmeTableVariables()).toEqual(readVariables);
  });

  it('document exactly the variables paylink reads, each once: .env.example', () => {
    expect(envExampleLines.map((line) => line[2]).sort()).toEqual(readVariables);
  });

  it('.env.example says to quote a value holding #, which dotenv would cut there, and its example reads whole', () => {
    const advice = readRepoFile('.env.example').match(/^# Quote a value that holds #.*?([A-Z_]+)='([^']+)'/m);
    const [, name = '', value = ''] = advice ?? [];
    expect(value).toContain('#');
    expect(parseDotenv(`${name}=${value}`)[name]).not.toBe(value);
    expect(parseDotenv(`${name}='${value}'`)[name]).toBe(value);
  });

  // Double quotes would turn a password's `\n` into a line break and end at its `"`.
  it.each(['Xk9#mP\\n2q', 'Xk9#m"P2q', 'Xk9#m`P2q'])(
    'a password %s, quoted as .env.example says, reads back whole',
    (password) => {
      const advice = readRepoFile('.env.example').match(/^# Quote a value that holds #.*?([A-Z_]+)=(')/m);
      const [, name = '', quote = ''] = advice ?? [];
      expect(parseDotenv(`${name}=${quote}${password}${quote}`)[name]).toBe(password);
    },
  );

  it(".env.example says how to quote a value holding ', and that reads back whole too", () => {
    const advice = readRepoFile('.env.example').match(/holds '.*?([A-Z_]+)=`([^`]+)`/s);
    const [, name = '', value = ''] = advice ?? [];
    expect(value).toContain("'");
    expect(parseDotenv(`${name}=\`${value}\``)[name]).toBe(value);
  });

  it('.env.example presets only defaults: copied as it is, it changes nothing', () => {
    const defaults = loadConfig(MINIMAL);
    for (const [, commented, name = '', value = ''] of envExampleLines) {
      if (commented !== undefined || value === '') continue;
      expect(loadConfig({ ...MINIMAL, [name]: value }), `${name}=${value}`).toEqual(defaults);
    }
  });
});
