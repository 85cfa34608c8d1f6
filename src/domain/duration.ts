/** Milliseconds in each unit a duration may be written in: `10s`, `30m`, `72h`, `3d`. */
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Either case, but for minutes: `M` is a month to systemd and ISO 8601, and would remind 43,200 times too early. */
const DURATION_SHAPE = /^(\d{1,9})\s*([sSmhHdD])$/;

/** `72h` → 259 200 000 ms; undefined when the text is not a whole number followed by s, m, h or d (not `M`). */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_SHAPE.exec(text.trim());
  if (!match?.[1] || !match[2]) return undefined;
  return Number(match[1]) * UNIT_MS[match[2].toLowerCase() as keyof typeof UNIT_MS];
}
