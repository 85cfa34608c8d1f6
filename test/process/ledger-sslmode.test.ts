import { afterEach, describe, expect, it } from 'vitest';
import { runUntilExit } from '../support/app-process.js';
import { freshDatabase } from '../support/databases.js';
import { BOT_TOKEN, SIGNING_SECRET } from '../support/paylink-harness.js';
import { tlsPostgres } from '../support/tls-postgres.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * README (Configuration): "Any problem stops the start with one line per variable and exit code 1", and, for
 * DATABASE_URL, "With `?sslmode=require` … for a managed service whose certificate Node does not trust … the start
 * says so". An admin following that, on a managed PostgreSQL with a self-signed certificate, runs `npm start`
 * (the built app, as here) and reads its stderr.
 */
describe('DATABASE_URL with ?sslmode=require, as the README gives it for a managed PostgreSQL', () => {
  it('stops the start with the one documented line on stderr, nothing else', async () => {
    const database = await freshDatabase('postgres');
    cleanups.push(() => database.drop());
    const proxy = await tlsPostgres();
    cleanups.push(() => proxy.close());
    const url = new URL(database.url);
    url.port = String(proxy.port);
    url.searchParams.set('sslmode', 'require');

    const { code, stderr } = await runUntilExit({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: 'http://127.0.0.1:1/api/',
      PORT: '0',
      DATABASE_URL: url.toString(),
    });

    expect(code, stderr).toBe(1);
    // Not pg-connection-string's process warning first ("SECURITY WARNING: The SSL modes 'prefer', 'require', and
    // 'verify-ca' are treated as aliases for 'verify-full'…", 9 lines), on every start with sslmode=require, failed or not.
    expect(stderr.trimEnd().split('\n')).toEqual([
      "paylink could not start: could not open the link ledger (postgres, DATABASE_URL): DEPTH_ZERO_SELF_SIGNED_CERT: the server's certificate is not trusted (pg reads sslmode=require as verify-full): name its CA in DATABASE_URL with sslrootcert=/path/to/ca.pem, or add uselibpqcompat=true for libpq's sslmode=require (encrypted, certificate not checked)",
    ]);
  }, 60_000);
});
