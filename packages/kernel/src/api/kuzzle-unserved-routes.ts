/**
 * Kuzzle 2.56's HTTP routes (its `lib/api/httpRoutes.js`) for actions of the auth, security and server
 * controllers that Tessera does not serve; docs/api.md lists them and why. The kernel reserves them in the
 * action registry, so that each still leads to its action and is answered `api.process.action_not_found`, as
 * the same call over WebSocket is, instead of reaching a neighbour's route (`GET /users/_scroll/x` could
 * otherwise be another action's).
 */
import type { RegisteredRoute } from './action-registry';

export const KUZZLE_UNSERVED_ROUTES: readonly Omit<RegisteredRoute, 'kind'>[] = [
  // Scroll cursors: searches page with `from` and `size`.
  { verb: 'GET', path: '/users/_scroll/:scrollId', controller: 'security', action: 'scrollUsers' },
  { verb: 'GET', path: '/profiles/_scroll/:scrollId', controller: 'security', action: 'scrollProfiles' },
  // An Elasticsearch index refresh: every write is visible to the next read here.
  { verb: 'POST', path: '/_security/:collection/_refresh', controller: 'security', action: 'refresh' },
  // Statistics frames, deprecated by Kuzzle in favour of server:metrics.
  { verb: 'GET', path: '/_getStats', controller: 'server', action: 'getStats' },
  { verb: 'GET', path: '/_getLastStats', controller: 'server', action: 'getLastStats' },
  { verb: 'GET', path: '/_getAllStats', controller: 'server', action: 'getAllStats' },
];
