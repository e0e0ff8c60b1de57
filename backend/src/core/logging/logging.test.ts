/** No personal or health data, and no credentials, in the logs: checked on the real request pipeline. */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { viaProxy } from '../../../../tests/support/tcp-proxy.js';
import { createTestApp, type TestApp } from '../../../../tests/support/test-app.js';
import { createLogger } from './logger.js';

class Capture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void) {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
  get text() {
    return this.lines.join('\n');
  }
}

const capture = new Capture();
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ logDestination: capture });
});
afterAll(() => t?.close());

describe('log redaction', () => {
  it('logs one JSON line per request with the route template and no token, query or body', async () => {
    const token = await t.tokenFor('tenant-admin');
    await t.request('GET', '/api/v1/devices?serialPrefix=ACME-N&label=ward=cardio', { token });
    await t.request('POST', '/api/v1/devices', {
      token,
      body: { serialNumber: 'PII-TEST-1', model: 'CX', labels: { patient: 'jane-doe-1970-01-01' } },
    });
    const requests = capture.lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request completed');
    expect(requests.map((r) => `${r.method} ${r.route} ${r.status}`)).toEqual([
      'GET /api/v1/devices 200',
      'POST /api/v1/devices 201',
    ]);
    expect(requests.every((r) => typeof r.requestId === 'string' && r.level === 'info')).toBe(true);
    for (const secret of [
      token,
      token.split('.')[1] as string,
      'ACME-N',
      'cardio',
      'jane-doe',
      'PII-TEST-1',
    ]) {
      expect(capture.text).not.toContain(secret);
    }
  });

  it('logs a server-side failure by type and stack frames, without its message or the request data', async () => {
    const fresh = new Capture();
    // A database that stops answering: the API must say 503 and log nothing it was sent.
    let cut: () => Promise<void> = async () => undefined;
    let databaseUrl = '';
    const broken = await createTestApp({
      logDestination: fresh,
      connectThrough: async (url) => {
        databaseUrl = await viaProxy((proxy) => (cut = proxy.cut))(url);
        return databaseUrl;
      },
    });
    const token = await broken.tokenFor('privacy');
    await cut();
    try {
      const res = await broken.request('GET', '/api/v1/devices?serialPrefix=SECRET-SERIAL', { token });
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('service_unavailable');
      const errors = fresh.lines.map((l) => JSON.parse(l)).filter((l) => l.level === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ code: 'service_unavailable', err: { name: expect.any(String) } });
      expect(Array.isArray(errors[0].err.frames)).toBe(true);
      // The database password too, where the URL has one (a trust-auth server's has none).
      for (const secret of ['SECRET-SERIAL', token, new URL(databaseUrl).password].filter(Boolean)) {
        expect(fresh.text).not.toContain(secret);
      }
    } finally {
      await broken.close();
    }
  });

  it('redacts credentials if code ever logs them as fields', () => {
    const sink = new Capture();
    const logger = createLogger('info', sink);
    logger.info(
      {
        headers: { authorization: 'Bearer abc.def.ghi', cookie: 'sid=1' },
        password: 'pw',
        client_secret: 's',
      },
      'oops',
    );
    expect(sink.text).not.toMatch(/abc\.def|sid=1|"pw"|"s"/);
    expect(sink.text).toContain('[redacted]');
  });
});
