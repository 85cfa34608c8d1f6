import { afterEach } from 'vitest';
import { type Engine, freshDatabase, type TestDatabase } from './databases.js';
import { type Harness, type HarnessOptions, startHarness } from './paylink-harness.js';

export interface TestHarnesses {
  /** One more instance on this test's ledger (a fresh database of the engine, made at the first call). */
  start(options?: HarnessOptions): Promise<Harness>;
  /** Stops one instance now, as a restart would; the database stays for the next. */
  stop(app: Harness): Promise<void>;
}

/**
 * Running apps for the tests of a `describe` block: the instances a test starts share one fresh database of
 * `engine`, and after the test every one still running is closed and the database dropped.
 */
export function testHarnesses(engine: Engine): TestHarnesses {
  // The promise, so that instances started at once share one database.
  let database: Promise<TestDatabase> | undefined;
  const running: Harness[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((app) => app.close()));
    const made = await database?.catch(() => undefined);
    database = undefined;
    await made?.drop();
  });
  return {
    async start(options = {}) {
      database ??= freshDatabase(engine);
      const app = await startHarness({ engine, databaseUrl: (await database).url, ...options });
      running.push(app);
      return app;
    },
    async stop(app) {
      running.splice(running.indexOf(app), 1);
      await app.close();
    },
  };
}
