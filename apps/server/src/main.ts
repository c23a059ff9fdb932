#!/usr/bin/env node
/**
 * `npm start`: serves until SIGTERM or SIGINT, then shuts down gracefully. A boot failure prints one clear
 * line (which key, which plugin, which field) and exits with code 1.
 */
import { isTesseraError } from '@tessera/plugin-sdk';
import { startServer } from './start-server';

async function main(): Promise<void> {
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer();
  } catch (error) {
    // The operator's terminal, not the wire: the cause's details (a path, a schema version) belong here.
    const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
    const message = isTesseraError(error)
      ? `${error.id}: ${error.message}${cause}`
      : error instanceof Error
        ? error.message
        : String(error);
    process.stderr.write(`tessera: cannot start: ${message}\n`);
    process.exit(1);
  }

  const { log } = server;
  process.on('unhandledRejection', (error) => log.error('unhandled promise rejection', { error }));
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.stop(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        log.error('shutdown failed', { error });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('uncaughtException', (error) => {
    log.error('uncaught exception: shutting down', { error });
    shutdown('uncaughtException');
  });
}

void main();
