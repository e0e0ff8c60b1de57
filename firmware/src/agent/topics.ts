/**
 * The MQTT topics a device uses: the public contract between devices and the platform (DESIGN.md). The
 * broker's ACL lets a device write only under its own `devices/{id}/`, and its certificate's CN is that id.
 */
export interface DeviceTopics {
  /** Device → platform, QoS 1: `{"seq", "ts", "metrics"}`. */
  telemetry: string;
  /** Device → platform, QoS 1, retained: `{"online", "reported"?}`; also the last will. */
  state: string;
  /** Platform → device, QoS 1: `{"id", "name", "params", "expiresAt"?}`. */
  commands: string;
  /** Device → platform, QoS 1: `{"id", "status", "result"?, "error"?}`. */
  commandAcks: string;
}

export function deviceTopics(deviceId: string): DeviceTopics {
  // '+', '#' and '/' would turn the id into a wildcard or extra levels, and let a device name another's
  // topics.
  if (deviceId.length === 0 || /[+#/]/.test(deviceId) || deviceId.includes('\0')) {
    throw new RangeError('a device id cannot be empty or contain +, #, / or NUL');
  }
  const base = `devices/${deviceId}`;
  return {
    telemetry: `${base}/telemetry`,
    state: `${base}/state`,
    commands: `${base}/commands`,
    commandAcks: `${base}/commands/ack`,
  };
}
