/**
 * `keyForSimulatedTls`: the emulator's stand-in for an OpenSSL engine. The key it gives is the slot's key
 * (the chip's public key verifies its signatures, and the chip's signatures verify under it), it exists only
 * for private P-256 slots holding a key, and no command on the I2C side reveals it.
 */
import { createHash, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_EXECUTION_MS } from './constants.js';
import { provision, virtualChip } from './testing.test-helper.js';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest();

describe('keyForSimulatedTls', () => {
  it('is the slot key: it signs what the chip public key verifies, and verifies what the chip signs', async () => {
    const { chip, emulator } = virtualChip();
    await provision(chip);
    const key = emulator.keyForSimulatedTls(0);
    expect(key.type).toBe('private');
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');

    const message = Buffer.from('a TLS 1.3 CertificateVerify, say');
    const signature = sign('sha256', message, { key, dsaEncoding: 'ieee-p1363' });
    const chipKey = await chip.publicKey(0);
    expect(verify('sha256', message, { key: chipKey, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
    expect(await chip.verifyDigest(sha256(message), signature, await chip.getPublicKey(0))).toBe(true);

    const chipSignature = await chip.signDigest(0, sha256(message));
    const derived = createPublicKey(key);
    expect(verify('sha256', message, { key: derived, dsaEncoding: 'ieee-p1363' }, chipSignature)).toBe(true);
  });

  it('follows a rotated key (GenKey on a spare slot)', async () => {
    const { chip, emulator } = virtualChip();
    await provision(chip);
    const before = emulator.keyForSimulatedTls(0).export({ format: 'jwk' }).d;
    await chip.genKey(1);
    const rotated = emulator.keyForSimulatedTls(1);
    expect(rotated.export({ format: 'jwk' }).d).not.toBe(before);
    const spki = (k: KeyObject) =>
      (k.type === 'private' ? createPublicKey(k) : k).export({ type: 'spki', format: 'der' }).toString('hex');
    expect(spki(rotated)).toBe(spki(await chip.publicKey(1)));
  });

  it('refuses slots without a P-256 private key, and private slots never given one', async () => {
    const { chip, emulator } = virtualChip();
    expect(() => emulator.keyForSimulatedTls(0)).toThrow(/holds no key/);
    await provision(chip);
    expect(() => emulator.keyForSimulatedTls(5)).toThrow(/does not hold a P-256 private key/);
    expect(() => emulator.keyForSimulatedTls(2)).toThrow(/holds no key/);
    expect(() => emulator.keyForSimulatedTls(16)).toThrow(RangeError);
    expect(() => emulator.keyForSimulatedTls(-1)).toThrow(RangeError);
  });

  it('is out of reach of every command on the wire: no response to any opcode and mode carries it', async () => {
    const { chip, emulator } = virtualChip();
    await provision(chip);
    const d = Buffer.from(emulator.keyForSimulatedTls(0).export({ format: 'jwk' }).d ?? '', 'base64url');
    const needle = d.subarray(0, 8).toString('hex');
    const opcodes = Object.keys(MAX_EXECUTION_MS).map(Number);
    // Slot 0's word addresses (block 0 and 1, first and last word) and zone-wide address 0.
    const addresses = [0x0000, 0x0007, 0x0100, 0x0107];
    let answered = 0;
    for (const opcode of opcodes) {
      for (let param1 = 0; param1 <= 0xff; param1++) {
        for (const param2 of addresses) {
          const response = await chip.execute(opcode, param1, param2).catch(() => undefined);
          if (!response) continue;
          answered += 1;
          expect(response.toString('hex')).not.toContain(needle);
        }
      }
    }
    expect(answered).toBeGreaterThan(0);
    await expect(chip.readSlot(0)).rejects.toMatchObject({ code: 'execution_error' });
    expect(emulator.faults).toEqual([]);
  });
});
