/**
 * One invocation of the command: parse, connect, send, print. Returns the exit code; never exits itself.
 */
import path from 'node:path';
import type { BaseRequest } from 'kuzzle-sdk';
import { CliError } from './cli-error';
import { connect, resolveConnection, type ConnectionOptions, type Session } from './connection';
import { controllerHelp, USAGE } from './help';
import { login, logout, tokenRefused } from './login';
import { formatError, formatResult } from './output';
import { parseArgv, type ParsedArgv } from './parse-argv';
import { CONFIG_SHOW_USAGE, showConfig } from './config-show';
import { createPlugin, PLUGIN_CREATE_USAGE } from './plugin-create';
import { parseArgValue, parseJsonObject } from './relaxed-json';
import { forgetSession, serverKey } from './session-file';
import { storeTransfer } from './store-transfer';
import { subscribe, subscribeOptions } from './subscribe';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export async function run(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: Io,
  cwd: string = process.cwd(),
): Promise<number> {
  let session: Session | undefined;
  let connection: ConnectionOptions | undefined;
  try {
    const parsed = parseArgv(argv);
    if (parsed.command === 'plugin:create') return pluginCreate(parsed, cwd, io);
    if (parsed.command === 'config:show') {
      if (parsed.positionals.length > 0) throw new CliError(`unexpected argument "${parsed.positionals[0]}"`);
      io.stdout(parsed.help ? CONFIG_SHOW_USAGE : await showConfig(cwd, env, parsed.flags.dir));
      return 0;
    }
    if (parsed.command === 'store:export' || parsed.command === 'store:import') {
      return await storeTransfer(parsed.command, parsed.positionals, env, cwd, io);
    }
    if (parsed.command === 'login' || parsed.command === 'logout') {
      if (parsed.help) {
        io.stdout(USAGE);
        return 0;
      }
      if (parsed.positionals.length > 0) throw new CliError(`unexpected argument "${parsed.positionals[0]}"`);
      connection = resolveConnection(parsed, env);
      io.stdout(
        parsed.command === 'login' ? await login(connection, argsOf(parsed)) : await logout(connection),
      );
      return 0;
    }
    if (parsed.command === undefined || (parsed.help && !parsed.command.split(':')[0])) {
      (parsed.help ? io.stdout : io.stderr)(USAGE);
      return parsed.help ? 0 : 1;
    }
    const [controller, action, ...extra] = parsed.command.split(':');
    if (!controller || extra.length > 0 || (action === '' && !parsed.help)) {
      throw new CliError(`"${parsed.command}" is not <controller>:<action>`);
    }
    connection = resolveConnection(parsed, env);

    if (parsed.help) {
      session = await connect({ ...connection, as: undefined });
      io.stdout(await controllerHelp(session.kuzzle, controller));
      return 0;
    }
    if (action === undefined) throw new CliError(`"${parsed.command}" is not <controller>:<action>`);

    const args = argsOf(parsed);

    if (controller === 'realtime' && action === 'subscribe') {
      const options = subscribeOptions(parsed.positionals, parsed.flags.body, args);
      if (connection.protocol !== 'websocket')
        throw new CliError('realtime:subscribe needs --protocol websocket');
      session = await connect(connection);
      await subscribe(
        session.kuzzle,
        options,
        (line) => io.stdout(`${line}\n`),
        (line) => io.stderr(`${line}\n`),
      );
      return 0;
    }

    const [positionalBody, ...rest] = parsed.positionals;
    if (rest.length > 0) throw new CliError(`unexpected argument "${rest[0]}"`);
    if (positionalBody !== undefined && parsed.flags.body !== undefined) {
      throw new CliError('give the body once: as an argument or with --body');
    }
    const bodyText = positionalBody ?? parsed.flags.body;
    const request: BaseRequest = { ...args, controller, action };
    if (bodyText !== undefined) request.body = parseJsonObject(bodyText, 'the body');
    if (parsed.flags.id !== undefined) request._id = parsed.flags.id;
    if (parsed.flags.index !== undefined) request.index = parsed.flags.index;
    if (parsed.flags.collection !== undefined) request.collection = parsed.flags.collection;

    session = await connect(connection);
    const response = await session.kuzzle.query(request);
    // Over HTTP a raw answer (server:openapi, as in Kuzzle) is the document itself, not an envelope.
    const result: unknown = 'result' in response ? response.result : response;
    io.stdout(`${formatResult(result, parsed.json)}\n`);
    return 0;
  } catch (error) {
    let line = formatError(error);
    if (session?.savedSession && connection && tokenRefused(error)) {
      // A revoked or expired saved token would fail every command the same way: forget it once, say so.
      forgetSession(connection.sessionFile, serverKey(connection.host, connection.port));
      line += ' (the token saved by "tessera login" is forgotten: log in again)';
    }
    io.stderr(`${line}\n`);
    return 1;
  } finally {
    await session?.close().catch(() => undefined);
  }
}

/** The `-a key=value` pairs as request arguments. */
function argsOf(parsed: ParsedArgv): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const [key, value] of parsed.args) args[key] = parseArgValue(value);
  return args;
}

/** `plugin:create`: a local command, no connection. */
function pluginCreate(parsed: ParsedArgv, cwd: string, io: Io): number {
  if (parsed.help) {
    io.stdout(PLUGIN_CREATE_USAGE);
    return 0;
  }
  const [name, ...rest] = parsed.positionals;
  if (name === undefined)
    throw new CliError('plugin:create needs a plugin name (tessera plugin:create --help)');
  if (rest.length > 0) throw new CliError(`unexpected argument "${rest[0]}"`);
  const created = createPlugin(name, parsed.flags.dir, cwd);
  const shown = path.relative(cwd, created.dir) || '.';
  // The server resolves plugins.paths against the folder it starts in: here, as the command ran.
  const loadPath = shown.startsWith('..') || path.isAbsolute(shown) ? created.dir : `./${shown}`;
  io.stdout(
    `Created the plugin "${name}" (strategy "${created.strategy}") in ${shown}:\n` +
      created.files.map((file) => `  ${file}\n`).join('') +
      `Next: cd ${shown} && npm run build && npm test\n` +
      `Load it: in .tesserarc, plugins: { paths: [${JSON.stringify(loadPath)}] }, ` +
      `its settings under plugins[${JSON.stringify(name)}]\n`,
  );
  if (created.insideWorkspacesOf !== null) {
    io.stderr(
      `tessera: warning: ${shown} is one of the npm workspaces of ${created.insideWorkspacesOf}, ` +
        `whose npm ci will refuse to run until npm install adds it to package-lock.json\n`,
    );
  }
  return 0;
}
