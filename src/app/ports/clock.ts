/** Real time, in epoch milliseconds. Tests substitute a clock they move by hand. */
export interface Clock {
  now(): number;
}
