/**
 * Typed errors of the ATECC608A driver. Each has a stable `code`: the status bytes the chip answers are
 * mapped one to one, the host-side failures (no answer, a CRC that stays wrong after retries, a response of
 * the wrong shape) have codes of their own. Callers branch on `code`, never on the message.
 */
import { Status } from './constants.js';

/** Codes for the status bytes the chip can answer (everything but success). */
export const deviceStatusCode = {
  [Status.checkMacOrVerifyMiscompare]: 'verify_miscompare',
  [Status.parseError]: 'parse_error',
  [Status.eccFault]: 'ecc_fault',
  [Status.selfTestError]: 'self_test_error',
  [Status.healthTestError]: 'health_test_error',
  [Status.executionError]: 'execution_error',
  [Status.afterWake]: 'after_wake',
  [Status.watchdogAboutToExpire]: 'watchdog_about_to_expire',
  [Status.communicationError]: 'communication_error',
} as const;

export type DeviceStatusCode = (typeof deviceStatusCode)[keyof typeof deviceStatusCode];

export type HostErrorCode =
  /** A status byte the datasheet does not list. */
  | 'unknown_status'
  /** The chip never acknowledged (absent, wrong address, or stuck asleep). */
  | 'no_response'
  /** The chip stayed busy past the command's maximum execution time. */
  | 'response_timeout'
  /** The response failed its CRC on every read. */
  | 'response_crc'
  /** Wake pulses produced no valid wake response. */
  | 'wake_failed'
  /** A well-formed response of a length the command cannot return. */
  | 'unexpected_response'
  /** The caller passed something the command cannot encode (a slot out of range, a digest of 31 bytes). */
  | 'invalid_argument';

export type AteccErrorCode = DeviceStatusCode | HostErrorCode;

/** One line per code; a new code without a title does not compile. */
export const ateccErrorTitle: Readonly<Record<AteccErrorCode, string>> = {
  verify_miscompare: 'CheckMac or Verify miscompare',
  parse_error: 'The chip could not parse the command (length, opcode or parameter)',
  ecc_fault: 'ECC computation fault',
  self_test_error: 'The chip is in self-test failure mode',
  health_test_error: 'Random number generator health test failed',
  execution_error: 'The chip refused to execute the command (locks, slot policy or state)',
  after_wake: 'The chip answered with its wake status',
  watchdog_about_to_expire: 'Not enough time left before the watchdog puts the chip to sleep',
  communication_error: 'The chip received a packet with a bad CRC or a communication error',
  unknown_status: 'The chip answered with an unknown status byte',
  no_response: 'The chip did not acknowledge',
  response_timeout: 'The chip did not answer within the maximum execution time',
  response_crc: 'The response failed its CRC check',
  wake_failed: 'The chip did not wake up',
  unexpected_response: 'The response has an unexpected length',
  invalid_argument: 'Invalid argument',
};

export class AteccError extends Error {
  override readonly name = 'AteccError';
  /** The status byte the chip answered, when the error came from the chip. */
  readonly status: number | undefined;
  /** The opcode of the command that failed, when there was one. */
  readonly opcode: number | undefined;

  constructor(
    readonly code: AteccErrorCode,
    options: { detail?: string; status?: number; opcode?: number } = {},
  ) {
    super(options.detail ? `${ateccErrorTitle[code]}: ${options.detail}` : ateccErrorTitle[code]);
    this.status = options.status;
    this.opcode = options.opcode;
  }
}

export function codeForStatus(status: number): AteccErrorCode {
  return (deviceStatusCode as Readonly<Record<number, DeviceStatusCode>>)[status] ?? 'unknown_status';
}
