/**
 * createTcpProxy: a TCP relay on 127.0.0.1 in front of a real server (PostgreSQL, Redis), that a test cuts and
 * restores, to play the server going away mid-run without ever stopping the shared one. While cut, every relayed
 * connection is destroyed and new ones are closed as soon as they arrive (the client sees the connection
 * terminated, as when a server goes down). `cutWhen` cuts the moment a client sends bytes containing a marker
 * (e.g. the text of one SQL statement), before those bytes reach the server: an outage at an exact step.
 */
import { createConnection, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  /** The port clients connect to, on 127.0.0.1. */
  readonly port: number;
  /** Destroys every relayed connection and refuses new ones until `restore`. */
  cut(): void;
  /** The first chunk a client sends that contains `marker` cuts, instead of being relayed. */
  cutWhen(marker: string): void;
  /** Relays again. */
  restore(): void;
  /** How many chunks were refused (connections refused, or marked chunks dropped) since the last restore. */
  readonly refused: number;
  close(): Promise<void>;
}

export async function createTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<Socket>();
  let isCut = false;
  let marker: Buffer | null = null;
  let refused = 0;

  const cutNow = () => {
    isCut = true;
    marker = null;
    for (const socket of pairs) socket.destroy();
    pairs.clear();
  };

  const server = createServer((client) => {
    if (isCut) {
      refused += 1;
      client.destroy();
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
      if (marker !== null && chunk.includes(marker)) {
        refused += 1;
        cutNow();
        return;
      }
      upstream.write(chunk);
    });
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };

  return {
    port,
    cut: cutNow,
    cutWhen(text) {
      marker = Buffer.from(text);
    },
    restore() {
      isCut = false;
      marker = null;
      refused = 0;
    },
    get refused() {
      return refused;
    },
    async close() {
      cutNow();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
