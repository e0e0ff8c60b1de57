import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { tlsKeyOptions } from './tls-key.js';

describe('tlsKeyOptions', () => {
  it('names the engine and key for OpenSSL on hardware, and never a key', () => {
    expect(tlsKeyOptions({ kind: 'engine', engine: 'ateccx08', keyId: 'slot-0' })).toEqual({
      privateKeyEngine: 'ateccx08',
      privateKeyIdentifier: 'slot-0',
    });
  });

  it('hands TLS the simulated key as PKCS#8 PEM', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const { key } = tlsKeyOptions({ kind: 'simulated', key: privateKey });
    expect(typeof key).toBe('string');
    expect(createPrivateKey(key as string).equals(privateKey)).toBe(true);
  });

  it('refuses a public key', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => tlsKeyOptions({ kind: 'simulated', key: publicKey })).toThrow(TypeError);
  });
});
