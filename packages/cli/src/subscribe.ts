/**
 * `realtime:subscribe`: one JSON line per notification on stdout until SIGINT or SIGTERM, then a clean
 * unsubscribe and disconnect.
 */
import type { Kuzzle } from 'kuzzle-sdk';
import { CliError } from './cli-error';
import { parseJsonObject, type JsonObject } from './relaxed-json';

export interface SubscribeOptions {
  index: string;
  collection: string;
  filters: JsonObject;
  /** Extra subscribe arguments from `-a` (scope, users, volatile...). */
  args: Record<string, unknown>;
}

export function subscribeOptions(
  positionals: string[],
  body: string | undefined,
  args: Record<string, unknown>,
) {
  const [index, collection, filters, ...rest] = positionals;
  if (index === undefined || collection === undefined) {
    throw new CliError('usage: tessera realtime:subscribe <index> <collection> [filters]');
  }
  if (rest.length > 0) throw new CliError(`unexpected argument "${rest[0]}"`);
  if (filters !== undefined && body !== undefined)
    throw new CliError('give the filters once, not also as --body');
  const text = filters ?? body;
  return { index, collection, filters: text === undefined ? {} : parseJsonObject(text, 'filters'), args };
}

/** Resolves once interrupted and unsubscribed. */
export async function subscribe(
  kuzzle: Kuzzle,
  options: SubscribeOptions,
  print: (line: string) => void,
  info: (line: string) => void,
): Promise<void> {
  const roomId = await kuzzle.realtime.subscribe(
    options.index,
    options.collection,
    options.filters,
    (notification) => print(JSON.stringify(notification)),
    options.args,
  );
  info(`tessera: subscribed to ${options.index}/${options.collection}, Ctrl-C to stop`);
  await new Promise<void>((resolve, reject) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    kuzzle.on('disconnected', () => reject(new CliError('the server closed the connection')));
  });
  await kuzzle.realtime.unsubscribe(roomId);
}
