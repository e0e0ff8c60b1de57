/**
 * Numbers of the ATECC608A I2C protocol shared by the driver and the emulator: word addresses, opcodes,
 * status bytes, packet sizes and timings. Values follow Microchip's ATECC608A datasheet and CryptoAuthLib
 * (`lib/calib/calib_command.h`, `calib_execution.c`).
 */

/** The first byte of every I2C write: what the chip should do with the rest. */
export const WordAddress = {
  /** Reset the I/O buffer's address counter: the next read starts at the beginning of the response. */
  reset: 0x00,
  /** Enter sleep: volatile state (TempKey, message digest buffer) is lost. */
  sleep: 0x01,
  /** Enter idle: volatile state is kept, the watchdog stops. */
  idle: 0x02,
  /** The bytes that follow are a command packet. */
  command: 0x03,
} as const;

export const Opcode = {
  read: 0x02,
  write: 0x12,
  nonce: 0x16,
  lock: 0x17,
  random: 0x1b,
  info: 0x30,
  genKey: 0x40,
  sign: 0x41,
  verify: 0x45,
} as const;
export type Opcode = (typeof Opcode)[keyof typeof Opcode];

/**
 * Maximum execution times in milliseconds of every ATECC608 command at the default clock divider (ChipMode
 * M0), from CryptoAuthLib's `device_execution_time_608_m0`. The driver polls for at most this long; the
 * emulator treats an opcode missing here as unknown.
 */
export const MAX_EXECUTION_MS: Readonly<Record<number, number>> = {
  81: 27, // AES
  40: 40, // CheckMac
  36: 25, // Counter
  28: 50, // DeriveKey
  67: 75, // ECDH
  21: 25, // GenDig
  64: 115, // GenKey
  48: 5, // Info
  86: 165, // KDF
  23: 35, // Lock
  8: 55, // MAC
  22: 20, // Nonce
  70: 50, // PrivWrite
  27: 23, // Random
  2: 5, // Read
  128: 80, // SecureBoot
  119: 250, // SelfTest
  71: 36, // SHA
  65: 115, // Sign
  32: 10, // UpdateExtra
  69: 105, // Verify
  18: 45, // Write
};

/** The status byte of a 4-byte status packet `[0x04][status][CRC LE]`. */
export const Status = {
  success: 0x00,
  checkMacOrVerifyMiscompare: 0x01,
  parseError: 0x03,
  eccFault: 0x05,
  selfTestError: 0x07,
  healthTestError: 0x08,
  executionError: 0x0f,
  afterWake: 0x11,
  watchdogAboutToExpire: 0xee,
  communicationError: 0xff,
} as const;

/** What the chip answers to a wake pulse: a status packet with 0x11 and its CRC. */
export const WAKE_RESPONSE: Buffer = Buffer.of(0x04, 0x11, 0x33, 0x43);
/**
 * What CryptoAuthLib's `hal_check_wake` takes for "power-on self test failed". Its last two bytes are not the
 * atCRC of `04 07` (that would be `40 C2`), so it is matched as a constant, as CryptoAuthLib does.
 */
export const WAKE_SELF_TEST_FAILED: Buffer = Buffer.of(0x04, 0x07, 0xc4, 0x40);

/** Count, opcode, param1, param2 (2), CRC (2): a command without data. */
export const COMMAND_MIN_BYTES = 7;
/** CryptoAuthLib's ATCA_CMD_SIZE_MAX (4 × 36 + 7). */
export const COMMAND_MAX_BYTES = 151;
/** Count and CRC around a one-byte status. */
export const RESPONSE_MIN_BYTES = 4;
/** CryptoAuthLib's ATCA_RSP_SIZE_MAX: 72 data bytes with count and CRC. */
export const RESPONSE_MAX_BYTES = 75;

/** Wake low time (SDA held low): at least 60 µs. */
export const T_WLO_US = 60;
/** Wake high time: the chip answers no sooner than 1.5 ms after SDA is released. */
export const T_WHI_MS = 1.5;
/** Watchdog after wake: ~1.3 s, or ~13 s with ChipMode bit 2 set. */
export const WATCHDOG_SHORT_MS = 1300;
export const WATCHDOG_LONG_MS = 13_000;

/** The factory default I2C address (config byte 16 = 0xC0, which holds the address shifted left by one). */
export const DEFAULT_I2C_ADDRESS = 0x60;

/** Info(Revision) of an ATECC608A: byte 2 0x60 names the 608 family; 0x02 the A revision (0x03 is the 608B). */
export const ATECC608A_REVISION: Buffer = Buffer.of(0x00, 0x00, 0x60, 0x02);
