/**
 * The I2C transport the ATECC608A driver speaks through: plain byte writes and reads addressed to a 7-bit
 * device address, a NACK that is a normal answer rather than an exception (the chip does not acknowledge
 * its address while it sleeps, idles or executes a command, and the driver polls on exactly that), and the
 * wake pulse, which is not an I2C transaction at all.
 *
 * Implementations: the byte-level emulator (`../atecc608a/emulator.ts`) for tests and simulated devices.
 *
 * Where a Linux implementation plugs in (not written yet; it needs no native module of ours, but a way to
 * issue ioctls, e.g. a small helper process or an addon such as `i2c-bus`):
 * - open `/dev/i2c-N` (the bus the ATECC608A sits on; `i2cdetect -l` lists them), `ioctl(fd, I2C_SLAVE,
 *   address)` (0x0703) before each transfer, then `write(2)` / `read(2)`, or one `I2C_RDWR` ioctl;
 * - the kernel reports a NACK of the address as `ENXIO` or `EREMOTEIO` depending on the bus driver: map both
 *   to `'nack'` / `{ ack: false }`; any other errno is a real bus fault and should throw;
 * - the wake pulse: hold SDA low for at least tWLO (60 µs). Without GPIO access, the usual trick is to write
 *   one 0x00 byte to address 0x00 with the bus at 100 kHz or slower (the address byte alone keeps SDA low
 *   long enough); that write is NACKed by design and the error must be ignored. If the bus runs faster than
 *   100 kHz, switch it down for the pulse (CryptoAuthLib's `calib_wakeup_i2c` does the same).
 */

export type I2cWriteResult = 'ack' | 'nack';

export type I2cReadResult = { readonly ack: true; readonly bytes: Uint8Array } | { readonly ack: false };

export interface I2cTransport {
  /** Writes `bytes` to the device at the 7-bit `address`; `'nack'` when the device did not acknowledge. */
  write(address: number, bytes: Uint8Array): Promise<I2cWriteResult>;
  /** Reads `length` bytes from the device at the 7-bit `address`; `{ ack: false }` on a NACK. */
  read(address: number, length: number): Promise<I2cReadResult>;
  /**
   * Holds SDA low for at least tWLO (60 µs) and releases it. It addresses no device: every CryptoAuthentication
   * chip on the bus wakes. The caller then waits tWHI before it talks to the chip.
   */
  wakePulse(): Promise<void>;
}

export const NACK: I2cReadResult = Object.freeze({ ack: false });

/** 7-bit addresses 0x08–0x77; the others are reserved by the I2C specification. */
export function isValidI2cAddress(address: number): boolean {
  return Number.isInteger(address) && address >= 0x08 && address <= 0x77;
}
