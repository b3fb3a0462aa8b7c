import http from 'node:http';
import type { AnyRouter } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { WebSocket, WebSocketServer } from 'ws';
import { coalesceWrites } from './coalesced-writes.ts';
import { bearerToken, userForToken, type ApiDeps, type Context } from '../api/context.ts';
import { sharedAwareEncoder } from '../api/shared-serialization.ts';
import { createStaticFiles } from './static-files.ts';

export interface HttpServerOptions {
  router: AnyRouter;
  api: ApiDeps;
  /** GET /healthz: `ok` false answers 503 */
  health: () => Promise<{ ok: boolean } & Record<string, unknown>>;
  log?: (line: string) => void;
  /** the built demo page, served at `/` */
  webDir: string;
}

const trpcPath = '/trpc';
const maxBodyBytes = 1024 * 1024;
const maxWsPayloadBytes = 1024 * 1024;
/** how long a WebSocket with a bad token stays open if it sends no request */
const unauthenticatedSocketMs = 2000;
/** application close code (4000–4999) mirroring HTTP 401 */
export const unauthorizedCloseCode = 4401;

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** One port: tRPC over HTTP and WebSocket at /trpc, GET /healthz, and the page at /. */
export function createHttpServer(options: HttpServerOptions) {
  const { api } = options;
  const trpcHandler = createHTTPHandler({
    router: options.router,
    basePath: `${trpcPath}/`,
    maxBodySize: maxBodyBytes,
    createContext: ({ req }): Context => ({ runs: api.runs, userId: userForToken(api.tokens, bearerToken(req)) }),
    onError: ({ error, path }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') options.log?.(`[trpc] ${path ?? '?'}: ${error.message}`);
    },
  });

  const page = createStaticFiles({ root: options.webDir, reserved: [trpcPath, '/healthz'] });

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === trpcPath || path.startsWith(`${trpcPath}/`)) return trpcHandler(req, res);
    if (path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
      void options.health().then(
        ({ ok, ...details }) => sendJson(res, ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', ...details }),
        (error: unknown) => sendJson(res, 503, { status: 'unavailable', error: String(error) }),
      );
      return;
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      page.serve(req, res, path).catch((error: unknown) => {
        options.log?.(`[http] ${path}: ${String(error)}`);
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
        else res.destroy();
      });
      return;
    }
    sendJson(res, 404, { error: 'not found' });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: maxWsPayloadBytes });
  const wsHandler = applyWSSHandler({
    wss,
    router: options.router,
    keepAlive: { enabled: true, pingMs: 15_000, pongWaitMs: 5_000 },
    experimental_encoder: sharedAwareEncoder,
    createContext: ({ info, res }): Context => {
      // the adapter passes the `ws` socket (its type does not resolve through the adapter's d.ts under ESLint)
      const socket = res as unknown as WebSocket;
      const token = info.connectionParams?.token;
      const userId = userForToken(api.tokens, typeof token === 'string' ? token : null);
      if (userId !== null) return { runs: api.runs, userId };
      // Refusing here would close the socket before the client's first request is
      // answered, and the client would report a closed connection instead of
      // UNAUTHORIZED. So requests are refused one by one, then the socket is closed.
      const close = () => {
        if (socket.readyState === WebSocket.OPEN) socket.close(unauthorizedCloseCode, 'missing or invalid token');
      };
      const idle = setTimeout(close, unauthenticatedSocketMs);
      idle.unref();
      return {
        runs: api.runs,
        userId: null,
        rejectConnection: () => {
          clearTimeout(idle);
          setTimeout(close, 50).unref(); // after the error response is on its way
        },
      };
    },
    onError: ({ error, path }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') options.log?.(`[ws] ${path ?? '?'}: ${error.message}`);
    },
  });

  server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== trpcPath && path !== `${trpcPath}/`) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (client) => {
      coalesceWrites(client, socket);
      wss.emit('connection', client, req);
    });
  });

  return {
    server,
    wss,
    listen(port: number, host: string): Promise<{ port: number; host: string }> {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address();
          resolve({ port: typeof address === 'object' && address ? address.port : port, host });
        });
      });
    },
    /** Tells WebSocket clients to reconnect elsewhere, closes sockets and stops listening. */
    async close(): Promise<void> {
      wsHandler.broadcastReconnectNotification();
      for (const client of wss.clients) client.close(1001, 'server shutting down');
      // a peer that does not answer the close handshake must not hold up the shutdown
      const stragglers = setTimeout(() => wss.clients.forEach((client) => client.terminate()), 1000);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      clearTimeout(stragglers);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      });
    },
  };
}
