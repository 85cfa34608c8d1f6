import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../support/databases.js';

describe('a PostgreSQL connection reset while a query is in flight', () => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.drop();
  });

  it('fails that query, and paylink goes on', async () => {
    database = await freshDatabase('postgres');
    const script = fileURLToPath(new URL('./fixtures/pg-reset-mid-query.mjs', import.meta.url));
    const run = spawnSync(process.execPath, [script, database.url], { encoding: 'utf8', timeout: 15_000 });
    expect({
      status: run.status,
      stdout: run.stdout,
      crash: run.stderr.split('\n').find((line) => /Error/.test(line)),
    }).toEqual({
      status: 0,
      stdout: expect.stringContaining('query failed\nalive'),
      crash: undefined,
    });
  }, 20_000);
});
