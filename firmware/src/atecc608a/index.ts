/** The ATECC608A driver, its protocol pieces and the emulator, as the package exports them. */
export { type ChannelOptions, CommandChannel } from './channel.js';
export {
  ATECC608A_REVISION,
  DEFAULT_I2C_ADDRESS,
  MAX_EXECUTION_MS,
  Opcode,
  Status,
  WAKE_RESPONSE,
  WordAddress,
} from './constants.js';
export { atCrc, crcBytes, hasValidCrc, withCrc } from './crc.js';
export { Atecc608a, type LockOptions, type MessageBuffer, type NonceTarget } from './driver.js';
export { Atecc608aEmulator, type EmulatorOptions } from './emulator.js';
export { AteccError, type AteccErrorCode, ateccErrorTitle, codeForStatus } from './errors.js';
export { type Command, decodeResponse, encodeCommand, type Response } from './packet.js';
export { publicKeyFromRaw, rawFromPublicKey, spkiFromRaw } from './public-key.js';
export {
  CONFIG_SIZE,
  ConfigOffset,
  configZoneCrc,
  dataZoneCrc,
  defaultConfigZone,
  OTP_SIZE,
  parseKeyConfig,
  parseSlotConfig,
  serialNumberOf,
  slotSize,
  type Zone,
  type ZoneLocation,
  zoneAddress,
} from './zones.js';
