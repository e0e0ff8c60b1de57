/** Every driver command against the emulator, and how the driver maps the chip's status bytes to errors. */
import { createHash, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { I2cTransport } from '../i2c/transport.js';
import { Atecc608a } from './driver.js';
import { Atecc608aEmulator } from './emulator.js';
import { AteccError, type AteccErrorCode } from './errors.js';
import { verifyDigest } from './p256.js';
import { publicKeyFromRaw, spkiFromRaw } from './public-key.js';
import { provision, virtualChip } from './testing.test-helper.js';
import { configZoneCrc, slotSize } from './zones.js';

const SERIAL = Buffer.from('0123a1b2c3d4e5f6ee', 'hex');
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest();
const p1363 = (xy: Uint8Array) => ({ key: publicKeyFromRaw(xy), dsaEncoding: 'ieee-p1363' as const });

async function rejection(promise: Promise<unknown>): Promise<AteccError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof AteccError)) throw new Error(`expected an AteccError, got ${String(error)}`);
  return error;
}

describe('Info, Random, Nonce', () => {
  it('Info returns the 608A revision 00 00 60 02', async () => {
    const { chip } = virtualChip();
    expect(await chip.info()).toEqual(Buffer.of(0x00, 0x00, 0x60, 0x02));
  });

  it('Random returns 32 bytes: the test pattern before the config lock, fresh bytes after', async () => {
    const { chip } = virtualChip();
    expect(await chip.random()).toEqual(Buffer.from('ffff0000'.repeat(8), 'hex'));
    await chip.lockConfigZone();
    const [a, b] = [await chip.random(), await chip.random({ updateSeed: false })];
    expect(a.length).toBe(32);
    expect(a.equals(b)).toBe(false);
  });

  it('Nonce (random) returns RandOut and leaves SHA-256(RandOut || NumIn || 16 00 00) in TempKey', async () => {
    const { chip } = virtualChip();
    const publicKey = await provision(chip);
    const numIn = Buffer.alloc(20, 7);
    const randOut = await chip.nonceRandom(numIn);
    const tempKey = sha256(Buffer.concat([randOut, numIn, Buffer.of(0x16, 0x00, 0x00)]));
    // Signing TempKey proves its value: the signature only verifies over that exact digest.
    const signature = await chip.sign(0, 'tempKey');
    expect(verifyDigest(publicKey, tempKey, signature)).toBe(true);
    await chip.nonceLoad(tempKey);
    expect(await chip.verify(signature, publicKey)).toBe(true);
  });

  it('Nonce (pass-through) loads TempKey, the message digest buffer or the alternate key buffer', async () => {
    const { chip } = virtualChip();
    const publicKey = await provision(chip);
    const digest = sha256(Buffer.from('m'));
    await chip.nonceLoad(digest, 'messageDigest');
    const signature = await chip.sign(0, 'messageDigest');
    expect(verify('sha256', Buffer.from('m'), p1363(publicKey), signature)).toBe(true);
    await chip.nonceLoad(Buffer.alloc(32, 1), 'alternateKey');
    await chip.nonceLoad(Buffer.alloc(64, 2), 'tempKey');
    expect((await rejection(chip.nonceLoad(Buffer.alloc(31)))).code).toBe('invalid_argument');
    expect((await rejection(chip.nonceRandom(Buffer.alloc(32)))).code).toBe('invalid_argument');
  });
});

describe('GenKey, Sign, Verify', () => {
  it('GenKey returns X||Y of a new key; public mode gives the same key again', async () => {
    const { chip } = virtualChip();
    await chip.lockConfigZone();
    const created = await chip.genKey(0);
    expect(created.length).toBe(64);
    expect(await chip.getPublicKey(0)).toEqual(created);
    expect((await chip.publicKey(0)).asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(spkiFromRaw(created).length).toBe(91);
    expect((await chip.genKey(1)).equals(created)).toBe(false);
  });

  it('GenKey refuses before the config lock and on slots that do not hold a P-256 private key', async () => {
    const { chip } = virtualChip();
    expect((await rejection(chip.genKey(0))).code).toBe('execution_error');
    await chip.lockConfigZone();
    expect((await rejection(chip.genKey(5))).code).toBe('execution_error');
    expect((await rejection(chip.getPublicKey(8))).code).toBe('execution_error');
    expect((await rejection(chip.genKey(16))).code).toBe('invalid_argument');
  });

  it('Sign (external) signs a digest that node:crypto verifies; Verify (external) checks it on the chip', async () => {
    const { chip } = virtualChip();
    const publicKey = await provision(chip);
    const message = Buffer.from('{"temperature":4.2}');
    const signature = await chip.signDigest(0, sha256(message));
    expect(verify('sha256', message, p1363(publicKey), signature)).toBe(true);
    expect(await chip.verifyDigest(sha256(message), signature, publicKey)).toBe(true);
    expect(await chip.verifyDigest(sha256(Buffer.from('tampered')), signature, publicKey)).toBe(false);
    expect(await chip.verifyDigest(sha256(message), signature, await chip.genKey(1))).toBe(false);
  });

  it('Sign refuses without a loaded message and with a key that was never generated', async () => {
    const { chip, emulator } = virtualChip();
    await provision(chip);
    emulator.powerCycle();
    expect((await rejection(chip.sign(0))).code).toBe('execution_error');
    await chip.nonceLoad(Buffer.alloc(32, 9));
    expect((await rejection(chip.sign(2))).code).toBe('ecc_fault');
    expect((await rejection(chip.signDigest(0, Buffer.alloc(31)))).code).toBe('invalid_argument');
  });
});

describe('Read, Write, Lock', () => {
  it('reads and writes the configuration zone in words and blocks until it is locked', async () => {
    const { chip } = virtualChip({ serialNumber: SERIAL });
    const config = await chip.readConfigZone();
    expect(config.length).toBe(128);
    expect(await chip.readSerialNumber()).toEqual(SERIAL);
    config.writeUInt8(0x04, 19); // ChipMode: long watchdog
    config.fill(0xa5, 92, 96); // X509format
    await chip.writeConfigZone(config);
    expect(await chip.readConfigZone()).toEqual(config);
    expect(await chip.read({ zone: 'config', block: 0, offset: 4 }, 4)).toEqual(config.subarray(16, 20));
    expect((await rejection(chip.write({ zone: 'config', block: 0 }, Buffer.alloc(32)))).code).toBe(
      'execution_error',
    );
  });

  it('locks the config zone only with the right summary CRC, and only once', async () => {
    const { chip } = virtualChip();
    const config = await chip.readConfigZone();
    const crc = configZoneCrc(config);
    expect((await rejection(chip.lockConfigZone({ summaryCrc: crc ^ 1 }))).code).toBe('execution_error');
    expect(await chip.isLocked('config')).toBe(false);
    await chip.lockConfigZone({ summaryCrc: crc });
    expect(await chip.isLocked('config')).toBe(true);
    expect((await chip.readConfigZone()).readUInt8(87)).toBe(0x00);
    expect(await rejection(chip.lockConfigZone())).toMatchObject({ code: 'execution_error', status: 0x0f });
    expect((await rejection(chip.lockConfigZone({ summaryCrc: 0x10000 }))).code).toBe('invalid_argument');
  });

  it('writes OTP and slots before the data lock, reads them only after it', async () => {
    const { chip } = virtualChip();
    await chip.lockConfigZone();
    const otp = Buffer.alloc(32, 0x0e);
    await chip.write({ zone: 'otp', block: 1 }, otp);
    const certificate = Buffer.alloc(slotSize(8), 0).fill(0xc8, 0, 400);
    await chip.writeSlot(8, certificate);
    await chip.writeSlot(9, Buffer.alloc(72, 0x09));
    expect((await rejection(chip.readSlot(8))).code).toBe('execution_error');
    await chip.lockDataZone();
    expect(await chip.isLocked('data')).toBe(true);
    expect(await chip.read({ zone: 'otp', block: 1 }, 32)).toEqual(otp);
    expect(await chip.readSlot(8)).toEqual(certificate);
    expect(await chip.readSlot(9)).toEqual(Buffer.alloc(72, 0x09));
    expect(await chip.read({ zone: 'data', slot: 9, block: 2, offset: 1 }, 4)).toEqual(Buffer.alloc(4, 0x09));
    await chip.write({ zone: 'data', slot: 9, block: 2, offset: 1 }, Buffer.of(1, 2, 3, 4));
    expect((await chip.readSlot(9)).subarray(68)).toEqual(Buffer.of(1, 2, 3, 4));
  });

  it('locks a lockable slot once the data zone is locked', async () => {
    const { chip } = virtualChip();
    await chip.lockConfigZone();
    expect((await rejection(chip.lockSlot(9))).code).toBe('execution_error');
    await chip.lockDataZone();
    await chip.lockSlot(9);
    expect((await chip.readConfigZone()).readUInt16LE(88)).toBe(0xffff & ~(1 << 9));
    expect((await rejection(chip.lockSlot(9))).code).toBe('execution_error');
  });

  it('refuses arguments it cannot encode before touching the bus', async () => {
    const { chip } = virtualChip();
    expect((await rejection(chip.read({ zone: 'data', slot: 0, block: 2 }, 4))).code).toBe(
      'invalid_argument',
    );
    expect((await rejection(chip.write({ zone: 'otp', block: 0 }, Buffer.alloc(8)))).code).toBe(
      'invalid_argument',
    );
    expect((await rejection(chip.writeSlot(5, Buffer.alloc(40)))).code).toBe('invalid_argument');
    expect((await rejection(chip.writeConfigZone(Buffer.alloc(64)))).code).toBe('invalid_argument');
  });
});

describe('status bytes and timing', () => {
  const cases: [number, AteccErrorCode][] = [
    [0x01, 'verify_miscompare'],
    [0x03, 'parse_error'],
    [0x05, 'ecc_fault'],
    [0x07, 'self_test_error'],
    [0x08, 'health_test_error'],
    [0x0f, 'execution_error'],
    [0x42, 'unknown_status'],
  ];
  it.each(cases)('maps status 0x%s to a typed error', async (status, code) => {
    const { chip, emulator } = virtualChip();
    emulator.failNextCommands(status);
    expect(await rejection(chip.info())).toMatchObject({ code, status, opcode: 0x30 });
  });

  it.each([
    [0xff, 'communication_error'],
    [0xee, 'watchdog_about_to_expire'],
    [0x11, 'after_wake'],
  ] as const)(
    'sends the command again after status 0x%s, and reports %s when it persists',
    async (status, code) => {
      const { chip, emulator } = virtualChip({ retries: 2 });
      emulator.failNextCommands(status, status);
      expect(await chip.info()).toEqual(Buffer.of(0x00, 0x00, 0x60, 0x02));
      emulator.failNextCommands(status, status, status);
      expect((await rejection(chip.info())).code).toBe(code);
    },
  );

  it('restarts the watchdog (idle, wake) when the chip answers 0xEE because the host stalled after waking it', async () => {
    const { emulator, clock } = virtualChip();
    let stalled = false;
    const slowHost: I2cTransport = {
      wakePulse: () => emulator.wakePulse(),
      write: (address, bytes) => emulator.write(address, bytes),
      read: async (address, length) => {
        const answer = await emulator.read(address, length);
        if (!stalled && answer.ack && length === 4) {
          stalled = true;
          clock.advance(1250); // 50 ms left before the watchdog: not enough for Sign's 115 ms
        }
        return answer;
      },
    };
    const chip = new Atecc608a(slowHost, { delay: clock.sleep });
    await provision(chip);
    await chip.nonceLoad(Buffer.alloc(32, 3));
    stalled = false;
    expect((await chip.sign(0)).length).toBe(64);
    expect(stalled).toBe(true);
  });

  it('gives up polling after the maximum execution time', async () => {
    const { chip } = virtualChip({ busyFraction: 1.5 });
    expect((await rejection(chip.random())).code).toBe('response_timeout');
  });

  it('reports wake_failed when nothing answers on the address', async () => {
    const { emulator, clock } = virtualChip();
    const chip = new Atecc608a(emulator, { address: 0x35, delay: clock.sleep, retries: 1 });
    expect((await rejection(chip.info())).code).toBe('wake_failed');
  });

  it('reports no_response when the chip wakes but never takes the command', async () => {
    const { emulator, clock } = virtualChip();
    const deaf: I2cTransport = {
      wakePulse: () => emulator.wakePulse(),
      read: (address, length) => emulator.read(address, length),
      write: async (address, bytes) => (bytes[0] === 0x03 ? 'nack' : emulator.write(address, bytes)),
    };
    const chip = new Atecc608a(deaf, { delay: clock.sleep, retries: 1 });
    expect((await rejection(chip.info())).code).toBe('no_response');
  });

  it('works in real time with the default clock and delay', async () => {
    const chip = new Atecc608a(new Atecc608aEmulator());
    expect(await chip.info()).toEqual(Buffer.of(0x00, 0x00, 0x60, 0x02));
    expect((await chip.random()).length).toBe(32);
  });
});
