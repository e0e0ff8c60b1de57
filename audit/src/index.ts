/** @custos/audit: what the backend and the offline verifier share about the audit trail. */
export * from './bundle/format.js';
export * from './bundle/verify-bundle.js';
export * from './bundle/writer.js';
export * from './canonical.js';
export * from './catalog.js';
export * from './hash.js';
export * from './keys.js';
export * from './merkle.js';
export * from './tree-head.js';
