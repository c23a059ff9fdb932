/**
 * A full garbage collection in a child process, through the inspector protocol (the child runs with
 * `--inspect=127.0.0.1:<port>`): what a memory figure reads after it is what the process still holds, not where
 * the collector happened to leave the heap. The protocol's `HeapProfiler.collectGarbage` is what DevTools'
 * "collect garbage" button sends.
 */
import { WebSocket } from 'ws';

/** The `--inspect` flag for a child that `collectGarbage` will reach on `port`. */
export function inspectFlag(port: number): string {
  return `--inspect=127.0.0.1:${port}`;
}

/** Runs a full garbage collection in the process whose inspector listens on `port`; resolves once it is done. */
export async function collectGarbage(port: number): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${port}/json/list`);
  const [target] = (await response.json()) as { webSocketDebuggerUrl: string }[];
  if (target === undefined) throw new Error(`no inspector target on port ${port}`);
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    await new Promise<void>((resolve, reject) => {
      socket.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString('utf8')) as { id?: number; error?: { message: string } };
        if (message.id !== 1) return;
        if (message.error) reject(new Error(`collectGarbage: ${message.error.message}`));
        else resolve();
      });
      socket.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' }));
    });
  } finally {
    socket.close();
  }
}
