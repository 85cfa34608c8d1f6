import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Integration tests bind their own random loopback ports, so files can run in parallel.
    pool: 'forks',
    // Most files wait on timers, PostgreSQL or the stand-ins, not the CPU: on CI's 2 cores, three at once took the
    // suite from about 4 minutes (two) to about 3 (the CPU half busy, where two left it 30 % busy); four saved little
    // more, with more files' timing tests sharing a busy machine.
    maxWorkers: 3,
    // A worker runs its files one after another in one process, which loads Bolt, kysely, pg and the app once: a process
    // per file spent about 2 of the suite's 4 minutes of CPU importing them. No file leaves state for the next: variables
    // set through vi.stubEnv and undone, fake timers made real again, every app and stand-in closed, a database per test.
    isolate: false,
  },
});
