/**
 * The emulator on the wire, without the driver: power states and NACKs, wake timing, the watchdog, busy
 * time, the I/O buffer, count/CRC/parse errors, the default configuration.
 */
import { describe, expect, it } from 'vitest';
import { WAKE_RESPONSE } from './constants.js';
import { withCrc } from './crc.js';
import { Atecc608aEmulator } from './emulator.js';
import { commandFrame, decodeResponse } from './packet.js';
import { VirtualClock } from './testing.test-helper.js';
import { ConfigOffset } from './zones.js';

const SERIAL = Buffer.from('0123a1b2c3d4e5f6ee', 'hex');
const none = Buffer.alloc(0);

function setup() {
  const clock = new VirtualClock();
  const emulator = new Atecc608aEmulator({ now: clock.now, serialNumber: SERIAL });
  const address = emulator.address;
  const wake = () => {
    emulator.wakePulseSync();
    clock.advance(1.5);
    return emulator.readSync(address, 4);
  };
  const send = (opcode: number, param1: number, param2: number, data: Uint8Array = none) =>
    emulator.writeSync(address, commandFrame({ opcode, param1, param2, data }));
  /** Waits out the busy time 1 ms at a time, then reads the whole response packet. */
  const response = () => {
    for (let waited = 0; emulator.writeSync(address, Buffer.of(0x00)) === 'nack'; waited++) {
      if (waited > 300) throw new Error('still busy');
      clock.advance(1);
    }
    const head = emulator.readSync(address, 1);
    if (!head.ack) throw new Error('NACK');
    const count = head.bytes[0] ?? 0;
    const rest = emulator.readSync(address, count - 1);
    if (!rest.ack) throw new Error('NACK');
    return Buffer.concat([head.bytes, rest.bytes]);
  };
  const status = () => {
    const decoded = decodeResponse(response());
    return decoded?.kind === 'status' ? decoded.status : undefined;
  };
  return { clock, emulator, address, wake, send, response, status };
}

describe('power states', () => {
  it('powers up asleep: NACKs every write and read until woken', () => {
    const { emulator, address } = setup();
    expect(emulator.writeSync(address, Buffer.of(0x03, 0x07))).toBe('nack');
    expect(emulator.readSync(address, 4).ack).toBe(false);
  });

  it('answers the wake response 04 11 33 43, but only after tWHI', () => {
    const { emulator, address, clock } = setup();
    emulator.wakePulseSync();
    clock.advance(1);
    expect(emulator.readSync(address, 4).ack).toBe(false);
    clock.advance(0.5);
    const answer = emulator.readSync(address, 4);
    expect(answer.ack && Buffer.from(answer.bytes)).toEqual(WAKE_RESPONSE);
  });

  it('NACKs again after the sleep or idle word address, and wakes from both', () => {
    const { emulator, address, wake } = setup();
    for (const word of [0x01, 0x02]) {
      wake();
      expect(emulator.writeSync(address, Buffer.of(word))).toBe('ack');
      expect(emulator.writeSync(address, Buffer.of(0x00))).toBe('nack');
      expect(emulator.readSync(address, 1).ack).toBe(false);
    }
    expect(wake()).toEqual({ ack: true, bytes: WAKE_RESPONSE });
  });

  it('ignores a wake pulse while awake', () => {
    const { send, wake, response, emulator } = setup();
    wake();
    send(0x30, 0, 0);
    const info = response();
    emulator.wakePulseSync();
    expect(response()).toEqual(info);
  });

  it('goes to sleep when the watchdog fires 1.3 s after wake', () => {
    const { emulator, address, clock, wake } = setup();
    wake();
    clock.advance(1290);
    expect(emulator.writeSync(address, Buffer.of(0x00))).toBe('ack');
    clock.advance(20);
    expect(emulator.writeSync(address, Buffer.of(0x00))).toBe('nack');
  });

  it('answers 0xEE to a command that could not finish before the watchdog', () => {
    const { clock, wake, send, status, response } = setup();
    wake();
    clock.advance(1200);
    send(0x41, 0x80, 0); // Sign may take 115 ms; 100 ms are left
    expect(status()).toBe(0xee);
    send(0x30, 0, 0); // Info takes 5 ms: still fits
    expect(decodeResponse(response())).toEqual({ kind: 'data', data: Buffer.of(0x00, 0x00, 0x60, 0x02) });
  });

  it('stays busy (NACK) while a command executes, then serves the response', () => {
    const { emulator, address, clock, wake, send, response } = setup();
    wake();
    send(0x1b, 0, 0);
    clock.advance(5);
    expect(emulator.readSync(address, 1).ack).toBe(false);
    expect(emulator.writeSync(address, Buffer.of(0x00))).toBe('nack');
    expect(response().length).toBe(35);
  });

  it('answers only on its own address and NACKs unknown word addresses', () => {
    const { emulator, address, wake } = setup();
    wake();
    expect(emulator.readSync(address + 1, 4).ack).toBe(false);
    expect(emulator.writeSync(address, Buffer.of(0x04))).toBe('nack');
    expect(emulator.writeSync(address, none)).toBe('ack');
  });
});

describe('the I/O buffer', () => {
  it('serves the same response again after the reset word address', () => {
    const { wake, send, response } = setup();
    wake();
    send(0x1b, 0, 0);
    const first = response();
    expect(response()).toEqual(first);
    expect(decodeResponse(first)?.kind).toBe('data');
  });

  it('answers 0xFF past the end of the response', () => {
    const { emulator, address, wake } = setup();
    wake();
    emulator.writeSync(address, Buffer.of(0x00));
    const answer = emulator.readSync(address, 6);
    expect(answer.ack && Buffer.from(answer.bytes)).toEqual(
      Buffer.concat([WAKE_RESPONSE, Buffer.of(0xff, 0xff)]),
    );
  });
});

describe('command checks', () => {
  it('answers 0xFF to a bad CRC and to a count that is not the packet length', () => {
    const { emulator, address, wake, status } = setup();
    wake();
    const frame = commandFrame({ opcode: 0x30, param1: 0, param2: 0, data: none });
    frame.writeUInt8(frame.readUInt8(7) ^ 1, 7);
    emulator.writeSync(address, frame);
    expect(status()).toBe(0xff);
    emulator.writeSync(address, Buffer.concat([Buffer.of(0x03), withCrc(Buffer.of(0x09, 0x30, 0, 0, 0))]));
    expect(status()).toBe(0xff);
    emulator.writeSync(address, Buffer.of(0x03));
    expect(status()).toBe(0xff);
  });

  it('answers 0x03 to unknown opcodes, real opcodes it does not emulate, short packets and bad parameters', () => {
    const { emulator, address, wake, send, status } = setup();
    wake();
    for (const opcode of [0x00, 0x99, 0x47 /* SHA */, 0x43 /* ECDH */]) {
      send(opcode, 0, 0);
      expect(status()).toBe(0x03);
    }
    emulator.writeSync(address, Buffer.concat([Buffer.of(0x03), withCrc(Buffer.of(0x05, 0x30, 0))]));
    expect(status()).toBe(0x03);
    send(0x02, 0x03, 0); // Read of zone 3
    expect(status()).toBe(0x03);
    send(0x1b, 0x02, 0); // Random mode 2
    expect(status()).toBe(0x03);
    send(0x30, 0, 0, Buffer.of(1)); // Info with data
    expect(status()).toBe(0x03);
    send(0x16, 0x02, 0, Buffer.alloc(20)); // Nonce mode 2 is invalid
    expect(status()).toBe(0x03);
  });
});

describe('default state', () => {
  it('keeps the serial number in config bytes 0–3 and 8–12, and both zones unlocked (0x55)', () => {
    const { wake, send, response } = setup();
    wake();
    send(0x02, 0x80, 0x00); // Read config block 0, 32 bytes
    const block0 = decodeResponse(response());
    const bytes = block0?.kind === 'data' ? block0.data : Buffer.alloc(32);
    expect(Buffer.concat([bytes.subarray(0, 4), bytes.subarray(8, 13)])).toEqual(SERIAL);
    expect(bytes.subarray(4, 8)).toEqual(Buffer.of(0x00, 0x00, 0x60, 0x02));
    expect(bytes.readUInt8(ConfigOffset.i2cAddress)).toBe(0xc0);
    send(0x02, 0x00, 0x15); // Read config block 2 word 5: bytes 84–87
    expect(decodeResponse(response())).toEqual({ kind: 'data', data: Buffer.of(0, 0, 0x55, 0x55) });
  });

  it('gives the FF FF 00 00 pattern from Random while the configuration is unlocked', () => {
    const { wake, send, response } = setup();
    wake();
    send(0x1b, 0, 0);
    const random = decodeResponse(response());
    expect(random).toEqual({ kind: 'data', data: Buffer.from('ffff0000'.repeat(8), 'hex') });
  });

  it('makes a random serial number with the fixed bytes 01 23 … EE when none is given', () => {
    const emulator = new Atecc608aEmulator();
    expect(emulator.address).toBe(0x60);
    expect(() => new Atecc608aEmulator({ serialNumber: Buffer.alloc(8) })).toThrow(RangeError);
  });

  it('moves to the I2C address of config byte 16 at the next power cycle', () => {
    const { emulator, address, wake, send, status, clock } = setup();
    wake();
    send(0x12, 0x00, 0x04, Buffer.of(0xc2, 0x00, 0x00, 0x00)); // Write config word 4 (bytes 16–19)
    expect(status()).toBe(0x00);
    expect(emulator.address).toBe(address);
    emulator.powerCycle();
    expect(emulator.address).toBe(0x61);
    emulator.wakePulseSync();
    clock.advance(2);
    expect(emulator.readSync(0x61, 4)).toEqual({ ack: true, bytes: WAKE_RESPONSE });
  });
});
