import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/**
 * The test database, reached through a TLS proxy whose certificate is self-signed, with `parameters` added; `trusted`
 * names that certificate in `sslrootcert`, as an admin who has the provider's CA file does.
 */
async function behindSelfSignedTls(
  parameters: Record<string, string>,
  options: { expired?: boolean; trusted?: boolean } = {},
): Promise<string> {
  const database = await freshDatabase('postgres');
  cleanups.push(() => database.drop());
  const proxy = await tlsPostgres(options);
  cleanups.push(() => proxy.close());
  const url = new URL(database.url);
  url.port = String(proxy.port);
  for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value);
  if (options.trusted) {
    const folder = mkdtempSync(join(tmpdir(), 'paylink-ca-'));
    cleanups.push(async () => rmSync(folder, { recursive: true, force: true }));
    writeFileSync(join(folder, 'ca.pem'), proxy.certificate);
    url.searchParams.set('sslrootcert', join(folder, 'ca.pem'));
  }
  return url.toString();
}

/** The line a start on `databaseUrl` stops with. */
async function startFailure(databaseUrl: string): Promise<string> {
  const loaded = loadConfig({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: 'http://127.0.0.1:1/api/',
    PORT: '0',
    LOG_LEVEL: 'error',
    DATABASE_URL: databaseUrl,
  });
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  const started = await startPaylink(loaded.config, { writeLog: () => {}, tokenCheckRetries: 0 }).then(
    (app) => app,
    (error: Error) => error.message,
  );
  if (typeof started !== 'string') {
    await started.stop();
    throw new Error('paylink started');
  }
  return started;
}

/**
 * Managed PostgreSQL services give a URL with `?sslmode=require` and a certificate Node does not trust (self-signed, or
 * from their own CA). libpq (psql) reads `require` as "encrypted, certificate not checked"; pg 8 as verify-full.
 */
describe('DATABASE_URL with sslmode=require, on a server whose certificate is self-signed', () => {
  it('stops the start saying the certificate is not trusted, and the two ways to fix DATABASE_URL', async () => {
    expect(await startFailure(await behindSelfSignedTls({ sslmode: 'require' }))).toBe(
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

describe('DATABASE_URL naming the CA of a certificate Node then refuses', () => {
  it('says the certificate is for another host name, and which, when DATABASE_URL names the server by another', async () => {
    const url = await behindSelfSignedTls({ sslmode: 'verify-full' }, { trusted: true });
    expect(await startFailure(url)).toBe(
      "could not open the link ledger (postgres, DATABASE_URL): ERR_TLS_CERT_ALTNAME_INVALID: the server's certificate is for managed-postgres, not 127.0.0.1: write in DATABASE_URL a host name the certificate is for",
    );
  });

  it('says the certificate has expired, and that its owner must renew it', async () => {
    const url = await behindSelfSignedTls({ sslmode: 'verify-full' }, { trusted: true, expired: true });
    expect(await startFailure(url)).toBe(
      "could not open the link ledger (postgres, DATABASE_URL): CERT_HAS_EXPIRED: the server's certificate has expired: whoever runs the database must renew it",
    );
  });
});
