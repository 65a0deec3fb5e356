/**
 * The furthest a merchant's test clock goes: the start of year 9999, a year short of the last day an
 * ISO-8601 date writes with four digits, so that every time a request counts from it (an expiry, a
 * pre-authorization's months, a refund window, a report's next day) is still a date the APIs print.
 * Advances that added up past it printed years as "+010000-…", and past 275760 (the last instant a
 * date holds) every read of the clock and every create of the merchant's test mode answered 500.
 */
export const TEST_CLOCK_LIMIT_MS = Date.UTC(9999, 0, 1);
