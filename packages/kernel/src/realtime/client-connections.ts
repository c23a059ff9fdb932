/**
 * ClientConnections: the open realtime connections, by connection id, as the realtime side sees them: it can
 * push a frame to one, and learn when one goes away. The WebSocket transport fills it; HTTP clients hold no
 * connection to push to.
 */

export interface ClientConnections {
  /** Serialises `frame` and sends it; false when the connection is gone (or was just closed as too slow). */
  send(connectionId: string, frame: object): boolean;
  /** Sends an already-serialised frame to several connections (one JSON.stringify for a whole room). */
  sendRaw(connectionIds: Iterable<string>, json: string): void;
  has(connectionId: string): boolean;
}

/**
 * A pushed frame as kuzzle-sdk routes it: `json` (an object's JSON, with no `room` key) with `room` appended as
 * its last key. Appending to JSON written once costs less than copying the object to add the key, and lets
 * one serialisation serve many rooms.
 */
export function withRoom(json: string, room: string): string {
  return `${json.slice(0, -1)},"room":${JSON.stringify(room)}}`;
}
