import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns/format';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAge, formatIsoWithOffset } from '../../src/i18n/dates.js';

/** Zones with summer time on either hemisphere, half-hour and 45-minute offsets, and negative ones. */
const ZONES = [
  'Europe/Paris',
  'UTC',
  'America/New_York',
  'America/Santiago',
  'America/St_Johns',
  'Australia/Lord_Howe',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Pacific/Chatham',
  'Pacific/Kiritimati',
] as const;

/** What the export wrote through date-fns before: the reading finance's files keep. */
const dateFnsIso = (date: Date, timeZone: string) => format(new TZDate(date, timeZone), "yyyy-MM-dd'T'HH:mm:ssxxx");

describe('formatIsoWithOffset', () => {
  it('writes what date-fns writes, for any second from 1990 to 2040 in zones of every kind of offset', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1990, 0, 1) / 1000, max: Date.UTC(2040, 0, 1) / 1000 }),
        fc.constantFrom(...ZONES),
        (seconds, zone) => {
          const date = new Date(seconds * 1000);
          expect(formatIsoWithOffset(date, zone)).toBe(dateFnsIso(date, zone));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it.each([
    ['2026-10-25T00:59:59Z', '2026-10-25T02:59:59+02:00'],
    ['2026-10-25T01:00:00Z', '2026-10-25T02:00:00+01:00'],
    ['2026-03-29T00:59:59Z', '2026-03-29T01:59:59+01:00'],
    ['2026-03-29T01:00:00Z', '2026-03-29T03:00:00+02:00'],
    ['2026-11-30T23:30:00Z', '2026-12-01T00:30:00+01:00'],
    ['2028-02-29T23:00:00Z', '2028-03-01T00:00:00+01:00'],
  ])('in Paris, %s is %s (clock changes, a month and a leap day ending)', (iso, expected) => {
    expect(formatIsoWithOffset(new Date(iso), 'Europe/Paris')).toBe(expected);
  });

  it('writes a negative offset with its minutes', () => {
    expect(formatIsoWithOffset(new Date('2026-01-15T12:00:00.999Z'), 'America/St_Johns')).toBe(
      '2026-01-15T08:30:00-03:30',
    );
  });
});

describe('formatAge', () => {
  const NOW = new Date('2026-11-27T10:00:00Z');
  const before = (ms: number) => new Date(NOW.getTime() - ms);

  it.each([
    ['en', 0, 'just now'],
    ['en', 59_999, 'just now'],
    ['en', 60_000, '1 minute ago'],
    ['fr', 0, "à l'instant"],
    ['fr', 59_999, "à l'instant"],
    ['fr', 60_000, 'il y a 1 minute'],
  ] as const)('says an age under a minute is now, not "0 seconds ago" (%s, %i ms)', (locale, ageMs, expected) => {
    expect(formatAge(before(ageMs), NOW, locale)).toBe(expected);
  });

  it('takes a date after now, written by an instance whose clock is ahead, as now', () => {
    expect(formatAge(new Date(NOW.getTime() + 2_000), NOW, 'en')).toBe('just now');
    expect(formatAge(new Date(NOW.getTime() + 2_000), NOW, 'fr')).toBe("à l'instant");
  });
});
