import { afterEach, describe, expect, it } from 'vitest';
import { type AppProcess, type ProcessWorld, startAppProcess, startProcessWorld } from '../support/app-process.js';
import { APP_TOKEN } from '../support/paylink-harness.js';

let world: ProcessWorld | undefined;
let app: AppProcess | undefined;
afterEach(async () => {
  await world?.close([app]);
  world = undefined;
  app = undefined;
});

describe('Socket Mode, as the README sets it up (PORT still public for SAFEDEBIT callbacks and the sandbox)', () => {
  it('answers an undecodable callback path with 400 and keeps running, as in HTTP mode', async () => {
    world = await startProcessWorld();
    app = await startAppProcess({ ...world.env, SLACK_APP_TOKEN: APP_TOKEN });
    await world.standin.waitForSocketConnection();

    const answer = await fetch(`${app.baseUrl}/cb/%E0%A4%A`).then(
      (response) => response.status,
      () => 'connection lost' as const,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(app.child.exitCode, app.output().slice(-600)).toBeNull();
    const health = await fetch(`${app.baseUrl}/healthz`).then(
      (r) => r.status,
      () => 'down' as const,
    );
    expect(health).toBe(200);
    expect(answer).toBe(400);
  });
});
