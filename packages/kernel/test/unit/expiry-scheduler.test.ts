import { describe, expect, it } from '@jest/globals';
import { createExpiryScheduler, MAX_TIMER_DELAY, type SetTimer } from '../../src/realtime';

const T0 = 1_700_000_000_000;

/** A clock and a timer function under the test's control; it records every delay asked for. */
function fakeClock() {
  let time = T0;
  let nextId = 0;
  const timers = new Map<number, { due: number; callback: () => void }>();
  const delays: number[] = [];
  const setTimer: SetTimer = (callback, delayMs) => {
    const id = nextId++;
    delays.push(delayMs);
    timers.set(id, { due: time + delayMs, callback });
    return () => timers.delete(id);
  };
  /** Moves time forward by `ms`, firing the timers that fall due on the way, as Node would. */
  const advance = (ms: number): void => {
    const end = time + ms;
    for (;;) {
      const due = [...timers].filter(([, t]) => t.due <= end).sort(([, a], [, b]) => a.due - b.due)[0];
      if (due === undefined) break;
      const [id, timer] = due;
      timers.delete(id);
      time = Math.max(time, timer.due);
      timer.callback();
    }
    time = end;
  };
  return { now: () => time, setTimer, advance, delays, pendingTimers: () => timers.size };
}

function setup() {
  const clock = fakeClock();
  const scheduler = createExpiryScheduler({ now: clock.now, setTimer: clock.setTimer });
  const ran: { name: string; at: number }[] = [];
  const task = (name: string) => () => void ran.push({ name, at: clock.now() });
  return { clock, scheduler, ran, task };
}

describe('expiry scheduler', () => {
  it('runs tasks at their deadline, earliest first, equal deadlines in the order they were scheduled', () => {
    const { clock, scheduler, ran, task } = setup();
    scheduler.schedule(T0 + 300, task('c'));
    scheduler.schedule(T0 + 100, task('a1'));
    scheduler.schedule(T0 + 200, task('b'));
    scheduler.schedule(T0 + 100, task('a2'));
    clock.advance(99);
    expect(ran).toEqual([]);
    clock.advance(1000);
    expect(ran).toEqual([
      { name: 'a1', at: T0 + 100 },
      { name: 'a2', at: T0 + 100 },
      { name: 'b', at: T0 + 200 },
      { name: 'c', at: T0 + 300 },
    ]);
    expect(scheduler.pending).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('keeps a single timer, aimed at the earliest deadline, however many tasks are pending', () => {
    const { clock, scheduler, ran, task } = setup();
    for (let i = 0; i < 2000; i++) {
      scheduler.schedule(T0 + 1 + ((i * 7919) % 5000), task(String(i)));
      expect(clock.pendingTimers()).toBe(1);
    }
    expect(clock.delays.length).toBeLessThan(2000);
    for (let step = 0; step < 50; step++) {
      clock.advance(100);
      expect(clock.pendingTimers()).toBeLessThanOrEqual(1);
    }
    expect(ran).toHaveLength(2000);
    expect(ran.map((r) => r.at)).toEqual([...ran.map((r) => r.at)].sort((a, b) => a - b));
    expect(clock.pendingTimers()).toBe(0);
  });

  it('re-arms in hops of the longest delay setTimeout accepts for a deadline further than that', () => {
    const { clock, scheduler, ran, task } = setup();
    const at = T0 + 3 * MAX_TIMER_DELAY + 5;
    scheduler.schedule(at, task('far'));
    expect(clock.delays).toEqual([MAX_TIMER_DELAY]);
    clock.advance(3 * MAX_TIMER_DELAY);
    expect(ran).toEqual([]);
    expect(clock.delays).toEqual([MAX_TIMER_DELAY, MAX_TIMER_DELAY, MAX_TIMER_DELAY, 5]);
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(5);
    expect(ran).toEqual([{ name: 'far', at }]);
  });

  it('re-aims its timer at an earlier deadline, and leaves it for a later one', () => {
    const { clock, scheduler, task } = setup();
    scheduler.schedule(T0 + 1000, task('a'));
    scheduler.schedule(T0 + 400, task('b'));
    scheduler.schedule(T0 + 700, task('c'));
    expect(clock.delays).toEqual([1000, 400]);
    expect(clock.pendingTimers()).toBe(1);
  });

  it('runs a task whose deadline already passed on the next timer tick, not during schedule()', () => {
    const { clock, scheduler, ran, task } = setup();
    scheduler.schedule(T0 - 50, task('late'));
    expect(ran).toEqual([]);
    expect(clock.delays).toEqual([0]);
    clock.advance(0);
    expect(ran).toEqual([{ name: 'late', at: T0 }]);
  });

  it('never runs a cancelled task, and clears its timer once nothing is left', () => {
    const { clock, scheduler, ran, task } = setup();
    const a = scheduler.schedule(T0 + 100, task('a'));
    const b = scheduler.schedule(T0 + 200, task('b'));
    a.cancel();
    a.cancel();
    expect(scheduler.pending).toBe(1);
    clock.advance(150);
    expect(ran).toEqual([]);
    b.cancel();
    expect(scheduler.pending).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
    clock.advance(1000);
    expect(ran).toEqual([]);
  });

  it('still runs the right tasks, in order, after most of many were cancelled', () => {
    const { clock, scheduler, ran, task } = setup();
    const handles = Array.from({ length: 1000 }, (_, i) =>
      scheduler.schedule(T0 + 1000 - i, task(String(i))),
    );
    handles.forEach((handle, i) => {
      if (i % 10 !== 0) handle.cancel();
    });
    expect(scheduler.pending).toBe(100);
    clock.advance(1000);
    const kept = Array.from({ length: 100 }, (_, k) => String(990 - 10 * k));
    expect(ran.map((r) => r.name)).toEqual(kept);
    expect(ran.every((r) => r.at === T0 + 1000 - Number(r.name))).toBe(true);
  });

  it('runs what a task schedules for a later deadline, with one timer re-armed after the batch', () => {
    const { clock, scheduler, ran, task } = setup();
    for (let i = 0; i < 100; i++) {
      scheduler.schedule(T0 + 10, () => {
        scheduler.schedule(T0 + 20, task(`then ${i}`));
      });
    }
    const delaysBefore = clock.delays.length;
    clock.advance(10);
    expect(clock.delays.length).toBe(delaysBefore + 1);
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(10);
    expect(ran).toHaveLength(100);
    expect(ran.every((r) => r.at === T0 + 20)).toBe(true);
  });

  it('still runs the other due tasks when one throws', () => {
    const { clock, scheduler, ran, task } = setup();
    scheduler.schedule(T0 + 10, () => {
      throw new Error('task failed');
    });
    scheduler.schedule(T0 + 10, task('after'));
    expect(() => clock.advance(10)).toThrow('task failed');
    clock.advance(0);
    expect(ran).toEqual([{ name: 'after', at: T0 + 10 }]);
  });

  it('stop() cancels every task and its timer', () => {
    const { clock, scheduler, ran, task } = setup();
    const handle = scheduler.schedule(T0 + 10, task('a'));
    scheduler.schedule(T0 + 20, task('b'));
    scheduler.stop();
    handle.cancel();
    expect(scheduler.pending).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
    clock.advance(100);
    expect(ran).toEqual([]);
  });
});
