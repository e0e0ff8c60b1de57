/** Command and response framing, and the zone addressing of Read/Write, byte for byte. */
import { describe, expect, it } from 'vitest';
import { commandFrame, decodeResponse, encodeCommand, encodeResponse, encodeStatus } from './packet.js';
import { configWriteChunks, slotChunks, slotSize, zoneAddress } from './zones.js';

const hex = (text: string) => Buffer.from(text.replaceAll(' ', ''), 'hex');

describe('command packets', () => {
  it('puts count, opcode, param1, param2 little-endian, data and CRC in order, after word address 03', () => {
    const frame = commandFrame({ opcode: 0x02, param1: 0x80, param2: 0x0c40, data: Buffer.alloc(0) });
    expect(frame.subarray(0, 6)).toEqual(hex('03 07 02 80 40 0c'));
    expect(frame.length).toBe(8);
    const withData = encodeCommand({ opcode: 0x16, param1: 0x03, param2: 0, data: Buffer.alloc(32, 0xab) });
    expect(withData.readUInt8(0)).toBe(39);
    expect(withData.subarray(5, 37)).toEqual(Buffer.alloc(32, 0xab));
  });

  it('refuses parameters that do not fit their fields', () => {
    expect(() => encodeCommand({ opcode: 0x100, param1: 0, param2: 0, data: Buffer.alloc(0) })).toThrow(
      RangeError,
    );
    expect(() => encodeCommand({ opcode: 1, param1: 0, param2: 0x10000, data: Buffer.alloc(0) })).toThrow(
      RangeError,
    );
    expect(() => encodeCommand({ opcode: 1, param1: 0, param2: 0, data: Buffer.alloc(249) })).toThrow(
      RangeError,
    );
  });
});

describe('response packets', () => {
  it('reads a 4-byte packet as a status and longer ones as data', () => {
    expect(decodeResponse(hex('04 00 03 40'))).toEqual({ kind: 'status', status: 0 });
    expect(decodeResponse(encodeStatus(0x0f))).toEqual({ kind: 'status', status: 0x0f });
    expect(decodeResponse(encodeResponse(hex('00 00 60 02')))).toEqual({
      kind: 'data',
      data: hex('00 00 60 02'),
    });
  });

  it('rejects a bad CRC, a count that is not the length, and impossible lengths', () => {
    expect(decodeResponse(hex('04 00 03 41'))).toBeUndefined();
    expect(decodeResponse(hex('05 00 03 40'))).toBeUndefined();
    expect(decodeResponse(hex('03 00 03'))).toBeUndefined();
    expect(decodeResponse(Buffer.alloc(76, 76))).toBeUndefined();
  });
});

describe('zone addresses (CryptoAuthLib calib_get_addr)', () => {
  it('encodes config and OTP as block << 3 | word', () => {
    expect(zoneAddress({ zone: 'config', block: 2, offset: 5 })).toBe(0x15);
    expect(zoneAddress({ zone: 'otp', block: 1, offset: 7 })).toBe(0x0f);
  });

  it('encodes data as block << 8 | slot << 3 | word', () => {
    expect(zoneAddress({ zone: 'data', slot: 8, block: 12 })).toBe(0x0c40);
    expect(zoneAddress({ zone: 'data', slot: 15, block: 2, offset: 1 })).toBe(0x0279);
  });

  it('refuses blocks past the zone or slot', () => {
    expect(() => zoneAddress({ zone: 'config', block: 4 })).toThrow(RangeError);
    expect(() => zoneAddress({ zone: 'data', slot: 0, block: 2 })).toThrow(RangeError);
    expect(() => zoneAddress({ zone: 'data', slot: 16, block: 0 })).toThrow(RangeError);
    expect(() => zoneAddress({ zone: 'otp', block: 0, offset: 8 })).toThrow(RangeError);
  });

  it('knows the slot sizes: 36 bytes for 0–7, 416 for 8, 72 for 9–15', () => {
    expect([0, 7, 8, 9, 15].map(slotSize)).toEqual([36, 36, 416, 72, 72]);
  });
});

describe('multi-access transfers', () => {
  it('covers a slot with 32-byte blocks, then 4-byte words', () => {
    const sizes = (slot: number) =>
      slotChunks(slot, slotSize(slot)).map(({ start, size }) => `${start}+${size}`);
    expect(sizes(0)).toEqual(['0+32', '32+4']);
    expect(sizes(9)).toEqual(['0+32', '32+32', '64+4', '68+4']);
    expect(slotChunks(8, 416)).toHaveLength(13);
    expect(slotChunks(9, 72)[3]?.location).toEqual({ zone: 'data', slot: 9, block: 2, offset: 1 });
  });

  it('writes config bytes 16–83 and 88–127, never 0–15 or 84–87', () => {
    const written = new Set<number>();
    for (const { start, size } of configWriteChunks())
      for (let i = start; i < start + size; i++) written.add(i);
    const expected = [
      ...Array.from({ length: 68 }, (_, i) => 16 + i),
      ...Array.from({ length: 40 }, (_, i) => 88 + i),
    ];
    expect([...written].sort((a, b) => a - b)).toEqual(expected);
    expect(
      configWriteChunks()
        .filter(({ size }) => size === 32)
        .map(({ start }) => start),
    ).toEqual([32, 96]);
  });
});
