import { addDays } from 'date-fns/addDays';
import { addHours } from 'date-fns/addHours';
import { addMinutes } from 'date-fns/addMinutes';

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

const ADD: Readonly<Record<LinkDurationUnit, (date: Date, amount: number) => Date>> = {
  days: addDays,
  hours: addHours,
  minutes: addMinutes,
};

/** When a link created at `createdAt` stops working, if the duration's unit is known. */
export function linkExpiry(createdAt: Date, duration: LinkDuration | undefined): Date | undefined {
  return duration?.unit === undefined ? undefined : ADD[duration.unit](createdAt, duration.value);
}
