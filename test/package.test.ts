import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${repoRoot}/package.json`, 'utf8')) as {
  scripts: Record<string, string>;
};

/** What `tsc -p tsconfig.build.json` needs: the compiler, and the types of what the built files import. */
const NEEDED_BY_THE_BUILD = ['typescript', '@types/node', '@types/better-sqlite3', '@types/pg', '@types/ws', 'ws'];

/**
 * `npm install` with NODE_ENV=production in the environment (a Dockerfile's `ENV NODE_ENV=production`, a systemd
 * unit's Environment=) installs `dependencies` only. The README's `npm install && npm start` then runs `prestart`,
 * which compiles with tsc: whatever that compile needs must come with `dependencies`.
 */
describe('npm install && npm start with NODE_ENV=production', () => {
  it('installs what the build that prestart runs needs', () => {
    expect(pkg.scripts.prestart).toBe('npm run build');
    expect(pkg.scripts.build).toBe('tsc -p tsconfig.build.json');
    // What npm installs when it omits dev dependencies, as it does when NODE_ENV=production.
    const listed = spawnSync('npm', ['ls', ...NEEDED_BY_THE_BUILD, '--omit=dev', '--json'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    const tree = JSON.parse(listed.stdout) as { dependencies?: Record<string, unknown> };
    expect(Object.keys(tree.dependencies ?? {})).toEqual(expect.arrayContaining(NEEDED_BY_THE_BUILD));
  });
});
