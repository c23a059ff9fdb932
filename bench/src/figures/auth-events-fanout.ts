/**
 * `%auth/events` fan-out: 1,000 WebSocket subscribers (200 with `--quick`) watching logins, each logged in as the
 * bench admin with a token of its own (the admin holds `security:watchAllAuthEvents`, so it hears every user's
 * logins) and subscribed with a filter of its own, "logins, except those of user <i>", i distinct and no user:
 * 1,000 rooms, each matching every login. The events are the bench user's logins over WebSocket (`auth:login`,
 * local strategy), at bcrypt cost 4 (`FAST_LOGINS`), so the fan-out is measured, not bcrypt.
 *
 * Baseline: a bare ws server sending the same frames (a real Tessera notification captured in the warm-up, its
 * `at` stamped at emission, each listener's own `room`) to as many sockets, one event per request of the bench.
 *
 * Both sides are driven alike: at most `WINDOW` events not yet received by every subscriber (new events are sent
 * as deliveries complete), so each runs at the rate it can sustain, with a bounded backlog. The throughput is the
 * notifications received by all subscribers in a phase over the time from its first event to its last
 * notification; the latency of a notification is its receive time (the subscriber's clock) minus its `at` (the
 * server's Date.now() when the event was emitted; same host clock, whole milliseconds, so up to 1 ms over).
 * Every phase checks that each subscriber received each event exactly once, and fails otherwise.
 */
import { performance } from 'node:perf_hooks';
import type WebSocket from 'ws';
import { ADMIN, KuzzleSocket, USER, forEachLimited, openSockets, setUpAccounts } from '../client';
import type { Mode } from '../mode';
import { startBaseline, startServer } from '../processes';
import { figure, paired, type Figure } from '../report';
import { Samples, median, percentile } from '../stats';
import { FAST_LOGINS, localLogin } from './fast-logins';

/** Events sent and not yet received by every subscriber, at most. */
const WINDOW = 4;
/** How long a delivery still missing is waited for before the figure fails. */
const STALL_MS = 15_000;
const AT = Buffer.from('"at":');
const LOGIN_OF_USER = Buffer.from(`"event":"auth:login","kuid":${JSON.stringify(USER.kuid)}`);

interface Phase {
  readonly events: number;
  readonly notificationsPerSecond: number;
  readonly p99Ms: number;
}

interface Side {
  readonly deliveries: Deliveries;
  readonly emit: () => void;
}

export async function authEventsFanoutFigures(mode: Mode): Promise<Figure[]> {
  const subscribers = mode.quick ? 200 : 1000;
  const rounds = mode.quick ? 3 : 5;
  const phaseMs = mode.quick ? 500 : 1500;
  const started = performance.now();
  const server = await startServer({ config: FAST_LOGINS });
  const bare = await startBaseline('bare-ws-broadcast');
  try {
    await setUpAccounts(server.url);
    const watchers = await openSockets(server.url, subscribers);
    const channels = await watchLogins(watchers);
    const tessera = await tesseraSide(server.url, watchers, channels);
    const warmup = await phase(tessera, phaseMs);
    const baseline = await bareSide(bare.url, channels, tessera.deliveries.firstFrame!);
    await phase(baseline, phaseMs);
    const setUpSeconds = (performance.now() - started) / 1000;

    const runs = { tessera: [] as Phase[], baseline: [] as Phase[] };
    for (let round = 0; round < rounds; round++) {
      runs.tessera.push(await phase(tessera, phaseMs));
      runs.baseline.push(await phase(baseline, phaseMs));
    }
    const details = {
      subscribers,
      window: WINDOW,
      rounds,
      phaseMs,
      bcryptCost: Number(FAST_LOGINS['plugins__auth-local__bcryptCost']),
      warmupEvents: warmup.events,
      setUpSeconds,
      tessera: runs.tessera,
      baseline: runs.baseline,
    };
    const of = (side: Phase[], key: 'notificationsPerSecond' | 'p99Ms') => median(side.map((p) => p[key]));
    return [
      figure({
        id: 'fanout.throughput',
        label: `%auth/events fan-out, ${subscribers} subscribers`,
        unit: 'notifications/s',
        ...paired({
          tessera: runs.tessera.map((p) => p.notificationsPerSecond),
          baseline: runs.baseline.map((p) => p.notificationsPerSecond),
        }),
        baselineLabel: 'bare ws, same frames',
        goal: { on: 'ratio', op: '>=', limit: 0.5 },
        details,
      }),
      figure({
        id: 'fanout.p99',
        label: `%auth/events delivery latency p99, ${subscribers} subscribers`,
        unit: 'ms',
        value: of(runs.tessera, 'p99Ms'),
        baseline: of(runs.baseline, 'p99Ms'),
        baselineLabel: 'bare ws, same frames',
        details,
      }),
    ];
  } finally {
    await Promise.all([server.stop(), bare.stop()]);
  }
}

/**
 * Logs every socket in as the admin (its own token), then subscribes each to logins but those of a user of its
 * own; returns each one's channel. All log in before any subscribes, so their own logins reach nobody.
 */
async function watchLogins(watchers: KuzzleSocket[]): Promise<string[]> {
  const jwts = new Array<string>(watchers.length);
  await forEachLimited(watchers.length, 32, async (i) => {
    jwts[i] = (await watchers[i]!.call<{ jwt: string }>(localLogin(ADMIN))).jwt;
  });
  const channels = new Array<string>(watchers.length);
  await forEachLimited(watchers.length, 32, async (i) => {
    const { channel } = await watchers[i]!.call<{ channel: string }>({
      controller: 'realtime',
      action: 'subscribe',
      index: '%auth',
      collection: 'events',
      body: { and: [{ equals: { event: 'auth:login' } }, { not: { equals: { kuid: `not-a-user-${i}` } } }] },
      jwt: jwts[i],
    });
    channels[i] = channel;
  });
  if (new Set(channels).size !== channels.length) throw new Error('two subscribers share a channel');
  return channels;
}

async function tesseraSide(url: string, watchers: KuzzleSocket[], channels: string[]): Promise<Side> {
  const deliveries = new Deliveries(
    watchers.map((w) => w.socket),
    channels,
    true,
  );
  const driver = await KuzzleSocket.open(url);
  const refused: string[] = [];
  return {
    deliveries,
    emit: () => {
      void driver.send(localLogin(USER)).then((answer) => {
        if (answer.error !== null) refused.push(String(answer.error.id));
        if (refused.length > 0) deliveries.fail(`logins refused: ${refused.join(', ')}`);
      });
    },
  };
}

/** The bare server's listeners, on the same channel names, sent the frame Tessera sent as a template. */
async function bareSide(url: string, channels: string[], frame: string): Promise<Side> {
  const listeners = await openSockets(url, channels.length);
  await forEachLimited(listeners.length, 32, async (i) => {
    const socket = listeners[i]!;
    const listening = new Promise<void>((done) => (socket.onNotification = () => done()));
    socket.socket.send(JSON.stringify({ listen: channels[i] }));
    await listening;
  });
  const control = await KuzzleSocket.open(url);
  control.socket.send(JSON.stringify({ template: templateOf(frame, channels[0]!) }));
  return {
    deliveries: new Deliveries(
      listeners.map((l) => l.socket),
      channels,
      false,
    ),
    emit: () => control.socket.send('{"emit":1}'),
  };
}

/** A received notification without its `room` ending, split around the digits of its `at`. */
function templateOf(frame: string, channel: string): [string, string] {
  const tail = `,"room":${JSON.stringify(channel)}}`;
  if (!frame.endsWith(tail)) throw new Error(`the notification does not end with its room: ${frame}`);
  const body = frame.slice(0, -tail.length);
  const at = /"at":\d+/.exec(body);
  if (at === null) throw new Error(`the notification has no "at": ${frame}`);
  return [body.slice(0, at.index + AT.length), body.slice(at.index + at[0].length)];
}

/** Sends events for `ms` with at most WINDOW undelivered, then waits for every delivery and checks them. */
async function phase({ deliveries, emit }: Side, ms: number): Promise<Phase> {
  deliveries.reset();
  const listeners = deliveries.listeners;
  const start = performance.timeOrigin + performance.now();
  let events = 0;
  while (performance.timeOrigin + performance.now() - start < ms) {
    await deliveries.until((events - WINDOW + 1) * listeners);
    emit();
    events++;
  }
  await deliveries.until(events * listeners);
  deliveries.check(events);
  return {
    events,
    notificationsPerSecond: (events * listeners) / ((deliveries.lastReceivedAt - start) / 1000),
    p99Ms: percentile(deliveries.latencies.toArray(), 99),
  };
}

/**
 * What the subscribers receive, counted per subscriber without parsing: each frame must be a login of the bench
 * user on the subscriber's own channel; its `at` is read from the bytes. The first subscriber's frames are also
 * parsed, to check that the events are distinct (one per login: distinct session ids).
 */
class Deliveries {
  readonly listeners: number;
  private readonly counts: Int32Array;
  private total = 0;
  latencies = new Samples();
  lastReceivedAt = 0;
  /** The first notification received, as sent (the bare server's template). */
  firstFrame: string | undefined;
  private readonly sessions = new Set<string>();
  private readonly problems: string[] = [];
  private waiting: { target: number; done: () => void; failed: (error: Error) => void } | undefined;

  /** `distinct`: each event is a login of its own (Tessera); the baseline sends one template. */
  constructor(
    sockets: WebSocket[],
    channels: string[],
    private readonly distinct: boolean,
  ) {
    this.listeners = sockets.length;
    this.counts = new Int32Array(sockets.length);
    sockets.forEach((socket, i) => {
      const room = Buffer.from(`"room":${JSON.stringify(channels[i])}`);
      // The client's own handler parses every frame: this one replaces it once the socket only listens.
      socket.removeAllListeners('message');
      socket.on('message', (data: Buffer) => {
        const receivedAt = performance.timeOrigin + performance.now();
        const at = data.indexOf(AT);
        if (at === -1 || data.indexOf(room) === -1 || data.indexOf(LOGIN_OF_USER) === -1) {
          this.fail(`subscriber ${i} received ${data.toString('utf8').slice(0, 300)}`);
          return;
        }
        if (i === 0) this.inspect(data.toString('utf8'));
        this.counts[i]!++;
        this.total++;
        this.latencies.add(receivedAt - digitsAt(data, at + AT.length));
        this.lastReceivedAt = receivedAt;
        if (this.waiting !== undefined && this.total >= this.waiting.target) {
          const { done } = this.waiting;
          this.waiting = undefined;
          done();
        }
      });
    });
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.latencies = new Samples();
    this.sessions.clear();
  }

  /** Resolves once `target` notifications arrived in all; rejects after STALL_MS without them, or on a problem. */
  until(target: number): Promise<void> {
    if (this.problems.length > 0) return Promise.reject(new Error(this.problems.join('; ')));
    if (this.total >= target) return Promise.resolve();
    return new Promise((done, failed) => {
      const timer = setTimeout(
        () => failed(new Error(`deliveries stalled: ${this.total} of ${target} (${this.spread()})`)),
        STALL_MS,
      );
      this.waiting = {
        target,
        done: () => {
          clearTimeout(timer);
          done();
        },
        failed: (error) => {
          clearTimeout(timer);
          failed(error);
        },
      };
    });
  }

  fail(problem: string): void {
    this.problems.push(problem);
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.failed(new Error(this.problems.join('; ')));
  }

  /** Every subscriber received each of `events` exactly once (distinct events, on the first one). */
  check(events: number): void {
    if (this.problems.length > 0) throw new Error(this.problems.join('; '));
    if (this.counts.some((count) => count !== events)) {
      throw new Error(`expected ${events} notifications per subscriber, got ${this.spread()}`);
    }
    if (this.distinct && this.sessions.size !== events) {
      throw new Error(`the first subscriber received ${this.sessions.size} distinct events of ${events}`);
    }
  }

  private inspect(frame: string): void {
    this.firstFrame ??= frame;
    const { result } = JSON.parse(frame) as { result: { _source: { sessionId: string } } };
    this.sessions.add(result._source.sessionId);
  }

  private spread(): string {
    let min = Infinity;
    let max = -Infinity;
    for (const count of this.counts) {
      min = Math.min(min, count);
      max = Math.max(max, count);
    }
    return `per subscriber: min ${min}, max ${max}`;
  }
}

/** The non-negative integer written in `data` from `offset`. */
function digitsAt(data: Buffer, offset: number): number {
  let value = 0;
  for (let i = offset; i < data.length; i++) {
    const digit = data[i]! - 48;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
  }
  return value;
}
