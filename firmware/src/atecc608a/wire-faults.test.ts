/**
 * Noise on the I2C wire, injected by a transport between the driver and the emulator: a damaged response is
 * caught by its CRC and read again (never executed again), a damaged command is refused by the chip with
 * 0xFF and sent again, a damaged wake token leads to a fresh wake. With retries switched off the same faults
 * surface as typed errors.
 */
import { describe, expect, it } from 'vitest';
import { Opcode } from './constants.js';
import { Atecc608a } from './driver.js';
import { Atecc608aEmulator } from './emulator.js';
import { AteccError } from './errors.js';
import { FaultyWire, VirtualClock } from './testing.test-helper.js';

const SERIAL = Buffer.from('0123a1b2c3d4e5f6ee', 'hex');

function wired(options: { retries?: number; byteIndex?: number } = {}) {
  const clock = new VirtualClock();
  const emulator = new Atecc608aEmulator({ now: clock.now, serialNumber: SERIAL });
  const wire = new FaultyWire(emulator, options.byteIndex);
  const chip = new Atecc608a(wire, { delay: clock.sleep, retries: options.retries });
  return { emulator, wire, chip };
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return error instanceof AteccError ? error.code : undefined;
}

describe('a corrupted byte on the wire', () => {
  it('in a response: detected by the CRC, read again, and the right data returned', async () => {
    const { wire, chip } = wired();
    wire.corruptReads(1);
    expect(await chip.readSerialNumber()).toEqual(SERIAL);
    expect(wire.injected).toBe(1);
    wire.corruptReads(2);
    expect(await chip.info()).toEqual(Buffer.of(0x00, 0x00, 0x60, 0x02));
    expect(wire.injected).toBe(3);
  });

  it('in a GenKey response: read again, not executed again (the returned key is the stored one)', async () => {
    const { wire, chip } = wired({ byteIndex: 20 });
    await chip.lockConfigZone();
    wire.corruptReads(1);
    const publicKey = await chip.genKey(0);
    expect(wire.injected).toBe(1);
    expect(wire.commandsSent.filter((opcode) => opcode === Opcode.genKey)).toHaveLength(1);
    expect(await chip.getPublicKey(0)).toEqual(publicKey);
  });

  it('in the count byte: the impossible length is noticed and the response read again', async () => {
    const { wire, chip } = wired({ byteIndex: 0 });
    wire.corruptReads(1, 1);
    expect(await chip.info()).toEqual(Buffer.of(0x00, 0x00, 0x60, 0x02));
    expect(wire.injected).toBe(1);
  });

  it('in a command: the chip answers 0xFF without executing it, and the driver sends it again', async () => {
    const { wire, chip } = wired();
    await chip.lockConfigZone();
    wire.corruptCommands(1);
    const publicKey = await chip.genKey(0);
    expect(wire.injected).toBe(1);
    // Two GenKey packets went out; only the second, intact, one generated a key.
    expect(wire.commandsSent.filter((opcode) => opcode === Opcode.genKey)).toHaveLength(2);
    expect(await chip.getPublicKey(0)).toEqual(publicKey);
  });

  it('in the wake token: the driver idles the chip and wakes it again', async () => {
    const { wire, chip } = wired();
    wire.corruptReads(1, 4);
    expect(await chip.info()).toEqual(Buffer.of(0x00, 0x00, 0x60, 0x02));
    expect(wire.injected).toBe(1);
  });

  it('surfaces as response_crc or communication_error when retries are exhausted', async () => {
    const { wire, chip } = wired({ retries: 0 });
    wire.corruptReads(1);
    expect(await codeOf(chip.info())).toBe('response_crc');
    wire.corruptCommands(1);
    expect(await codeOf(chip.info())).toBe('communication_error');
    expect(await chip.info()).toEqual(Buffer.of(0x00, 0x00, 0x60, 0x02));
  });
});
