/**
 * The numbers behind the brute-force protection. A code has 80 random bits: at five guesses per
 * quarter hour a device's code would outlast the universe; the per-user limit is what stops one
 * account from enumerating serial numbers or spreading guesses over many devices.
 */

/** Wrong guesses against a device's live code before it locks (and again after each lock ends). */
export const DEVICE_LOCK_AFTER = 5;
export const DEVICE_LOCK_SECONDS = 15 * 60;

/** Failed claims one user may make per window, whatever the serial numbers. */
export const USER_FAILURE_LIMIT = 20;
export const USER_WINDOW_SECONDS = 60 * 60;

/** A device's most recent codes compared with what was typed, so the trail can tell reuse from a guess. */
export const CODES_COMPARED = 10;
