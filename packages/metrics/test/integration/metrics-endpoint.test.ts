/**
 * `GET /_metrics` on a real server: the Prometheus text format to a scraper (its Accept header, or
 * `?format=prometheus`), parsed by a Prometheus text parser, counting logins; Kuzzle's JSON to anyone else;
 * open to the `admin` role and to the scraper's configured token only.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Http, Kuzzle, WebSocket } from 'kuzzle-sdk';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { createMetrics, type Metrics } from '@tessera/metrics';
import { builtInPlugins } from '@tessera/server';
import { startTestKernel, type TestKernel } from '@tessera/testing';

const SCRAPER_TOKEN = 'scraper-token-0123456789abcdef';
// What Prometheus 2.x sends when it scrapes.
const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

let server: TestKernel;
let metrics: Metrics;
let admin: Kuzzle;
let adminToken: string;

async function client(protocol: 'http' | 'websocket' = 'http'): Promise<Kuzzle> {
  const kuzzle = new Kuzzle(
    protocol === 'http'
      ? new Http('127.0.0.1', { port: server.port })
      : new WebSocket('127.0.0.1', { port: server.port, autoReconnect: false }),
  );
  await kuzzle.connect();
  return kuzzle;
}

function scrape(query = '', headers: Record<string, string> = { accept: PROMETHEUS_ACCEPT }) {
  return fetch(`${server.url}/_metrics${query}`, { headers });
}

/** The value of the sample of `name` whose labels include `labels`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const family = parsePrometheusTextFormat(text).find((candidate) => candidate.name === name);
  const found = family?.metrics.find((metric) =>
    Object.entries(labels).every(([key, value]) => metric.labels?.[key] === value),
  );
  return found === undefined ? undefined : Number(found.value ?? found.count);
}

beforeEach(async () => {
  metrics = createMetrics({ token: SCRAPER_TOKEN });
  server = await startTestKernel({
    plugins: builtInPlugins(),
    extensions: [metrics],
    wrapStore: (adapter) => metrics.measureStore(adapter),
  });
  admin = await client();
  await admin.security.createFirstAdmin(
    'admin',
    { content: {}, credentials: { local: { username: 'admin', password: 'admin password' } } },
    { reset: true },
  );
  adminToken = await admin.auth.login('local', { username: 'admin', password: 'admin password' });
});

afterEach(async () => {
  admin.disconnect();
  await server.stop();
});

describe('GET /_metrics', () => {
  it('answers a scraper the Prometheus text format, which counts logins by outcome', async () => {
    await expect(admin.auth.login('local', { username: 'admin', password: 'wrong' })).rejects.toMatchObject({
      status: 401,
    });
    const response = await scrape('', {
      accept: PROMETHEUS_ACCEPT,
      authorization: `Bearer ${SCRAPER_TOKEN}`,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const families = parsePrometheusTextFormat(text);
    expect(families.length).toBeGreaterThan(10);
    expect(sample(text, 'tessera_logins_total', { strategy: 'local', outcome: 'success' })).toBe(1);
    expect(sample(text, 'tessera_logins_total', { strategy: 'local', outcome: 'failure' })).toBe(1);
    expect(sample(text, 'tessera_tokens_issued_total', { type: 'authToken' })).toBe(1);
    // The parser keeps no labels on histogram samples: their series are read from the text.
    expect(text).toContain(
      'tessera_request_duration_seconds_count{controller="auth",action="login",status="200"} 1\n',
    );
    expect(text).toMatch(/^tessera_store_operation_duration_seconds_count\{operation="create"\} [1-9]/m);
    expect(families.find((family) => family.name === 'tessera_request_duration_seconds')?.type).toBe(
      'HISTOGRAM',
    );
  });

  it('times every request under its action and status, and unregistered actions under "unknown" only', async () => {
    const now = () => fetch(`${server.url}/_now`, { headers: { authorization: `Bearer ${adminToken}` } });
    for (let i = 0; i < 3; i++) expect((await now()).status).toBe(200);
    for (const controller of ['made-up-1', 'made-up-2']) {
      const refused = await fetch(`${server.url}/_query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
        body: JSON.stringify({ controller, action: 'anything' }),
      });
      expect(refused.status).toBe(404);
    }
    const text = await (await scrape('?format=prometheus', { authorization: `Bearer ${adminToken}` })).text();
    expect(text).toContain(
      'tessera_request_duration_seconds_count{controller="server",action="now",status="200"} 3\n',
    );
    expect(text).toContain(
      'tessera_request_duration_seconds_count{controller="unknown",action="unknown",status="404"} 2\n',
    );
    expect(text).not.toContain('made-up');
  });

  it('reads N requests of one action as one histogram series: cumulative buckets, +Inf, sum and count', async () => {
    const now = () => fetch(`${server.url}/_now`, { headers: { authorization: `Bearer ${adminToken}` } });
    for (let i = 0; i < 5; i++) expect((await now()).status).toBe(200);
    const text = await (await scrape('?format=prometheus', { authorization: `Bearer ${adminToken}` })).text();
    const labels = 'controller="server",action="now",status="200"';
    const buckets = [
      ...text.matchAll(/^tessera_request_duration_seconds_bucket\{le="([^"]+)",(.*)\} (\S+)$/gm),
    ]
      .filter((match) => match[2] === labels)
      .map((match) => [match[1], Number(match[3])] as const);
    expect(buckets.map(([le]) => le)).toEqual([
      ...['0.001', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5'],
      '+Inf',
    ]);
    buckets.forEach(([, count], i) => expect(count).toBeGreaterThanOrEqual(i === 0 ? 0 : buckets[i - 1]![1]));
    expect(buckets.at(-1)?.[1]).toBe(5);
    expect(text).toContain(`tessera_request_duration_seconds_count{${labels}} 5\n`);
    const sum = Number(
      new RegExp(`^tessera_request_duration_seconds_sum\\{${labels}\\} (\\S+)$`, 'm').exec(text)?.[1],
    );
    expect(sum).toBeGreaterThan(0);
    expect(sum).toBeLessThan(5 * 5);
  });

  it("reports each plugin's setup time, auth-local's among them", async () => {
    const text = await (await scrape('?format=prometheus', { authorization: `Bearer ${adminToken}` })).text();
    const family = parsePrometheusTextFormat(text).find(
      (candidate) => candidate.name === 'tessera_plugin_setup_seconds',
    );
    expect(family?.type).toBe('GAUGE');
    expect(sample(text, 'tessera_plugin_setup_seconds', { plugin: 'auth-local' })).toBeGreaterThanOrEqual(0);
    expect(family?.metrics.map((metric) => metric.labels?.plugin)).toEqual(['auth-local']);
  });

  it('counts live WebSocket connections and throttled logins', async () => {
    const socket = await client('websocket');
    try {
      for (let attempt = 0; attempt < 6; attempt++) {
        await socket.auth.login('local', { username: 'ghost', password: 'x' }).catch(() => undefined);
      }
      const text = await (
        await scrape('?format=prometheus', { authorization: `Bearer ${adminToken}` })
      ).text();
      expect(sample(text, 'tessera_connections', { protocol: 'websocket' })).toBe(1);
      expect(sample(text, 'tessera_logins_refused_total', { reason: 'throttled' })).toBe(1);
      expect(sample(text, 'tessera_logins_total', { strategy: 'local', outcome: 'failure' })).toBe(5);
    } finally {
      socket.disconnect();
    }
  });

  it("answers Kuzzle's server:metrics JSON to anyone else", async () => {
    const response = await scrape('', { authorization: `Bearer ${adminToken}` });
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toMatchObject({
      status: 200,
      result: {
        api: { concurrentRequests: expect.any(Number) },
        network: { connections: expect.any(Object) },
      },
    });
    expect(await admin.query({ controller: 'server', action: 'metrics' })).toMatchObject({
      result: { realtime: { rooms: expect.any(Number), subscriptions: expect.any(Number) } },
    });
  });

  it('is refused without the right or the scraper token', async () => {
    expect((await scrape()).status).toBe(401);
    expect(
      (await scrape('', { accept: PROMETHEUS_ACCEPT, authorization: 'Bearer not-the-token' })).status,
    ).toBe(401);
    await admin.security.createUser('bob', {
      content: { profileIds: ['default'] },
      credentials: { local: { username: 'bob', password: 'bob password' } },
    });
    const bob = await client();
    const bobToken = await bob.auth.login('local', { username: 'bob', password: 'bob password' });
    bob.disconnect();
    expect(
      (await scrape('', { accept: PROMETHEUS_ACCEPT, authorization: `Bearer ${bobToken}` })).status,
    ).toBe(403);
    // The scraper's token opens server:metrics, nothing else.
    const other = await fetch(`${server.url}/_me`, { headers: { authorization: `Bearer ${SCRAPER_TOKEN}` } });
    expect(other.status).toBe(401);
  });
});
