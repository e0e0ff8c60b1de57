/**
 * The device's side of proof of possession: answers the platform's `prove-possession` command by
 * having the chip sign SHA-256 of a message that names the purpose and this device, then the
 * challenge. The chip never signs a digest the platform chose, so the command cannot be used to
 * obtain a signature over anything else (a CSR, say). The backend builds the same message in
 * backend/src/modules/devices/claiming/chip-possession.ts.
 */
import { createHash } from 'node:crypto';
import type { Atecc608a } from '../atecc608a/driver.js';
import { CommandError } from './commands.js';
import type { DeviceAgent } from './device-agent.js';

export const PROVE_POSSESSION = 'prove-possession';
const CHALLENGE_BYTES = 32;

export function possessionMessage(deviceId: string, challenge: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`custos-possession-v1\n${deviceId}\n`), challenge]);
}

export function answerPossessionChallenges(
  agent: DeviceAgent,
  chip: Atecc608a,
  options: { deviceId: string; slot?: number },
): void {
  agent.onCommand(PROVE_POSSESSION, async (params) => {
    const challenge =
      typeof params.challenge === 'string' ? Buffer.from(params.challenge, 'base64') : undefined;
    if (!challenge || challenge.length !== CHALLENGE_BYTES) throw new CommandError('invalid_challenge');
    const digest = createHash('sha256').update(possessionMessage(options.deviceId, challenge)).digest();
    const signature = await chip.signDigest(options.slot ?? 0, digest);
    return { signature: signature.toString('base64') };
  });
}
