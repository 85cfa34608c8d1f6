import { config as loadDotenv } from 'dotenv';
import { startPaylink } from './app.js';
import { loadConfig } from './config.js';

/** Entry point: read the environment once, start, and stop cleanly on SIGTERM / SIGINT. */
loadDotenv({ quiet: true });
const loaded = loadConfig(process.env);
if (!loaded.ok) {
  process.stderr.write(
    `paylink cannot start, the configuration has problems:\n${loaded.problems.map((p) => `  - ${p}`).join('\n')}\nSee .env.example and README.md.\n`,
  );
  process.exit(1);
}

const running = await startPaylink(loaded.config).catch((error: unknown) => {
  // One readable line (port taken, Slack refusing the token…) rather than a stack trace.
  process.stderr.write(`paylink could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
// Slack can no longer be heard (Socket Mode's WebSocket refused): stop as for a SIGTERM, and say so by the exit code,
// so that the process manager starts paylink again, whose start-up checks then name what to fix.
void running.slackLost.then(() =>
  running.stop().then(
    () => process.exit(1),
    () => process.exit(1),
  ),
);
/**
 * Under `npm start` (whose script execs node, so that a SIGTERM sent to npm reaches the app), a terminal's Ctrl-C
 * arrives twice: from the terminal, and forwarded by npm a moment later. Within this delay it is the same request.
 */
const SAME_REQUEST_MS = 150;
let stopping = false;
let firstSignalAt = 0;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping && Date.now() - firstSignalAt < SAME_REQUEST_MS) return;
    if (stopping) {
      // Asked twice (Ctrl-C again): the operator does not want to wait for the links being created.
      running.logger.warn({ event: 'stop_forced', signal });
      process.exit(1);
    }
    stopping = true;
    firstSignalAt = Date.now();
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
