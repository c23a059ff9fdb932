/**
 * createTcpProxy: a TCP relay on 127.0.0.1 in front of a real server (PostgreSQL, Redis), that a test cuts and
 * restores, to play the server going away mid-run without ever stopping the shared one. While cut, every relayed
 * connection is destroyed and new ones are closed as soon as they arrive (the client sees the connection
 * terminated, as when a server goes down). `cutWhen` cuts the moment a client sends bytes containing a marker
 * (e.g. the text of one SQL statement), before those bytes reach the server: an outage at an exact step.
 * `blackHole` plays the other way a server is lost, a silent network (a partition, a host gone without a reset):
 * connections stay open and new ones are accepted, but no byte goes through either way, so only the client's own
 * timeouts can end a call.
 */
import { createConnection, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  /** The port clients connect to, on 127.0.0.1. */
  readonly port: number;
  /** Destroys every relayed connection and refuses new ones until `restore`. */
  cut(): void;
  /** The first chunk a client sends that contains `marker` cuts, instead of being relayed. */
  cutWhen(marker: string): void;
  /**
   * Until `restore`: accepts connections and keeps every one open, but relays nothing either way and answers
   * nothing. A relayed connection that lost bytes is out of step with its server afterwards: `restore` closes
   * it, as a client that timed out would have.
   */
  blackHole(): void;
  /** Relays again. */
  restore(): void;
  /**
   * How many chunks were refused (connections refused, marked chunks dropped, chunks swallowed by the black
   * hole) since the last restore.
   */
  readonly refused: number;
  close(): Promise<void>;
}

type Mode = 'relay' | 'cut' | 'blackHole';

export async function createTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<Socket>();
  /** Connections that lost bytes to the black hole (or arrived during it): closed when it ends. */
  const swallowed = new Set<Socket>();
  let mode: Mode = 'relay';
  let marker: Buffer | null = null;
  let refused = 0;

  const cutNow = () => {
    mode = 'cut';
    marker = null;
    for (const socket of pairs) socket.destroy();
    pairs.clear();
  };

  const closeSwallowed = () => {
    for (const socket of swallowed) socket.destroy();
    swallowed.clear();
  };

  /** In the black hole a chunk is dropped, and the connection it travelled on is marked as broken. */
  const swallow = (...sockets: Socket[]) => {
    refused += 1;
    for (const socket of sockets) swallowed.add(socket);
  };

  const server = createServer((client) => {
    if (mode === 'cut') {
      refused += 1;
      client.destroy();
      return;
    }
    if (mode === 'blackHole') {
      // Accepted, then never answered: the client waits for a server that says nothing.
      pairs.add(client);
      swallowed.add(client);
      client.on('data', () => swallow(client));
      client.on('error', () => client.destroy()).on('close', () => pairs.delete(client));
      return;
    }
    const upstream = createConnection(target);
    pairs.add(client);
    pairs.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(client);
      pairs.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.on('data', (chunk: Buffer) => {
      if (mode === 'blackHole') {
        swallow(client, upstream);
        return;
      }
      if (marker !== null && chunk.includes(marker)) {
        refused += 1;
        cutNow();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (mode === 'blackHole') {
        swallow(client, upstream);
        return;
      }
      client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };

  return {
    port,
    cut: cutNow,
    cutWhen(text) {
      marker = Buffer.from(text);
    },
    blackHole() {
      mode = 'blackHole';
      marker = null;
    },
    restore() {
      closeSwallowed();
      mode = 'relay';
      marker = null;
      refused = 0;
    },
    get refused() {
      return refused;
    },
    async close() {
      closeSwallowed();
      cutNow();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
