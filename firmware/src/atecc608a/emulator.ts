/**
 * A byte-level ATECC608A behind the I2C transport interface, for tests and simulated devices. It answers
 * what the chip answers on the wire: NACK while asleep, idle or busy; the wake response after a wake pulse;
 * word addresses reset/sleep/idle/command; count and CRC checked on every command (0xFF when wrong);
 * 0x03 for an unknown opcode or bad parameters; 0xEE when the watchdog would fire before the command could
 * finish; then a response packet in the I/O buffer that the host reads, and may read again after a reset
 * word address. State lives in memory (`emulator-state.ts`); commands live in `emulator-memory.ts` and
 * `emulator-crypto.ts`. Nothing a host sends can make it throw: a bug in a handler is recorded in `faults`
 * and answered with an execution error, so that tests can assert there were none.
 */
import { createPrivateKey, type KeyObject, randomBytes } from 'node:crypto';
import { type I2cReadResult, type I2cTransport, type I2cWriteResult, NACK } from '../i2c/transport.js';
import {
  COMMAND_MAX_BYTES,
  COMMAND_MIN_BYTES,
  MAX_EXECUTION_MS,
  Opcode,
  RESPONSE_MAX_BYTES,
  Status,
  T_WHI_MS,
  WAKE_RESPONSE,
  WATCHDOG_LONG_MS,
  WATCHDOG_SHORT_MS,
  WordAddress,
} from './constants.js';
import { hasValidCrc } from './crc.js';
import {
  genKey,
  info,
  isP256PrivateSlot,
  nonce,
  privateKeyIn,
  random,
  sign,
  verify,
} from './emulator-crypto.js';
import { lock, read, write } from './emulator-memory.js';
import { ChipState, executionError, type Outcome } from './emulator-state.js';
import { isValidPrivateKey, publicKeyOf } from './p256.js';
import { type Command, decodeCommand, encodeResponse, encodeStatus } from './packet.js';

export interface EmulatorOptions {
  /** The 9-byte serial number; default 01 23, six random bytes, EE (the 608A's fixed bytes). */
  serialNumber?: Uint8Array;
  /** Milliseconds from a monotonic clock; tests pass a virtual one. Default `performance.now()`. */
  now?: () => number;
  /**
   * How long the chip stays busy (NACKing) after a command, as a fraction of that command's maximum
   * execution time. Default 0.5; above 1 the driver's polling times out, which tests use.
   */
  busyFraction?: number;
  /** Whether the watchdog puts the chip to sleep ~1.3 s after wake. Default true. */
  watchdog?: boolean;
}

type Power = 'sleep' | 'idle' | 'waking' | 'awake';

const handlers: Readonly<Record<number, (state: ChipState, command: Command) => Outcome>> = {
  [Opcode.info]: info,
  [Opcode.random]: random,
  [Opcode.nonce]: nonce,
  [Opcode.read]: read,
  [Opcode.write]: write,
  [Opcode.lock]: lock,
  [Opcode.genKey]: genKey,
  [Opcode.sign]: sign,
  [Opcode.verify]: verify,
};

export class Atecc608aEmulator implements I2cTransport {
  readonly #state: ChipState;
  readonly #now: () => number;
  readonly #busyFraction: number;
  readonly #watchdog: boolean;
  #address: number;
  #power: Power = 'sleep';
  #awakeAt = 0;
  #busyUntil = 0;
  #output: Buffer = Buffer.alloc(0);
  #readPosition = 0;
  readonly #injected: number[] = [];
  /** Exceptions raised by command handlers (answered with 0x0F); always empty unless there is a bug. */
  readonly faults: unknown[] = [];

  constructor(options: EmulatorOptions = {}) {
    const serial =
      options.serialNumber ?? Buffer.concat([Buffer.of(0x01, 0x23), randomBytes(6), Buffer.of(0xee)]);
    if (serial.length !== 9) throw new RangeError('the serial number has 9 bytes');
    this.#state = new ChipState(serial);
    this.#now = options.now ?? (() => performance.now());
    this.#busyFraction = options.busyFraction ?? 0.5;
    this.#watchdog = options.watchdog ?? true;
    this.#address = this.#state.i2cAddress;
  }

  /** The 7-bit address it answers on, read from config byte 16 at power-up. */
  get address(): number {
    return this.#address;
  }

  /** Power off and on: volatile state lost, asleep, I2C address reloaded from the configuration zone. */
  powerCycle(): void {
    this.#state.clearVolatile();
    this.#power = 'sleep';
    this.#busyUntil = 0;
    this.#output = Buffer.alloc(0);
    this.#address = this.#state.i2cAddress;
  }

  /** Answers the next commands with these status bytes instead of executing them (fault injection). */
  failNextCommands(...statuses: number[]): void {
    this.#injected.push(...statuses);
  }

  /**
   * The P-256 private key of `slot`, as a node:crypto KeyObject. Simulation only: it stands in for the
   * OpenSSL engine or provider a real gateway loads (Microchip's `ateccx08` engine on CryptoAuthLib, or a
   * PKCS#11 provider), which makes the chip sign the TLS handshake. Node's TLS stack cannot call back into
   * JavaScript to sign, so a simulated device hands its key to TLS instead. No I2C command reaches this
   * method: on the wire, the chip still never reveals a private key.
   */
  keyForSimulatedTls(slot: number): KeyObject {
    if (!Number.isInteger(slot) || slot < 0 || slot > 15 || !isP256PrivateSlot(this.#state, slot)) {
      throw new RangeError(`slot ${slot} does not hold a P-256 private key`);
    }
    const d = privateKeyIn(this.#state, slot);
    if (!isValidPrivateKey(d)) throw new RangeError(`slot ${slot} holds no key yet (GenKey first)`);
    const xy = publicKeyOf(d);
    const jwk = {
      kty: 'EC',
      crv: 'P-256',
      x: xy.subarray(0, 32).toString('base64url'),
      y: xy.subarray(32).toString('base64url'),
      d: Buffer.from(d).toString('base64url'),
    };
    return createPrivateKey({ key: jwk, format: 'jwk' });
  }

  async wakePulse(): Promise<void> {
    this.wakePulseSync();
  }

  async write(address: number, bytes: Uint8Array): Promise<I2cWriteResult> {
    return this.writeSync(address, bytes);
  }

  async read(address: number, length: number): Promise<I2cReadResult> {
    return this.readSync(address, length);
  }

  wakePulseSync(): void {
    this.#tick();
    // An awake chip ignores the pulse; asleep or idle, it answers after tWHI with the wake status.
    if (this.#power !== 'sleep' && this.#power !== 'idle') return;
    this.#power = 'waking';
    this.#awakeAt = this.#now() + T_WHI_MS;
    this.#setOutput(WAKE_RESPONSE);
  }

  writeSync(address: number, bytes: Uint8Array): I2cWriteResult {
    if (!this.#responsive(address)) return 'nack';
    const word = bytes[0];
    if (word === undefined) return 'ack';
    if (word === WordAddress.reset) {
      this.#readPosition = 0;
    } else if (word === WordAddress.sleep) {
      this.#state.clearVolatile();
      this.#power = 'sleep';
    } else if (word === WordAddress.idle) {
      this.#power = 'idle';
    } else if (word === WordAddress.command) {
      this.#receive(Buffer.from(bytes.subarray(1)));
    } else {
      return 'nack';
    }
    return 'ack';
  }

  readSync(address: number, length: number): I2cReadResult {
    if (!this.#responsive(address)) return NACK;
    // Past the end of the response the emulator answers 0xFF; what the chip sends there is not documented.
    const bytes = Buffer.alloc(Number.isInteger(length) && length > 0 ? length : 0, 0xff);
    this.#output.copy(bytes, 0, Math.min(this.#readPosition, this.#output.length));
    this.#readPosition += bytes.length;
    return { ack: true, bytes };
  }

  /** Whether the chip would ACK `address` now: right address, awake, not executing a command. */
  #responsive(address: number): boolean {
    this.#tick();
    return address === this.#address && this.#power === 'awake' && this.#now() >= this.#busyUntil;
  }

  /** Lets time pass: a waking chip becomes awake after tWHI; an awake one sleeps when the watchdog fires. */
  #tick(): void {
    const now = this.#now();
    if (this.#power === 'waking' && now >= this.#awakeAt) this.#power = 'awake';
    if (this.#power === 'awake' && this.#watchdog && now >= this.#awakeAt + this.#watchdogMs()) {
      this.#state.clearVolatile();
      this.#power = 'sleep';
    }
  }

  #watchdogMs(): number {
    return this.#state.longWatchdog ? WATCHDOG_LONG_MS : WATCHDOG_SHORT_MS;
  }

  #receive(packet: Buffer): void {
    const { outcome, busyMs } = this.#execute(packet);
    this.#setOutput('status' in outcome ? encodeStatus(outcome.status) : encodeResponse(outcome.data));
    this.#busyUntil = this.#now() + busyMs;
  }

  #execute(packet: Buffer): { outcome: Outcome; busyMs: number } {
    const immediate = (status: number) => ({ outcome: { status }, busyMs: 0 });
    // The count byte says how many bytes make the packet; a mismatch or a bad CRC is a transmission error.
    if (packet.length < 3 || packet.readUInt8(0) !== packet.length || !hasValidCrc(packet)) {
      return immediate(Status.communicationError);
    }
    if (packet.length < COMMAND_MIN_BYTES || packet.length > COMMAND_MAX_BYTES)
      return immediate(Status.parseError);
    const command = decodeCommand(packet);
    const maxMs = MAX_EXECUTION_MS[command.opcode];
    const handler = handlers[command.opcode];
    // Unknown opcodes, and the real ones this emulator does not implement, are parse errors.
    if (maxMs === undefined || handler === undefined) return immediate(Status.parseError);
    if (this.#watchdog && this.#now() + maxMs > this.#awakeAt + this.#watchdogMs()) {
      return immediate(Status.watchdogAboutToExpire);
    }
    const injected = this.#injected.shift();
    if (injected !== undefined) return immediate(injected);
    return { outcome: this.#run(handler, command), busyMs: maxMs * this.#busyFraction };
  }

  #run(handler: (state: ChipState, command: Command) => Outcome, command: Command): Outcome {
    try {
      const outcome = handler(this.#state, command);
      // A data response must fit a packet; anything else is a handler bug, recorded like an exception.
      if ('data' in outcome && (outcome.data.length === 0 || outcome.data.length > RESPONSE_MAX_BYTES - 3)) {
        throw new RangeError(`opcode 0x${command.opcode.toString(16)} produced ${outcome.data.length} bytes`);
      }
      return outcome;
    } catch (error) {
      this.faults.push(error);
      return executionError;
    }
  }

  #setOutput(response: Buffer): void {
    this.#output = response;
    this.#readPosition = 0;
  }
}
