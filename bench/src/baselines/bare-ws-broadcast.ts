/**
 * Baseline WebSocket server for one-to-many pushes (ws, as Tessera's transport), driven by the bench over one of
 * its own sockets. `node bare-ws-broadcast.js <port>`. Text frames, each a JSON object:
 * - `{"listen":"<room>"}`: this socket becomes a listener with that room name; answered `{"listening":<count>}`.
 * - `{"template":[<before>,<after>]}`: the event frame is `<before><Date.now()><after>`, then each listener's
 *   `,"room":"<its room>"}`: the bytes of a Tessera `%auth` notification, its `at` stamped at emission, with
 *   only what differs per listener appended, no serialisation per listener (the floor of sending distinct frames).
 * - `{"emit":1}`: stamps the template and sends it to every listener, in the order they listened.
 * - `{"push":"<frame>"}`: sends that frame, as is, to every listener (one request, one frame each).
 * Nothing is answered to `emit` and `push`: the listeners' clients time what they receive.
 */
import { createServer } from 'node:http';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

interface Control {
  listen?: string;
  template?: [string, string];
  emit?: number;
  push?: string;
}

const port = Number(process.argv[2]);
const server = createServer();
const wss = new WebSocketServer({ server, perMessageDeflate: false });
/** Each listener and the end of its frames, `,"room":"<room>"}`. */
const listeners = new Map<WebSocket, string>();
let template: [string, string] = ['', ''];

wss.on('connection', (socket) => {
  socket.on('close', () => listeners.delete(socket));
  socket.on('message', (data: RawData) => {
    const control = JSON.parse((data as Buffer).toString('utf8')) as Control;
    if (control.listen !== undefined) {
      listeners.set(socket, `,"room":${JSON.stringify(control.listen)}}`);
      socket.send(JSON.stringify({ listening: listeners.size }));
    } else if (control.template !== undefined) {
      template = control.template;
    } else if (control.emit !== undefined) {
      const head = template[0] + Date.now() + template[1];
      for (const [listener, tail] of listeners) listener.send(head + tail);
    } else if (control.push !== undefined) {
      for (const listener of listeners.keys()) listener.send(control.push);
    }
  });
});
server.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
