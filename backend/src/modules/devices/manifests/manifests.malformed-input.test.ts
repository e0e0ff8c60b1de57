/**
 * Malformed input on the manifest import, through the real API: bodies that are not JSON, not a
 * manifest, or too large are refused before any verification, and any mutation of a signed
 * manifest (flipped characters, dropped or replaced members, payloads the trusted signer signed but
 * that are no SecureElement) gets 2xx or a 4xx problem, never a 500, and stores nothing when refused.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestApp, type TestApp, type TestResponse } from '../../../../../tests/support/test-app.js';
import {
  createManifestSigner,
  type SignedSecureElement,
  secureElementOf,
  signSecureElement,
  type TestManifestSigner,
  type TrustAndGoChip,
  trustAndGoManifest,
} from '../../../../../tests/support/trust-and-go.js';

let t: TestApp;
let dir: string;
let signer: TestManifestSigner;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'custos-manifest-input-'));
  signer = await createManifestSigner();
  const file = path.join(dir, 'signers.pem');
  await writeFile(file, signer.certificatePem);
  t = await createTestApp({ env: { MANIFEST_SIGNER_CERTIFICATES_FILE: file } });
});
afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

const importManifest = (body: unknown, as = 'tenant-admin') =>
  t.request('POST', '/api/v1/device-manifests', { as, body });

/** Rows in both tables, read as the owner: what "nothing stored" is checked against. */
async function stored(): Promise<{ manifests: number; entries: number }> {
  return t.adminPool.one(sql.type(z.object({ manifests: z.coerce.number(), entries: z.coerce.number() }))`
    SELECT (SELECT count(*) FROM secure_element_manifests) AS manifests,
           (SELECT count(*) FROM secure_element_manifest_entries) AS entries`);
}

describe('malformed input on POST /api/v1/device-manifests', () => {
  it('refuses malformed bodies with 400, 413 or 415, storing nothing', async () => {
    const { manifest } = await trustAndGoManifest(signer, 1);
    const entry = manifest[0] as SignedSecureElement;
    const before = await stored();
    const raw = (rawBody: string, contentType = 'application/json') =>
      t.request('POST', '/api/v1/device-manifests', {
        as: 'tenant-admin',
        rawBody,
        headers: { 'content-type': contentType },
      });
    const cases: [Promise<TestResponse>, number, string][] = [
      [raw('[{"payload": "abc",'), 400, 'malformed_body'],
      [raw('not json at all'), 400, 'malformed_body'],
      [importManifest([]), 400, 'validation_failed'],
      [importManifest({ manifest: [entry] }), 400, 'validation_failed'],
      [importManifest([{ ...entry, extra: 1 }]), 400, 'validation_failed'],
      [importManifest([{ ...entry, header: { uniqueId: 'xyz' } }]), 400, 'validation_failed'],
      [importManifest([{ ...entry, signature: 'not base64url!' }]), 400, 'validation_failed'],
      // About 1.1 MiB of valid entries: over the API's 1 MiB body limit.
      [
        importManifest(
          Array.from({ length: Math.ceil((1.1 * 2 ** 20) / JSON.stringify(entry).length) }, () => entry),
        ),
        413,
        'payload_too_large',
      ],
      [raw(JSON.stringify(manifest), 'text/plain'), 415, 'unsupported_media_type'],
    ];
    for (const [pending, status, code] of cases) {
      const res = await pending;
      expect([res.status, res.body?.code], res.text.slice(0, 300)).toEqual([status, code]);
    }
    const invalid = await importManifest([{ ...entry, extra: 1 }]);
    expect(invalid.body.errors).toEqual([expect.objectContaining({ path: '0' })]);
    expect(await stored()).toEqual(before);
  });

  it('answers any mutation of a signed manifest with 2xx or a 4xx problem, never a 500', async () => {
    const { manifest, chips } = await trustAndGoManifest(signer, 2);
    const text = fc.string({ maxLength: 40 });
    const b64 = fc.stringMatching(/^[A-Za-z0-9_-]{0,120}$/);
    const field = fc.constantFrom('payload', 'protected', 'signature', 'header');
    const jwkJunk = fc.dictionary(
      fc.constantFrom('kid', 'kty', 'crv', 'x', 'y', 'x5c'),
      fc.oneof(text, b64, fc.jsonValue()),
    );
    // Payloads the trusted signer did sign, but that are anything but a proper SecureElement: the
    // checks after the signature see them.
    const signedJunk = fc.oneof(
      fc.jsonValue(),
      fc.record({
        model: fc.oneof(text, fc.constant('ATECC608B')),
        partNumber: fc.oneof(text, fc.integer()),
      }),
      fc.record({
        publicKeySet: fc.oneof(fc.jsonValue(), fc.record({ keys: fc.array(jwkJunk, { maxLength: 3 }) })),
      }),
      fc.record({
        publicKeySet: fc.record({
          keys: fc.tuple(jwkJunk.map((k) => ({ ...k, kid: '0', kty: 'EC', crv: 'P-256' }))),
        }),
      }),
      fc.record({ uniqueId: fc.oneof(text, fc.stringMatching(/^[0-9a-f]{18}$/)), version: fc.jsonValue() }),
      fc.dictionary(text, fc.jsonValue()),
    );
    const b64char = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');
    type Mutation = [kind: string, index: number, key: string, value: unknown];
    const mutation: fc.Arbitrary<Mutation> = fc.oneof(
      {
        weight: 3,
        arbitrary: fc.tuple(
          fc.constant('flip'),
          fc.nat(1),
          fc.constantFrom('payload', 'protected', 'signature'),
          fc.tuple(fc.nat(), b64char),
        ),
      },
      {
        weight: 1,
        arbitrary: fc.tuple(fc.constant('set'), fc.nat(1), field, fc.oneof(text, b64, fc.jsonValue())),
      },
      { weight: 1, arbitrary: fc.tuple(fc.constant('drop'), fc.nat(1), field, fc.constant(null)) },
      { weight: 1, arbitrary: fc.tuple(fc.constant('replace'), fc.nat(1), fc.constant(''), fc.jsonValue()) },
      { weight: 4, arbitrary: fc.tuple(fc.constant('sign'), fc.nat(1), fc.constant(''), signedJunk) },
    );
    const mutate = async (current: unknown, chip: TrustAndGoChip, [kind, , key, value]: Mutation) => {
      // An earlier mutation may have replaced the entry with any JSON value (null, a string…).
      const entry: Record<string, unknown> =
        current !== null && typeof current === 'object' && !Array.isArray(current)
          ? (current as Record<string, unknown>)
          : {};
      switch (kind) {
        case 'flip': {
          const [at, char] = value as [number, string];
          const before = String(entry[key] ?? '');
          const i = before.length > 0 ? at % before.length : 0;
          return { ...entry, [key]: `${before.slice(0, i)}${char}${before.slice(i + 1)}` };
        }
        case 'set':
          return { ...entry, [key]: value };
        case 'drop': {
          const { [key]: _dropped, ...rest } = entry;
          return rest;
        }
        case 'replace':
          return value;
        default: {
          const payload =
            value !== null && typeof value === 'object' && !Array.isArray(value)
              ? { ...secureElementOf(chip), ...value }
              : value;
          return signSecureElement(signer, Buffer.from(JSON.stringify(payload) ?? 'null'), {
            uniqueId: chip.uniqueId,
          });
        }
      }
    };
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
        const body: unknown[] = structuredClone(manifest);
        for (const m of mutations) {
          body[m[1]] = await mutate(body[m[1]], chips[m[1]] as TrustAndGoChip, m);
        }
        const before = await stored();
        const res = await importManifest(body);
        expect([200, 201, 400, 409, 413, 422], res.text.slice(0, 300)).toContain(res.status);
        if (res.status >= 400) {
          expect(res.headers['content-type']).toContain('application/problem+json');
          expect(await stored()).toEqual(before);
        }
      }),
      { numRuns: 100 },
    );
  });
});
