/**
 * The factory step as library code: personalise a blank ATECC608A, and register and certify the device with
 * the platform. Production lines and the fleet simulator both use it.
 */
export { FactoryError, type FactoryErrorCode } from './errors.js';
export { IDENTITY_KEY_SLOT, personaliseChip } from './personalise.js';
export {
  type AccessTokenSource,
  type DeviceRecord,
  type FieldProblem,
  type IssuedCertificate,
  PlatformApiError,
  PlatformClient,
  type PlatformClientOptions,
  type SiteRecord,
} from './platform-client.js';
export { type ProvisionDeviceOptions, type ProvisionedDevice, provisionDevice } from './provision-device.js';
