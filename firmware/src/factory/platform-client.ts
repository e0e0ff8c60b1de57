/**
 * The few calls of the platform's API that a factory line (and the fleet simulator) makes: register a device,
 * certify the key its chip generated, claim and activate it, decommission it, and read the CA chain and the
 * sites. Plain fetch, no generated client: the firmware package must not depend on the backend's code.
 * Every non-2xx answer becomes a `PlatformApiError` carrying the problem+json `code` and `detail`.
 */

/** Where the bearer token comes from, when it can run out during a long run. */
export interface AccessTokenSource {
  /** A token that is valid now (a source may cache it while it lasts). */
  token(): Promise<string>;
  /** A fresh token, after the API refused the last one with 401. */
  renew(): Promise<string>;
}

export interface PlatformClientOptions {
  /** The API root, e.g. `http://localhost:4000/api` (routes are under `/v1`). */
  baseUrl: string;
  token: string | AccessTokenSource;
  /** Per request; default 30 s. */
  timeoutMs?: number;
}

/** The fields of a device this client reads (the API returns more; field rules may hide some). */
export interface DeviceRecord {
  id: string;
  serialNumber?: string;
  model?: string;
  lifecycleState?: string;
  siteId?: string | null;
}

export interface IssuedCertificate {
  /** Hex serial number, as in the CRL. */
  serialNumber: string;
  certificatePem: string;
  /** The issuing CA and the root, which the device presents after its certificate. */
  chainPem: string;
  notAfter: string;
}

export interface SiteRecord {
  id: string;
  name: string;
}

export interface FieldProblem {
  location?: string;
  path?: string;
  message?: string;
}

/**
 * A refused or failed API call. `code` is the problem+json code (`conflict`, `invalid_csr`, …), or
 * `unreachable` / `timeout` when no answer came, or `unexpected_response` for a 2xx the client cannot read.
 */
export class PlatformApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    /** HTTP status; undefined when no answer came. */
    readonly status: number | undefined,
    readonly detail?: string,
    readonly fieldErrors: FieldProblem[] = [],
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = 'PlatformApiError';
  }
}

interface RequestOptions {
  body?: unknown;
  /** Public routes (the CA chain) are called without a token. */
  auth?: boolean;
  /** How the 2xx body is read. */
  as?: 'json' | 'text';
}

export class PlatformClient {
  readonly baseUrl: string;
  readonly #token: string | AccessTokenSource;
  readonly #timeoutMs: number;

  constructor(options: PlatformClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Registers a manufactured device (tenant admin); the API answers 409 `conflict` for a serial in use. */
  async registerDevice(device: { serialNumber: string; model: string }): Promise<DeviceRecord> {
    return deviceRecord(await this.#request('POST', '/v1/devices', { body: device }));
  }

  /** Certifies the chip's key from its CSR (CN = device id); the device becomes `provisioned`. */
  async requestCertificate(deviceId: string, csrPem: string): Promise<IssuedCertificate> {
    const body = await this.#request('POST', `/v1/devices/${encodeURIComponent(deviceId)}/certificates`, {
      body: { csr: csrPem },
    });
    return {
      serialNumber: stringField(body, 'serialNumber'),
      certificatePem: stringField(body, 'certificatePem'),
      chainPem: stringField(body, 'chainPem'),
      notAfter: stringField(body, 'notAfter'),
    };
  }

  claim(deviceId: string, siteId: string): Promise<DeviceRecord> {
    return this.#transition(deviceId, 'claim', { siteId });
  }

  activate(deviceId: string): Promise<DeviceRecord> {
    return this.#transition(deviceId, 'activate');
  }

  /** Final: the device's certificates are revoked and the broker drops its session. */
  decommission(deviceId: string): Promise<DeviceRecord> {
    return this.#transition(deviceId, 'decommission');
  }

  async device(deviceId: string): Promise<DeviceRecord> {
    return deviceRecord(await this.#request('GET', `/v1/devices/${encodeURIComponent(deviceId)}`));
  }

  /** The PEM chain (issuing CA, root) that device and broker certificates chain to. Public. */
  async caChain(): Promise<string> {
    const pem = await this.#request('GET', '/v1/pki/ca', { auth: false, as: 'text' });
    if (typeof pem !== 'string' || !pem.includes('-----BEGIN CERTIFICATE-----')) {
      throw unexpected('GET /v1/pki/ca', 'no PEM certificate in the answer');
    }
    return pem;
  }

  /** The first page of the sites the caller may read (the API's default order: by code). */
  async sites(): Promise<SiteRecord[]> {
    const body = await this.#request('GET', '/v1/sites');
    const items = (body as { items?: unknown }).items;
    if (!Array.isArray(items)) throw unexpected('GET /v1/sites', 'no items');
    return items.map((item) => ({ id: stringField(item, 'id'), name: stringField(item, 'name') }));
  }

  async #transition(deviceId: string, action: string, body?: unknown): Promise<DeviceRecord> {
    const path = `/v1/devices/${encodeURIComponent(deviceId)}/${action}`;
    return deviceRecord(await this.#request('POST', path, { body }));
  }

  async #request(method: string, path: string, options: RequestOptions = {}): Promise<unknown> {
    const auth = options.auth ?? true;
    let response = await this.#send(method, path, options, auth ? await this.#currentToken() : undefined);
    // Access tokens are short-lived (5 minutes from the development provider); one renewal and one retry
    // covers a token that ran out during a long run, without looping on a token that is refused for cause.
    if (response.status === 401 && auth && typeof this.#token !== 'string') {
      await response.body?.cancel();
      response = await this.#send(method, path, options, await this.#token.renew());
    }
    if (!response.ok) throw await problemError(method, path, response);
    if (options.as === 'text') return response.text();
    const text = await response.text();
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw unexpected(`${method} ${path}`, 'the answer is not JSON', error);
    }
  }

  #currentToken(): Promise<string> {
    return typeof this.#token === 'string' ? Promise.resolve(this.#token) : this.#token.token();
  }

  async #send(
    method: string,
    path: string,
    options: RequestOptions,
    token: string | undefined,
  ): Promise<Response> {
    const headers: Record<string, string> = {
      accept: options.as === 'text' ? '*/*' : 'application/json, application/problem+json',
    };
    if (token) headers.authorization = `Bearer ${token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      const cause = networkCause(error);
      throw new PlatformApiError(
        timedOut
          ? `${method} ${path}: no answer from ${this.baseUrl} within ${this.#timeoutMs} ms`
          : `${method} ${path}: cannot reach the platform API at ${this.baseUrl}${cause ? ` (${cause})` : ''}`,
        timedOut ? 'timeout' : 'unreachable',
        undefined,
        undefined,
        [],
        { cause: error },
      );
    }
  }
}

/**
 * Why fetch got no answer, in a word: undici puts it in `cause` as a code (ECONNREFUSED), as an
 * AggregateError of one per address tried (localhost is ::1 and 127.0.0.1), or only as a message.
 */
export function networkCause(error: unknown): string | undefined {
  const cause = (
    error as { cause?: { code?: unknown; message?: unknown; errors?: Array<{ code?: unknown }> } }
  ).cause;
  const code = cause?.code ?? cause?.errors?.find((e) => typeof e.code === 'string')?.code ?? cause?.message;
  return typeof code === 'string' && code !== '' ? code : undefined;
}

/** The problem+json document of a refusal, as one readable line (no stack, no body beyond what it says). */
async function problemError(method: string, path: string, response: Response): Promise<PlatformApiError> {
  const text = await response.text().catch(() => '');
  let problem: { code?: unknown; type?: unknown; title?: unknown; detail?: unknown; errors?: unknown } = {};
  try {
    problem = JSON.parse(text) as typeof problem;
  } catch {
    // Not problem+json (a proxy's HTML page, say): the status alone has to do.
  }
  const code =
    typeof problem.code === 'string'
      ? problem.code
      : typeof problem.type === 'string'
        ? problem.type.replace(/^urn:custos:problem:/, '')
        : `http_${response.status}`;
  const detail =
    typeof problem.detail === 'string'
      ? problem.detail
      : typeof problem.title === 'string'
        ? problem.title
        : undefined;
  const fieldErrors = Array.isArray(problem.errors) ? (problem.errors as FieldProblem[]) : [];
  const fields = fieldErrors
    .slice(0, 3)
    .map((e) => `${[e.location, e.path].filter(Boolean).join('.')}: ${e.message}`)
    .join('; ');
  const message = `${method} ${path} failed with HTTP ${response.status} ${code}${detail ? `: ${detail}` : ''}${fields ? ` (${fields})` : ''}`;
  return new PlatformApiError(message, code, response.status, detail, fieldErrors);
}

function unexpected(what: string, why: string, cause?: unknown): PlatformApiError {
  return new PlatformApiError(
    `${what}: unexpected answer: ${why}`,
    'unexpected_response',
    undefined,
    why,
    [],
    {
      cause,
    },
  );
}

function stringField(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | null)?.[name];
  if (typeof value !== 'string') throw unexpected('API', `\`${name}\` is not a string`);
  return value;
}

/** Only the id is required: the rest is informative and a field rule may leave it out. */
function deviceRecord(body: unknown): DeviceRecord {
  const { serialNumber, model, lifecycleState, siteId } = (body ?? {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return {
    id: stringField(body, 'id'),
    serialNumber: text(serialNumber),
    model: text(model),
    lifecycleState: text(lifecycleState),
    siteId: typeof siteId === 'string' || siteId === null ? siteId : undefined,
  };
}
