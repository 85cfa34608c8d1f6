/** SAFEDEBIT does not document the unit of `link_duration`: the admin may declare the one their account uses. */
export const LINK_DURATION_UNITS = ['days', 'hours', 'minutes'] as const;
export type LinkDurationUnit = (typeof LINK_DURATION_UNITS)[number];

export interface LinkDuration {
  /** Sent as `link_duration`, whatever the unit. */
  value: number;
  /** Undefined when undeclared: the link's expiry is then unknown. */
  unit?: LinkDurationUnit;
}

/** Ten years in each unit: a longer link is a typo, not a policy. */
export const LONGEST_LINK_DURATION: Readonly<Record<LinkDurationUnit, number>> = {
  days: 3650,
  hours: 87_600,
  minutes: 5_256_000,
};

/** Each unit in milliseconds: a day is 24 hours, whatever a clock change does to the day. */
const UNIT_MS: Readonly<Record<LinkDurationUnit, number>> = {
  days: 86_400_000,
  hours: 3_600_000,
  minutes: 60_000,
};

/** How long a link can be paid, if the duration's unit is known. */
function linkLifetimeMs(duration: LinkDuration | undefined): number | undefined {
  return duration?.unit === undefined ? undefined : duration.value * UNIT_MS[duration.unit];
}

/** When a link created at `createdAt` stops working, if the duration's unit is known. */
export function linkExpiry(createdAt: Date, duration: LinkDuration | undefined): Date | undefined {
  const lifetime = linkLifetimeMs(duration);
  return lifetime === undefined ? undefined : new Date(createdAt.getTime() + lifetime);
}
