import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, platform, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/support/free-port.js';
import { startSafedebitStandin } from '../test/support/safedebit-standin.js';
import { startSlackApiStandin } from '../test/support/slack-api-standin.js';
import { type AppProcess, startAppProcess } from './app-process.js';
import { FlowDriver, type FlowTimings } from './flows.js';
import { type AppFigures, formatReport } from './report.js';

/**
 * `npm run bench`: paylink and a bare Bolt app doing the minimum of the same job (bench/bare-app.ts), each in
 * its own process against one loopback Slack stand-in and one SAFEDEBIT sandbox held by this process, driven
 * with the same bursts of concurrent flows, interleaved so that a slower moment of the machine hits both.
 * Prints latencies, CPU per flow and memory for each, and paylink / bare. Exits 1 only when the bench itself
 * could not measure (an app would not start, died, or failed flows); a missed target is printed as FAIL.
 *
 * BENCH_FLOWS (default 50) flows per burst, BENCH_ROUNDS (default 6) measured bursts per app after BENCH_WARMUP
 * (default 2) warm-up bursts each,
 * BENCH_SAFEDEBIT_DELAY_MS (default 100) how long the sandbox takes to answer, like a remote API would,
 * BENCH_NODE_OPTIONS (default none) options for node in both apps' processes, e.g. to profile them:
 * `BENCH_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/profiles" npm run bench`.
 */

const SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';
const SAFEDEBIT_LOGIN = 'bench-merchant';
const SAFEDEBIT_PASSWORD = 'bench-merchant-password';
/** The whole run stops past this, whatever it was waiting for. */
const RUN_BUDGET_MS = 240_000;
const READY_TIMEOUT_MS = 15_000;
/** After a burst, before reading CPU time: lets work that follows the link post (paylink's modal update) end. */
const SETTLE_MS = 300;

function integerFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  }
  return value;
}

/** One app under load and what its measured bursts came to. */
interface Subject {
  app: AppProcess;
  timings: FlowTimings[];
  /** CPU time the app's process used during its measured bursts. */
  cpuMs: number;
  /** Why each failed flow failed, warm-up included. */
  failures: string[];
}

function failuresSummary(name: string, failures: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const failure of failures) counts.set(failure, (counts.get(failure) ?? 0) + 1);
  const reasons = [...counts].map(([reason, count]) => `  ${count} × ${reason}`).join('\n');
  return `${name}: ${failures.length} flows failed:\n${reasons}`;
}

async function main(): Promise<number> {
  const flowsPerBurst = integerFromEnv('BENCH_FLOWS', 50, 1, 500);
  const rounds = integerFromEnv('BENCH_ROUNDS', 6, 1, 50);
  // One burst was not enough: the next still opened 20-40 connections per app and cost 20-50 % more CPU.
  const warmupRounds = integerFromEnv('BENCH_WARMUP', 2, 1, 20);
  const safedebitDelayMs = integerFromEnv('BENCH_SAFEDEBIT_DELAY_MS', 100, 0, 5_000);
  const nodeOptions = process.env.BENCH_NODE_OPTIONS?.split(/\s+/).filter(Boolean) ?? [];

  const standin = await startSlackApiStandin();
  const sandbox = await startSafedebitStandin({ login: SAFEDEBIT_LOGIN, password: SAFEDEBIT_PASSWORD });
  if (safedebitDelayMs > 0) sandbox.setMode({ kind: 'slow', delayMs: safedebitDelayMs });
  const driver = new FlowDriver(standin, SIGNING_SECRET, `${sandbox.url}/paypage?SDESSID=`);
  const apps: AppProcess[] = [];
  // paylink runs at its defaults, so its ledger is ./data/paylink.sqlite: a fresh folder per run keeps runs apart.
  const workDir = mkdtempSync(join(tmpdir(), 'paylink-bench-'));

  // Only what both apps need, nothing inherited: a developer's .env or NODE_ENV must not change what is measured.
  const env = {
    SLACK_BOT_TOKEN: 'xoxb-0000-bench-bot-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: standin.apiUrl,
    SAFEDEBIT_API_URL: sandbox.url,
    SAFEDEBIT_LOGIN,
    SAFEDEBIT_PASSWORD,
    SAFEDEBIT_BENEFICIARY_REFERENCE: 'BENCH-BENEFICIARY',
    PAYLINK_PUBLIC_URL: 'https://paylink.example.com',
    // paylink's default level: the log lines finance relies on are part of what a link costs.
    LOG_LEVEL: 'info',
    DOTENV_CONFIG_PATH: '/dev/null',
    DOTENV_CONFIG_QUIET: 'true',
  };
  const budget = setTimeout(() => {
    process.stderr.write(`bench: still running after ${RUN_BUDGET_MS / 1000} s, giving up\n`);
    Promise.allSettled(apps.map((app) => app.stop())).finally(() => process.exit(1));
  }, RUN_BUDGET_MS);

  try {
    // One after the other: once paylink listens, the port picked for the bare app cannot be paylink's.
    for (const [name, script] of [
      ['paylink', '../src/index.js'],
      ['bare Bolt', './bare-app.js'],
    ] as const) {
      apps.push(
        await startAppProcess({
          name,
          script: fileURLToPath(new URL(script, import.meta.url)),
          env,
          cwd: workDir,
          nodeOptions,
          port: await freePort(),
          readyTimeoutMs: READY_TIMEOUT_MS,
        }),
      );
    }
    const subjects: Subject[] = apps.map((app) => ({ app, timings: [], cpuMs: 0, failures: [] }));
    let benchCpuMicros = 0;

    /** One burst against the subject's app; returns the CPU time its process used, trailing work included. */
    const burst = async (subject: Subject): Promise<{ timings: FlowTimings[]; cpuMs: number }> => {
      const { app } = subject;
      const cpuBefore = app.cpuMs();
      const { timings, failures } = await driver.burst(app.baseUrl, flowsPerBurst);
      await sleep(SETTLE_MS);
      const exited = app.exitedWith();
      if (exited !== undefined) throw new Error(`${app.name} exited during the load (${exited})`);
      subject.failures.push(...failures);
      return { timings, cpuMs: app.cpuMs() - cpuBefore };
    };

    /** Failed flows make the figures incomparable: say why, and measure no further. */
    const reportedFailures = (): boolean => {
      const failed = subjects.filter((subject) => subject.failures.length > 0);
      for (const { app, failures } of failed) process.stderr.write(`${failuresSummary(app.name, failures)}\n`);
      if (failed.length > 0) process.stderr.write('bench: flows failed, so no figures are printed\n');
      return failed.length > 0;
    };

    // The first bursts pay for JIT compilation and connection set-up in both apps: not measured.
    for (let round = 0; round < warmupRounds; round++) for (const subject of subjects) await burst(subject);
    if (reportedFailures()) return 1;
    for (let round = 0; round < rounds; round++) {
      for (const subject of subjects) {
        const benchCpuBefore = process.cpuUsage();
        const { timings, cpuMs } = await burst(subject);
        const benchCpu = process.cpuUsage(benchCpuBefore);
        benchCpuMicros += benchCpu.user + benchCpu.system;
        subject.timings.push(...timings);
        subject.cpuMs += cpuMs;
      }
    }
    if (reportedFailures()) return 1;

    const [paylink, bare] = subjects.map(
      (subject): AppFigures => ({
        name: subject.app.name,
        timings: subject.timings,
        cpuMsPerFlow: subject.cpuMs / subject.timings.length,
        rssBytesAfterLoad: subject.app.rssBytes(),
      }),
    ) as [AppFigures, AppFigures];
    const cpuList = cpus();
    const measuredFlows = paylink.timings.length + bare.timings.length;
    process.stdout.write(
      formatReport(
        {
          flowsPerBurst,
          rounds,
          warmupRounds,
          safedebitDelayMs,
          machine: `${cpuList.length} CPUs (${cpuList[0]?.model ?? 'unknown'}), Node ${process.version}, ${platform()} ${release()}`,
        },
        paylink,
        bare,
      ),
    );
    process.stdout.write(
      `\nThe bench process itself (stand-ins, signing, HTTP client) used ${(benchCpuMicros / 1000 / measuredFlows).toFixed(2)} ms CPU per flow.\n`,
    );

    return 0;
  } finally {
    clearTimeout(budget);
    driver.close();
    await Promise.allSettled(apps.map((app) => app.stop()));
    await Promise.all([standin.close(), sandbox.close()]);
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().then(
  (exitCode) => process.exit(exitCode),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
