// Billing periods of a data plan. A period starts on the billing day at 00:00 local time and
// ends when the next one starts. Days are limited to 1..28 so every month has one. Dates are
// built from calendar fields (never by adding 24 h steps), so daylight-saving changes cannot
// shift a boundary; month -1 and month 12 roll into the neighbouring years.

export const MIN_BILLING_DAY = 1;
export const MAX_BILLING_DAY = 28;

export function assertBillingDay(day: number): void {
  if (!Number.isInteger(day) || day < MIN_BILLING_DAY || day > MAX_BILLING_DAY) {
    throw new RangeError(`billing day must be a whole number from ${MIN_BILLING_DAY} to ${MAX_BILLING_DAY}, not ${day}`);
  }
}

/** local midnight starting the period that contains `now` (ms since the epoch) */
export function periodStart(now: number, billingDay: number): number {
  assertBillingDay(billingDay);
  const date = new Date(now);
  const year = date.getFullYear();
  const month = date.getMonth();
  const thisMonth = localMidnight(year, month, billingDay);
  return now >= thisMonth ? thisMonth : localMidnight(year, month - 1, billingDay);
}

/** local midnight starting the period after the one that contains `now` */
export function nextPeriodStart(now: number, billingDay: number): number {
  const start = new Date(periodStart(now, billingDay));
  return localMidnight(start.getFullYear(), start.getMonth() + 1, billingDay);
}

/**
 * Midnight of that calendar day in local time. Where a DST change skips midnight itself (some
 * zones switch at 00:00), the Date constructor answers with the first instant of that day.
 */
function localMidnight(year: number, month: number, day: number): number {
  return new Date(year, month, day, 0, 0, 0, 0).getTime();
}
