import type { FlowTimings } from './flows.js';

/** What the bench measured of one app over its measured rounds. */
export interface AppFigures {
  name: string;
  timings: FlowTimings[];
  cpuMsPerFlow: number;
  rssBytesAfterLoad: number;
}

export interface RunDescription {
  flowsPerBurst: number;
  rounds: number;
  warmupRounds: number;
  safedebitDelayMs: number;
  machine: string;
}

/** The targets, on a 2-core machine: paylink with its ledger against the bare app measured in the same run. */
const MAX_CPU_RATIO = 1.0;
const MAX_RSS_RATIO = 1.15;
const MAX_LINK_POSTED_P50_RATIO = 1.15;
const MAX_P99_VIEWS_OPEN_MS = 150;
const TARGET_CONCURRENT_FLOWS = 50;

/** Nearest-rank percentile: a value that was actually measured. */
function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

interface Row {
  label: string;
  of: (app: AppFigures) => number;
  digits: number;
}

const timingRows = (label: string, pick: (timing: FlowTimings) => number): Row[] =>
  [50, 99].map((p) => ({
    label: `${label} p${p} (ms)`,
    of: (app: AppFigures) => percentile(app.timings.map(pick), p),
    digits: 1,
  }));

const ROWS: Row[] = [
  ...timingRows('command → ack', (timing) => timing.commandToAckMs),
  ...timingRows('command → views.open', (timing) => timing.commandToViewsOpenMs),
  ...timingRows('submission → link posted', (timing) => timing.submissionToLinkMs),
  { label: 'CPU per flow (ms)', of: (app) => app.cpuMsPerFlow, digits: 2 },
  { label: 'RSS after load (MiB)', of: (app) => app.rssBytesAfterLoad / 2 ** 20, digits: 1 },
];

/** The results table, the ratios paylink / bare Bolt, and each target met or missed. */
export function formatReport(run: RunDescription, paylink: AppFigures, bare: AppFigures): string {
  const lines: string[] = [
    `paylink vs bare Bolt: ${run.flowsPerBurst} concurrent flows per burst, ${run.rounds} measured bursts each ` +
      `(after ${run.warmupRounds} warm-up), interleaved; SAFEDEBIT sandbox answers after ${run.safedebitDelayMs} ms`,
    run.machine,
    '',
  ];
  const labelWidth = Math.max(...ROWS.map((row) => row.label.length));
  const cell = (text: string) => text.padStart(12);
  lines.push(`${''.padEnd(labelWidth)}${cell(paylink.name)}${cell(bare.name)}${cell('ratio')}`);
  for (const row of ROWS) {
    const mine = row.of(paylink);
    const theirs = row.of(bare);
    lines.push(
      `${row.label.padEnd(labelWidth)}${cell(mine.toFixed(row.digits))}${cell(theirs.toFixed(row.digits))}${cell(`${(mine / theirs).toFixed(2)}×`)}`,
    );
  }

  const cpuRatio = paylink.cpuMsPerFlow / bare.cpuMsPerFlow;
  const rssRatio = paylink.rssBytesAfterLoad / bare.rssBytesAfterLoad;
  const linkPostedP50 = (app: AppFigures) =>
    percentile(
      app.timings.map((timing) => timing.submissionToLinkMs),
      50,
    );
  const linkPostedRatio = linkPostedP50(paylink) / linkPostedP50(bare);
  const viewsOpenP99 = percentile(
    paylink.timings.map((timing) => timing.commandToViewsOpenMs),
    99,
  );
  const atTargetLoad =
    run.flowsPerBurst === TARGET_CONCURRENT_FLOWS
      ? ''
      : ` (measured at ${run.flowsPerBurst} flows: the target is set at ${TARGET_CONCURRENT_FLOWS})`;
  const verdict = (met: boolean) => (met ? 'PASS' : 'FAIL');
  lines.push(
    '',
    'Targets',
    `  ${verdict(cpuRatio <= MAX_CPU_RATIO)}  CPU per flow within ${MAX_CPU_RATIO.toFixed(2)}× bare Bolt: ${cpuRatio.toFixed(2)}×`,
    `  ${verdict(rssRatio <= MAX_RSS_RATIO)}  RSS within ${MAX_RSS_RATIO}× bare Bolt: ${rssRatio.toFixed(2)}×`,
    `  ${verdict(linkPostedRatio <= MAX_LINK_POSTED_P50_RATIO)}  submission → link posted p50 within ${MAX_LINK_POSTED_P50_RATIO}× bare Bolt: ${linkPostedRatio.toFixed(2)}×`,
    `  ${verdict(viewsOpenP99 < MAX_P99_VIEWS_OPEN_MS)}  p99 command → views.open under ${MAX_P99_VIEWS_OPEN_MS} ms at ` +
      `${TARGET_CONCURRENT_FLOWS} concurrent flows: ${viewsOpenP99.toFixed(1)} ms${atTargetLoad}`,
  );
  return `${lines.join('\n')}\n`;
}
