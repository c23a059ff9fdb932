/**
 * The server settings of the figures that log in by the thousand to make what they measure (`%auth` events,
 * sockets holding tokens to revoke), not to measure logins: bcrypt at its lowest cost and the login throttle
 * off. At auth-local's default cost 10 a login costs ~30 ms of a core; at cost 4, 64 times less, so these
 * figures measure the fan-out, not bcrypt. The login figure keeps the default cost.
 */
export const FAST_LOGINS: Readonly<Record<string, string>> = {
  'plugins__auth-local__bcryptCost': '4',
  security__login__attemptsPerAddress: '0',
  security__login__attemptsPerUsername: '0',
};

/** `auth:login` with the local strategy, as a Kuzzle envelope (over WebSocket: links the token to the socket). */
export function localLogin(account: { username: string; password: string }): Record<string, unknown> {
  return {
    controller: 'auth',
    action: 'login',
    strategy: 'local',
    body: { username: account.username, password: account.password },
  };
}
