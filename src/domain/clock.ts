/** Source of "now" for rules that depend on time (refund window, expiry). Tests inject their own. */
export interface Clock {
  now(): Date;
}

/** The machine's clock. */
export const systemClock: Clock = { now: () => new Date() };
