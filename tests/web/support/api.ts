/**
 * Setting the scene for browser tests through the API, as a demo user would with a script: a token
 * from the development identity provider (password grant of the `custos-cli` client), then plain
 * JSON calls. Devices made here get a serial number of their own, so tests never share one.
 */
import 'reflect-metadata';
import { KeyObject, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { fetchPasswordToken } from '../../../backend/dist/dev-idp/password-token.js';
import { demoSites } from '../../../backend/dist/launcher/demo-data.js';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the global setup did not run`);
  return value;
};

/** The site the demo `operator` works at. */
export const NORTH_SITE_ID: string = demoSites.north.id;

export const tokenFor = (username: string): Promise<string> =>
  fetchPasswordToken(`${env('CUSTOS_ISSUER')}/protocol/openid-connect/token`, username);

/** Calls the API as `username`; fails the test on any status other than `expected`. */
export async function apiCall<T>(
  username: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  expected = method === 'POST' ? [200, 201] : [200],
): Promise<T> {
  const response = await fetch(`${env('CUSTOS_API_URL')}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${await tokenFor(username)}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!expected.includes(response.status)) {
    throw new Error(`${method} ${path} as ${username}: HTTP ${response.status} ${text}`);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

export interface TestDevice {
  id: string;
  serialNumber: string;
}

/** A new device of Acme, registered by the tenant admin; `manufactured`. */
export async function registeredDevice(prefix: string): Promise<TestDevice> {
  const serialNumber = `${prefix}-${randomBytes(4).toString('hex').toUpperCase()}`;
  const device = await apiCall<TestDevice>('tenant-admin', 'POST', '/v1/devices', {
    serialNumber,
    model: 'CX-Temp 2',
  });
  return { id: device.id, serialNumber };
}

/** A device ready to be claimed: registered and provisioned, not yet in a site. */
export async function provisionedDevice(prefix: string): Promise<TestDevice> {
  const device = await registeredDevice(prefix);
  await apiCall('tenant-admin', 'POST', `/v1/devices/${device.id}/provision`);
  return device;
}

/** A fresh claim code for the device's sticker: the code and the address its QR code carries. */
export const issueClaimCode = (deviceId: string) =>
  apiCall<{ code: string; claimUrl: string; serialNumber: string }>(
    'tenant-admin',
    'POST',
    `/v1/devices/${deviceId}/claim-code`,
  );

/** What a device presents to the broker: its key (the chip's, in real life) and certificate chain. */
export interface DeviceCredentials {
  keyPem: string;
  /** The device certificate followed by the issuing CA and root. */
  chainPem: string;
}

/**
 * A provisioned device the factory's way: a CSR for a P-256 key (made here, as the device's chip
 * would) with the device id as its CN, certified by the platform. Not yet in a site.
 */
export async function certifiedDevice(prefix: string) {
  const device = await registeredDevice(prefix);
  const { csrPem, keyPem } = await certificateRequest(device.id);
  const issued = await apiCall<{ serialNumber: string; certificatePem: string; chainPem: string }>(
    'tenant-admin',
    'POST',
    `/v1/devices/${device.id}/certificates`,
    { csr: csrPem },
  );
  const credentials: DeviceCredentials = {
    keyPem,
    chainPem: `${issued.certificatePem.trim()}\n${issued.chainPem.trim()}\n`,
  };
  return { ...device, certificateSerial: issued.serialNumber, credentials };
}

/** An active device at the North site; with `certificate`, provisioned as `certifiedDevice` is. */
export async function activeDevice(prefix: string, options: { certificate?: boolean } = {}) {
  let device: TestDevice;
  let certificateSerial: string | undefined;
  let credentials: DeviceCredentials | undefined;
  if (options.certificate) {
    ({ certificateSerial, credentials, ...device } = await certifiedDevice(prefix));
  } else {
    device = await provisionedDevice(prefix);
  }
  await apiCall('tenant-admin', 'POST', `/v1/devices/${device.id}/claim`, { siteId: NORTH_SITE_ID });
  await apiCall('tenant-admin', 'POST', `/v1/devices/${device.id}/activate`);
  return { ...device, certificateSerial, credentials };
}

async function certificateRequest(deviceId: string): Promise<{ csrPem: string; keyPem: string }> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create(
    { name: `CN=${deviceId}`, keys, signingAlgorithm: algorithm },
    webcrypto as unknown as Crypto,
  );
  const keyPem = KeyObject.from(keys.privateKey).export({ format: 'pem', type: 'pkcs8' }).toString();
  return { csrPem: csr.toString('pem'), keyPem };
}
