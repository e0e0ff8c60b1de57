/**
 * The second factor of a claim, NOT IMPLEMENTED YET (issue 5, a later step). A printed code proves
 * that someone saw the sticker; a device that is online can also prove it is the device in front of
 * the claimer: the platform sends it a fresh challenge over MQTT and its ATECC608A signs it with the
 * key its certificate certifies. Until an implementation is provided under PROOF_OF_POSSESSION, no
 * such step runs: nothing here pretends a proof succeeded.
 *
 * How to plug it in: implement `ProofOfPossession`, register it in DevicesModule as
 * `{ provide: PROOF_OF_POSSESSION, useClass: … }`, and extend `redeemClaimBody` if the claimer must
 * send something (a challenge id, say). ClaimCodesService calls it once the code has matched and
 * before the claim is written, inside the claim's transaction: keep the call short (the challenge
 * should be answered before the claim request, and only checked here), since the device row is
 * locked meanwhile. A refusal is recorded like any other, with its own reason.
 */
import type { Queryable } from '../../../core/database/database.js';
import type { Device } from '../devices.dto.js';

export const PROOF_OF_POSSESSION = Symbol('PROOF_OF_POSSESSION');

export type PossessionVerdict = { proven: true } | { proven: false; reason: 'possession_not_proven' };

export interface ProofOfPossession {
  verify(device: Device, db: Queryable): Promise<PossessionVerdict>;
}
