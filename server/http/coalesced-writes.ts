import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

/**
 * Holds a WebSocket's outgoing frames until the end of the current turn of
 * the event loop, then writes them with one system call. `ws` writes every
 * frame on its own, and a busy server sends many in one turn to the same
 * socket (the events of every run whose transition shared a commit, a
 * backlog replay): the writes were the largest single cost in `npm run
 * bench`'s throughput profile. Order is kept; the delay is at most one turn.
 */
export function coalesceWrites(client: WebSocket, socket: Duplex): void {
  const send = client.send.bind(client);
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  client.send = ((...args: Parameters<WebSocket['send']>) => {
    if (!corked && !socket.destroyed) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    send(...args);
  }) as WebSocket['send'];
}
