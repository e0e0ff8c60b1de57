/**
 * Revocation on EMQX 5: EMQX reads the CRL itself (from the CRL distribution point the device
 * certificates carry, refreshed per `crl_cache.refresh_interval`, see infra/emqx/emqx.conf); the
 * open session is dropped here through the management API, `DELETE /api/v5/clients/{clientid}`
 * (a device's client id is its device id). Not exercised by the test suite: no EMQX runs on these
 * machines (docs/runbooks/mqtt-brokers.md).
 */
import type { BrokerControl, RevocationUpdate } from './broker-control.js';

export class EmqxBrokerControl implements BrokerControl {
  constructor(
    private readonly apiUrl: string,
    private readonly apiKey: string,
    private readonly apiSecret: string,
  ) {}

  async applyRevocations({ disconnect }: RevocationUpdate): Promise<void> {
    const authorization = `Basic ${Buffer.from(`${this.apiKey}:${this.apiSecret}`).toString('base64')}`;
    for (const clientId of disconnect) {
      const response = await fetch(
        `${this.apiUrl.replace(/\/$/, '')}/api/v5/clients/${encodeURIComponent(clientId)}`,
        {
          method: 'DELETE',
          headers: { authorization },
          signal: AbortSignal.timeout(5000),
        },
      );
      // 404: the device is not connected, which is the goal.
      if (!response.ok && response.status !== 404) {
        throw new Error(`EMQX refused to disconnect a client: HTTP ${response.status}`);
      }
    }
  }
}
