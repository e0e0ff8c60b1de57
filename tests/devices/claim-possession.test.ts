/**
 * Proof of possession when claiming: with the device online, the claim code alone is not enough;
 * the device's chip must sign a fresh challenge sent over MQTT (through a real Mosquitto), and the
 * signature must verify with the device's certificate. A device that cannot sign (an impostor
 * answering with another chip's key) is refused with the same answer as a wrong code, and audited.
 */
import { randomUUID } from 'node:crypto';
import { Atecc608a, Atecc608aEmulator, answerPossessionChallenges, configZoneCrc } from '@custos/firmware';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileCertificateAuthority } from '../../backend/src/core/pki/file-certificate-authority.js';
import { entriesAfter, lastSeq } from '../support/audit.js';
import { northSiteId, onlineAgent, type SimulatedDevice, simulatedDevice } from '../support/devices.js';
import { type MosquittoBroker } from '../support/mosquitto.js';
import { type MqttStack, startMqttStack, until } from '../support/mqtt-stack.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

let stack: MqttStack;
let t: TestApp;
let broker: MosquittoBroker;
let ca: FileCertificateAuthority;

beforeAll(async () => {
  stack = await startMqttStack();
  ({ t, broker, ca } = stack);
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

async function provisioned(): Promise<SimulatedDevice> {
  return simulatedDevice(t, { serialNumber: `POP-${randomUUID().slice(0, 8)}`, state: 'provisioned' });
}

async function online(device: SimulatedDevice, signer: Atecc608a): Promise<void> {
  const agent = await onlineAgent(device, { url: broker.url, ca: ca.chainPem, protocolVersion: 5 });
  stack.agents.push(agent);
  answerPossessionChallenges(agent, signer, { deviceId: device.id });
  await until(
    async () =>
      (await t.request('GET', `/api/v1/devices/${device.id}/state`, { as: 'tenant-admin' })).body.online,
    'the platform to see the device online',
  );
}

async function claim(device: SimulatedDevice) {
  const issued = await t.request('POST', `/api/v1/devices/${device.id}/claim-code`, { as: 'tenant-admin' });
  expect(issued.status).toBe(201);
  return t.request('POST', '/api/v1/claims', {
    as: 'operator',
    body: { serialNumber: device.serialNumber, code: issued.body.code, siteId: await northSiteId(t) },
  });
}

describe('claiming an online device', () => {
  it('claims it once its chip has signed the challenge', async () => {
    const device = await provisioned();
    await online(device, device.chip);
    const res = await claim(device);
    expect(res.status).toBe(200);
    expect(res.body.lifecycleState).toBe('claimed');
    const commands = await t.request('GET', `/api/v1/devices/${device.id}/commands`, { as: 'tenant-admin' });
    expect(commands.body.items).toEqual([
      expect.objectContaining({ name: 'prove-possession', status: 'acknowledged' }),
    ]);
  });

  it('refuses the claim, as it refuses a wrong code, when another chip answers the challenge', async () => {
    const device = await provisioned();
    const impostor = new Atecc608a(new Atecc608aEmulator({ watchdog: false }));
    await impostor.lockConfigZone({ summaryCrc: configZoneCrc(await impostor.readConfigZone()) });
    await impostor.genKey(0);
    await online(device, impostor);
    const before = await lastSeq(t);
    const res = await claim(device);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('invalid_claim_code');
    const state = await t.request('GET', `/api/v1/devices/${device.id}`, { as: 'tenant-admin' });
    expect(state.body.lifecycleState).toBe('provisioned');
    const refusals = (await entriesAfter(t, before)).filter(
      (e) => e.type === 'device.claim_code_redeemed' && e.outcome === 'denied',
    );
    expect(refusals.map((e) => (e.payload as { reason?: string }).reason)).toEqual(['possession_not_proven']);
  });

  it('claims an offline device with the sticker alone (CLAIM_PROOF_OF_POSSESSION=when-online)', async () => {
    const device = await provisioned();
    const res = await claim(device);
    expect(res.status).toBe(200);
  });
});

describe('CLAIM_PROOF_OF_POSSESSION=required', () => {
  it('refuses to claim a device that is not online to prove itself', async () => {
    const strict = await createTestApp({ env: { CLAIM_PROOF_OF_POSSESSION: 'required' } });
    try {
      const device = await simulatedDevice(strict, {
        serialNumber: `POP-R-${randomUUID().slice(0, 6)}`,
        state: 'provisioned',
      });
      const issued = await strict.request('POST', `/api/v1/devices/${device.id}/claim-code`, {
        as: 'tenant-admin',
      });
      const res = await strict.request('POST', '/api/v1/claims', {
        as: 'operator',
        body: {
          serialNumber: device.serialNumber,
          code: issued.body.code,
          siteId: await northSiteId(strict),
        },
      });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('invalid_claim_code');
    } finally {
      await strict.close();
    }
  });
});
