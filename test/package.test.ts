import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${repoRoot}/package.json`, 'utf8')) as {
  scripts: Record<string, string>;
  engines: { node: string };
};

/** What `tsc -b tsconfig.build.json` needs: the compiler, and the types of what the built files import. */
const NEEDED_BY_THE_BUILD = ['typescript', '@types/node', '@types/better-sqlite3', '@types/pg', '@types/ws', 'ws'];

/**
 * `npm install` with NODE_ENV=production in the environment (a Dockerfile's `ENV NODE_ENV=production`, a systemd
 * unit's Environment=) installs `dependencies` only. The README's `npm install && npm start` then runs `prestart`,
 * which compiles with tsc what changed since the last build: whatever that compile needs must come with `dependencies`.
 * (Not at install, `prepare`: a Dockerfile's `RUN npm ci` before the sources are copied would fail.)
 */
describe('npm install && npm start with NODE_ENV=production', () => {
  it('installs what the build that prestart runs needs', () => {
    expect(pkg.scripts.prepare).toBeUndefined();
    expect(pkg.scripts.prestart).toBe('npm run build');
    expect(pkg.scripts.build).toBe('tsc -b tsconfig.build.json');
    // What npm installs when it omits dev dependencies, as it does when NODE_ENV=production.
    const listed = spawnSync('npm', ['ls', ...NEEDED_BY_THE_BUILD, '--omit=dev', '--json'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    const tree = JSON.parse(listed.stdout) as { dependencies?: Record<string, unknown> };
    expect(Object.keys(tree.dependencies ?? {})).toEqual(expect.arrayContaining(NEEDED_BY_THE_BUILD));
  });

  // Compiling at every start took 18 s of CPU, and failed with 260 lines of EACCES where the install is not the
  // running user's to write (`RUN npm install` as root, then `USER node`; a read-only file system).
  it('compiles nothing at start once built (npm test, as npm start, built it just before)', () => {
    const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
    const dry = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.build.json', '--dry', '--verbose'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    const hint = 'dist/ is older than the sources: `npm test` builds first, `npx vitest` alone does not';
    expect(dry.stdout, hint).toContain("Project 'tsconfig.build.json' is up to date");
  });
});

/**
 * The README and package.json's engines promise the oldest Node an admin may run `npm install && npm start` and
 * `npm test` on. Under 20.19, `npm test` died at vitest's start (rolldown's util.styleText with an array of formats:
 * ERR_INVALID_ARG_VALUE) and npm warned EBADENGINE for undici, vite and rolldown.
 */
describe('the Node.js versions paylink says it runs on', () => {
  const lock = JSON.parse(readFileSync(`${repoRoot}/package-lock.json`, 'utf8')) as {
    packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
  };
  const oldest = semver.minVersion(pkg.engines.node)?.version ?? '';

  it('are the ones the lock file records for paylink itself', () => {
    expect(lock.packages['']?.engines).toEqual({ node: pkg.engines.node });
  });

  it('are the ones the README states', () => {
    const readme = readFileSync(`${repoRoot}/README.md`, 'utf8');
    expect(readme).toContain(`Requires Node.js ${pkg.engines.node.replaceAll('||', 'or')}`);
  });

  it('start at one that every package the lock file installs runs on', () => {
    const refusing = Object.entries(lock.packages)
      .filter(([name, entry]) => name !== '' && !Array.isArray(entry.engines) && entry.engines?.node !== undefined)
      // Native bindings for other platforms are in the lock file but installed only there.
      .filter(([name]) => !/\/@rolldown\/binding-(?!linux-x64-gnu)/.test(name))
      .filter(([, entry]) => !semver.satisfies(oldest, (entry.engines as { node: string }).node))
      .map(([name, entry]) => `${name.replace(/^.*node_modules\//, '')}@${entry.version}`);
    expect(oldest).not.toBe('');
    expect(refusing, `on Node ${oldest}`).toEqual([]);
  });
});
