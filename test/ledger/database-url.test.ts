import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { DEFAULT_SQLITE_PATH, parseDatabaseUrl } from '../../src/ledger/database-url.js';

describe('DATABASE_URL', () => {
  it('unset or blank: the embedded SQLite file beside the app', () => {
    expect(parseDatabaseUrl(undefined)).toEqual({ engine: 'sqlite', path: resolve(DEFAULT_SQLITE_PATH) });
    expect(parseDatabaseUrl('  ')).toEqual({ engine: 'sqlite', path: resolve(DEFAULT_SQLITE_PATH) });
  });

  it.each([
    ['sqlite:/var/lib/paylink/ledger.sqlite', '/var/lib/paylink/ledger.sqlite'],
    ['sqlite:///var/lib/paylink/ledger.sqlite', '/var/lib/paylink/ledger.sqlite'],
    // SQLAlchemy's spelling of an absolute file.
    ['sqlite:////var/lib/paylink/ledger.sqlite', '/var/lib/paylink/ledger.sqlite'],
    ['sqlite:data/other.sqlite', resolve('data/other.sqlite')],
    // No shell expands it from a .env file: the admin's home folder, not a folder named `~` under the app's.
    ['sqlite:~/paylink/ledger.sqlite', join(homedir(), 'paylink/ledger.sqlite')],
  ])('%s is a SQLite file', (url, path) => {
    expect(parseDatabaseUrl(url)).toEqual({ engine: 'sqlite', path });
  });

  it.each([
    'postgres://paylink:secret@db.internal:5432/paylink',
    'postgresql://paylink@127.0.0.1/paylink?sslmode=require',
    // libpq's form for a unix socket, with a user and no host before the database (psql and pg read it).
    'postgresql://paylink@/paylink?host=/var/run/postgresql',
    'postgres:///paylink?host=/var/run/postgresql',
  ])('%s is PostgreSQL', (url) => {
    expect(parseDatabaseUrl(url)).toEqual({ engine: 'postgres', url });
  });

  it.each([
    'mysql://root@localhost/paylink',
    'sqlite:',
    'sqlite:/var/lib/',
    // A host `data`: it would be the root's /data/x.sqlite, not ./data/x.sqlite.
    'sqlite://data/x.sqlite',
    'postgres://',
    'postgresql://paylink@/paylink',
    'paylink.sqlite',
  ])('%s is refused', (url) => {
    expect(parseDatabaseUrl(url)).toHaveProperty('error');
  });

  it('a bad value stops the start with one line that does not repeat it (it may hold a password)', () => {
    const result = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: 'signing-secret-0123456789',
      DATABASE_URL: 'mysql://root:hunter2@localhost/paylink',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      'DATABASE_URL: expected sqlite:/path/to/file.sqlite or postgres://user@host:5432/database',
    ]);
    expect(result.problems.join('\n')).not.toContain('hunter2');
  });
});
