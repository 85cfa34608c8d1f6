import { afterEach, describe, expect, it } from 'vitest';
import { shutdownGraceMs } from '../../src/app.js';
import {
  type AppProcess,
  exitCodeOf,
  openModalOf,
  type ProcessWorld,
  runUntilExit,
  startAppProcess,
  startProcessWorld,
  validSubmission,
} from '../support/app-process.js';
import { SIGNING_SECRET } from '../support/paylink-harness.js';
import { sendInteraction, sendSlashCommand } from '../support/slack-requests.js';

describe('the shutdown grace', () => {
  it('is 25 s, or longer when SAFEDEBIT may take longer to answer a link being created', () => {
    expect(shutdownGraceMs(10_000)).toBe(25_000);
    expect(shutdownGraceMs(20_000)).toBe(25_000);
    expect(shutdownGraceMs(40_000)).toBe(45_000);
    expect(shutdownGraceMs(120_000)).toBe(125_000);
  });
});

describe('the app as a process', () => {
  let world: ProcessWorld | undefined;
  let app: AppProcess | undefined;
  afterEach(async () => {
    await world?.close([app]);
    world = app = undefined;
  });

  it('on SIGTERM stops taking work, finishes the link being created and its posts, then exits 0', async () => {
    world = await startProcessWorld();
    const { standin, safedebit } = world;
    app = await startAppProcess(world.env);
    const { baseUrl } = app;

    safedebit.setMode({ kind: 'slow', delayMs: 1500 });
    const view = await openModalOf(baseUrl, standin);
    const submitted = await sendInteraction(baseUrl, SIGNING_SECRET, validSubmission(view));
    expect(submitted.status).toBe(200);
    while (safedebit.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));

    const exited = exitCodeOf(app);
    app.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const afterStop = await sendSlashCommand(baseUrl, SIGNING_SECRET, { trigger_id: standin.issueTriggerId() }).then(
      (result) => result.status,
      () => 'refused',
    );
    expect(afterStop).toBe('refused');

    expect(await exited, app.output()).toBe(0);
    const linkPosts = standin
      .callsTo('chat.postMessage')
      .filter((call) => String(call.args.text).includes('paypage?SDESSID='));
    expect(linkPosts).toHaveLength(1);
    expect(standin.callsTo('views.open')).toHaveLength(1);
    expect(app.output()).toContain('"event":"stopped"');
  }, 30_000);

  it('stops at once, exit 1, when told to stop again while waiting for a link being created', async () => {
    world = await startProcessWorld();
    const { standin, safedebit } = world;
    app = await startAppProcess(world.env);
    safedebit.setMode({ kind: 'slow', delayMs: 5_000 });
    const view = await openModalOf(app.baseUrl, standin);
    await sendInteraction(app.baseUrl, SIGNING_SECRET, validSubmission(view));
    while (safedebit.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));

    const exited = exitCodeOf(app);
    const signalledAt = Date.now();
    app.child.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 200));
    app.child.kill('SIGINT');
    expect(await exited, app.output()).toBe(1);
    expect(Date.now() - signalledAt).toBeLessThan(3_000);
    expect(app.output()).toContain('"event":"stop_forced"');
  }, 30_000);

  it('with no configuration, prints one line per missing variable and exits 1 without a stack trace', async () => {
    const { code, stderr } = await runUntilExit({});
    expect(code).toBe(1);
    expect(stderr).toContain('SLACK_BOT_TOKEN: required');
    expect(stderr).toContain('SLACK_SIGNING_SECRET: required in HTTP mode');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('lists a proxy variable that is not a URL with the configuration problems, without its value', async () => {
    const { code, stderr } = await runUntilExit({ HTTPS_PROXY: 'rep:hunter2@proxy.corp:3128' });
    expect(code).toBe(1);
    expect(stderr).toContain('SLACK_BOT_TOKEN: required');
    expect(stderr).toContain('HTTPS_PROXY: expected a proxy URL such as http://proxy.example:3128');
    expect(stderr).not.toContain('hunter2');
  });
});
