import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webApi } from '@slack/bolt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startPaylink } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { HEALTH_PATH } from '../../src/constants.js';
import { slackErrorCode } from '../../src/slack/errors.js';
import { freshDatabase, TEST_POSTGRES_URL, type TestDatabase } from '../support/databases.js';
import { freePort } from '../support/free-port.js';
import { APP_TOKEN, BOT_TOKEN, SIGNING_SECRET } from '../support/paylink-harness.js';
import { type SlackApiStandin, startSlackApiStandin } from '../support/slack-api-standin.js';

let database: TestDatabase | undefined;
afterEach(async () => {
  await database?.drop();
  database = undefined;
});

async function configFor(apiUrl: string, databaseUrl?: string, env: Record<string, string> = {}) {
  database = await freshDatabase('sqlite');
  const loaded = loadConfig({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: apiUrl,
    PORT: '0',
    LOG_LEVEL: 'error',
    DATABASE_URL: databaseUrl ?? database.url,
    ...env,
  });
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  return loaded.config;
}

describe('starting', () => {
  it('says which variable to fix when Slack refuses the bot token', async () => {
    const standin = await startSlackApiStandin();
    try {
      standin.failNext('auth.test', 'invalid_auth');
      await expect(startPaylink(await configFor(standin.apiUrl), { writeLog: () => {} })).rejects.toThrow(
        /^Slack refused SLACK_BOT_TOKEN \(invalid_auth\)/,
      );
    } finally {
      await standin.close();
    }
  });

  it('says Slack could not be reached, with the cause, when it cannot be', async () => {
    const closed = `http://127.0.0.1:${await freePort()}/api/`;
    const starting = startPaylink(await configFor(closed), { writeLog: () => {}, tokenCheckRetries: 1 });
    await expect(starting).rejects.toThrow(`could not check SLACK_BOT_TOKEN with Slack at ${closed} (ECONNREFUSED)`);
  }, 15_000);

  it('says the ledger could not be opened, in one line that does not repeat DATABASE_URL', async () => {
    const url = `postgres://paylink:hunter2@127.0.0.1:${await freePort()}/paylink`;
    const starting = startPaylink(await configFor('http://127.0.0.1:1/api/', url), {
      writeLog: () => {},
      tokenCheckRetries: 0,
    });
    await expect(starting).rejects.toThrow('could not open the link ledger (postgres, DATABASE_URL): ECONNREFUSED');
    await expect(starting).rejects.not.toThrow(/hunter2/);
  });

  it("gives PostgreSQL's words with its code, and a SQLite file's path, so the admin knows what to fix", async () => {
    const missing = new URL(TEST_POSTGRES_URL);
    missing.pathname = '/no_such_paylink_db';
    const onServer = startPaylink(await configFor('http://127.0.0.1:1/api/', missing.toString()), {
      writeLog: () => {},
      tokenCheckRetries: 0,
    });
    await expect(onServer).rejects.toThrow(
      'could not open the link ledger (postgres, DATABASE_URL): 3D000 database "no_such_paylink_db" does not exist',
    );

    // A folder that cannot be made: its parent is a file.
    const folder = mkdtempSync(join(tmpdir(), 'paylink-startup-'));
    try {
      const file = join(folder, 'a-file');
      writeFileSync(file, '');
      const inFile = startPaylink(await configFor('http://127.0.0.1:1/api/', `sqlite:${file}/ledger/paylink.sqlite`), {
        writeLog: () => {},
        tokenCheckRetries: 0,
      });
      await expect(inFile).rejects.toThrow(
        `could not open the link ledger (sqlite, ${file}/ledger/paylink.sqlite): ENOTDIR: not a directory, mkdir '${file}/ledger'`,
      );
      // A file that is no SQLite database: SQLite's words with its code.
      const notLedger = join(folder, 'notes.sqlite');
      writeFileSync(notLedger, 'not a database, some notes '.repeat(100));
      const onNotes = startPaylink(await configFor('http://127.0.0.1:1/api/', `sqlite:${notLedger}`), {
        writeLog: () => {},
        tokenCheckRetries: 0,
      });
      await expect(onNotes).rejects.toThrow(
        `could not open the link ledger (sqlite, ${notLedger}): SQLITE_NOTADB file is not a database`,
      );
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('starting in Socket Mode', () => {
  let standin: SlackApiStandin;
  afterEach(async () => {
    await standin.close();
  });

  /** Starts in Socket Mode on a port of its own, which answers only once Bolt listens. */
  async function startInSocketMode() {
    standin = await startSlackApiStandin();
    const port = await freePort();
    const config = await configFor(standin.apiUrl, undefined, { SLACK_APP_TOKEN: APP_TOKEN, PORT: String(port) });
    const health = () =>
      fetch(`http://127.0.0.1:${port}${HEALTH_PATH}`).then(
        async (response) => ({ status: response.status, body: await response.json() }),
        () => 'not listening',
      );
    return { starting: startPaylink(config, { writeLog: () => {} }), health };
  }

  it.each(['invalid_auth', 'token_revoked', 'token_expired', 'missing_scope'])(
    'says which variable to fix when Slack refuses the app-level token (%s), at once and before serving /healthz',
    async (refusal) => {
      const { starting, health } = await startInSocketMode();
      // Slack refuses a revoked token however often it is sent; Bolt's client would ask again forever.
      standin.failNext('apps.connections.open', refusal, 100);

      await expect(starting).rejects.toThrow(
        `Slack refused SLACK_APP_TOKEN (${refusal}): generate an app-level token with connections:write under Basic Information → App-Level Tokens, and copy it again`,
      );
      expect(await health()).toBe('not listening');
      expect(standin.callsTo('apps.connections.open')).toHaveLength(1);
      expect(standin.socketConnections).toEqual([]);
    },
  );

  it('says Slack failed to answer, not that it refused the token, when the check meets an outage', async () => {
    const { starting } = await startInSocketMode();
    standin.failNext('apps.connections.open', { status: 429, retryAfterSeconds: 600 });

    await expect(starting).rejects.toThrow(
      `could not check SLACK_APP_TOKEN with Slack at ${standin.apiUrl} (HTTP 429)`,
    );
  });

  it('sends the app-level token, and /healthz answers 503 until the WebSocket to Slack is open', async () => {
    const { starting, health } = await startInSocketMode();
    await standin.waitForCall('apps.connections.open');
    // paylink's check is answered at once; Bolt's own call, which leads to the WebSocket, takes a while.
    standin.setDelay('apps.connections.open', 1500);
    await vi.waitFor(() => expect(standin.callsTo('apps.connections.open')).toHaveLength(2));

    expect(await health()).toEqual({ status: 503, body: expect.objectContaining({ ok: false }) });
    const running = await starting;
    try {
      expect(await health()).toEqual({ status: 200, body: expect.objectContaining({ ok: true }) });
      expect(standin.socketConnections).toHaveLength(1);
    } finally {
      await running.stop(0);
    }
  });
});

describe('slackErrorCode', () => {
  it('reads a platform error, or the deepest transport code', () => {
    expect(slackErrorCode({ data: { error: 'not_in_channel' } })).toBe('not_in_channel');
    const transport = Object.assign(new Error('request error'), {
      code: 'slack_webapi_request_error',
      original: Object.assign(new TypeError('fetch failed'), {
        cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }),
      }),
    });
    expect(slackErrorCode(transport)).toBe('ECONNRESET');
    expect(slackErrorCode(undefined)).toBe('unknown_error');
  });

  it('names a timeout of Slack’s client, which checks the tokens at start, rather than its generic code', async () => {
    // A firewall dropping the packets, a proxy that hangs: Slack never answers.
    const silent = createServer(() => undefined);
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      const { port } = silent.address() as AddressInfo;
      const client = new webApi.WebClient('xoxb-test', {
        slackApiUrl: `http://127.0.0.1:${port}/api/`,
        timeout: 200,
        retryConfig: { retries: 0 },
        logLevel: webApi.LogLevel.ERROR,
      });
      expect(slackErrorCode(await client.auth.test().catch((error: unknown) => error))).toBe('timeout');
    } finally {
      silent.close();
    }
  });
});
