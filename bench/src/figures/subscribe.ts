/**
 * Subscribe: the round trip of `realtime:subscribe` over WebSocket, by the bench user (default profile), for the
 * costliest filters the complexity bounds admit (docs/realtime.md#filter-complexity), against the same round trip
 * for a one-condition filter on the same socket. Every filter uses fresh field names, so each subscription
 * normalises and stores a new room; each room is left at once. Koncorde's work runs on the event loop, so this
 * round trip bounds what one subscribe can block every other client for. Also reported, not as the figure: the
 * round trip of the refusal of the shape that once took seconds (an `or` of 16 `and`s).
 */
import { performance } from 'node:perf_hooks';
import { KuzzleSocket, setUpAccounts } from '../client';
import { alternate, type Mode } from '../mode';
import { startServer } from '../processes';
import { figure, type Figure } from '../report';
import { median } from '../stats';

type Filter = Record<string, unknown>;

/** Each call a new field name, so no two filters give the same room. */
function conditions(): (count: number) => Filter[] {
  let field = 0;
  return (count) => Array.from({ length: count }, () => ({ equals: { [`f${++field}`]: 'v' } }));
}

/** `{and: [c, {or: [c, ... {or: [c, c]}]}]}`: one more truth-table input per level. */
function chain(make: (count: number) => Filter[], levels: number, operator: 'and' | 'or' = 'and'): Filter {
  return levels === 0
    ? { [operator]: make(2) }
    : { [operator]: [...make(1), chain(make, levels - 1, operator === 'and' ? 'or' : 'and')] };
}

/** The worst admitted shapes, at the bounds: 8 groups, 16 conditions, 256 conditions in the normal form. */
const SHAPES: Readonly<Record<string, (make: (count: number) => Filter[]) => Filter>> = {
  'chain of 8 groups': (make) => chain(make, 7),
  'not of a chain of 8 groups': (make) => ({ not: chain(make, 7) }),
  'or of 8 ands (16 conditions)': (make) => ({ or: Array.from({ length: 8 }, () => ({ and: make(2) })) }),
  'and of 5 ors (32 terms)': (make) => ({ and: Array.from({ length: 5 }, () => ({ or: make(2) })) }),
  'and of 4 conditions and 4 ors (16 terms of 8)': (make) => ({
    and: [...make(4), ...Array.from({ length: 4 }, () => ({ or: make(2) }))],
  }),
};

export async function subscribeFigures(mode: Mode): Promise<Figure[]> {
  const perRound = mode.quick ? 20 : 50;
  const server = await startServer();
  try {
    const { userJwt } = await setUpAccounts(server.url);
    const socket = await KuzzleSocket.open(server.url);
    const make = conditions();
    const subscribe = (body: Filter) =>
      socket.send({
        controller: 'realtime',
        action: 'subscribe',
        index: 'bench',
        collection: 'rooms',
        body,
        jwt: userJwt,
      });
    /** Milliseconds of each of `perRound` subscribes (each room then left), the median. */
    const round = async (filter: () => Filter): Promise<number> => {
      const times: number[] = [];
      for (let i = 0; i < perRound; i++) {
        const body = filter();
        const start = performance.now();
        const answer = await subscribe(body);
        times.push(performance.now() - start);
        if (answer.error !== null) throw new Error(`subscribe refused: ${answer.error.id}`);
        const { roomId } = answer.result as { roomId: string };
        await socket.call({ controller: 'realtime', action: 'unsubscribe', body: { roomId }, jwt: userJwt });
      }
      return median(times);
    };
    const simple = () => make(1)[0]!;

    await round(simple);
    const byShape: Record<string, { tessera: number[]; baseline: number[] }> = {};
    for (const [name, shape] of Object.entries(SHAPES)) {
      await round(() => shape(make));
      byShape[name] = await alternate(
        mode,
        () => round(() => shape(make)),
        () => round(simple),
      );
    }
    const medians = Object.entries(byShape).map(([name, runs]) => ({
      name,
      ms: median(runs.tessera),
      baselineMs: median(runs.baseline),
    }));
    const worst = medians.reduce((a, b) => (b.ms > a.ms ? b : a));

    const refusals: number[] = [];
    for (let i = 0; i < perRound; i++) {
      const start = performance.now();
      const answer = await subscribe({ or: Array.from({ length: 16 }, () => ({ and: make(2) })) });
      refusals.push(performance.now() - start);
      if (answer.error?.id !== 'core.realtime.too_many_terms')
        throw new Error('the or of 16 ands was admitted');
    }
    await socket.close();

    return [
      figure({
        id: 'realtime.subscribe.worst',
        label: `Subscribe, costliest admitted filter (${worst.name})`,
        unit: 'ms',
        value: worst.ms,
        baseline: worst.baselineMs,
        baselineLabel: 'subscribe, one condition',
        goal: { on: 'value', op: '<=', limit: 10 },
        details: { perRound, rounds: mode.rounds, shapes: medians, refusedOrOf16AndsMs: median(refusals) },
      }),
    ];
  } finally {
    await server.stop();
  }
}
