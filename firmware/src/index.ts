/**
 * @custos/firmware: the device side of Custos on Linux gateways. Today: the I2C transport interface, the
 * ATECC608A secure element driver and its byte-level emulator.
 */
export * from './atecc608a/index.js';
export {
  type I2cReadResult,
  type I2cTransport,
  type I2cWriteResult,
  isValidI2cAddress,
  NACK,
} from './i2c/transport.js';
