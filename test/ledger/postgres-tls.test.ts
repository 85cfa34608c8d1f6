import { afterEach, describe, expect, it } from 'vitest';
import { startPaylink } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { parseDatabaseUrl } from '../../src/ledger/database-url.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { openLedger } from '../../src/ledger/open.js';
import { freshDatabase } from '../support/databases.js';
import { BOT_TOKEN, SIGNING_SECRET } from '../support/paylink-harness.js';
import { tlsPostgres } from '../support/tls-postgres.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The test database, reached through a TLS proxy whose certificate is self-signed, with `parameters` added. */
async function behindSelfSignedTls(parameters: Record<string, string>): Promise<string> {
  const database = await freshDatabase('postgres');
  cleanups.push(() => database.drop());
  const proxy = await tlsPostgres();
  cleanups.push(() => proxy.close());
  const url = new URL(database.url);
  url.port = String(proxy.port);
  for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value);
  return url.toString();
}

/**
 * Managed PostgreSQL services give a URL with `?sslmode=require` and a certificate Node does not trust (self-signed, or
 * from their own CA). libpq (psql) reads `require` as "encrypted, certificate not checked"; pg 8 as verify-full.
 */
describe('DATABASE_URL with sslmode=require, on a server whose certificate is self-signed', () => {
  it('stops the start saying the certificate is not trusted, and the two ways to fix DATABASE_URL', async () => {
    const loaded = loadConfig({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: 'http://127.0.0.1:1/api/',
      PORT: '0',
      LOG_LEVEL: 'error',
      DATABASE_URL: await behindSelfSignedTls({ sslmode: 'require' }),
    });
    if (!loaded.ok) throw new Error(loaded.problems.join('; '));
    const starting = startPaylink(loaded.config, { writeLog: () => {}, tokenCheckRetries: 0 });
    await expect(starting).rejects.toThrow(
      "could not open the link ledger (postgres, DATABASE_URL): DEPTH_ZERO_SELF_SIGNED_CERT: the server's certificate is not trusted (pg reads sslmode=require as verify-full): name its CA in DATABASE_URL with sslrootcert=/path/to/ca.pem, or add uselibpqcompat=true for libpq's sslmode=require (encrypted, certificate not checked)",
    );
  });

  it('opens the ledger with uselibpqcompat=true, as the line advises', async () => {
    const location = parseDatabaseUrl(await behindSelfSignedTls({ sslmode: 'require', uselibpqcompat: 'true' }));
    if ('error' in location) throw new Error(location.error);
    const ledger: Ledger = await openLedger(location);
    cleanups.push(() => ledger.close());
    expect(await ledger.findLink('AAAAAAAAAAAAAAAAAAAAAA')).toBeUndefined();
  });
});
