/** A loopback TCP proxy the tests can cut, to make a real dependency (PostgreSQL, the IdP) go away mid-run. */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Drops every open connection and refuses new ones. */
  cut(): Promise<void>;
  /** Accepts connections again on the same port, after a cut. */
  restore(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const listen = async (port: number): Promise<Server> => {
    const server = createServer((client) => {
      const upstream = createConnection(targetPort, targetHost);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return server;
  };
  let server = await listen(0);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    cut: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
    restore: async () => {
      server = await listen(port);
    },
  };
}

/** For createTestApp's connectThrough: the same database, reached through a proxy handed to `onProxy`. */
export function viaProxy(onProxy: (proxy: TcpProxy) => void): (databaseUrl: string) => Promise<string> {
  return async (databaseUrl) => {
    const url = new URL(databaseUrl);
    const proxy = await startTcpProxy(url.hostname, Number(url.port || 5432));
    onProxy(proxy);
    url.port = String(proxy.port);
    return url.toString();
  };
}
