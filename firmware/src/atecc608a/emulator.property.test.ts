/**
 * Property tests: whatever bytes reach the emulator's command word address, it never throws and always
 * answers a well-formed response (count, status or data, valid CRC) or NACKs; no response ever carries a
 * private key; and any message signed by the chip verifies, on the chip and with node:crypto.
 */
import { createHash, verify } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_EXECUTION_MS, RESPONSE_MAX_BYTES } from './constants.js';
import { hasValidCrc } from './crc.js';
import type { Atecc608aEmulator } from './emulator.js';
import { publicKeyOf, randomScalar } from './p256.js';
import { encodeCommand } from './packet.js';
import { publicKeyFromRaw } from './public-key.js';
import { provision, type VirtualClock, virtualChip } from './testing.test-helper.js';

const STATUSES = new Set([0x00, 0x01, 0x03, 0x05, 0x07, 0x08, 0x0f, 0xee, 0xff]);
const KNOWN_OPCODES = Object.keys(MAX_EXECUTION_MS).map(Number);

/** Wakes the chip afresh (idle first), sends one frame to word address 0x03, and collects the answer. */
function exchange(emulator: Atecc608aEmulator, clock: VirtualClock, body: Uint8Array): Buffer | 'nack' {
  const address = emulator.address;
  emulator.writeSync(address, Buffer.of(0x02));
  emulator.wakePulseSync();
  clock.advance(1.5);
  emulator.readSync(address, 4);
  expect(emulator.writeSync(address, Buffer.concat([Buffer.of(0x03), body]))).toBe('ack');
  clock.advance(300); // longer than any command's busy time
  if (emulator.writeSync(address, Buffer.of(0x00)) === 'nack') return 'nack';
  const answer = emulator.readSync(address, RESPONSE_MAX_BYTES);
  return answer.ack ? Buffer.from(answer.bytes) : 'nack';
}

function expectWellFormed(answer: Buffer | 'nack'): void {
  if (answer === 'nack') return;
  const count = answer.readUInt8(0);
  expect(count).toBeGreaterThanOrEqual(4);
  expect(count).toBeLessThanOrEqual(RESPONSE_MAX_BYTES);
  expect(hasValidCrc(answer.subarray(0, count))).toBe(true);
  if (count === 4) expect(STATUSES.has(answer.readUInt8(1))).toBe(true);
}

/** Framed commands (valid count and CRC) with known or random opcodes, so that handlers get exercised. */
const framedCommand = fc
  .record({
    opcode: fc.oneof(fc.constantFrom(...KNOWN_OPCODES), fc.integer({ min: 0, max: 0xff })),
    param1: fc.oneof(fc.constantFrom(0x00, 0x02, 0x03, 0x04, 0x80, 0x82, 0x83, 0x43, 0xa0), fc.nat(0xff)),
    param2: fc.oneof(fc.constantFrom(0x0000, 0x0004, 0x0008, 0x0015, 0x0100, 0x0c40), fc.nat(0xffff)),
    data: fc.oneof(
      fc.constantFrom(0, 4, 20, 32, 36, 64, 128).map((length) => Buffer.alloc(length, 0x5a)),
      fc.uint8Array({ maxLength: 144 }),
    ),
  })
  .map((command) => encodeCommand(command));

const anyBytes = fc.uint8Array({ maxLength: 200 });

async function states() {
  const fresh = virtualChip();
  const configLocked = virtualChip();
  await configLocked.chip.lockConfigZone();
  const provisioned = virtualChip();
  await provision(provisioned.chip);
  return { fresh, configLocked, provisioned };
}

describe('the emulator under arbitrary input', () => {
  it('never throws and answers a well-formed packet or a NACK, in every lock state', async () => {
    for (const { emulator, clock } of Object.values(await states())) {
      fc.assert(
        fc.property(fc.oneof(anyBytes, framedCommand), (body) => {
          expectWellFormed(exchange(emulator, clock, body));
        }),
        { numRuns: 300 },
      );
      expect(emulator.faults).toEqual([]);
    }
  });

  it('never puts a private key in a response', async () => {
    const { chip, emulator, clock } = virtualChip();
    await chip.lockConfigZone();
    // A key of known value, written in clear before the data lock (allowed then), so we can look for it.
    const d = randomScalar();
    await chip.writeSlot(1, Buffer.concat([Buffer.alloc(4), d]));
    expect(await chip.getPublicKey(1)).toEqual(publicKeyOf(d));
    await chip.lockDataZone();
    const hex = d.toString('hex');
    fc.assert(
      fc.property(framedCommand, (body) => {
        const answer = exchange(emulator, clock, body);
        if (answer !== 'nack') expect(answer.toString('hex')).not.toContain(hex.slice(0, 16));
      }),
      { numRuns: 500 },
    );
    for (let block = 0; block < 2; block++) {
      const read = encodeCommand({
        opcode: 0x02,
        param1: 0x82,
        param2: (block << 8) | (1 << 3),
        data: Buffer.alloc(0),
      });
      expect(exchange(emulator, clock, read)?.toString('hex')).not.toContain(hex.slice(0, 16));
    }
  });
});

describe('signatures', () => {
  it('round-trip for arbitrary messages: node:crypto and the chip accept them, and refuse other messages', async () => {
    const { chip } = virtualChip();
    const publicKey = await provision(chip);
    const key = publicKeyFromRaw(publicKey);
    const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest();
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 500 }),
        fc.uint8Array({ minLength: 1, maxLength: 8 }),
        async (message, suffix) => {
          const signature = await chip.signDigest(0, sha256(message));
          expect(verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
          expect(await chip.verifyDigest(sha256(message), signature, publicKey)).toBe(true);
          const other = Buffer.concat([message, suffix]);
          expect(await chip.verifyDigest(sha256(other), signature, publicKey)).toBe(false);
        },
      ),
      { numRuns: 40 },
    );
  });
});
