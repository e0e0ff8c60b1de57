/**
 * Test doubles around the emulator: a virtual clock shared by the emulator and the driver (so that busy
 * polling, tWHI and the watchdog take no real time and are deterministic), and a wire that corrupts chosen
 * transfers, to prove that CRC errors are detected and recovered from.
 */
import { personaliseChip } from '../factory/personalise.js';
import type { I2cReadResult, I2cTransport, I2cWriteResult } from '../i2c/transport.js';
import { WordAddress } from './constants.js';
import { Atecc608a } from './driver.js';
import { Atecc608aEmulator, type EmulatorOptions } from './emulator.js';

export class VirtualClock {
  #now = 0;
  readonly now = (): number => this.#now;
  readonly sleep = async (ms: number): Promise<void> => {
    this.#now += ms;
  };
  advance(ms: number): void {
    this.#now += ms;
  }
}

export function virtualChip(options: EmulatorOptions & { retries?: number } = {}) {
  const clock = new VirtualClock();
  const emulator = new Atecc608aEmulator({ now: clock.now, ...options });
  const chip = new Atecc608a(emulator, { delay: clock.sleep, retries: options.retries });
  return { clock, emulator, chip };
}

/**
 * Locks the configuration as shipped (checking its CRC), generates the slot 0 key, locks the data zone: the
 * factory's own step, so that tests provision chips exactly as the factory does.
 */
export const provision: (chip: Atecc608a) => Promise<Buffer> = personaliseChip;

/** Flips one bit of chosen transfers between the driver and the chip. */
export class FaultyWire implements I2cTransport {
  #corruptReads = 0;
  #readMatches: (length: number) => boolean = () => false;
  #corruptCommands = 0;
  /** Transfers corrupted so far. */
  injected = 0;
  /** Command packets (word address 0x03) that reached the chip, by opcode. */
  readonly commandsSent: number[] = [];

  constructor(
    private readonly inner: I2cTransport,
    /** Which byte of a transfer to damage (clamped to its length). */
    private readonly byteIndex = 1,
  ) {}

  /**
   * Corrupts the next `times` reads of `length` bytes, or by default of 5 bytes or more: the body of a
   * response (a count byte is read alone, a wake token is 4 bytes).
   */
  corruptReads(times: number, length?: number): void {
    this.#corruptReads = times;
    this.#readMatches = (n) => (length === undefined ? n >= 5 : n === length);
  }

  /** Corrupts the next `times` command packets on their way to the chip. */
  corruptCommands(times: number): void {
    this.#corruptCommands = times;
  }

  async write(address: number, bytes: Uint8Array): Promise<I2cWriteResult> {
    if (bytes[0] !== WordAddress.command) return this.inner.write(address, bytes);
    let sent: Buffer = Buffer.from(bytes);
    if (this.#corruptCommands > 0) {
      this.#corruptCommands -= 1;
      sent = this.#flip(sent, Math.min(this.byteIndex + 2, sent.length - 1));
    }
    const result = await this.inner.write(address, sent);
    if (result === 'ack') this.commandsSent.push(Buffer.from(bytes).readUInt8(2));
    return result;
  }

  async read(address: number, length: number): Promise<I2cReadResult> {
    const result = await this.inner.read(address, length);
    if (!result.ack || !this.#readMatches(length) || this.#corruptReads === 0) return result;
    this.#corruptReads -= 1;
    const bytes = this.#flip(Buffer.from(result.bytes), Math.min(this.byteIndex, length - 1));
    return { ack: true, bytes };
  }

  wakePulse(): Promise<void> {
    return this.inner.wakePulse();
  }

  #flip(bytes: Buffer, index: number): Buffer {
    bytes.writeUInt8(bytes.readUInt8(index) ^ 0x10, index);
    this.injected += 1;
    return bytes;
  }
}
