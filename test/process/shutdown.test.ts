import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/safedebit/sandbox.js';
import { freePort } from '../support/free-port.js';
import {
  BOT_TOKEN,
  SAFEDEBIT_LOGIN,
  SAFEDEBIT_PASSWORD,
  SIGNING_SECRET,
  VALID_FORM,
} from '../support/paylink-harness.js';
import { type SlackApiStandin, startSlackApiStandin } from '../support/slack-api-standin.js';
import { sendInteraction, sendSlashCommand, stateValuesFor, viewSubmissionPayload } from '../support/slack-requests.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** The compiled entry point, read from the `start` script so the test runs what `npm start` runs (`npm test` builds it first). */
const ENTRY = path.resolve(ROOT, startScriptEntry(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'))));

function startScriptEntry(pkg: { scripts: Record<string, string> }): string {
  const match = /^node (\S+)$/.exec(pkg.scripts.start ?? '');
  if (!match?.[1]) throw new Error(`unexpected start script: ${pkg.scripts.start}`);
  return match[1];
}

async function waitForHealth(baseUrl: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`app exited with ${child.exitCode}`);
    const ok = await fetch(`${baseUrl}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('app did not become healthy');
}

describe('the app as a process', () => {
  let child: ChildProcess | undefined;
  let standin: SlackApiStandin | undefined;
  let safedebit: Sandbox | undefined;
  afterEach(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await Promise.all([standin?.close(), safedebit?.close()]);
    child = undefined;
    standin = undefined;
    safedebit = undefined;
  });

  it('on SIGTERM stops taking work, finishes the link being created and its posts, then exits 0', async () => {
    standin = await startSlackApiStandin();
    safedebit = await startSandbox({ login: SAFEDEBIT_LOGIN, password: SAFEDEBIT_PASSWORD });
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    let output = '';
    child = spawn(process.execPath, [ENTRY], {
      env: {
        PATH: process.env.PATH,
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: standin.apiUrl,
        PORT: String(port),
        SAFEDEBIT_API_URL: safedebit.url,
        SAFEDEBIT_LOGIN,
        SAFEDEBIT_PASSWORD,
        SAFEDEBIT_BENEFICIARY_REFERENCE: 'BENEF-0001',
        PAYLINK_PUBLIC_URL: 'https://paylink.example.com',
        PAYLINK_LOCALE: 'en',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    await waitForHealth(baseUrl, child);

    safedebit.setMode({ kind: 'slow', delayMs: 1500 });
    const trigger = standin.issueTriggerId();
    await sendSlashCommand(baseUrl, SIGNING_SECRET, { trigger_id: trigger });
    await standin.waitForCall('views.open');
    const view = standin.displayedViews()[0];
    if (!view) throw new Error('no modal');
    const submitted = await sendInteraction(
      baseUrl,
      SIGNING_SECRET,
      viewSubmissionPayload({
        view: {
          ...view,
          callback_id: String(view.callback_id),
          state: { values: stateValuesFor(view as { blocks?: readonly unknown[] }, VALID_FORM) },
        },
      }),
    );
    expect(submitted.status).toBe(200);
    while (safedebit.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const afterStop = await sendSlashCommand(baseUrl, SIGNING_SECRET, { trigger_id: standin.issueTriggerId() }).then(
      (result) => result.status,
      () => 'refused',
    );
    expect(afterStop).toBe('refused');

    const [code] = await exited;
    expect(code, output).toBe(0);
    const linkPosts = standin
      .callsTo('chat.postMessage')
      .filter((call) => String(call.args.text).includes('paypage?SDESSID='));
    expect(linkPosts).toHaveLength(1);
    expect(standin.callsTo('views.open')).toHaveLength(1);
    expect(output).toContain('"event":"stopped"');
  }, 30_000);

  it('with no configuration, prints one line per missing variable and exits 1 without a stack trace', async () => {
    child = spawn(process.execPath, [ENTRY], {
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: '/',
    });
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(stderr).toContain('SLACK_BOT_TOKEN: required');
    expect(stderr).toContain('SLACK_SIGNING_SECRET: required in HTTP mode');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('lists a proxy variable that is not a URL with the configuration problems, without its value', async () => {
    child = spawn(process.execPath, [ENTRY], {
      env: { PATH: process.env.PATH, HTTPS_PROXY: 'rep:hunter2@proxy.corp:3128' },
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: '/',
    });
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(stderr).toContain('SLACK_BOT_TOKEN: required');
    expect(stderr).toContain('HTTPS_PROXY: expected a proxy URL such as http://proxy.example:3128');
    expect(stderr).not.toContain('hunter2');
  });
});
