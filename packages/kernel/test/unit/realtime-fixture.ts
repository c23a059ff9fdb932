/**
 * What the realtime tests share: a RealtimeHub on a real event bus, delivering to a ClientConnections that
 * records every frame instead of writing to sockets, and test clients that open a connection on it.
 */
import type { JsonObject, LogFields, Logger, RealtimeNotification, RequestUser } from '@tessera/plugin-sdk';
import { createEventBus, type KernelEventBus } from '../../src/events/event-bus';
import type { ClientConnections } from '../../src/realtime/client-connections';
import { RealtimeHub, type Caller } from '../../src/realtime/realtime-hub';

export const NODE_ID = 'node-under-test';

/** A notification as the client parses it: with `room`, its channel. */
export type Frame = RealtimeNotification & { room: string };

/** Records what would go out: each frame as the client would parse it, and each serialisation. */
export class RecordingConnections implements ClientConnections {
  readonly open = new Set<string>();
  readonly frames: { connectionId: string; frame: Frame }[] = [];
  /** One entry per serialised frame, with the connections it went to. */
  readonly batches: string[][] = [];
  /** Each serialised frame as written, before any parsing. */
  readonly written: string[] = [];

  send(connectionId: string, frame: object): boolean {
    if (!this.open.has(connectionId)) return false;
    this.sendRaw([connectionId], JSON.stringify(frame));
    return true;
  }

  sendRaw(connectionIds: Iterable<string>, json: string): void {
    const ids = [...connectionIds].filter((id) => this.open.has(id));
    this.batches.push(ids);
    this.written.push(json);
    for (const connectionId of ids) this.frames.push({ connectionId, frame: JSON.parse(json) });
  }

  has(connectionId: string): boolean {
    return this.open.has(connectionId);
  }

  framesOf(connectionId: string): Frame[] {
    return this.frames.filter((sent) => sent.connectionId === connectionId).map((sent) => sent.frame);
  }
}

export interface TestClient {
  readonly id: string;
  readonly user: RequestUser;
  /** A new request from this client (a fresh requestId each time). */
  caller(volatile?: JsonObject | null): Caller;
  /** What this connection received so far. */
  frames(): Frame[];
}

export interface HubHarness {
  hub: RealtimeHub;
  bus: KernelEventBus;
  connections: RecordingConnections;
  errors: { message: string; fields?: LogFields }[];
  /** Opens a WebSocket-like connection for `kuid` (profile `default` unless told). */
  client(kuid: string, profileIds?: string[]): TestClient;
}

/** `maxConditions`: `limits.subscriptionConditionsCount` (16 by default). */
export function openHub({ maxConditions = 16 }: { maxConditions?: number } = {}): HubHarness {
  const errors: HubHarness['errors'] = [];
  const log: Logger = {
    debug() {},
    info() {},
    warn() {},
    error: (message, fields) => void errors.push({ message, fields }),
    child: () => log,
  };
  const bus = createEventBus(log);
  const connections = new RecordingConnections();
  const hub = new RealtimeHub({ connections, bus, log, nodeId: NODE_ID, maxConditions });
  let clients = 0;

  return {
    hub,
    bus,
    connections,
    errors,
    client(kuid, profileIds = ['default']) {
      const id = `connection-${++clients}-${kuid}`;
      const user = { _id: kuid, profileIds };
      let requests = 0;
      connections.open.add(id);
      return {
        id,
        user,
        caller: (volatile = { sdkInstanceId: id }) => ({
          requestId: `${id}-request-${++requests}`,
          connection: { id, protocol: 'websocket' },
          user,
          volatile,
        }),
        frames: () => connections.framesOf(id),
      };
    },
  };
}
