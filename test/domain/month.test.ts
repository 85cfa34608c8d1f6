import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { monthBounds, monthKey, monthOf, parseMonth, previousMonth } from '../../src/domain/month.js';

describe('months', () => {
  it.each([
    ['2026-11', { year: 2026, month: 11 }],
    [' 2027-01 ', { year: 2027, month: 1 }],
    ['2026-12', { year: 2026, month: 12 }],
  ])('reads %j', (text, month) => {
    expect(parseMonth(text)).toEqual(month);
  });

  it.each(['2026-13', '2026-00', '2026-1', '11/2026', '2026-11-01', 'novembre', '', '0050-01', '1999-12'])(
    'refuses %j',
    (text) => {
      expect(parseMonth(text)).toBeUndefined();
    },
  );

  it('bounds a month in the deployment time zone, not in UTC', () => {
    expect(monthBounds({ year: 2026, month: 11 }, 'Europe/Paris')).toEqual({
      from: new Date('2026-10-31T23:00:00.000Z'),
      until: new Date('2026-11-30T23:00:00.000Z'),
    });
    // Summer time in March: the month starts at UTC+1 and ends at UTC+2.
    expect(monthBounds({ year: 2026, month: 3 }, 'Europe/Paris')).toEqual({
      from: new Date('2026-02-28T23:00:00.000Z'),
      until: new Date('2026-03-31T22:00:00.000Z'),
    });
    expect(monthBounds({ year: 2026, month: 12 }, 'UTC')).toEqual({
      from: new Date('2026-12-01T00:00:00.000Z'),
      until: new Date('2027-01-01T00:00:00.000Z'),
    });
    expect(monthOf(new Date('2026-11-30T23:30:00.000Z'), 'Europe/Paris')).toEqual({ year: 2026, month: 12 });
    expect(monthOf(new Date('2026-11-30T23:30:00.000Z'), 'UTC')).toEqual({ year: 2026, month: 11 });
  });

  it('puts every instant in the month whose bounds hold it, in any time zone', () => {
    const zones = ['Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham', 'UTC'];
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-02-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
        fc.constantFrom(...zones),
        (date, zone) => {
          const month = monthOf(date, zone);
          const { from, until } = monthBounds(month, zone);
          expect(from.getTime()).toBeLessThanOrEqual(date.getTime());
          expect(date.getTime()).toBeLessThan(until.getTime());
          expect(parseMonth(monthKey(month))).toEqual(month);
        },
      ),
    );
  });

  it('steps back a month, across a year', () => {
    expect(previousMonth({ year: 2027, month: 1 })).toEqual({ year: 2026, month: 12 });
    expect(previousMonth({ year: 2026, month: 11 })).toEqual({ year: 2026, month: 10 });
  });
});
