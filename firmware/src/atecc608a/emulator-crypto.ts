/**
 * The emulator's RNG and key commands: Info, Random, Nonce, GenKey, Sign and Verify, with parameter
 * checks after CryptoAuthLib's mode masks (a reserved bit set is a parse error) and the datasheet's
 * preconditions (an unmet one is an execution error). Modes the emulator does not implement (GenKey
 * digests, internal Sign, stored/validate Verify, Nonce into TempKey by calculation, Info other than
 * Revision) answer a parse error; README.md lists them.
 */
import { createHash } from 'node:crypto';
import {
  type ChipState,
  eccFault,
  executionError,
  miscompare,
  type Outcome,
  parseError,
  success,
  type VolatileTarget,
} from './emulator-state.js';
import { isValidPrivateKey, publicKeyOf, randomScalar, signDigest, verifyDigest } from './p256.js';
import type { Command } from './packet.js';
import { KEY_TYPE_P256 } from './zones.js';

export function info(state: ChipState, command: Command): Outcome {
  if (command.data.length !== 0 || command.param1 !== 0x00 || command.param2 !== 0) return parseError;
  return { data: Buffer.from(state.config.subarray(4, 8)) };
}

export function random(state: ChipState, command: Command): Outcome {
  // Mode 0 updates the EEPROM seed first, mode 1 does not; the emulator's RNG has no seed to update.
  if (command.data.length !== 0 || command.param1 > 0x01 || command.param2 !== 0) return parseError;
  return { data: state.random(32) };
}

const NONCE_TARGETS: Readonly<Record<number, VolatileTarget>> = {
  0: 'tempKey',
  64: 'messageDigest',
  128: 'alternateKey',
};

export function nonce(state: ChipState, command: Command): Outcome {
  const { param1: mode, param2, data } = command;
  const calculation = mode & 0x03;
  const target = NONCE_TARGETS[mode & 0xc0];
  if (calculation === 0x02 || mode & 0x1c || target === undefined || param2 !== 0) return parseError;
  if (calculation === 0x03) {
    if (data.length !== (mode & 0x20 ? 64 : 32)) return parseError;
    state.volatile[target] = { value: Buffer.from(data), source: 'input' };
    return success;
  }
  // Random nonce: TempKey = SHA-256(RandOut || NumIn || opcode || mode || LSB of param2); RandOut goes back.
  if (data.length !== 20 || mode & 0x20 || target !== 'tempKey') return parseError;
  const randOut = state.random(32);
  const value = createHash('sha256')
    .update(randOut)
    .update(data)
    .update(Buffer.of(command.opcode, mode, param2 & 0xff))
    .digest();
  state.volatile.tempKey = { value, source: 'random' };
  return { data: randOut };
}

/** Where the emulator keeps a private key in its slot: four zero pad bytes, then the 32-byte scalar. */
export const privateKeyIn = (state: ChipState, slot: number): Buffer =>
  (state.slots[slot] ?? Buffer.alloc(36)).subarray(4, 36);

export function isP256PrivateSlot(state: ChipState, slot: number): boolean {
  const keyConfig = state.keyConfig(slot);
  return keyConfig.private && keyConfig.keyType === KEY_TYPE_P256;
}

export function genKey(state: ChipState, command: Command): Outcome {
  const { param1: mode, param2: slot } = command;
  if (mode & ~0x1c || mode & 0x18 || command.data.length !== 0 || slot > 15) return parseError;
  if (!state.configLocked || !isP256PrivateSlot(state, slot)) return executionError;
  if (mode === 0x00) {
    const d = privateKeyIn(state, slot);
    return isValidPrivateKey(d) ? { data: publicKeyOf(d) } : eccFault;
  }
  const keyConfig = state.keyConfig(slot);
  // ReqRandom / ReqAuth need a random nonce or an authorization the emulator cannot give.
  if (keyConfig.reqRandom || keyConfig.reqAuth) return executionError;
  if (state.dataLocked) {
    const genKeyEnabled = (state.slotConfig(slot).writeConfig & 0b0010) !== 0;
    if (!genKeyEnabled || state.slotLocked(slot)) return executionError;
  }
  const d = randomScalar();
  const stored = state.slots[slot];
  stored?.fill(0, 0, 4);
  stored?.set(d, 4);
  return { data: publicKeyOf(d) };
}

/** The 32-byte message a Sign or Verify takes: TempKey (mode bit 5 clear) or the message digest buffer. */
function messageFor(state: ChipState, mode: number): Buffer | undefined {
  const source = mode & 0x20 ? state.volatile.messageDigest : state.volatile.tempKey;
  return source && source.value.length >= 32 ? source.value.subarray(0, 32) : undefined;
}

export function sign(state: ChipState, command: Command): Outcome {
  const { param1: mode, param2: slot } = command;
  if (mode & ~0xe1 || command.data.length !== 0 || slot > 15) return parseError;
  // Internal signing signs a message built by GenDig/GenKey in TempKey; without GenDig TempKey never
  // qualifies, which the chip reports as an execution error.
  if (!(mode & 0x80)) return executionError;
  if (!state.configLocked || !isP256PrivateSlot(state, slot)) return executionError;
  if ((state.slotConfig(slot).readKey & 0x01) === 0) return executionError;
  const message = messageFor(state, mode);
  if (!message) return executionError;
  const d = privateKeyIn(state, slot);
  return isValidPrivateKey(d) ? { data: signDigest(d, message) } : eccFault;
}

export function verify(state: ChipState, command: Command): Outcome {
  const { param1: mode, param2, data } = command;
  if (mode & 0x58 || ![0, 1, 2, 3, 7].includes(mode & 0x07)) return parseError;
  // Only External (mode 2) is emulated, and without the 608's MAC output (bit 7).
  if ((mode & 0x07) !== 0x02 || mode & 0x80) return parseError;
  if (param2 !== KEY_TYPE_P256 || data.length !== 128) return parseError;
  const message = messageFor(state, mode);
  if (!message) return executionError;
  return verifyDigest(data.subarray(64), message, data.subarray(0, 64)) ? success : miscompare;
}
