/**
 * `--help` texts: the command's usage, and a controller's actions as the server's `server:publicApi` lists them.
 */
import type { BaseRequest, Kuzzle } from 'kuzzle-sdk';
import { CliError } from './cli-error';

export const USAGE = `Usage: tessera login --username <username> --password <password> [-a expiresIn=<duration>]
       tessera <controller>:<action> [body] [options]
       tessera realtime:subscribe <index> <collection> [filters]
       tessera <controller> --help
       tessera logout
       tessera plugin:create <name> [--dir <folder>]
       tessera config:show [--dir <folder>]
       tessera store:export > store.jsonl
       tessera store:import [store.jsonl]

Sends any API action and prints its result as JSON. Bodies, filters and -a values accept
relaxed JSON (JSON5: unquoted keys, single quotes, trailing commas).

Request:
  [body], --body <json>     the request body
  -a, --arg <key=value>     a request argument (repeatable); the value is JSON5, or a string
  --id <_id>                the _id argument
  --index <index>           the index argument
  --collection <collection> the collection argument

Connection (flag, or environment variable; flags win):
  --host <host>             TESSERA_HOST       (localhost)
  --port <port>             TESSERA_PORT       (7512)
  --protocol <protocol>     TESSERA_PROTOCOL   http or websocket (websocket)
  --username <username>     TESSERA_USERNAME   log in with the local strategy first
  --password <password>     TESSERA_PASSWORD
  --api-key <token>         TESSERA_API_KEY    authenticate with an API key
  --as <kuid>               act as that user (needs the right to run security:createApiKey)

Sessions:
  login                     log in with the local strategy once and keep the token for that server
                            (host:port) in $XDG_CONFIG_HOME/tessera/sessions.json (~/.config/...),
                            readable by you only; commands without credentials use it until it expires
  logout                    revoke the kept token and forget it

Output:
  --json                    print the result as one compact JSON line
  -h, --help                this help; with a controller, that controller's actions

Local commands (no server):
  config:show               the configuration a server started here would read, secrets masked,
                            with its sources and warnings
  plugin:create <name>      write a ready strategy plugin into ./tessera-plugins/<name> (or --dir);
                            tessera plugin:create --help for more

Errors go to stderr as one line, "tessera: <error id>: <message>", with exit code 1.

Examples:
  tessera login --username admin --password change-me-now
  tessera security:createUser '{ content: { profileIds: ["default"] }, credentials: { local: { username: "mylehuong", password: "password" } } }' --id mylehuong
  tessera auth:login -a strategy=local --body '{ username: "mylehuong", password: "password" }'
  tessera realtime:subscribe %auth events '{ equals: { kuid: "mylehuong" } }'
`;

type PublicApi = Record<string, Record<string, { http?: Array<{ verb: string; path: string }> }>>;

/** The controller's actions, one a line, with their HTTP routes. */
export async function controllerHelp(kuzzle: Kuzzle, controller: string): Promise<string> {
  const { result: api } = await kuzzle.query<BaseRequest, PublicApi>({
    controller: 'server',
    action: 'publicApi',
  });
  const actions = api[controller];
  if (!actions) {
    throw new CliError(`unknown controller "${controller}" (known: ${Object.keys(api).sort().join(', ')})`);
  }
  const names = Object.keys(actions).sort();
  const width = Math.max(...names.map((name) => controller.length + 1 + name.length));
  const lines = names.map((name) => {
    const routes = (actions[name]?.http ?? []).map((route) => `${route.verb} ${route.path}`).join(', ');
    return `  ${`${controller}:${name}`.padEnd(width)}  ${routes}`.trimEnd();
  });
  return `Actions of the ${controller} controller:\n${lines.join('\n')}\n`;
}
