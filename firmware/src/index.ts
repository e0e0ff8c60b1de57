/**
 * @custos/firmware: the device side of Custos on Linux gateways: the I2C transport interface, the ATECC608A
 * secure element driver and its byte-level emulator, the certificate signing request the chip signs, and the
 * device agent that connects to the platform over MQTT with mutual TLS.
 */
export * from './agent/index.js';
export * from './atecc608a/index.js';
export * from './factory/index.js';
export {
  type I2cReadResult,
  type I2cTransport,
  type I2cWriteResult,
  isValidI2cAddress,
  NACK,
} from './i2c/transport.js';
export * from './pki/index.js';
