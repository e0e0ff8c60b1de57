/**
 * Personalisation, the chip's part of the factory step: the configuration zone is locked as shipped (against
 * its CRC, so a corrupted read cannot lock a configuration nobody checked), the identity key is generated
 * inside the chip in slot 0, and the data zone is locked. After this the private key exists only in the
 * chip, and only its public key comes out.
 */
import type { Atecc608a } from '../atecc608a/driver.js';
import { ConfigOffset, configZoneCrc, LOCKED } from '../atecc608a/zones.js';
import { FactoryError } from './errors.js';

/** The slot of the device's identity key in the default slot map (the CSR and TLS use it). */
export const IDENTITY_KEY_SLOT = 0;

/** Locks config (CRC-checked), runs GenKey on slot 0, locks data; returns the 64-byte raw public key. */
export async function personaliseChip(chip: Atecc608a): Promise<Buffer> {
  const config = await chip.readConfigZone();
  // A locked chip has been personalised already, maybe for a device in service: running GenKey again could
  // replace that device's identity key. Refuse, rather than let the chip's lock error say it less clearly.
  if (config.readUInt8(ConfigOffset.lockConfig) === LOCKED) {
    throw new FactoryError('chip_not_blank', 'the chip was personalised before (its config zone is locked)');
  }
  await chip.lockConfigZone({ summaryCrc: configZoneCrc(config) });
  const publicKey = await chip.genKey(IDENTITY_KEY_SLOT);
  await chip.lockDataZone();
  return publicKey;
}
