/**
 * The development mail catcher: an SMTP server that accepts every message (no TLS, no auth) and
 * keeps the last 200 in memory, and a small web page listing them, with the same list as JSON at
 * `GET /messages`. `npm start` runs it when MAIL_CATCHER_ENABLED and no MAIL_URL is set; tests start
 * their own (tests/support/mail-catcher.ts). It is for development only: it shows everyone's mail.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Server } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { listPage, messagePage } from './mail-catcher-page.js';

export interface CaughtMail {
  id: number;
  receivedAt: string;
  from: string;
  /** The envelope's recipients (Bcc included), in lower case. */
  to: string[];
  subject: string;
  text: string;
  html: string | null;
  /** The Content-Language header, when the sender set one. */
  language: string | null;
}

export interface MailCatcherOptions {
  host?: string;
  /** 0: any free port. */
  smtpPort: number;
  httpPort: number;
  keep?: number;
}

export interface RunningMailCatcher {
  /** What MAIL_URL should be to send here. */
  smtpUrl: string;
  httpUrl: string;
  /** Newest first. */
  messages(): CaughtMail[];
  /** Called for every message caught from now on; returns a function that stops listening. */
  onMail(listener: (mail: CaughtMail) => void): () => void;
  clear(): void;
  stop(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

export async function startMailCatcher(options: MailCatcherOptions): Promise<RunningMailCatcher> {
  const host = options.host ?? '127.0.0.1';
  const keep = options.keep ?? 200;
  let kept: CaughtMail[] = [];
  let nextId = 1;
  const listeners = new Set<(mail: CaughtMail) => void>();

  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    size: MAX_MESSAGE_BYTES,
    logger: false,
    banner: 'Custos development mail catcher',
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const mail: CaughtMail = {
            id: nextId++,
            receivedAt: new Date().toISOString(),
            from: parsed.from?.text ?? (session.envelope.mailFrom ? session.envelope.mailFrom.address : ''),
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : null,
            language: headerText(parsed.headers.get('content-language')),
          };
          kept = [mail, ...kept].slice(0, keep);
          for (const listener of listeners) listener(mail);
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  // A client that drops its connection mid-message must not take the process down.
  smtp.on('error', () => undefined);
  await listening(smtp.server, options.smtpPort, host);

  const http = createServer((request, response) =>
    serve(
      request,
      response,
      () => kept,
      () => (kept = []),
    ),
  );
  try {
    await listening(http, options.httpPort, host);
  } catch (error) {
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    throw error;
  }

  const port = (server: { address(): AddressInfo | string | null }) => (server.address() as AddressInfo).port;
  return {
    smtpUrl: `smtp://${host}:${port(smtp.server)}`,
    httpUrl: `http://${host}:${port(http)}`,
    messages: () => [...kept],
    onMail(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    clear() {
      kept = [];
    },
    async stop() {
      http.closeAllConnections();
      await Promise.all([
        new Promise<void>((resolve) => http.close(() => resolve())),
        new Promise<void>((resolve) => smtp.close(() => resolve())),
      ]);
    },
  };
}

/** Listens, or rejects with the listen error (EADDRINUSE) instead of emitting it. */
async function listening(server: Server, port: number, host: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function headerText(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function serve(
  request: IncomingMessage,
  response: ServerResponse,
  messages: () => CaughtMail[],
  clear: () => void,
): void {
  const [status, type, body] = route(request, messages, clear);
  response.writeHead(status, {
    'content-type': `${type}; charset=utf-8`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    // The pages run no script; a caught mail's HTML is shown in a sandboxed frame only.
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; img-src data:",
  });
  response.end(body);
}

type Answer = [status: number, type: string, body: string];

function route(request: IncomingMessage, messages: () => CaughtMail[], clear: () => void): Answer {
  const path = new URL(request.url ?? '/', 'http://catcher').pathname;
  if (request.method === 'DELETE' && path === '/messages') {
    clear();
    return [204, 'text/plain', ''];
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') return [405, 'text/plain', 'Method not allowed'];
  if (path === '/') return [200, 'text/html', listPage(messages())];
  if (path === '/messages') return [200, 'application/json', JSON.stringify(messages())];
  const match = /^\/messages\/(\d{1,9})(\/view)?$/.exec(path);
  const found = match ? messages().find((m) => m.id === Number(match[1])) : undefined;
  if (!match || !found) return [404, 'text/plain', 'Not found'];
  return match[2] ? [200, 'text/html', messagePage(found)] : [200, 'application/json', JSON.stringify(found)];
}
