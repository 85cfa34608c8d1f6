import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Engine, freshDatabase, type TestDatabase } from './databases.js';
import { freePort } from './free-port.js';
import {
  BOT_TOKEN,
  PUBLIC_URL,
  SAFEDEBIT_LOGIN,
  SAFEDEBIT_PASSWORD,
  SIGNING_SECRET,
  VALID_FORM,
} from './paylink-harness.js';
import { type SafedebitStandin, startSafedebitStandin } from './safedebit-standin.js';
import { type DisplayedView, type SlackApiStandin, startSlackApiStandin } from './slack-api-standin.js';
import { type InteractionPayload, sendSlashCommand, stateValuesFor, viewSubmissionPayload } from './slack-requests.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** The compiled entry point, read from the `start` script so tests run what `npm start` runs (`npm test` builds it first). */
const ENTRY = path.resolve(ROOT, startScriptEntry(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'))));

function startScriptEntry(pkg: { scripts: Record<string, string> }): string {
  const match = /^(?:exec )?node (\S+)$/.exec(pkg.scripts.start ?? '');
  if (!match?.[1]) throw new Error(`unexpected start script: ${pkg.scripts.start}`);
  return match[1];
}

export interface AppProcess {
  child: ChildProcess;
  baseUrl: string;
  /** Everything the process wrote so far, stdout and stderr. */
  output(): string;
  /**
   * Resolves once the process exited and everything it wrote was read (its stdio closed). Not 'exit': when it comes,
   * the last lines the process wrote before exiting may still be in its pipes, unread, and missing from `output()`.
   */
  closed: Promise<void>;
  /** SIGKILL if still running (tests' cleanup). */
  kill(): void;
}

/** Runs the app as `npm start` would, on a free loopback port, and resolves once /healthz answers. */
export async function startAppProcess(env: Record<string, string>): Promise<AppProcess> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawn(process.execPath, [ENTRY], {
    env: { PATH: process.env.PATH, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (chunk: Buffer) => {
    output += chunk;
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const app = {
    child,
    baseUrl,
    output: () => output,
    closed,
    kill: () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
  try {
    await waitForHealth(app);
  } catch (error) {
    app.kill();
    throw error;
  }
  return app;
}

async function waitForHealth(app: AppProcess): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (app.child.exitCode !== null) throw new Error(`app exited with ${app.child.exitCode}: ${app.output()}`);
    const ok = await fetch(`${app.baseUrl}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`app did not become healthy: ${app.output()}`);
}

/** What the app as a process talks to in a test: Slack and SAFEDEBIT stand-ins and a fresh ledger. */
export interface ProcessWorld {
  standin: SlackApiStandin;
  safedebit: SafedebitStandin;
  database: TestDatabase;
  /** The environment of an app wired to all three. */
  env: Record<string, string>;
  /** Kills the apps started in this world that still run, then closes the stand-ins and drops the ledger. */
  close(apps: ReadonlyArray<AppProcess | undefined>): Promise<void>;
}

export async function startProcessWorld(engine: Engine = 'sqlite'): Promise<ProcessWorld> {
  const standin = await startSlackApiStandin();
  const safedebit = await startSafedebitStandin({ login: SAFEDEBIT_LOGIN, password: SAFEDEBIT_PASSWORD });
  const database = await freshDatabase(engine);
  return {
    standin,
    safedebit,
    database,
    env: appEnvironment({ slackApiUrl: standin.apiUrl, safedebitUrl: safedebit.url, databaseUrl: database.url }),
    async close(apps) {
      for (const app of apps) app?.kill();
      await Promise.all([standin.close(), safedebit.close(), database.drop()]);
    },
  };
}

/** The environment of an app wired to these stand-ins and this ledger, as a deployment's .env would give it. */
function appEnvironment(wiring: { slackApiUrl: string; safedebitUrl: string; databaseUrl: string }) {
  return {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: wiring.slackApiUrl,
    SAFEDEBIT_API_URL: wiring.safedebitUrl,
    SAFEDEBIT_LOGIN,
    SAFEDEBIT_PASSWORD,
    SAFEDEBIT_BENEFICIARY_REFERENCE: 'BENEF-0001',
    PAYLINK_PUBLIC_URL: PUBLIC_URL,
    PAYLINK_LOCALE: 'en',
    DATABASE_URL: wiring.databaseUrl,
  };
}

const START_FAILURE_WAIT_MS = 45_000;

/**
 * Runs the app with only `env` (and PATH) until it exits (killed after START_FAILURE_WAIT_MS), as a start that fails would: its exit code and stderr. `as`
 * runs it as another user, as a deployment's service account.
 */
export async function runUntilExit(
  env: Record<string, string>,
  as?: { uid: number; gid: number },
  /** A command the app's own (`node …/index.js`) is given to as its last arguments, to run it in other surroundings. */
  within: readonly string[] = [],
): Promise<{ code: number | null; stderr: string }> {
  const [command = process.execPath, ...args] = [...within, process.execPath, ENTRY];
  const child = spawn(command, args, {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
    cwd: '/',
    ...as,
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  // A start expected to fail that does not is stopped in time for the test to say so, not left running.
  const stop = setTimeout(() => child.kill('SIGKILL'), START_FAILURE_WAIT_MS);
  // 'close', not 'exit': stderr's last lines may still be unread when 'exit' comes.
  const [code] = await once(child, 'close');
  clearTimeout(stop);
  return { code: code as number | null, stderr };
}

/** Waits for the process to exit, and everything it wrote to be read (`closed`), and returns its exit code. */
export async function exitCodeOf(app: AppProcess): Promise<number | null> {
  await app.closed;
  return app.child.exitCode;
}

/** Runs `/paylink` on the app at `baseUrl` with a live trigger; resolves with the modal it opened. */
export async function openModalOf(baseUrl: string, standin: SlackApiStandin): Promise<DisplayedView> {
  const opened = standin.callsTo('views.open').length;
  await sendSlashCommand(baseUrl, SIGNING_SECRET, { trigger_id: standin.issueTriggerId() });
  await standin.waitForCall('views.open', () => standin.callsTo('views.open').length > opened);
  const view = standin.displayedViews().at(-1);
  if (!view) throw new Error('no modal');
  return view;
}

/** The submission of `view` with VALID_FORM typed in. */
export function validSubmission(view: DisplayedView): InteractionPayload {
  return viewSubmissionPayload({
    view: {
      ...view,
      callback_id: String(view.callback_id),
      state: { values: stateValuesFor(view as { blocks?: readonly unknown[] }, VALID_FORM) },
    },
  });
}
