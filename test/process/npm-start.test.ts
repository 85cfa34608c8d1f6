import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openModalOf, type ProcessWorld, startProcessWorld, validSubmission } from '../support/app-process.js';
import { freePort } from '../support/free-port.js';
import { SIGNING_SECRET } from '../support/paylink-harness.js';
import { sendInteraction } from '../support/slack-requests.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * The README's way to run paylink: `npm start` (here without `prestart`: `npm test` built dist/ already). A process
 * manager stopping it (`docker stop` with CMD ["npm", "start"], Kubernetes, a supervisor) sends SIGTERM to the
 * process it started: npm. The README promises that SIGTERM lets the link being created finish, then exits 0.
 */
async function startWithNpm(env: Record<string, string>) {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  let output = '';
  // Its own process group, so that the test can clean up whatever is left of it.
  const npm = spawn('npm', ['start', '--ignore-scripts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  npm.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  npm.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const deadline = Date.now() + 20_000;
  while (
    !(await fetch(`${baseUrl}/healthz`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline || npm.exitCode !== null) throw new Error(`not healthy: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { npm, baseUrl, output: () => output };
}

const exitOf = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once('exit', () => resolve()));

describe('npm start, stopped by a process manager', () => {
  let world: ProcessWorld | undefined;
  let npm: ChildProcess | undefined;
  afterEach(async () => {
    if (npm?.pid !== undefined) {
      try {
        process.kill(-npm.pid, 'SIGKILL');
      } catch {}
    }
    await world?.close([]);
    world = npm = undefined;
  });

  /** paylink under `npm start`, told to stop by `stop` while SAFEDEBIT is making a link; resolves once npm exited. */
  async function stoppedWhileCreatingALink(stop: (npm: ChildProcess) => void) {
    world = await startProcessWorld();
    const { standin, safedebit } = world;
    const started = await startWithNpm(world.env);
    npm = started.npm;
    safedebit.setMode({ kind: 'slow', delayMs: 1500 });
    const view = await openModalOf(started.baseUrl, standin);
    await sendInteraction(started.baseUrl, SIGNING_SECRET, validSubmission(view));
    while (safedebit.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    stop(started.npm);
    await exitOf(started.npm);
    const linkPosts = () =>
      standin.callsTo('chat.postMessage').filter((call) => String(call.args.text).includes('paypage?SDESSID='));
    return { ...started, linkPosts };
  }

  it('on SIGTERM to npm, the app finishes the link being created and stops (port closed, "stopped" logged)', async () => {
    const stopped = await stoppedWhileCreatingALink((npm) => npm.kill('SIGTERM'));
    const serving = () =>
      fetch(`${stopped.baseUrl}/healthz`).then(
        (response) => response.ok,
        () => false,
      );
    await expect.poll(serving, { timeout: 3_000 }).toBe(false);
    // npm's exit does not mean the app's last line was read from the pipe yet.
    await expect.poll(stopped.output, { timeout: 3_000 }).toContain('"event":"stopped"');
    expect(stopped.linkPosts()).toHaveLength(1);
  }, 40_000);

  it("on a terminal's Ctrl-C (SIGINT to npm's whole process group), the app still finishes the link being created", async () => {
    const stopped = await stoppedWhileCreatingALink((npm) => process.kill(-(npm.pid ?? 0), 'SIGINT'));
    await expect.poll(stopped.output, { timeout: 3_000 }).toMatch(/"event":"(stopped|stop_forced)"/);
    expect(stopped.output()).not.toContain('"event":"stop_forced"');
    expect(stopped.linkPosts()).toHaveLength(1);
  }, 40_000);
});
