import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openLedger } from '../../src/ledger/open.js';
import { type ProcessWorld, runUntilExit, startProcessWorld } from '../support/app-process.js';

/** The user paylink runs as here: root may write any file, so as root the app is run as `nobody`. */
const NOBODY = 65534;
const asServiceUser: { uid: number; gid: number } | undefined =
  process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : undefined;

describe('a SQLite ledger file paylink’s user cannot write (a backup restored as root)', () => {
  let world: ProcessWorld | undefined;
  let folder: string | undefined;
  afterEach(async () => {
    await world?.close([]);
    if (folder) rmSync(folder, { recursive: true, force: true });
    world = folder = undefined;
  });

  /**
   * The backup put in place in a new folder: a migrated ledger, without -wal or -shm, readable by all, writable by its
   * owner only. Starts the world the app runs in.
   */
  async function backupInPlace(prefix: string): Promise<{ path: string; env: Record<string, string> }> {
    world = await startProcessWorld('sqlite');
    folder = mkdtempSync(join(tmpdir(), prefix));
    const path = join(folder, 'paylink.sqlite');
    await (await openLedger({ engine: 'sqlite', path })).close();
    rmSync(`${path}-wal`, { force: true });
    rmSync(`${path}-shm`, { force: true });
    return { path, env: world.env };
  }

  it('stops the start with a line saying so, rather than start and fail every link', async () => {
    const { path, env } = await backupInPlace('paylink-restored-');
    const directory = dirname(path);
    // paylink's folder is its user's; the file is root's (0644, as `cp` leaves it), or, not as root, read-only.
    chmodSync(path, asServiceUser ? 0o644 : 0o444);
    if (asServiceUser) chownSync(directory, asServiceUser.uid, asServiceUser.gid);
    chmodSync(directory, 0o700);

    const { code, stderr } = await runUntilExit({ ...env, DATABASE_URL: `sqlite:${path}` }, asServiceUser);

    expect(code, stderr).toBe(1);
    expect(stderr).toContain(
      `could not open the link ledger (sqlite, ${path}): SQLITE_READONLY paylink's user cannot write paylink.sqlite`,
    );
  }, 60_000);

  it('in a folder paylink’s user cannot write, where SQLite keeps its -wal and -shm files, says which folder', async () => {
    const { path, env } = await backupInPlace('paylink-folder-');
    const directory = dirname(path);
    // The file is paylink's user's; the folder, root's (as root) or read-only (not as root).
    if (asServiceUser) chownSync(path, asServiceUser.uid, asServiceUser.gid);
    chmodSync(directory, asServiceUser ? 0o755 : 0o555);

    const { code, stderr } = await runUntilExit({ ...env, DATABASE_URL: `sqlite:${path}` }, asServiceUser);
    chmodSync(directory, 0o700);

    expect(code, stderr).toBe(1);
    expect(stderr).toContain(
      `could not open the link ledger (sqlite, ${path}): SQLITE_READONLY paylink's user cannot write in ${directory} (EACCES), where SQLite keeps paylink.sqlite-wal and paylink.sqlite-shm: make the folder that user's, or writable by it`,
    );
  }, 60_000);

  it('on a file system mounted read-only, says so rather than blame the file’s owner', async () => {
    world = await startProcessWorld('sqlite');
    folder = mkdtempSync(join(tmpdir(), 'paylink-read-only-'));
    const backup = join(folder, 'paylink.sqlite');
    await (await openLedger({ engine: 'sqlite', path: backup })).close();
    // A mount of its own (a user and mount namespace: no root needed) holding the ledger, then made read-only.
    const mounted = join(folder, 'mounted');
    const path = join(mounted, 'paylink.sqlite');
    const mountReadOnly = [
      `mkdir -p "${mounted}"`,
      `mount -t tmpfs tmpfs "${mounted}"`,
      `cp "${backup}" "${path}"`,
      `mount -o remount,ro "${mounted}"`,
      'exec "$@"',
    ].join(' && ');

    const { code, stderr } = await runUntilExit({ ...world.env, DATABASE_URL: `sqlite:${path}` }, undefined, [
      'unshare',
      '--user',
      '--map-root-user',
      '--mount',
      'sh',
      '-c',
      mountReadOnly,
      'sh',
    ]);

    expect(code, stderr).toBe(1);
    expect(stderr).toContain(
      `could not open the link ledger (sqlite, ${path}): SQLITE_READONLY paylink.sqlite is on a file system mounted read-only (EROFS): mount it read-write, or set DATABASE_URL to a file on one that is`,
    );
  }, 60_000);
});
