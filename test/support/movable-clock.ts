/** The app's clock, which a test moves forward: the real time plus what the test added. */
export function movableClock() {
  let offsetMs = 0;
  return {
    now: () => new Date(Date.now() + offsetMs),
    advance(ms: number) {
      offsetMs += ms;
    },
  };
}

/**
 * The app's clock from `start` on, running as the real one does: for a test about "this month", whose real clock
 * could cross a month's end (in Paris) while it runs.
 */
export function clockFrom(start: Date): () => Date {
  const began = Date.now();
  return () => new Date(start.getTime() + (Date.now() - began));
}

/** Mid-November 2026 in Paris: far from a month's end. */
export const MID_MONTH = new Date('2026-11-15T12:00:00Z');
