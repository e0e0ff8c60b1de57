/** The chip's factory step: what it leaves on the chip, and that it never runs twice on one chip. */
import { createHash, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { publicKeyFromRaw } from '../atecc608a/public-key.js';
import { virtualChip } from '../atecc608a/testing.test-helper.js';
import { FactoryError } from './errors.js';
import { personaliseChip } from './personalise.js';

describe('personaliseChip', () => {
  it('locks both zones and returns the public key of the slot 0 key it generated', async () => {
    const { chip } = virtualChip();
    const publicKey = await personaliseChip(chip);
    expect(publicKey).toHaveLength(64);
    expect([await chip.isLocked('config'), await chip.isLocked('data')]).toEqual([true, true]);
    expect(await chip.getPublicKey(0)).toEqual(publicKey);
    const digest = createHash('sha256').update('factory').digest();
    const signature = await chip.signDigest(0, digest);
    const key = publicKeyFromRaw(publicKey);
    expect(verify('sha256', Buffer.from('factory'), { key, dsaEncoding: 'ieee-p1363' }, signature)).toBe(
      true,
    );
  });

  it('refuses a chip personalised before, and leaves its key as it was', async () => {
    const { chip } = virtualChip();
    const publicKey = await personaliseChip(chip);
    const error = await personaliseChip(chip).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FactoryError);
    expect(error).toMatchObject({ code: 'chip_not_blank' });
    expect(await chip.getPublicKey(0)).toEqual(publicKey);
  });
});
