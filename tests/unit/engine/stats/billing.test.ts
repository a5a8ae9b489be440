import test from 'node:test';
import assert from 'node:assert/strict';
import { nextPeriodStart, periodStart } from '../../../../electron/engine/stats/billing';

/** runs fn with the process in time zone `tz` (Node re-reads TZ when it changes) */
function inZone<T>(tz: string, fn: () => T): T {
  const saved = process.env.TZ;
  process.env.TZ = tz;
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
}

const local = (y: number, m: number, d: number, h = 0, min = 0): number => new Date(y, m - 1, d, h, min).getTime();
const iso = (ms: number): string => new Date(ms).toISOString();

test('period of a day in the month: from that day 00:00 to the same day next month', () => {
  inZone('UTC', () => {
    assert.equal(iso(periodStart(local(2026, 3, 15, 10), 1)), '2026-03-01T00:00:00.000Z');
    assert.equal(iso(nextPeriodStart(local(2026, 3, 15, 10), 1)), '2026-04-01T00:00:00.000Z');
    // before the billing day: the period began last month
    assert.equal(iso(periodStart(local(2026, 3, 3), 5)), '2026-02-05T00:00:00.000Z');
    assert.equal(iso(nextPeriodStart(local(2026, 3, 3), 5)), '2026-03-05T00:00:00.000Z');
    // the boundary itself belongs to the new period, one ms before to the old one
    assert.equal(periodStart(local(2026, 3, 5), 5), local(2026, 3, 5));
    assert.equal(periodStart(local(2026, 3, 5) - 1, 5), local(2026, 2, 5));
    assert.equal(nextPeriodStart(local(2026, 3, 5) - 1, 5), local(2026, 3, 5));
  });
});

test('month ends, February and leap years', () => {
  inZone('UTC', () => {
    assert.equal(iso(periodStart(local(2026, 1, 31, 23, 59), 28)), '2026-01-28T00:00:00.000Z');
    assert.equal(iso(nextPeriodStart(local(2026, 1, 31), 28)), '2026-02-28T00:00:00.000Z');
    assert.equal(iso(periodStart(local(2026, 3, 1), 28)), '2026-02-28T00:00:00.000Z');
    assert.equal(iso(nextPeriodStart(local(2026, 3, 1), 28)), '2026-03-28T00:00:00.000Z');
    // 29 February 2028 is after the 28th: same period
    assert.equal(iso(periodStart(local(2028, 2, 29, 12), 28)), '2028-02-28T00:00:00.000Z');
    assert.equal(iso(nextPeriodStart(local(2028, 2, 29, 12), 28)), '2028-03-28T00:00:00.000Z');
    // February is the short period of a billing day late in the month
    assert.equal(nextPeriodStart(local(2026, 2, 25), 20) - periodStart(local(2026, 2, 25), 20), 28 * 86_400_000);
    assert.equal(nextPeriodStart(local(2026, 2, 10), 20) - periodStart(local(2026, 2, 10), 20), 31 * 86_400_000);
  });
});

test('year ends wrap both ways', () => {
  inZone('UTC', () => {
    assert.equal(iso(periodStart(local(2026, 1, 10), 15)), '2025-12-15T00:00:00.000Z');
    assert.equal(iso(nextPeriodStart(local(2026, 1, 10), 15)), '2026-01-15T00:00:00.000Z');
    assert.equal(iso(periodStart(local(2025, 12, 20), 15)), '2025-12-15T00:00:00.000Z');
    assert.equal(iso(nextPeriodStart(local(2025, 12, 20), 15)), '2026-01-15T00:00:00.000Z');
    assert.equal(iso(periodStart(local(2026, 1, 1), 1)), '2026-01-01T00:00:00.000Z');
    assert.equal(iso(periodStart(local(2026, 1, 1) - 1, 1)), '2025-12-01T00:00:00.000Z');
  });
});

test('local time: boundaries stay at local midnight across daylight-saving changes', () => {
  // Berlin switches to summer time on 28 March 2027 at 02:00: the period from that day is
  // 1 h shorter than 31 days, and both ends are local midnight; back on 25 October 2026
  inZone('Europe/Berlin', () => {
    assert.equal(iso(periodStart(local(2027, 4, 10), 28)), '2027-03-27T23:00:00.000Z');
    assert.equal(iso(nextPeriodStart(local(2027, 4, 10), 28)), '2027-04-27T22:00:00.000Z');
    assert.equal(nextPeriodStart(local(2027, 4, 10), 28) - periodStart(local(2027, 4, 10), 28), 31 * 86_400_000 - 3_600_000);
    assert.equal(iso(periodStart(local(2026, 11, 2), 25)), '2026-10-24T22:00:00.000Z');
    assert.equal(iso(nextPeriodStart(local(2026, 11, 2), 25)), '2026-11-24T23:00:00.000Z');
    assert.equal(iso(periodStart(local(2026, 11, 2), 1)), '2026-10-31T23:00:00.000Z');
  });
  inZone('America/New_York', () => {
    assert.equal(iso(periodStart(local(2026, 11, 20), 1)), '2026-11-01T04:00:00.000Z'); // EDT until 02:00 that day
    assert.equal(iso(nextPeriodStart(local(2026, 11, 20), 1)), '2026-12-01T05:00:00.000Z'); // EST
  });
  // Santiago skips midnight itself (00:00 -> 01:00 on 6 September 2026): the period starts
  // at the first instant of the day
  inZone('America/Santiago', () => {
    const start = periodStart(local(2026, 9, 20), 6);
    assert.equal(new Date(start).getDate(), 6);
    assert.equal(new Date(start - 1).getDate(), 5);
    assert.equal(periodStart(start - 1, 6), periodStart(local(2026, 8, 20), 6));
  });
});

test('in many zones, over two years: consecutive periods, each starting the first instant of the billing day', () => {
  for (const tz of ['UTC', 'Europe/Berlin', 'America/New_York', 'America/Santiago', 'Australia/Lord_Howe', 'Pacific/Auckland', 'Asia/Kolkata']) {
    inZone(tz, () => {
      for (const day of [1, 5, 28]) {
        // every 7 h 13 min over two years hits every hour of the day, every day of the month
        for (let now = local(2025, 1, 1); now < local(2027, 1, 1); now += 26_000_000) {
          const start = periodStart(now, day);
          const next = nextPeriodStart(now, day);
          const where = `${tz} day ${day} at ${iso(now)}`;
          assert.ok(start <= now && now < next, where);
          assert.equal(new Date(start).getDate(), day, where);
          assert.equal(new Date(start - 1).getDate() === day, false, where); // the first instant of that day
          assert.equal(periodStart(next, day), next, where);
          assert.equal(nextPeriodStart(start - 1, day), start, where);
          const days = (next - start) / 86_400_000;
          assert.ok(days > 27.9 && days < 31.1, where);
        }
      }
    });
  }
});

test('a billing day must be a whole number from 1 to 28', () => {
  for (const day of [0, 29, 31, 1.5, Number.NaN, -1]) {
    assert.throws(() => periodStart(Date.now(), day), /billing day must be a whole number from 1 to 28/, String(day));
    assert.throws(() => nextPeriodStart(Date.now(), day), RangeError, String(day));
  }
});
