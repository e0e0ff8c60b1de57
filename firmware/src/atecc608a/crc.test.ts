/**
 * The protocol CRC against vectors checked with a direct port of CryptoAuthLib's `atCRC` (see README.md),
 * and against an independent formulation of the same CRC for arbitrary data.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { atCrc, crcBytes, hasValidCrc, withCrc } from './crc.js';
import { encodeCommand } from './packet.js';

const hex = (text: string) => Buffer.from(text.replaceAll(' ', ''), 'hex');

/** Same CRC, computed the textbook way: bit-reverse each input byte, then MSB-first CRC-16/0x8005, init 0. */
function reference(data: Uint8Array): number {
  let crc = 0;
  for (const byte of data) {
    let reflected = 0;
    for (let bit = 0; bit < 8; bit++) reflected |= ((byte >> bit) & 1) << (7 - bit);
    crc ^= reflected << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x8005) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

describe('atCRC', () => {
  it('gives 03 5D for the Info command packet 07 30 00 00 00', () => {
    expect(crcBytes(hex('07 30 00 00 00'))).toEqual(hex('03 5d'));
    expect(encodeCommand({ opcode: 0x30, param1: 0, param2: 0, data: Buffer.alloc(0) })).toEqual(
      hex('07 30 00 00 00 03 5d'),
    );
  });

  it('gives the CRCs of the wake response (04 11 → 33 43) and of a success status (04 00 → 03 40)', () => {
    expect(withCrc(hex('04 11'))).toEqual(hex('04 11 33 43'));
    expect(withCrc(hex('04 00'))).toEqual(hex('04 00 03 40'));
    expect(atCrc(new Uint8Array())).toBe(0);
  });

  it('matches an independent formulation of the same CRC for any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (data) => atCrc(data) === reference(data)));
  });

  it('detects every single-bit error in a framed packet', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 150 }), fc.nat(), (data, seed) => {
        const frame = withCrc(data);
        expect(hasValidCrc(frame)).toBe(true);
        const bit = seed % (frame.length * 8);
        frame.writeUInt8(frame.readUInt8(bit >> 3) ^ (1 << (bit & 7)), bit >> 3);
        expect(hasValidCrc(frame)).toBe(false);
      }),
    );
  });

  it('rejects frames too short to hold a CRC', () => {
    expect(hasValidCrc(hex('00 00'))).toBe(false);
  });
});
