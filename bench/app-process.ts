import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { HEALTH_PATH } from '../src/constants.js';

/** An app under measurement, running as a child process so that its CPU time and memory are its own. */
export interface AppProcess {
  name: string;
  pid: number;
  baseUrl: string;
  /** User + system CPU time the process has used so far, all its threads included. */
  cpuMs(): number;
  /** Resident set size now, from the kernel's VmRSS. */
  rssBytes(): number;
  /** Set once the process has exited, whether asked to or not. */
  exitedWith(): string | undefined;
  /** SIGTERM, then SIGKILL if it has not exited within a few seconds. */
  stop(): Promise<void>;
}

export interface AppProcessOptions {
  name: string;
  script: string;
  env: Record<string, string>;
  /** The working directory: paylink's default ledger is ./data/paylink.sqlite under it. */
  cwd: string;
  /** Options for node itself, before the script (`--cpu-prof`…). */
  nodeOptions: readonly string[];
  port: number;
  /** How long to wait for `GET /healthz` to answer 200. */
  readyTimeoutMs: number;
}

const READY_POLL_MS = 50;
const STOP_GRACE_MS = 5_000;

/** /proc/<pid>/stat counts CPU time in clock ticks; 100 per second on nearly every Linux. */
const CLOCK_TICKS_PER_SECOND = readClockTicks();

function readClockTicks(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/** utime + stime, fields 14 and 15 of /proc/<pid>/stat, counted after the command name, which may hold spaces. */
function readCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

function readRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1];
  if (kib === undefined) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kib) * 1024;
}

/** paylink's JSON lines at these levels: logged by the app under load (and so measured), not shown. */
const ROUTINE_LOG_LINE = /^\{"time":"[^"]*","level":"(?:debug|info)"/;

/**
 * Each line the child prints goes to the bench's stderr under its name, keeping stdout for the results; the
 * routine ones (a few per flow) are read and dropped, leaving warnings and errors in sight.
 */
function forwardOutput(child: ChildProcess, name: string): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (stream === null) continue;
    createInterface({ input: stream }).on('line', (line) => {
      if (!ROUTINE_LOG_LINE.test(line)) process.stderr.write(`[${name}] ${line}\n`);
    });
  }
}

export async function startAppProcess(options: AppProcessOptions): Promise<AppProcess> {
  const child = spawn(process.execPath, [...options.nodeOptions, options.script], {
    env: { ...options.env, PORT: String(options.port) },
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { pid } = child;
  if (pid === undefined) throw new Error(`${options.name}: could not start ${options.script}`);
  forwardOutput(child, options.name);
  let exitedWith: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitedWith = signal ?? `exit code ${code}`;
      resolve();
    });
  });

  const baseUrl = `http://127.0.0.1:${options.port}`;
  const app: AppProcess = {
    name: options.name,
    pid,
    baseUrl,
    cpuMs: () => readCpuMs(pid),
    rssBytes: () => readRssBytes(pid),
    exitedWith: () => exitedWith,
    async stop() {
      if (exitedWith !== undefined) return;
      child.kill('SIGTERM');
      const stoppedInTime = await Promise.race([exited.then(() => true), sleep(STOP_GRACE_MS, false, { ref: false })]);
      if (!stoppedInTime) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };

  const deadline = Date.now() + options.readyTimeoutMs;
  while (!(await answersHealthCheck(baseUrl))) {
    if (exitedWith !== undefined) throw new Error(`${options.name} exited while starting (${exitedWith})`);
    if (Date.now() > deadline) {
      await app.stop();
      throw new Error(`${options.name} did not answer ${baseUrl}/healthz within ${options.readyTimeoutMs} ms`);
    }
    await sleep(READY_POLL_MS);
  }
  return app;
}

async function answersHealthCheck(baseUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${baseUrl}${HEALTH_PATH}`, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}
