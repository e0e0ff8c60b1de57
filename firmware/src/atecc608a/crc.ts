/**
 * The CRC-16 of the ATECC608A I/O protocol, bit for bit CryptoAuthLib's `atCRC`: polynomial 0x8005, initial
 * value 0, data bits fed least significant first (reflected input), the register neither reflected nor
 * inverted at the end, and sent little-endian. It covers a packet from the count byte to the last data
 * byte; the same function gives the summary CRCs that Lock checks over whole zones.
 */

const POLYNOMIAL = 0x8005;

/** The CRC register after `data`, as a 16-bit number (CryptoAuthLib's `crc_le[0] | crc_le[1] << 8`). */
export function atCrc(data: Uint8Array): number {
  let register = 0;
  for (const byte of data) {
    for (let mask = 0x01; mask <= 0x80; mask <<= 1) {
      const dataBit = (byte & mask) !== 0 ? 1 : 0;
      const crcBit = register >> 15;
      register = (register << 1) & 0xffff;
      if (dataBit !== crcBit) register ^= POLYNOMIAL;
    }
  }
  return register;
}

/** The two CRC bytes as they travel on the wire (little-endian). */
export function crcBytes(data: Uint8Array): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16LE(atCrc(data));
  return out;
}

/** `frame` followed by its CRC. */
export function withCrc(frame: Uint8Array): Buffer {
  return Buffer.concat([frame, crcBytes(frame)]);
}

/** Whether the last two bytes of `frame` are the CRC of the bytes before them. */
export function hasValidCrc(frame: Uint8Array): boolean {
  if (frame.length < 3) return false;
  const body = frame.subarray(0, frame.length - 2);
  const sent = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).readUInt16LE(frame.length - 2);
  return atCrc(body) === sent;
}
