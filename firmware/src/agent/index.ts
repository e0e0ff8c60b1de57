/** The device agent (MQTT over mutual TLS to the platform) and its parts, as the package exports them. */
export { Backoff, type BackoffOptions } from './backoff.js';
export {
  type CommandAck,
  CommandDispatcher,
  type CommandDispatcherOptions,
  CommandError,
  type CommandHandler,
  type CommandOutcome,
  type CommandStatus,
  type DeviceCommand,
} from './commands.js';
export {
  type AgentCounters,
  type AgentEvents,
  type AgentStatus,
  DeviceAgent,
  type DeviceAgentOptions,
} from './device-agent.js';
export { AgentError, type AgentErrorCode } from './errors.js';
export { OfflineQueue } from './offline-queue.js';
export { answerPossessionChallenges, PROVE_POSSESSION, possessionMessage } from './possession.js';
export { answerCertificateRotation, INSTALL_CERTIFICATE, RENEW_CERTIFICATE } from './rotation.js';
export { type TlsKeyOptions, type TlsKeySource, tlsKeyOptions } from './tls-key.js';
export { type DeviceTopics, deviceTopics } from './topics.js';
