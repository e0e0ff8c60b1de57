/**
 * The second factor of a claim. A printed code proves that someone saw the sticker; a device that
 * is online can also prove it is the device in front of the claimer: the platform sends it a fresh
 * challenge and its ATECC608A signs it with the key its certificate certifies
 * (`ChipPossessionVerifier` in chip-possession.ts, registered in DevicesModule).
 *
 * ClaimCodesService calls `verify` once the code is known to match a live code, BEFORE the claim's
 * transaction (the answer arrives through another connection), and the transaction then uses the
 * verdict after checking everything again. A refusal is recorded like any other, with its own
 * reason, and answered like a wrong code.
 */
import type { Device } from '../devices.dto.js';

export const PROOF_OF_POSSESSION = Symbol('PROOF_OF_POSSESSION');

export type PossessionVerdict = { proven: true } | { proven: false; reason: 'possession_not_proven' };

export interface ProofOfPossession {
  verify(device: Device): Promise<PossessionVerdict>;
}
