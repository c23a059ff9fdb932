/**
 * RealtimeHub: Kuzzle's realtime rooms on this node. It owns the subscriptions, matches documents against their
 * Koncorde filters and pushes notifications through the ClientConnections port, never through a socket.
 *
 * - A room is one (index, collection, normalized filters); its id is Koncorde's hash of the three, so the same
 *   filters give the same roomId. It holds the connections subscribed to it, each with the identity and the
 *   volatile data it subscribed with.
 * - A channel is a room seen with options: `${roomId}-${hash(scope, users)}`. The same filters with other
 *   options give another channel of the same room. kuzzle-sdk routes notifications by channel (`room`), and a
 *   notification is serialised once per channel.
 * - Notifications leave in the order they were made, one after the other, each after the
 *   `realtime:beforeNotify` pipes. Recipients are read at delivery, so nobody is sent anything after leaving.
 * - Reserved indexes (`reserve`) belong to the server: clients may subscribe but not publish, the server
 *   announces, and no user notification is sent there. Their Audience judges each delivery against who each
 *   connection is at that moment (looking up first what it does not hold in memory), and which listeners a
 *   caller of `count`, `list` or `join` may know of: a room where it may know of none does not exist for it.
 */
import { createHash } from 'node:crypto';
import { Koncorde, type KoncordeOptions, type NormalizedFilter } from 'koncorde';
import type {
  ConnectionInfo,
  DocumentNotification,
  EventBus,
  JsonObject,
  Logger,
  RealtimeNotification,
  RequestUser,
  Unsubscribe,
  UserNotification,
} from '@tessera/plugin-sdk';
import { TesseraError, tesseraError } from '@tessera/plugin-sdk';
import { messageOf } from '../internal/message-of';
import { withRoom, type ClientConnections } from './client-connections';
import { assertFilterBounds } from './filter-complexity';

export const CHANNEL_OPTIONS = ['all', 'in', 'out', 'none'] as const;
/** Which document (`scope`) or user (`users`) notifications a channel gets: `in`, `out`, both, or none. */
export type ChannelOption = (typeof CHANNEL_OPTIONS)[number];

export interface ChannelOptions {
  /** Default `all`. */
  readonly scope?: ChannelOption;
  /** Default `none`, as in Kuzzle. */
  readonly users?: ChannelOption;
}

/** The request asking: who, on which connection, with which volatile data. */
export interface Caller {
  readonly requestId: string;
  readonly connection: Pick<ConnectionInfo, 'id' | 'protocol'>;
  readonly user: RequestUser;
  readonly volatile: JsonObject | null;
}

export interface Subscription {
  readonly roomId: string;
  readonly channel: string;
}

/** `{<index>: {<collection>: {<roomId>: <connections>}}}`, Kuzzle's `realtime:list` result. */
export type RoomList = Record<string, Record<string, Record<string, number>>>;

/** A reserved index's rule of who receives what, judged at each use against who each connection is then. */
export interface Audience {
  /**
   * Whether the connection, as who it is at this moment, may receive the document whose content is `source`;
   * undefined while that needs a look-up (`prepare`). Called right before sending: it must not wait.
   */
  admits(connectionId: string, source: JsonObject): boolean | undefined;
  /** Looks up what `admits` needs to answer for these connections. */
  prepare(connectionIds: Iterable<string>): Promise<void>;
  /** For `count`, `list` and `join`: which of a room's listeners the caller may know of. */
  visibleTo(caller: Pick<Caller, 'user' | 'connection'>): Promise<(connectionId: string) => boolean>;
}

export interface RealtimeHubOptions {
  readonly connections: ClientConnections;
  readonly bus: EventBus;
  readonly log: Logger;
  readonly nodeId: string;
  /** `limits.subscriptionConditionsCount`: conditions a subscription filter may hold (0: no limit). */
  readonly maxConditions: number;
  /** Told of every client publication (`realtime:publish`), for the other nodes' subscribers (`deliverFrom`). */
  readonly onPublish?: (notification: DocumentNotification) => void;
}

interface Member {
  readonly volatile: JsonObject | null;
  readonly protocol: ConnectionInfo['protocol'];
}

interface Room {
  readonly id: string;
  readonly index: string;
  readonly collection: string;
  /** By connection id. */
  readonly members: Map<string, Member>;
  /** By channel name. */
  readonly channels: Map<string, Channel>;
}

interface Channel {
  readonly name: string;
  readonly room: Room;
  readonly scope: ChannelOption;
  readonly users: ChannelOption;
  readonly connections: Set<string>;
}

const KONCORDE_OPTIONS: Partial<KoncordeOptions> = {
  // Our bounds run first (filter-complexity.ts); Koncorde's own count (50 unless set) must not cap them.
  maxConditions: Number.MAX_SAFE_INTEGER,
  // RE2, Koncorde's default, said aloud: a client's `regexp` must never backtrack catastrophically.
  regExpEngine: 're2',
};

export class RealtimeHub {
  // Koncorde's typings require every option; each has a default (the seed: random bytes).
  private readonly koncorde = new Koncorde(KONCORDE_OPTIONS as KoncordeOptions);
  private readonly rooms = new Map<string, Room>();
  /**
   * How many rooms each index and collection has (Koncorde's index name): the server announces every auth event
   * on `%auth`, and where no room listens that must cost nothing (a revocation of 1,000 tokens announces 1,000).
   */
  private readonly roomCounts = new Map<string, number>();
  private readonly channels = new Map<string, Channel>();
  /** Connection id -> ids of the rooms it is in. */
  private readonly roomsOf = new Map<string, Set<string>>();
  private readonly reserved = new Map<string, Audience>();
  /** The last queued delivery; never rejects. */
  private delivery: Promise<void> = Promise.resolve();
  private readonly unhook: Unsubscribe;

  constructor(private readonly options: RealtimeHubOptions) {
    this.unhook = options.bus.hook('connection:remove', (connection) => {
      this.dropConnection(connection.id);
    });
  }

  /** `realtime:subscribe`: enters the room of these filters (created if needed) through the options' channel. */
  subscribe(
    caller: Caller,
    index: string,
    collection: string,
    filters: JsonObject,
    options: ChannelOptions = {},
  ): Subscription {
    this.assertConnected(caller, 'subscribe');
    const normalized = this.normalize(filters, index, collection);
    let room = this.rooms.get(normalized.id);
    if (!room) {
      this.koncorde.store(normalized);
      room = { id: normalized.id, index, collection, members: new Map(), channels: new Map() };
      this.rooms.set(room.id, room);
      const key = koncordeIndex(index, collection);
      this.roomCounts.set(key, (this.roomCounts.get(key) ?? 0) + 1);
    }
    return this.enter(room, caller, options);
  }

  /** `realtime:join`: enters an existing room by id (on a reserved index, one the caller may know of). */
  async join(caller: Caller, roomId: string, options: ChannelOptions = {}): Promise<Subscription> {
    this.assertConnected(caller, 'join');
    await this.visibleListeners(caller, roomId);
    // Checked again after the wait: the socket may have closed, the room emptied.
    this.assertConnected(caller, 'join');
    return this.enter(this.room(roomId), caller, options);
  }

  /** `realtime:unsubscribe`: leaves the room, through every channel the connection had in it. */
  unsubscribe(connection: Caller['connection'], roomId: string): { roomId: string } {
    this.assertConnected({ connection }, 'unsubscribe');
    if (!this.leave(connection.id, roomId)) {
      throw tesseraError('core.realtime.not_subscribed', connection.id, roomId);
    }
    return { roomId };
  }

  /** Removes every subscription of the connection (it closed, or its token ended); returns how many. */
  dropConnection(connectionId: string): number {
    const roomIds = [...(this.roomsOf.get(connectionId) ?? [])];
    return roomIds.filter((roomId) => this.leave(connectionId, roomId)).length;
  }

  /** Kuzzle's `server:metrics` `realtime` section: rooms, and connections with at least one subscription. */
  metrics(): { rooms: number; subscriptions: number } {
    return { rooms: this.rooms.size, subscriptions: this.roomsOf.size };
  }

  /** `realtime:count`: how many connections are in the room, of those the caller may know of. */
  async count(caller: Pick<Caller, 'user' | 'connection'>, roomId: string): Promise<number> {
    return this.visibleListeners(caller, roomId);
  }

  /**
   * `realtime:list`, restricted to the (index, collection) pairs `visible` admits, each room counting the
   * listeners the caller may know of; a room with none is left out.
   */
  async list(
    caller: Pick<Caller, 'user' | 'connection'>,
    visible: (index: string, collection: string) => boolean = () => true,
  ): Promise<RoomList> {
    const listeners = new Map<string, (connectionId: string) => boolean>();
    for (const [index, audience] of this.reserved) listeners.set(index, await audience.visibleTo(caller));
    const list: RoomList = {};
    for (const room of this.rooms.values()) {
      if (!visible(room.index, room.collection)) continue;
      const known = listeners.get(room.index);
      const count = known ? countWhere(room.members.keys(), known) : room.members.size;
      if (count === 0) continue;
      const collections = (list[room.index] ??= {});
      (collections[room.collection] ??= {})[room.id] = count;
    }
    return list;
  }

  /** `realtime:publish`: a client's message, refused on reserved indexes. Resolves once delivered. */
  async publish(
    caller: Caller,
    index: string,
    collection: string,
    message: JsonObject,
    id?: string,
  ): Promise<void> {
    if (this.reserved.has(index)) throw tesseraError('api.process.reserved_channel', index);
    const _kuzzle_info = { author: caller.user._id, createdAt: Date.now() };
    const notification: DocumentNotification = {
      ...publication(index, collection, { _id: id, _source: { ...message, _kuzzle_info } }),
      requestId: caller.requestId,
      volatile: caller.volatile,
      protocol: caller.connection.protocol,
      node: this.options.nodeId,
    };
    this.options.onPublish?.(notification);
    await this.dispatchDocument(notification);
  }

  /** A client publication made on another node of the cluster, for this node's subscribers. */
  deliverFrom(notification: DocumentNotification): Promise<void> {
    return this.dispatchDocument(notification);
  }

  /** The server's own publication, on any index (reserved ones included). Resolves once delivered. */
  announce(index: string, collection: string, source: JsonObject): Promise<void> {
    // Only this node's rooms hear it (each node announces the events it hears), so with none there is nobody.
    if (!this.roomCounts.has(koncordeIndex(index, collection))) return this.delivery;
    return this.dispatchDocument({
      ...publication(index, collection, { _source: source }),
      requestId: null,
      volatile: null,
      protocol: 'internal',
      node: this.options.nodeId,
    });
  }

  /** Makes `index` the server's: no client publishes there, and `audience` picks who receives each document. */
  reserve(index: string, audience: Audience): Unsubscribe {
    if (this.reserved.has(index)) throw new Error(`realtime index "${index}" is already reserved`);
    this.reserved.set(index, audience);
    return () => {
      this.reserved.delete(index);
    };
  }

  /** Resolves once every notification queued so far is delivered or dropped. */
  settled(): Promise<void> {
    return this.delivery;
  }

  /** Stops following connections and resolves once queued notifications are out. */
  close(): Promise<void> {
    this.unhook();
    return this.delivery;
  }

  private room(roomId: string): Room {
    const room = this.rooms.get(roomId);
    if (!room) throw tesseraError('core.realtime.room_not_found', roomId);
    return room;
  }

  /** How many of the room's listeners the caller may know of; a room with none does not exist for it. */
  private async visibleListeners(
    caller: Pick<Caller, 'user' | 'connection'>,
    roomId: string,
  ): Promise<number> {
    const audience = this.reserved.get(this.room(roomId).index);
    if (!audience) return this.room(roomId).members.size;
    const known = await audience.visibleTo(caller);
    const count = countWhere(this.room(roomId).members.keys(), known);
    if (count === 0) throw tesseraError('core.realtime.room_not_found', roomId);
    return count;
  }

  /**
   * Only a connection the server can push to may hold subscriptions. Checked at the last moment: a socket that
   * closed while its subscribe was in flight has already been dropped, and would keep a subscription forever.
   */
  private assertConnected({ connection }: Pick<Caller, 'connection'>, action: string): void {
    if (!this.options.connections.has(connection.id)) {
      throw tesseraError('api.process.realtime_connection_required', action, connection.protocol);
    }
  }

  private normalize(filters: JsonObject, index: string, collection: string): NormalizedFilter {
    // Koncorde's normalisation is exponential in the filter's shape: bound the shape before it runs.
    assertFilterBounds(filters, { maxConditions: this.options.maxConditions });
    try {
      return this.koncorde.normalize(filters, koncordeIndex(index, collection));
    } catch (error) {
      const keyword = (error as { keyword?: unknown }).keyword;
      if (typeof keyword === 'string' && messageOf(error).endsWith('unknown keyword')) {
        throw new TesseraError('api.assert.koncorde_unknown_keyword', [keyword], { cause: error });
      }
      throw new TesseraError('api.assert.koncorde_dsl_error', [messageOf(error)], { cause: error });
    }
  }

  private enter(room: Room, caller: Caller, { scope = 'all', users = 'none' }: ChannelOptions): Subscription {
    const connectionId = caller.connection.id;
    const name = `${room.id}-${createHash('sha256').update(`${scope}/${users}`).digest('hex').slice(0, 16)}`;
    let channel = room.channels.get(name);
    if (!channel) {
      channel = { name, room, scope, users, connections: new Set() };
      room.channels.set(name, channel);
      this.channels.set(name, channel);
    }
    channel.connections.add(connectionId);
    if (!room.members.has(connectionId)) {
      const member = { volatile: caller.volatile, protocol: caller.connection.protocol };
      room.members.set(connectionId, member);
      let roomIds = this.roomsOf.get(connectionId);
      if (!roomIds) this.roomsOf.set(connectionId, (roomIds = new Set()));
      roomIds.add(room.id);
      this.notifyUsers(room, 'in', member, connectionId);
    }
    return { roomId: room.id, channel: name };
  }

  /** False when the connection was not in the room. */
  private leave(connectionId: string, roomId: string): boolean {
    const room = this.rooms.get(roomId);
    const member = room?.members.get(connectionId);
    if (!room || !member) return false;
    room.members.delete(connectionId);
    for (const channel of room.channels.values()) {
      channel.connections.delete(connectionId);
      if (channel.connections.size > 0) continue;
      room.channels.delete(channel.name);
      this.channels.delete(channel.name);
    }
    const roomIds = this.roomsOf.get(connectionId);
    roomIds?.delete(roomId);
    if (roomIds?.size === 0) this.roomsOf.delete(connectionId);
    if (room.members.size === 0) {
      this.rooms.delete(roomId);
      const key = koncordeIndex(room.index, room.collection);
      this.koncorde.remove(roomId, key);
      const left = (this.roomCounts.get(key) ?? 1) - 1;
      if (left > 0) this.roomCounts.set(key, left);
      else this.roomCounts.delete(key);
    } else {
      this.notifyUsers(room, 'out', member);
    }
    return true;
  }

  private dispatchDocument(notification: DocumentNotification): Promise<void> {
    const { _id, _source } = notification.result;
    const document = _id === undefined ? _source : { ..._source, _id };
    const channels: string[] = [];
    for (const roomId of this.koncorde.test(
      document,
      koncordeIndex(notification.index, notification.collection),
    )) {
      for (const channel of this.rooms.get(roomId)?.channels.values() ?? []) {
        if (wants(channel.scope, notification.scope)) channels.push(channel.name);
      }
    }
    return this.enqueue(notification, channels);
  }

  /** Tells the room's other subscribers that `member` came in or left (`except`: the one that came in). */
  private notifyUsers(room: Room, user: 'in' | 'out', member: Member, except?: string): void {
    if (this.reserved.has(room.index)) return;
    const channels = [...room.channels.values()].filter((channel) => wants(channel.users, user));
    const notification: UserNotification = {
      type: 'user',
      status: 200,
      user,
      result: { count: room.members.size },
      timestamp: Date.now(),
      volatile: member.volatile,
      index: room.index,
      collection: room.collection,
      controller: 'realtime',
      action: user === 'in' ? 'subscribe' : 'unsubscribe',
      protocol: member.protocol,
      node: this.options.nodeId,
    };
    void this.enqueue(
      notification,
      channels.map((channel) => channel.name),
      except,
    );
  }

  private enqueue(notification: RealtimeNotification, channels: string[], except?: string): Promise<void> {
    if (channels.length === 0) return this.delivery;
    this.delivery = this.delivery
      .then(() => this.deliver(notification, channels, except))
      .catch((error: unknown) => {
        this.options.log.error('realtime notification dropped', { error, channels });
      });
    return this.delivery;
  }

  /** Runs the pipes, serialises once, then pushes to each channel's admitted connections, with its `room`. */
  private async deliver(
    notification: RealtimeNotification,
    channels: string[],
    except?: string,
  ): Promise<void> {
    const piped = await this.options.bus.pipeline('realtime:beforeNotify', { notification, channels });
    const outgoing = piped.notification;
    if (!outgoing) return;
    let body: object = outgoing;
    if ('room' in outgoing) {
      // A pipe handed back a `room` of its own: the channel's replaces it, as one key.
      const { room: _replaced, ...rest } = outgoing;
      body = rest;
    }
    const json = JSON.stringify(body);
    for (const name of channels) {
      const channel = this.channels.get(name);
      if (!channel) continue;
      const audience = this.reserved.get(channel.room.index);
      const recipients = audience
        ? await this.audienceOf(channel, outgoing, audience)
        : [...channel.connections].filter((connectionId) => connectionId !== except);
      if (recipients.length > 0) {
        this.options.connections.sendRaw(recipients, withRoom(json, name));
      }
    }
  }

  /**
   * On a reserved index only documents go out, each to whom the audience admits. Connections it cannot judge
   * without a look-up are looked up, then everyone is judged again, synchronously, right before the send: a
   * connection that changed identity or left meanwhile is judged as it is now. Still unknown after
   * `AUDIENCE_ROUNDS` (a user deleted, rights rewritten each time), it is left out: fail closed.
   */
  private async audienceOf(
    channel: Channel,
    notification: RealtimeNotification,
    audience: Audience,
  ): Promise<string[]> {
    if (notification.type !== 'document') return [];
    const source = notification.result._source;
    for (let round = 1; ; round += 1) {
      const admitted: string[] = [];
      const unknown: string[] = [];
      for (const connectionId of channel.connections) {
        const verdict = audience.admits(connectionId, source);
        if (verdict === undefined) unknown.push(connectionId);
        else if (verdict) admitted.push(connectionId);
      }
      if (unknown.length === 0 || round === AUDIENCE_ROUNDS) return admitted;
      await audience.prepare(unknown);
    }
  }
}

/** Look-ups a delivery on a reserved index makes at most before leaving out whom it still cannot judge. */
const AUDIENCE_ROUNDS = 3;

function countWhere(connectionIds: Iterable<string>, admitted: (connectionId: string) => boolean): number {
  let count = 0;
  for (const connectionId of connectionIds) if (admitted(connectionId)) count += 1;
  return count;
}

/** Whether a channel option (`scope` or `users`) takes a notification going `in` or `out`. */
function wants(option: ChannelOption, direction: 'in' | 'out'): boolean {
  return option === 'all' || option === direction;
}

/** Koncorde keeps filters per index; ours are per (index, collection). JSON keeps any pair of names apart. */
function koncordeIndex(index: string, collection: string): string {
  return JSON.stringify([index, collection]);
}

/** The fields every `publish` document notification shares, whoever publishes. */
function publication(index: string, collection: string, result: DocumentNotification['result']) {
  return {
    type: 'document',
    status: 200,
    action: 'publish',
    event: 'publish',
    scope: 'in',
    result,
    timestamp: Date.now(),
    index,
    collection,
    controller: 'realtime',
  } as const;
}
