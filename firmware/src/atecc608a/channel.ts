/**
 * One command round trip with an ATECC608A, as CryptoAuthLib's `calib_execute_command` does it: wake the
 * chip, write the command, poll for the response while the chip NACKs (busy) up to the command's maximum
 * execution time, read it, and put the chip to idle (which keeps TempKey for the next command and stops the
 * watchdog). On top of CryptoAuthLib, which gives up on the first CRC error, it recovers from noise on the
 * wire:
 * - a response with a bad count or CRC is read again (reset word address, then read), because the chip
 *   keeps its response in the I/O buffer; re-sending instead would run GenKey or Nonce a second time;
 * - a 0xFF status (the chip saw a bad CRC on our command, so did not execute it) or 0x11 (the chip slept and
 *   woke in between, so lost it) makes it send the command again;
 * - 0xEE (watchdog about to expire) makes it idle, wake (restarting the watchdog) and send again.
 */
import type { I2cTransport } from '../i2c/transport.js';
import {
  DEFAULT_I2C_ADDRESS,
  MAX_EXECUTION_MS,
  RESPONSE_MAX_BYTES,
  RESPONSE_MIN_BYTES,
  Status,
  T_WHI_MS,
  WAKE_RESPONSE,
  WAKE_SELF_TEST_FAILED,
  WordAddress,
} from './constants.js';
import { AteccError, codeForStatus } from './errors.js';
import { type Command, commandFrame, decodeResponse, type Response } from './packet.js';

export interface ChannelOptions {
  /** 7-bit I2C address; default 0x60 (config byte 16 = 0xC0). */
  address?: number;
  /** How to wait; tests pass a virtual clock. Default: setTimeout, rounded up to whole milliseconds. */
  delay?: (ms: number) => Promise<void>;
  /** Extra attempts after a wake failure, a corrupted response or a resendable status. Default 3. */
  retries?: number;
  /** Time between polls while the chip is busy; CryptoAuthLib's ATCA_POLLING_FREQUENCY_TIME_MSEC is 2. */
  pollIntervalMs?: number;
  /** Maximum execution times per opcode, for a chip at another clock divider than M0. */
  maxExecutionMs?: Readonly<Record<number, number>>;
}

/** CryptoAuthLib's ATCA_POLLING_INIT_TIME_MSEC: the first look after sending a command. */
const POLL_INITIAL_MS = 1;
/** For an opcode missing from the table: CryptoAuthLib's overall ATCA_POLLING_MAX_TIME_MSEC. */
const POLL_FALLBACK_MAX_MS = 2500;
const RESEND_STATUSES: ReadonlySet<number> = new Set([
  Status.communicationError,
  Status.afterWake,
  Status.watchdogAboutToExpire,
]);

const defaultDelay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.ceil(ms)));

export class CommandChannel {
  readonly address: number;
  readonly #transport: I2cTransport;
  readonly #delay: (ms: number) => Promise<void>;
  readonly #retries: number;
  readonly #pollIntervalMs: number;
  readonly #maxExecutionMs: Readonly<Record<number, number>>;

  constructor(transport: I2cTransport, options: ChannelOptions = {}) {
    this.#transport = transport;
    this.address = options.address ?? DEFAULT_I2C_ADDRESS;
    this.#delay = options.delay ?? defaultDelay;
    this.#retries = options.retries ?? 3;
    this.#pollIntervalMs = options.pollIntervalMs ?? 2;
    this.#maxExecutionMs = { ...MAX_EXECUTION_MS, ...options.maxExecutionMs };
  }

  /** Wakes the chip and checks its wake response. */
  async wake(): Promise<void> {
    for (let attempt = 0; attempt <= this.#retries; attempt++) {
      await this.#transport.wakePulse();
      await this.#delay(T_WHI_MS);
      const answer = await this.#transport.read(this.address, WAKE_RESPONSE.length);
      if (!answer.ack) continue;
      const bytes = Buffer.from(answer.bytes);
      if (bytes.equals(WAKE_RESPONSE)) return;
      if (bytes.equals(WAKE_SELF_TEST_FAILED)) throw new AteccError('self_test_error', { status: 0x07 });
      // Anything else: the chip was already awake (it ignores the pulse, and this is an old response) or the
      // wake token was corrupted on the wire. Idle it so that the next pulse wakes it afresh.
      await this.idle();
    }
    throw new AteccError('wake_failed');
  }

  /** Idle keeps volatile state; false when the chip did not acknowledge (already asleep, or busy). */
  async idle(): Promise<boolean> {
    return (await this.#transport.write(this.address, Buffer.of(WordAddress.idle))) === 'ack';
  }

  /** Sleep loses TempKey and the message digest buffer. */
  async sleep(): Promise<boolean> {
    return (await this.#transport.write(this.address, Buffer.of(WordAddress.sleep))) === 'ack';
  }

  /**
   * Runs one command and returns its response data; a bare success status comes back as one 0x00 byte.
   * Any other status throws an AteccError with the status's code.
   */
  async execute(command: Command): Promise<Buffer> {
    const frame = commandFrame(command);
    await this.wake();
    try {
      for (let attempt = 0; ; attempt++) {
        const response = await this.#transact(frame, command.opcode);
        if (response.kind === 'data') return response.data;
        const { status } = response;
        if (status === Status.success) return Buffer.of(Status.success);
        if (!RESEND_STATUSES.has(status) || attempt >= this.#retries) {
          throw new AteccError(codeForStatus(status), { status, opcode: command.opcode });
        }
        if (status === Status.watchdogAboutToExpire) {
          await this.idle();
          await this.wake();
        }
      }
    } finally {
      await this.idle();
    }
  }

  async #transact(frame: Buffer, opcode: number): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      if ((await this.#transport.write(this.address, frame)) === 'ack') break;
      if (attempt >= this.#retries) throw new AteccError('no_response', { opcode });
      // A NACK here means the chip went to sleep (watchdog) or was never woken: wake it again.
      await this.wake();
    }
    return this.#receive(opcode);
  }

  async #receive(opcode: number): Promise<Response> {
    const maxMs = this.#maxExecutionMs[opcode] ?? POLL_FALLBACK_MAX_MS;
    let waited = POLL_INITIAL_MS;
    let badReads = 0;
    await this.#delay(POLL_INITIAL_MS);
    for (;;) {
      const packet = await this.#readPacket();
      if (packet === 'nack') {
        if (waited >= maxMs)
          throw new AteccError('response_timeout', { opcode, detail: `after ${waited} ms` });
        await this.#delay(this.#pollIntervalMs);
        waited += this.#pollIntervalMs;
        continue;
      }
      const response = decodeResponse(packet);
      if (response) return response;
      badReads += 1;
      if (badReads > this.#retries) throw new AteccError('response_crc', { opcode });
    }
  }

  /**
   * Reads the response from its first byte: the reset word address rewinds the chip's I/O buffer (as
   * CryptoAuthLib does before every read), then the count byte, then the rest.
   */
  async #readPacket(): Promise<Buffer | 'nack'> {
    if ((await this.#transport.write(this.address, Buffer.of(WordAddress.reset))) === 'nack') return 'nack';
    const head = await this.#transport.read(this.address, 1);
    if (!head.ack) return 'nack';
    const count = head.bytes[0] ?? 0;
    // A count the chip cannot send is noise; hand it back as it is so that it fails decoding and is re-read.
    if (count < RESPONSE_MIN_BYTES || count > RESPONSE_MAX_BYTES) return Buffer.from(head.bytes);
    const rest = await this.#transport.read(this.address, count - 1);
    if (!rest.ack) return 'nack';
    return Buffer.concat([head.bytes, rest.bytes]);
  }
}
