import { homedir } from 'node:os';
import { resolve } from 'node:path';

/** Where the ledger lives, as `DATABASE_URL` says: an embedded SQLite file, or a PostgreSQL server. */
export type LedgerLocation = { engine: 'sqlite'; path: string } | { engine: 'postgres'; url: string };

/** The embedded default: one file beside the app, created with its folder on first start. */
export const DEFAULT_SQLITE_PATH = './data/paylink.sqlite';

/**
 * Reads `DATABASE_URL`: unset → the default SQLite file; `sqlite:/path` (or `sqlite:///path`, `sqlite:~/x.sqlite`,
 * or a relative `sqlite:data/x.sqlite`) → that file; `postgres://…` / `postgresql://…` → PostgreSQL. The error never
 * repeats the value: it may hold a password.
 */
export function parseDatabaseUrl(value: string | undefined): LedgerLocation | { error: string } {
  const url = value?.trim();
  if (!url) return { engine: 'sqlite', path: resolve(DEFAULT_SQLITE_PATH) };
  if (/^sqlite:/i.test(url)) {
    // `~/` as a shell would read it: no shell expands a .env file's values.
    const written = url.slice('sqlite:'.length);
    // `sqlite://data/x.sqlite` reads as a host `data`, and would be the root's /data/x.sqlite.
    if (/^\/\/[^/]/.test(written))
      return { error: 'expected sqlite:data/paylink.sqlite (relative) or sqlite:///var/lib/paylink.sqlite (absolute)' };
    // An empty host before an absolute path, `sqlite:///…` or SQLAlchemy's `sqlite:////…`: the path.
    const path = written.replace(/^\/{2,}(?=\/)/, '').replace(/^~(?=\/)/, homedir());
    if (path === '' || path.endsWith('/'))
      return { error: 'expected a file after sqlite:, e.g. sqlite:/var/lib/paylink/paylink.sqlite' };
    return { engine: 'sqlite', path: resolve(path) };
  }
  if (/^postgres(ql)?:\/\//i.test(url)) {
    try {
      const readable = withStandInHost(url);
      const hostless = readable !== url;
      const parsed = new URL(readable);
      if ((hostless || parsed.hostname === '') && !parsed.searchParams.has('host'))
        return { error: 'expected a host in the postgres:// URL' };
      return { engine: 'postgres', url };
    } catch {
      return { error: 'not a valid postgres:// URL' };
    }
  }
  return { error: 'expected sqlite:/path/to/file.sqlite or postgres://user@host:5432/database' };
}

/**
 * libpq's form for a unix socket, a user and no host (`postgresql://user@/db?host=/run/postgresql`), which a WHATWG URL
 * refuses, written with a stand-in host, as pg reads it; any other URL as it is.
 */
export function withStandInHost(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^/?#]*@)\//i, '$1localhost/');
}
