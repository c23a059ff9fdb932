/**
 * Baseline WebSocket server (ws, as Tessera's transport): echoes every text frame back unread; a frame
 * `{"notifyAt":<epoch ms>}` instead gets `{"type":"TokenExpired","notifyAt":...}` pushed at that instant (one
 * setTimeout each), the floor for the expiry notifications. Idle sockets cost only what ws makes them cost.
 * It writes as Tessera does: the frames sent to a socket before the current tick ends leave in one write (the
 * TCP socket corked until then), not one write each.
 * `node bare-ws.js <port>`.
 */
import { createServer } from 'node:http';
import { WebSocketServer, type RawData } from 'ws';

const port = Number(process.argv[2]);
const NOTIFY = Buffer.from('{"notifyAt":');
const server = createServer();
/** Tessera's defaults: no compression, frames up to `server.maxRequestSize` (1 MiB). */
const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 1024 * 1024 });

wss.on('connection', (socket, message) => {
  const stream = message.socket;
  let corked = false;
  const uncork = () => {
    corked = false;
    stream.uncork();
  };
  const send = (data: string | Buffer, binary = false) => {
    if (!corked) {
      corked = true;
      stream.cork();
      process.nextTick(uncork);
    }
    socket.send(data, { binary });
  };
  socket.on('message', (data: RawData, isBinary) => {
    const frame = data as Buffer;
    if (frame.subarray(0, NOTIFY.length).equals(NOTIFY)) {
      const { notifyAt } = JSON.parse(frame.toString('utf8')) as { notifyAt: number };
      setTimeout(
        () => send(JSON.stringify({ type: 'TokenExpired', notifyAt })),
        Math.max(notifyAt - Date.now(), 0),
      );
      return;
    }
    send(frame, isBinary);
  });
});
server.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
