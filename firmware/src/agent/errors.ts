/** Why the agent could not deliver something, as a stable code callers can branch on. */
export type AgentErrorCode =
  /** A negative PUBACK (MQTT 5); `reasonCode` says why, e.g. 135 Not authorized. */
  | 'refused'
  /** The offline queue was full and this was the oldest message. */
  | 'dropped'
  /** The broker's client library could not send it (e.g. a packet over the broker's maximum size). */
  | 'publish_failed'
  /** The agent was stopped before the broker acknowledged it. */
  | 'stopped'
  /** The first connection attempt with rotated credentials failed (the agent keeps retrying with them). */
  | 'rotation_failed';

export class AgentError extends Error {
  constructor(
    readonly code: AgentErrorCode,
    message: string,
    readonly reasonCode?: number,
  ) {
    super(message);
    this.name = 'AgentError';
  }
}
