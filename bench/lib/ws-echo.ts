import { WebSocket, WebSocketServer } from 'ws';
import { clockMs } from './stats.ts';

/**
 * The raw floor of progress latency: a bare `ws` server on loopback that
 * echoes every message, and `sockets` clients each sending `perRound`
 * stamped messages per round. Returns round-trip times in milliseconds.
 */
export async function measureWsEcho(sockets: number, perRound: number, rounds: number, gapMs: number) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (socket) => socket.on('message', (data) => socket.send(data)));
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as { port: number };
  const samples: number[] = [];
  const clients = await Promise.all(
    Array.from(
      { length: sockets },
      () =>
        new Promise<WebSocket>((resolve, reject) => {
          const client = new WebSocket(`ws://127.0.0.1:${port}`);
          client.on('message', (data: Buffer) => samples.push(clockMs() - Number(data.toString())));
          client.once('open', () => resolve(client));
          client.once('error', reject);
        }),
    ),
  );
  for (let round = 0; round < rounds; round++) {
    const expected = samples.length + sockets * perRound;
    for (const client of clients) for (let i = 0; i < perRound; i++) client.send(String(clockMs()));
    const deadline = Date.now() + 5000;
    while (samples.length < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  for (const client of clients) client.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return samples;
}
