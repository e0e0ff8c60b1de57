/**
 * Where the TLS client key comes from. On a gateway the key is inside the ATECC608A and OpenSSL reaches it
 * through an engine (Microchip's `ateccx08` engine on CryptoAuthLib, or a PKCS#11 engine): Node passes the
 * engine and key id to OpenSSL and the chip signs the handshake. A simulated device (the emulator) has no
 * engine behind it, so it hands TLS the key itself (`Atecc608aEmulator.keyForSimulatedTls`).
 */
import type { KeyObject } from 'node:crypto';
import type { ConnectionOptions } from 'node:tls';

export type TlsKeySource =
  | { kind: 'engine'; engine: string; keyId: string }
  | { kind: 'simulated'; key: KeyObject };

export type TlsKeyOptions = Pick<ConnectionOptions, 'key' | 'privateKeyEngine' | 'privateKeyIdentifier'>;

export function tlsKeyOptions(source: TlsKeySource): TlsKeyOptions {
  if (source.kind === 'engine') {
    // Node marks these options deprecated (OpenSSL 3 deprecates engines) but still hands them to OpenSSL, and
    // they are the only way its TLS options name a key held outside the process: there is no provider option.
    return { privateKeyEngine: source.engine, privateKeyIdentifier: source.keyId };
  }
  if (source.key.type !== 'private') throw new TypeError('a simulated TLS key must be a private key');
  return { key: source.key.export({ type: 'pkcs8', format: 'pem' }) };
}
