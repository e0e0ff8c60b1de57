/** Request and response schemas of device claiming (validation and OpenAPI both come from here). */
import { z } from 'zod';
import { uuidInput } from '../../../core/http/uuid.js';

export const claimCodeSchema = z
  .object({
    deviceId: z.uuid(),
    serialNumber: z.string(),
    code: z
      .string()
      .describe('The one-time claim code. Shown in this answer only: the platform keeps just its hash'),
    claimUrl: z
      .string()
      .describe('What the QR code on the device encodes: the web app’s claim page with serial and code'),
    qrSvg: z.string().describe('The QR code of `claimUrl`, as SVG, for the sticker'),
    createdAt: z.string(),
    expiresAt: z.string(),
  })
  .describe('A new claim code for the device’s sticker; any earlier code of the device no longer works');
export type IssuedClaimCode = z.infer<typeof claimCodeSchema>;

export const redeemClaimBody = z.strictObject({
  // The registry's serial number format, so that nothing else reaches the lookup.
  serialNumber: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'Letters, digits and . _ : - (max 64)')
    .describe('The serial number printed on the device (the `serial` of the claim URL)'),
  code: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9 -]{0,38}$/, 'Letters, digits, spaces and hyphens (max 39)')
    .describe('The claim code as printed (`K7QF-9XMB-2TRW-HC4D`); case, spaces and hyphens do not matter'),
  siteId: uuidInput.describe('The site of your tenant the device goes to'),
});
export type RedeemClaimBody = z.infer<typeof redeemClaimBody>;

export const transferDeviceBody = z.strictObject({
  siteId: uuidInput.describe('Another site of the device’s tenant'),
});
export type TransferDeviceBody = z.infer<typeof transferDeviceBody>;
