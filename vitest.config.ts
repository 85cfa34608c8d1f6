import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Integration tests bind their own random loopback ports, so files can run in parallel.
    pool: 'forks',
    // Vitest's default leaves one core of a 2-core machine idle (CI's), while most files wait on timers, PostgreSQL or
    // the stand-ins: two at once take the suite from about 5.5 to about 3.2 minutes there. More starve the load test.
    maxWorkers: 2,
    // A worker runs its files one after another in one process, which loads Bolt, kysely, pg and the app once: a process
    // per file spent about 2 of the suite's 4 minutes of CPU importing them. No file leaves state for the next: variables
    // set through vi.stubEnv and undone, fake timers made real again, every app and stand-in closed, a database per test.
    isolate: false,
  },
});
