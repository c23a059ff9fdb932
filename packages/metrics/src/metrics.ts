/**
 * The node's metrics for Prometheus (prom-client, in a registry of its own: no global). `GET /_metrics`
 * (`server:metrics`) keeps answering Kuzzle's JSON, and answers the Prometheus text format to a scraper: a
 * request whose `Accept` names `text/plain` or `application/openmetrics-text`, or that says
 * `?format=prometheus`. Who may read it: whoever the rights allow `server:metrics` (the `admin` role), or a
 * scraper presenting `metrics.token` as its bearer token, which opens that action only.
 *
 * Counted from the bus: logins by strategy and outcome, refused logins (throttled, locked), tokens issued,
 * refreshed, revoked (by reason) and expired, each plugin's setup time (`plugin:ready`, which the plugin manager
 * emits: extensions start before plugins load, so every plugin is heard); timed: every request by controller:action and status, and every
 * store operation (through `measureStore`, which the composition root wraps the adapter with). Live connections,
 * subscriptions and the funnel's queue are read from the node's own figures at each scrape.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { KernelExtension, KernelExtensionContext, Request } from '@tessera/kernel';
import type { ApiRequest, Unsubscribe } from '@tessera/plugin-sdk';
import type { StoreAdapter } from '@tessera/store';
import { AccumulatedHistogram, type HistogramSeries } from './internal/accumulated-histogram';

export interface MetricsConfig {
  /** A bearer token a scraper may present instead of an account's; null: only the rights decide. */
  readonly token: string | null;
}

export interface Metrics extends KernelExtension {
  /** The Prometheus registry (for a test, or an extra exporter). */
  readonly registry: Registry;
  /** The adapter, with every operation timed in `tessera_store_operation_duration_seconds`. */
  measureStore(adapter: StoreAdapter): StoreAdapter;
}

const STORE_OPERATIONS = new Set([
  'ensureCollection',
  'get',
  'mGet',
  'create',
  'mCreate',
  'replace',
  'put',
  'update',
  'delete',
  'mDelete',
  'search',
  'count',
  'deleteByQuery',
]);

/** The refused logins, by the error that refused them. */
const REFUSED_LOGINS: Readonly<Record<string, string>> = {
  'api.process.too_many_logins_requests': 'throttled',
  'security.user.locked': 'locked',
};

export function createMetrics(config: MetricsConfig): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const tokenDigest = config.token === null ? null : digest(config.token);

  const logins = new Counter({
    name: 'tessera_logins_total',
    help: 'Logins by strategy and outcome (success, failure)',
    labelNames: ['strategy', 'outcome'] as const,
    registers: [registry],
  });
  const refusedLogins = new Counter({
    name: 'tessera_logins_refused_total',
    help: 'Logins refused before the strategy ran: throttled (429) or locked account (403)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const tokensIssued = new Counter({
    name: 'tessera_tokens_issued_total',
    help: 'Tokens issued, by type (authToken, apiKey)',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  const tokensRefreshed = new Counter({
    name: 'tessera_tokens_refreshed_total',
    help: 'Tokens refreshed',
    registers: [registry],
  });
  const tokensRevoked = new Counter({
    name: 'tessera_tokens_revoked_total',
    help: 'Tokens revoked, by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const tokensExpired = new Counter({
    name: 'tessera_tokens_expired_total',
    help: 'Tokens linked to a realtime connection that reached their expiry',
    registers: [registry],
  });
  // Observed on every request: kept in plain numbers per series, read as prom-client's histogram would be.
  const requestDuration = new AccumulatedHistogram({
    name: 'tessera_request_duration_seconds',
    help: 'API requests by controller, action and status',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const storeDuration = new Histogram({
    name: 'tessera_store_operation_duration_seconds',
    help: 'Store adapter operations by operation',
    labelNames: ['operation'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });

  // A gauge, not a histogram: a plugin sets up once per process, and the scrape shows that one figure.
  const pluginSetup = new Gauge({
    name: 'tessera_plugin_setup_seconds',
    help: "Seconds each plugin's setup took at boot, by plugin",
    labelNames: ['plugin'] as const,
    registers: [registry],
  });

  let stopped = true;
  return {
    name: 'metrics',
    registry,

    measureStore(adapter) {
      return new Proxy(adapter, {
        get(target, property, receiver) {
          const value: unknown = Reflect.get(target, property, receiver);
          if (typeof value !== 'function') return value;
          const method = value as (...args: unknown[]) => unknown;
          if (typeof property !== 'string' || !STORE_OPERATIONS.has(property)) return method.bind(target);
          return async (...args: unknown[]) => {
            const end = storeDuration.startTimer({ operation: property });
            try {
              return await method.apply(target, args);
            } finally {
              end();
            }
          };
        },
      });
    },

    admits(request: ApiRequest) {
      const { controller, action, jwt } = request.input;
      if (tokenDigest === null || jwt === null || controller !== 'server' || action !== 'metrics')
        return false;
      return timingSafeEqual(digest(jwt), tokenDigest);
    },

    start(context: KernelExtensionContext) {
      stopped = false;
      const { bus } = context;
      /**
       * The histogram's series met so far, by controller, action and status: every request observes into one, and
       * resolving it once spares each request building and looking up its labels.
       */
      const durations = new Map<string, HistogramSeries>();
      const durationSeries = (request: ApiRequest) => {
        const { controller, action } = request.input;
        // Only registered actions get a label of their own: a client must not be able to mint series.
        const known = context.registry.has(controller, action);
        const key = known ? `${controller} ${action} ${request.status}` : ` ${request.status}`;
        let series = durations.get(key);
        if (series === undefined) {
          const labels = known ? { controller, action } : { controller: 'unknown', action: 'unknown' };
          series = requestDuration.labels({ ...labels, status: String(request.status) });
          durations.set(key, series);
        }
        return series;
      };
      const live = liveGauges(registry, context);
      const unhooks: Unsubscribe[] = [
        bus.hook('auth:login', ({ strategy }) => logins.inc({ strategy, outcome: 'success' })),
        bus.hook('auth:loginFailed', ({ strategy }) => logins.inc({ strategy, outcome: 'failure' })),
        bus.hook('token:created', ({ type }) => tokensIssued.inc({ type })),
        bus.hook('token:refreshed', () => tokensRefreshed.inc()),
        bus.hook('token:revoked', ({ reason }) => tokensRevoked.inc({ reason })),
        bus.hook('token:expired', () => tokensExpired.inc()),
        bus.hook('plugin:ready', ({ plugin, setupMs }) => pluginSetup.set({ plugin }, setupMs / 1000)),
        bus.hook('request:afterExecution', (request) => {
          // From when the funnel began running it: a request refused before (an invalid envelope) is not timed.
          const start = (request as Request).startedAt;
          if (start !== null) durationSeries(request).observe((performance.now() - start) / 1000);
          const { controller, action } = request.input;
          const refused = request.error === null ? undefined : REFUSED_LOGINS[request.error.id];
          if (controller === 'auth' && action === 'login' && refused !== undefined)
            refusedLogins.inc({ reason: refused });
        }),
        bus.pipe('server:afterMetrics', async (request) => {
          if (!wantsPrometheus(request)) return request;
          const answer = request as Request;
          answer.result = await registry.metrics();
          answer.raw = true;
          answer.headers['content-type'] = registry.contentType;
          return request;
        }),
      ];
      const stop = () => {
        if (stopped) return Promise.resolve();
        stopped = true;
        for (const unhook of unhooks) unhook();
        live.remove();
        return Promise.resolve();
      };
      return Promise.resolve(stop);
    },
  };
}

/** Gauges read from the node's own figures when scraped. */
function liveGauges(registry: Registry, context: KernelExtensionContext): { remove(): void } {
  const names = [
    'tessera_connections',
    'tessera_realtime_rooms',
    'tessera_realtime_subscriptions',
    'tessera_requests_running',
    'tessera_requests_pending',
  ];
  new Gauge({
    name: 'tessera_connections',
    help: 'Live client connections by protocol (an HTTP request counts while it runs)',
    labelNames: ['protocol'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [protocol, count] of Object.entries(context.nodeMetrics().network.connections)) {
        this.set({ protocol }, count ?? 0);
      }
    },
  });
  const single = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  single('tessera_realtime_rooms', 'Realtime rooms', () => context.nodeMetrics().realtime.rooms);
  single(
    'tessera_realtime_subscriptions',
    'Realtime subscriptions',
    () => context.nodeMetrics().realtime.subscriptions,
  );
  single(
    'tessera_requests_running',
    'Requests running in the funnel',
    () => context.nodeMetrics().api.concurrentRequests,
  );
  single(
    'tessera_requests_pending',
    'Requests waiting for their turn',
    () => context.nodeMetrics().api.pendingRequests,
  );
  return {
    remove() {
      for (const name of names) registry.removeSingleMetric(name);
    },
  };
}

/** A scraper: `?format=prometheus`, or an `Accept` naming a Prometheus text format. */
function wantsPrometheus(request: ApiRequest): boolean {
  if (request.input.args.format === 'prometheus') return true;
  const accept = request.connection.headers.accept ?? '';
  return /\b(text\/plain|application\/openmetrics-text)\b/i.test(accept);
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
