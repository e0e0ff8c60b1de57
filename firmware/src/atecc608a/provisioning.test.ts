/**
 * The provisioning path of a device, end to end through the driver and the emulator: configuration locked
 * against its CRC, key generated inside the chip, data zone locked against its CRC, a signature that
 * node:crypto verifies; then what a locked device must refuse: reading a private key, writing locked zones.
 */
import { createHash, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Atecc608a } from './driver.js';
import { AteccError } from './errors.js';
import { publicKeyFromRaw } from './public-key.js';
import { provision, virtualChip } from './testing.test-helper.js';
import { configZoneCrc, dataZoneCrc, OTP_SIZE, SLOT_COUNT, slotSize } from './zones.js';

const SERIAL = Buffer.from('0123a1b2c3d4e5f6ee', 'hex');

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return error instanceof AteccError ? error.code : `no AteccError: ${String(error)}`;
}

/** Every address of a slot, in 4-byte words and in 32-byte blocks. */
async function everyReadOf(chip: Atecc608a, slot: number): Promise<string[]> {
  const codes: string[] = [];
  for (let block = 0; block * 32 < slotSize(slot); block++) {
    if ((block + 1) * 32 <= slotSize(slot))
      codes.push(await codeOf(chip.read({ zone: 'data', slot, block }, 32)));
    for (let offset = 0; offset < 8 && block * 32 + offset * 4 < slotSize(slot); offset++) {
      codes.push(await codeOf(chip.read({ zone: 'data', slot, block, offset }, 4)));
    }
  }
  return codes;
}

describe('provisioning a device', () => {
  it('locks config, generates the slot 0 key, locks data, and signs a SHA-256 digest node:crypto accepts', async () => {
    const { chip } = virtualChip({ serialNumber: SERIAL });
    expect(await chip.readSerialNumber()).toEqual(SERIAL);

    const config = await chip.readConfigZone();
    await chip.lockConfigZone({ summaryCrc: configZoneCrc(config) });
    const publicKey = await chip.genKey(0);

    // Data the device carries: a certificate placeholder in slot 8, an identifier in OTP. The data zone CRC
    // covers every slot that is not a private key, so the host computes it over what it wrote (zeros elsewhere).
    const slots = Array.from({ length: SLOT_COUNT }, (_, slot) => Buffer.alloc(slotSize(slot)));
    slots[8]?.fill(0x30, 0, 256);
    const otp = Buffer.alloc(OTP_SIZE).fill(0x42, 0, 32);
    await chip.writeSlot(8, slots[8] ?? Buffer.alloc(0));
    await chip.write({ zone: 'otp', block: 0 }, otp.subarray(0, 32));
    const dataCrc = dataZoneCrc(config, slots, otp);
    expect(await codeOf(chip.lockDataZone({ summaryCrc: dataCrc ^ 0x8000 }))).toBe('execution_error');
    await chip.lockDataZone({ summaryCrc: dataCrc });
    expect([await chip.isLocked('config'), await chip.isLocked('data')]).toEqual([true, true]);

    const message = Buffer.from('{"device":"gw-1","t":"2025-01-01T00:00:00Z","temperature":4.2}');
    const digest = createHash('sha256').update(message).digest();
    const signature = await chip.signDigest(0, digest);
    const key = publicKeyFromRaw(publicKey);
    expect(verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
    expect(verify('sha256', Buffer.from('other'), { key, dsaEncoding: 'ieee-p1363' }, signature)).toBe(false);
    expect((await chip.publicKey(0)).equals(key)).toBe(true);
    expect(await chip.readSlot(8)).toEqual(slots[8]);
  });

  it('never lets a private key be read, before or after the data lock', async () => {
    const { chip } = virtualChip();
    await chip.lockConfigZone();
    await chip.genKey(0);
    for (const code of await everyReadOf(chip, 0)) expect(code).toBe('execution_error');
    await chip.lockDataZone();
    for (const slot of [0, 1, 2, 3, 4]) {
      for (const code of await everyReadOf(chip, slot)) expect(code).toBe('execution_error');
    }
    // A data slot next to them is readable: the refusal is about the key, not the zone.
    expect((await everyReadOf(chip, 5)).every((code) => code.startsWith('no AteccError'))).toBe(true);
  });

  it('refuses writes to the locked config zone, the locked OTP zone, write-never and locked slots, and keys', async () => {
    const { chip } = virtualChip();
    await provision(chip);
    const word = Buffer.of(1, 2, 3, 4);
    expect(await codeOf(chip.write({ zone: 'config', block: 1, offset: 0 }, word))).toBe('execution_error');
    expect(await codeOf(chip.write({ zone: 'otp', block: 0 }, Buffer.alloc(32)))).toBe('execution_error');
    expect(await codeOf(chip.writeSlot(10, Buffer.alloc(72, 1)))).toBe('execution_error'); // WriteConfig never
    expect(await codeOf(chip.writeSlot(0, Buffer.alloc(36, 1)))).toBe('execution_error'); // a private key
    await chip.writeSlot(9, Buffer.alloc(72, 9)); // WriteConfig always: allowed
    await chip.lockSlot(9);
    expect(await codeOf(chip.writeSlot(9, Buffer.alloc(72, 1)))).toBe('execution_error');
    expect(await chip.readSlot(9)).toEqual(Buffer.alloc(72, 9));
    expect((await chip.readConfigZone()).subarray(32, 36)).not.toEqual(word);
  });

  it('keeps the identity key fixed after the data lock but lets spare slots take a new key (rotation)', async () => {
    const { chip } = virtualChip();
    const identity = await provision(chip);
    expect(await codeOf(chip.genKey(0))).toBe('execution_error');
    expect(await chip.getPublicKey(0)).toEqual(identity);
    const first = await chip.genKey(1);
    const second = await chip.genKey(1);
    expect(first.equals(second)).toBe(false);
    expect(await chip.getPublicKey(1)).toEqual(second);
  });

  it('keeps TempKey across idle but loses it to sleep and to the watchdog', async () => {
    const { chip, clock } = virtualChip();
    await provision(chip);
    await chip.nonceLoad(Buffer.alloc(32, 1));
    expect((await chip.sign(0)).length).toBe(64); // the driver idled between the two commands
    await chip.nonceLoad(Buffer.alloc(32, 1));
    await chip.wake();
    await chip.sleep();
    expect(await codeOf(chip.sign(0))).toBe('execution_error');
    await chip.nonceLoad(Buffer.alloc(32, 1));
    await chip.wake();
    clock.advance(1400);
    expect(await codeOf(chip.sign(0))).toBe('execution_error');
  });
});
