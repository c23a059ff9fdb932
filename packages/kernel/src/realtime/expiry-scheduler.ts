/**
 * ExpiryScheduler: runs tasks at deadlines (epoch ms) with a single timer, armed for the earliest one.
 *
 * Deadlines live in a binary min-heap (O(log n) to add or run one); a cancelled deadline is only marked, and
 * dropped when it reaches the top, or all at once when the dead outnumber the live. So there is never more than
 * one pending timer and no scan, however many tokens are watched. Deadlines at the same millisecond run in the
 * order they were scheduled, all from the same timer callback.
 */

/** Calls `callback` after `delayMs`; the returned function cancels it. */
export type SetTimer = (callback: () => void, delayMs: number) => () => void;

export interface ExpirySchedulerOptions {
  /** Epoch ms. */
  now?: () => number;
  setTimer?: SetTimer;
}

export interface ScheduledTask {
  /** Idempotent; does nothing once the task ran. */
  cancel(): void;
}

export interface ExpiryScheduler {
  /** Runs `task` once `at` (epoch ms) is reached; at once (next timer tick) when it already is. */
  schedule(at: number, task: () => void): ScheduledTask;
  /** Tasks scheduled and neither run nor cancelled. */
  readonly pending: number;
  /** Cancels everything and clears the timer. */
  stop(): void;
}

/** setTimeout's longest delay: a longer one fires at once, so far deadlines are reached in hops of this. */
export const MAX_TIMER_DELAY = 2 ** 31 - 1;

/** Node's timer, unref'd: pending expiries must not keep a process alive. */
const nodeTimer: SetTimer = (callback, delayMs) => {
  const timer = setTimeout(callback, delayMs);
  timer.unref();
  return () => clearTimeout(timer);
};

interface Entry {
  readonly at: number;
  /** Breaks ties between equal deadlines: first scheduled, first run. */
  readonly seq: number;
  /** Null once run or cancelled. */
  task: (() => void) | null;
}

/** Below this many dead entries, compacting is not worth it: they leave through the top soon enough. */
const COMPACT_THRESHOLD = 64;

export function createExpiryScheduler(options: ExpirySchedulerOptions = {}): ExpiryScheduler {
  const now = options.now ?? Date.now;
  const setTimer = options.setTimer ?? nodeTimer;
  let heap: Entry[] = [];
  let live = 0;
  let seq = 0;
  /** The armed timer and the deadline it is aimed at (possibly one hop of MAX_TIMER_DELAY towards it). */
  let timer: { at: number; cancel: () => void } | null = null;
  /** While due tasks run, what they schedule waits for the one re-arm at the end. */
  let firing = false;

  const disarm = (): void => {
    timer?.cancel();
    timer = null;
  };

  /** The earliest live entry, dropping dead ones on the way. */
  const peek = (): Entry | undefined => {
    let top = heap[0];
    while (top?.task === null) {
      popTop(heap);
      top = heap[0];
    }
    return top;
  };

  const arm = (): void => {
    disarm();
    const next = peek();
    if (next === undefined) return;
    const delay = Math.min(Math.max(next.at - now(), 0), MAX_TIMER_DELAY);
    timer = { at: next.at, cancel: setTimer(fire, delay) };
  };

  function fire(): void {
    timer = null;
    firing = true;
    const current = now();
    try {
      for (let next = peek(); next !== undefined && next.at <= current; next = peek()) {
        popTop(heap);
        const task = next.task;
        next.task = null;
        live -= 1;
        task?.();
      }
    } finally {
      // Re-armed even if a task threw, so the others still run; a far deadline is one hop closer.
      firing = false;
      arm();
    }
  }

  const cancel = (entry: Entry): void => {
    if (entry.task === null) return;
    entry.task = null;
    live -= 1;
    if (live === 0) {
      heap = [];
      disarm();
    } else if (heap.length - live > COMPACT_THRESHOLD && heap.length > 2 * live) {
      // A sorted array is a valid heap.
      heap = heap.filter((e) => e.task !== null).sort(earlier);
    }
    // Otherwise the timer may wake for a cancelled deadline: it then re-arms for the next one.
  };

  return {
    schedule(at, task) {
      const entry: Entry = { at, seq: seq++, task };
      push(heap, entry);
      live += 1;
      if (!firing && (timer === null || at < timer.at)) arm();
      return { cancel: () => cancel(entry) };
    },

    get pending() {
      return live;
    },

    stop() {
      for (const entry of heap) entry.task = null;
      heap = [];
      live = 0;
      disarm();
    },
  };
}

function earlier(a: Entry, b: Entry): number {
  return a.at - b.at || a.seq - b.seq;
}

function push(heap: Entry[], entry: Entry): void {
  let i = heap.push(entry) - 1;
  while (i > 0) {
    const parentIndex = (i - 1) >> 1;
    const parent = heap[parentIndex];
    if (parent === undefined || earlier(parent, entry) <= 0) break;
    heap[i] = parent;
    i = parentIndex;
  }
  heap[i] = entry;
}

function popTop(heap: Entry[]): void {
  const last = heap.pop();
  if (last === undefined || heap.length === 0) return;
  let i = 0;
  for (;;) {
    const leftIndex = 2 * i + 1;
    const left = heap[leftIndex];
    if (left === undefined) break;
    const right = heap[leftIndex + 1];
    const [child, childIndex] =
      right !== undefined && earlier(right, left) < 0 ? [right, leftIndex + 1] : [left, leftIndex];
    if (earlier(last, child) <= 0) break;
    heap[i] = child;
    i = childIndex;
  }
  heap[i] = last;
}
