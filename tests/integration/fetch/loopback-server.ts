import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A real HTTP server on a loopback address for the fetcher's tests. It records every request
 * and every TCP connection, so a test can prove that a refused fetch never reached it.
 */

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
}

export interface LoopbackServer {
  readonly origin: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** TCP connections accepted so far (a refused fetch must not even connect). */
  connections(): number;
  /** Sockets still open right now. */
  openSockets(): number;
  route(path: string, handler: Handler): void;
  close(): Promise<void>;
}

export async function startLoopbackServer(host = '127.0.0.1'): Promise<LoopbackServer> {
  const routes = new Map<string, Handler>();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;

  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push({ path, headers: req.headers });
    const handler = routes.get(path.split('?')[0] ?? path);
    if (handler) handler(req, res);
    else {
      res.writeHead(599, { 'content-type': 'text/plain' });
      res.end(`no route for ${path}`);
    }
  });
  server.on('connection', (socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://${host}:${port}`,
    port,
    requests,
    connections: () => connections,
    openSockets: () => sockets.size,
    route: (path, handler) => routes.set(path, handler),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
