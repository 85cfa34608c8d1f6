import { describe, expect, it } from 'vitest';
import { linkExpiry } from '../../src/domain/link-duration.js';

const CREATED = new Date('2026-11-26T13:32:00Z');

describe('linkExpiry', () => {
  it.each([
    [{ value: 7, unit: 'days' as const }, '2026-12-03T13:32:00.000Z'],
    [{ value: 36, unit: 'hours' as const }, '2026-11-28T01:32:00.000Z'],
    [{ value: 90, unit: 'minutes' as const }, '2026-11-26T15:02:00.000Z'],
  ])('counts %o from the creation', (duration, expected) => {
    expect(linkExpiry(CREATED, duration)?.toISOString()).toBe(expected);
  });

  it('knows no expiry when the unit is undeclared, or without a duration', () => {
    expect(linkExpiry(CREATED, { value: 7 })).toBeUndefined();
    expect(linkExpiry(CREATED, undefined)).toBeUndefined();
  });

  it('counts a day as 24 hours across a clock change', () => {
    // Paris leaves summer time on 25 Oct 2026: a link of 2 days made before it expires 48 hours later all the same.
    const madeBefore = new Date('2026-10-24T10:00:00Z');
    expect(linkExpiry(madeBefore, { value: 2, unit: 'days' })?.toISOString()).toBe('2026-10-26T10:00:00.000Z');
  });
});
