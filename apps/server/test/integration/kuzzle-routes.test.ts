/**
 * Kuzzle's HTTP routes, served at Kuzzle's paths and verbs: every route Kuzzle 2.56 declares for the auth,
 * security, server and realtime controllers, and for index:list and collection:list of its data API (its
 * lib/api/httpRoutes.js, copied below as data), leads to the same action here, or is one of the refusals
 * docs/api.md lists. Scripts, curl and clients other than kuzzle-sdk call
 * these paths; kuzzle-sdk itself builds its routes from server:publicApi, which must keep giving it the route it
 * expects for each action.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Http, Kuzzle } from 'kuzzle-sdk';
import { builtInPlugins } from '@tessera/server';
import { startTestKernel, type TestKernel } from '@tessera/testing';

/** Kuzzle 2.56 (202efbf9), lib/api/httpRoutes.js: [verb, path, controller:action], in Kuzzle's order. */
const KUZZLE_ROUTES: readonly (readonly [string, string, string])[] = [
  ['GET', '/_me', 'auth:getCurrentUser'],
  ['GET', '/_me/_rights', 'auth:getMyRights'],
  ['GET', '/_me/credentials/:strategy', 'auth:getMyCredentials'],
  ['GET', '/_me/credentials/:strategy/_exists', 'auth:credentialsExist'],
  ['GET', '/strategies', 'auth:getStrategies'],
  ['GET', '/users/_me', 'auth:getCurrentUser'],
  ['GET', '/users/_me/_rights', 'auth:getMyRights'],
  ['GET', '/credentials/:strategy/_me', 'auth:getMyCredentials'],
  ['GET', '/credentials/:strategy/_me/_exists', 'auth:credentialsExist'],
  ['GET', '/_login/:strategy', 'auth:login'],
  ['GET', '/_listSubscriptions', 'realtime:list'],
  ['GET', '/_list', 'index:list'],
  ['GET', '/:index/_list', 'collection:list'],
  ['GET', '/profiles/:_id', 'security:getProfile'],
  ['GET', '/profiles/:_id/_rights', 'security:getProfileRights'],
  ['GET', '/roles/:_id', 'security:getRole'],
  ['GET', '/users/:_id', 'security:getUser'],
  ['GET', '/users/:_id/_strategies', 'security:getUserStrategies'],
  ['GET', '/users/_mGet', 'security:mGetUsers'],
  ['GET', '/users/:_id/_rights', 'security:getUserRights'],
  ['GET', '/profiles/_mapping', 'security:getProfileMapping'],
  ['GET', '/roles/_mapping', 'security:getRoleMapping'],
  ['GET', '/users/_mapping', 'security:getUserMapping'],
  ['GET', '/users/_scroll/:scrollId', 'security:scrollUsers'],
  ['GET', '/credentials/:strategy/:_id', 'security:getCredentials'],
  ['GET', '/credentials/:strategy/:_id/_byId', 'security:getCredentialsById'],
  ['GET', '/credentials/:strategy/:_id/_exists', 'security:hasCredentials'],
  ['GET', '/credentials/:strategy/_fields', 'security:getCredentialFields'],
  ['GET', '/credentials/_fields', 'security:getAllCredentialFields'],
  ['GET', '/profiles/_scroll/:scrollId', 'security:scrollProfiles'],
  ['GET', '/_adminExists', 'server:adminExists'],
  ['GET', '/_getAllStats', 'server:getAllStats'],
  ['GET', '/_getConfig', 'server:getConfig'],
  ['GET', '/_capabilities', 'server:capabilities'],
  ['GET', '/_getLastStats', 'server:getLastStats'],
  ['GET', '/_getStats', 'server:getStats'],
  ['GET', '/', 'server:info'],
  ['GET', '/_healthCheck', 'server:healthCheck'],
  ['GET', '/_serverInfo', 'server:info'],
  ['GET', '/_now', 'server:now'],
  ['GET', '/_publicApi', 'server:publicApi'],
  ['GET', '/_openapi', 'server:openapi'],
  ['GET', '/_metrics', 'server:metrics'],
  ['POST', '/_login/:strategy', 'auth:login'],
  ['POST', '/_logout', 'auth:logout'],
  ['POST', '/_checkToken', 'auth:checkToken'],
  ['POST', '/_createToken', 'auth:createToken'],
  ['POST', '/_refreshToken', 'auth:refreshToken'],
  ['POST', '/_me/credentials/:strategy/_create', 'auth:createMyCredentials'],
  ['POST', '/_me/credentials/:strategy/_validate', 'auth:validateMyCredentials'],
  ['POST', '/credentials/:strategy/_me/_create', 'auth:createMyCredentials'],
  ['POST', '/credentials/:strategy/_me/_validate', 'auth:validateMyCredentials'],
  ['POST', '/_security/:collection/_refresh', 'security:refresh'],
  ['POST', '/:index/:collection/_publish', 'realtime:publish'],
  ['POST', '/_createFirstAdmin/:_id', 'security:createFirstAdmin'],
  ['POST', '/_createFirstAdmin', 'security:createFirstAdmin'],
  ['POST', '/_restrictDefaultRights', 'security:restrictDefaultRights'],
  ['POST', '/credentials/:strategy/:_id/_create', 'security:createCredentials'],
  ['POST', '/profiles/:_id/_create', 'security:createProfile'],
  ['POST', '/roles/:_id/_create', 'security:createRole'],
  ['POST', '/users/_createRestricted', 'security:createRestrictedUser'],
  ['POST', '/users/:_id/_createRestricted', 'security:createRestrictedUser'],
  ['POST', '/users/_create', 'security:createUser'],
  ['POST', '/users/:_id/_create', 'security:createUser'],
  ['POST', '/profiles/_mDelete', 'security:mDeleteProfiles'],
  ['POST', '/roles/_mDelete', 'security:mDeleteRoles'],
  ['POST', '/users/_mDelete', 'security:mDeleteUsers'],
  ['POST', '/profiles/_mGet', 'security:mGetProfiles'],
  ['POST', '/users/_mGet', 'security:mGetUsers'],
  ['POST', '/roles/_mGet', 'security:mGetRoles'],
  ['POST', '/profiles/_search', 'security:searchProfiles'],
  ['POST', '/roles/_search', 'security:searchRoles'],
  ['POST', '/users/_search', 'security:searchUsers'],
  ['POST', '/credentials/:strategy/users/_search', 'security:searchUsersByCredentials'],
  ['POST', '/users/:_id/_upsert', 'security:upsertUser'],
  ['POST', '/credentials/:strategy/:_id/_validate', 'security:validateCredentials'],
  ['POST', '/_checkRights', 'auth:checkRights'],
  ['POST', '/_checkRights/:userId', 'security:checkRights'],
  ['POST', '/users/:userId/api-keys/_create', 'security:createApiKey'],
  ['POST', '/users/:userId/api-keys/_search', 'security:searchApiKeys'],
  ['POST', '/api-keys/_create', 'auth:createApiKey'],
  ['POST', '/api-keys/_search', 'auth:searchApiKeys'],
  ['DELETE', '/_me/credentials/:strategy', 'auth:deleteMyCredentials'],
  ['DELETE', '/credentials/:strategy/_me', 'auth:deleteMyCredentials'],
  ['DELETE', '/profiles/:_id', 'security:deleteProfile'],
  ['DELETE', '/roles/:_id', 'security:deleteRole'],
  ['DELETE', '/users/:_id', 'security:deleteUser'],
  ['DELETE', '/credentials/:strategy/:_id', 'security:deleteCredentials'],
  ['DELETE', '/users/:_id/tokens', 'security:revokeTokens'],
  ['DELETE', '/users/:userId/api-keys/:_id', 'security:deleteApiKey'],
  ['DELETE', '/api-keys/:_id', 'auth:deleteApiKey'],
  ['PUT', '/_me', 'auth:updateSelf'],
  ['PUT', '/_me/credentials/:strategy/_update', 'auth:updateMyCredentials'],
  ['PUT', '/_updateSelf', 'auth:updateSelf'],
  ['PUT', '/credentials/:strategy/_me/_update', 'auth:updateMyCredentials'],
  ['PUT', '/profiles/:_id', 'security:createOrReplaceProfile'],
  ['PUT', '/roles/:_id', 'security:createOrReplaceRole'],
  ['PUT', '/credentials/:strategy/:_id/_update', 'security:updateCredentials'],
  ['PUT', '/profiles/:_id/_update', 'security:updateProfile'],
  ['PUT', '/roles/:_id/_update', 'security:updateRole'],
  ['PUT', '/users/:_id/_update', 'security:updateUser'],
  ['PUT', '/users/:_id/_replace', 'security:replaceUser'],
  ['PUT', '/profiles/_mapping', 'security:updateProfileMapping'],
  ['PUT', '/roles/_mapping', 'security:updateRoleMapping'],
  ['PUT', '/users/_mapping', 'security:updateUserMapping'],
];

/** `VERB /path` of each refusal docs/api.md lists, between its `refused-routes` markers. */
function documentedRefusals(): Set<string> {
  const docs = readFileSync(join(__dirname, '../../../../docs/api.md'), 'utf8');
  const begin = docs.indexOf('<!-- refused-routes:begin -->');
  const end = docs.indexOf('<!-- refused-routes:end -->');
  expect(begin).toBeGreaterThanOrEqual(0);
  const table = docs.slice(begin, end);
  return new Set(
    [...table.matchAll(/`(GET|POST|PUT|DELETE) ([^`]+)`/g)].map(([, verb, path]) => `${verb} ${path}`),
  );
}

/** A concrete URL for a route: each placeholder gets a plausible value. */
function urlOf(path: string): string {
  const samples: Record<string, string> = { strategy: 'local', index: 'shop', collection: 'orders' };
  return path.replace(/:([A-Za-z_]+)/g, (_match, name: string) => samples[name] ?? `sample-${name}`);
}

describe("Kuzzle 2.56's routes for the auth, security, server and realtime controllers, index:list and collection:list", () => {
  let server: TestKernel;
  const refusals = documentedRefusals();

  beforeAll(async () => {
    server = await startTestKernel({ plugins: builtInPlugins() });
  });

  afterAll(async () => {
    await server.stop();
  });

  it('are each in the action registry for the same action, or documented as refused', () => {
    const served = new Map(
      server.kernel.registry
        .routes()
        .filter((route) => route.kind !== 'reserved')
        .map((route) => [`${route.verb} ${route.path}`, `${route.controller}:${route.action}`]),
    );
    const missing = KUZZLE_ROUTES.filter(
      ([verb, path, action]) => served.get(`${verb} ${path}`) !== action && !refusals.has(`${verb} ${path}`),
    );
    expect(missing).toEqual([]);
    const servedAnyway = KUZZLE_ROUTES.filter(
      ([verb, path]) => refusals.has(`${verb} ${path}`) && served.has(`${verb} ${path}`),
    );
    expect(servedAnyway).toEqual([]);
  });

  it('each reach their action over HTTP; only the documented refusals answer action_not_found', async () => {
    const wrong: unknown[] = [];
    for (const [verb, path, action] of KUZZLE_ROUTES) {
      const response = await fetch(server.url + urlOf(path), {
        method: verb,
        headers: { 'Content-Type': 'application/json' },
        ...(verb === 'GET' ? {} : { body: '{}' }),
      });
      const json = (await response.json()) as {
        controller: string | null;
        action: string | null;
        error: { id: string } | null;
      };
      // server:openapi answers with the document itself, as Kuzzle does, not in an envelope.
      const reached = 'openapi' in json ? 'server:openapi' : `${json.controller}:${json.action}`;
      const refused = json.error?.id === 'api.process.action_not_found';
      if (
        reached !== action ||
        refused !== refusals.has(`${verb} ${path}`) ||
        json.error?.id === 'network.http.url_not_found'
      ) {
        wrong.push({ route: `${verb} ${path}`, expected: action, reached, error: json.error?.id ?? null });
      }
    }
    expect(wrong).toEqual([]);
  });

  it('lists in docs/api.md only routes Kuzzle has', () => {
    const kuzzle = new Set(KUZZLE_ROUTES.map(([verb, path]) => `${verb} ${path}`));
    expect([...refusals].filter((route) => !kuzzle.has(route))).toEqual([]);
  });

  it('leave server:publicApi alone: one route per action, the one kuzzle-sdk picks, never an alias', async () => {
    const response = await fetch(`${server.url}/_publicApi`);
    const { result } = (await response.json()) as {
      result: Record<string, Record<string, { http: { verb: string; url: string }[] }>>;
    };
    const published = (controller: string, action: string) =>
      result[controller]?.[action]?.http.map(({ verb, url }) => `${verb} ${url}`);
    expect(published('auth', 'getCurrentUser')).toEqual(['GET /_me']);
    expect(published('auth', 'getMyCredentials')).toEqual(['GET /_me/credentials/:strategy']);
    expect(published('auth', 'updateSelf')).toEqual(['PUT /_me']);
    expect(published('security', 'createUser')).toEqual(['POST /users/_create']);
    expect(published('security', 'createFirstAdmin')).toEqual(['POST /_createFirstAdmin']);
    expect(published('security', 'mGetUsers')).toEqual(['POST /users/_mGet']);
    const aliases = server.kernel.registry.routes().filter((route) => route.kind === 'alias');
    expect(aliases.length).toBeGreaterThan(0);
    for (const alias of aliases) {
      expect(published(alias.controller, alias.action)).not.toContain(`${alias.verb} ${alias.path}`);
    }
  });
});

describe("Kuzzle's other paths for an action", () => {
  let server: TestKernel;

  beforeEach(async () => {
    server = await startTestKernel({ plugins: builtInPlugins() });
  });

  afterEach(async () => {
    await server.stop();
  });

  it('answer as the published ones do', async () => {
    const kuzzle = new Kuzzle(new Http('127.0.0.1', { port: server.port }));
    await kuzzle.connect();
    const call = async (verb: string, path: string, body?: object) => {
      const response = await fetch(server.url + path, {
        method: verb,
        headers: {
          'Content-Type': 'application/json',
          ...(kuzzle.jwt ? { Authorization: `Bearer ${kuzzle.jwt}` } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const json = (await response.json()) as { result: any; error: { id: string } | null };
      expect(json.error).toBeNull();
      return json.result;
    };
    const credentials = (username: string) => ({ local: { username, password: 'a long enough passphrase' } });
    try {
      await call('POST', '/_createFirstAdmin/boss', { credentials: credentials('boss') });
      await kuzzle.auth.login('local', credentials('boss').local);
      expect(
        await call('POST', '/users/mylehuong/_create', {
          content: { profileIds: ['default'] },
          credentials: credentials('my'),
        }),
      ).toMatchObject({ _id: 'mylehuong' });
      expect(
        await call('POST', '/users/other/_createRestricted', { credentials: credentials('other') }),
      ).toMatchObject({
        _id: 'other',
        _source: { profileIds: ['default'] },
      });
      const hits = (await call('GET', '/users/_mGet?ids=mylehuong,other')).hits as { _id: string }[];
      expect(hits.map((hit) => hit._id).sort()).toEqual(['mylehuong', 'other']);

      await kuzzle.auth.login('local', credentials('my').local);
      expect(await call('GET', '/users/_me')).toEqual(await call('GET', '/_me'));
      expect(await call('GET', '/users/_me/_rights')).toEqual(await call('GET', '/_me/_rights'));
      expect(await call('GET', '/credentials/local/_me')).toEqual({ username: 'my', kuid: 'mylehuong' });
      expect(await call('GET', '/credentials/local/_me/_exists')).toBe(true);
      expect(await call('POST', '/credentials/local/_me/_validate', credentials('my').local)).toBe(true);
      expect(await call('PUT', '/_updateSelf', { nickname: 'My' })).toMatchObject({
        _source: { nickname: 'My' },
      });
      expect((await kuzzle.auth.getCurrentUser()).content).toMatchObject({ nickname: 'My' });
    } finally {
      kuzzle.disconnect();
    }
  });
});
