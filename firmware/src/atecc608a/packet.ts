/**
 * Framing of the ATECC608A I/O protocol, used by both sides of the wire.
 *
 * Command (host → chip), after the word address 0x03:
 *   [count][opcode][param1][param2 LSB][param2 MSB][data…][CRC LSB][CRC MSB]   count = 7 + data length
 * Response (chip → host):
 *   [count][data…][CRC LSB][CRC MSB]                                            count = 3 + data length
 * A response of count 4 carries one byte, which is a status (0x00 success, or an error); CryptoAuthLib's
 * `isATCAError` reads it the same way.
 */
import { COMMAND_MIN_BYTES, RESPONSE_MAX_BYTES, RESPONSE_MIN_BYTES, WordAddress } from './constants.js';
import { hasValidCrc, withCrc } from './crc.js';

export interface Command {
  readonly opcode: number;
  readonly param1: number;
  readonly param2: number;
  readonly data: Uint8Array;
}

/** The command packet from count to CRC (without the word address). */
export function encodeCommand(command: Command): Buffer {
  const { opcode, param1, param2, data } = command;
  if (!isByte(opcode) || !isByte(param1) || !Number.isInteger(param2) || param2 < 0 || param2 > 0xffff) {
    throw new RangeError('opcode and param1 must be bytes, param2 a 16-bit value');
  }
  const count = COMMAND_MIN_BYTES + data.length;
  if (count > 0xff) throw new RangeError('command data too long for the count byte');
  const head = Buffer.alloc(5);
  head.writeUInt8(count, 0);
  head.writeUInt8(opcode, 1);
  head.writeUInt8(param1, 2);
  head.writeUInt16LE(param2, 3);
  return withCrc(Buffer.concat([head, data]));
}

/** What goes on the wire for a command: the word address 0x03, then the packet. */
export function commandFrame(command: Command): Buffer {
  return Buffer.concat([Buffer.of(WordAddress.command), encodeCommand(command)]);
}

/** Reads a command packet whose count and CRC have already been checked. */
export function decodeCommand(packet: Buffer): Command {
  return {
    opcode: packet.readUInt8(1),
    param1: packet.readUInt8(2),
    param2: packet.readUInt16LE(3),
    data: packet.subarray(5, packet.length - 2),
  };
}

/** A response packet around `data`. */
export function encodeResponse(data: Uint8Array): Buffer {
  if (data.length === 0 || data.length + 3 > RESPONSE_MAX_BYTES) throw new RangeError('bad response length');
  return withCrc(Buffer.concat([Buffer.of(data.length + 3), data]));
}

/** A 4-byte status packet. */
export function encodeStatus(status: number): Buffer {
  return encodeResponse(Buffer.of(status));
}

export type Response =
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'data'; readonly data: Buffer };

/**
 * Reads a response packet; `undefined` when it is not well formed (count out of range or not the packet's
 * length, or a bad CRC), which on the host means "read it again".
 */
export function decodeResponse(packet: Uint8Array): Response | undefined {
  const bytes = Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength);
  if (bytes.length < RESPONSE_MIN_BYTES || bytes.length > RESPONSE_MAX_BYTES) return undefined;
  if (bytes.readUInt8(0) !== bytes.length || !hasValidCrc(bytes)) return undefined;
  if (bytes.length === RESPONSE_MIN_BYTES) return { kind: 'status', status: bytes.readUInt8(1) };
  return { kind: 'data', data: Buffer.from(bytes.subarray(1, bytes.length - 2)) };
}

function isByte(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 0xff;
}
