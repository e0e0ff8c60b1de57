/** Injection tokens of values the core provides (kept apart from core.module.ts to avoid import cycles). */
export const APP_LOGGER = Symbol('APP_LOGGER');
/** The device CA (a `CertificateAuthority`): files in development, a KMS or HSM in production. */
export const CERTIFICATE_AUTHORITY = Symbol('CERTIFICATE_AUTHORITY');
/** The broker's control channel for revocations (a `BrokerControl`), or null when there is none. */
export const BROKER_CONTROL = Symbol('BROKER_CONTROL');
