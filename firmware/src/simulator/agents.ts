/**
 * One DeviceAgent per simulated device, each its own MQTT connection with its own certificate, as real
 * gateways would connect. Connection errors are the agents' business (they retry with backoff); here they
 * are only reported, each distinct message once, so that a broker refusing a hundred devices for the same
 * reason prints one line, not a hundred.
 */
import { DeviceAgent } from '../agent/device-agent.js';
import { answerPossessionChallenges } from '../agent/possession.js';
import { answerCertificateRotation } from '../agent/rotation.js';
import type { SimulatedDevice } from './fleet.js';
import type { SimulatedSensor } from './sensor.js';

export interface FleetAgentsOptions {
  brokerUrl: string;
  /** PEM trust anchors for the broker's certificate: the platform's CA chain. */
  ca: string;
  protocolVersion: 4 | 5;
  /** Called once per distinct error message. */
  onError?: (message: string) => void;
}

export class FleetAgents {
  readonly agents: readonly DeviceAgent[];
  readonly #reported = new Set<string>();

  constructor(devices: readonly SimulatedDevice[], options: FleetAgentsOptions) {
    this.agents = devices.map((device) => {
      const agent = new DeviceAgent({
        deviceId: device.deviceId,
        brokerUrl: options.brokerUrl,
        ca: options.ca,
        certificate: device.certificateChainPem,
        key: { kind: 'simulated', key: device.tlsKey },
        protocolVersion: options.protocolVersion,
      });
      // Like a real gateway: the chip answers claim challenges and signs rotation CSRs.
      answerPossessionChallenges(agent, device.chip, { deviceId: device.deviceId });
      answerCertificateRotation(agent, device.chip, {
        deviceId: device.deviceId,
        key: { kind: 'simulated', key: device.tlsKey },
      });
      agent.on('error', (error) => {
        // Device ids differ per agent; the message without them is what repeats.
        const message = error.message.replaceAll(device.deviceId, '<device>');
        if (this.#reported.has(message)) return;
        this.#reported.add(message);
        options.onError?.(message);
      });
      return agent;
    });
  }

  start(): void {
    for (const agent of this.agents) agent.start();
  }

  get online(): number {
    return this.agents.filter((agent) => agent.status === 'online').length;
  }

  /** Resolves with the number online once all are, or when `timeoutMs` passes or the signal fires. */
  async waitOnline(timeoutMs: number, signal?: AbortSignal): Promise<number> {
    const until = Date.now() + timeoutMs;
    while (this.online < this.agents.length && Date.now() < until && !signal?.aborted) {
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.online;
  }

  /** Publishers for the load generator: device i sends its own sensor's next reading. */
  publishers(sensors: readonly SimulatedSensor[]): Array<() => Promise<void>> {
    return this.agents.map((agent, i) => {
      const sensor = sensors[i] as SimulatedSensor;
      return () => agent.publishTelemetry(sensor.read());
    });
  }

  /** Each agent publishes `{"online":false}` and disconnects cleanly (no last will). */
  async stop(): Promise<void> {
    await Promise.all(this.agents.map((agent) => agent.stop()));
  }
}
