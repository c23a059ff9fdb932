/**
 * A raw WebSocket client for the tests that need what kuzzle-sdk hides: every frame received, in order, and a way
 * to send one request frame (its `requestId` chosen here) and await the answer to it.
 */
import WebSocketClient from 'ws';

export interface RawClient {
  readonly socket: WebSocketClient;
  /** Every frame received so far, parsed, in order. */
  readonly frames: any[];
  /** Sends `request` with a fresh `requestId`; resolves with the frame answering it. */
  readonly query: (request: Record<string, unknown>) => Promise<any>;
  /** The frames of a server notification type (`TokenExpired`, `TokenExpiring`, `document`...). */
  readonly ofType: (type: string) => any[];
}

export async function openRawClient(port: number): Promise<RawClient> {
  const socket = new WebSocketClient(`ws://127.0.0.1:${port}`);
  const frames: any[] = [];
  const waiting = new Map<string, (frame: any) => void>();
  socket.on('message', (data) => {
    const frame = JSON.parse((data as Buffer).toString('utf8'));
    frames.push(frame);
    // An answer's `room` is its request's id.
    waiting.get(frame.room)?.(frame);
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  let counter = 0;
  return {
    socket,
    frames,
    query: (request) =>
      new Promise<any>((resolve) => {
        const requestId = `r${++counter}`;
        waiting.set(requestId, resolve);
        socket.send(JSON.stringify({ ...request, requestId }));
      }),
    ofType: (type) => frames.filter((frame) => frame.type === type),
  };
}
