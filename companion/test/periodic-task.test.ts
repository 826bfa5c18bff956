import type * as nodeTimers from 'node:timers';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { PeriodicTask } from '../src/periodic-task.js';

/**
 * The task's timer is node:timers' own, which vi.useFakeTimers does not replace; this stands in for
 * it so each test ticks by hand: what a tick does is seen without waiting for the clock.
 */
interface FakeInterval {
  tick: () => void;
  ms: number;
  unref: ReturnType<typeof vi.fn>;
  cleared: boolean;
}
const intervals = vi.hoisted(() => [] as FakeInterval[]);
vi.mock('node:timers', async (importOriginal) => {
  const real = await importOriginal<typeof nodeTimers>();
  return {
    ...real,
    setInterval: (tick: () => void, ms: number) => {
      const interval: FakeInterval = { tick, ms, unref: vi.fn(), cleared: false };
      intervals.push(interval);
      return interval;
    },
    clearInterval: (interval: FakeInterval) => {
      interval.cleared = true;
    },
  };
});

beforeEach(() => {
  intervals.length = 0;
});

/** The one interval started; fails when there is none or more than one. */
function theInterval(): FakeInterval {
  expect(intervals).toHaveLength(1);
  return intervals[0]!;
}

/** Ticks the live interval, as the timer would. */
function tick(): void {
  const interval = theInterval();
  expect(interval.cleared).toBe(false);
  interval.tick();
}

/** A pass that runs until the test finishes it: `finish()` ends the oldest pass still under way. */
function heldPasses() {
  const waiting: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  let started = 0;
  return {
    pass: () =>
      new Promise<void>((resolve, reject) => {
        started += 1;
        waiting.push({ resolve, reject });
      }),
    get started() {
      return started;
    },
    finish: async () => {
      waiting.shift()!.resolve();
      await flush();
    },
    fail: async (error: Error) => {
      waiting.shift()!.reject(error);
      await flush();
    },
  };
}

/** Lets the promise callbacks already due run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('PeriodicTask', () => {
  it('ticks every everyMs on a timer that does not keep the process alive, the first pass a tick away', async () => {
    const passes = heldPasses();
    const task = new PeriodicTask({ everyMs: 250, pass: passes.pass });
    task.start();
    expect(theInterval().ms).toBe(250);
    expect(theInterval().unref).toHaveBeenCalledOnce();
    expect(passes.started).toBe(0);
    tick();
    expect(passes.started).toBe(1);
    await passes.finish();
    tick();
    expect(passes.started).toBe(2);
    await passes.finish();
    await task.stop();
  });

  it('runs a pass at start with passAtStart', async () => {
    const passes = heldPasses();
    const task = new PeriodicTask({ everyMs: 250, pass: passes.pass, passAtStart: true });
    task.start();
    expect(passes.started).toBe(1);
    await passes.finish();
    await task.stop();
  });

  it('never starts a pass while one is under way: the ticks meanwhile are skipped', async () => {
    const passes = heldPasses();
    const task = new PeriodicTask({ everyMs: 250, pass: passes.pass });
    task.start();
    tick();
    tick();
    tick();
    expect(passes.started).toBe(1);
    expect(task.busy).toBe(true);
    await passes.finish();
    expect(task.busy).toBe(false);
    tick();
    expect(passes.started).toBe(2);
    await passes.finish();
    await task.stop();
  });

  it('stop clears the timer and resolves only once the pass under way has finished', async () => {
    const passes = heldPasses();
    const task = new PeriodicTask({ everyMs: 250, pass: passes.pass });
    task.start();
    tick();
    let stopped = false;
    const stopping = task.stop().then(() => (stopped = true));
    expect(theInterval().cleared).toBe(true);
    await flush();
    expect(stopped).toBe(false);
    await passes.finish();
    await stopping;
    expect(stopped).toBe(true);
  });

  it('reports a failed pass, and the next tick runs a pass again', async () => {
    const passes = heldPasses();
    const onError = vi.fn();
    const task = new PeriodicTask({ everyMs: 250, pass: passes.pass, onError });
    task.start();
    tick();
    const failure = new Error('the database is away');
    await passes.fail(failure);
    expect(onError).toHaveBeenCalledExactlyOnceWith(failure);
    expect(task.busy).toBe(false);
    tick();
    expect(passes.started).toBe(2);
    await passes.finish();
    expect(onError).toHaveBeenCalledOnce();
    await task.stop();
  });

  it('reports a pass that throws before returning its promise, and ticks on', async () => {
    const failure = new Error('thrown at once');
    let calls = 0;
    const onError = vi.fn();
    const task = new PeriodicTask({
      everyMs: 250,
      pass: () => {
        calls += 1;
        throw failure;
      },
      onError,
    });
    task.start();
    tick();
    await flush();
    tick();
    await flush();
    expect(calls).toBe(2);
    expect(onError.mock.calls).toEqual([[failure], [failure]]);
    await task.stop();
  });

  it('starts one timer however often it is started, and ticks again when started after a stop', async () => {
    const passes = heldPasses();
    const task = new PeriodicTask({ everyMs: 250, pass: passes.pass });
    task.start();
    task.start();
    expect(intervals).toHaveLength(1);
    await task.stop();
    task.start();
    expect(intervals).toHaveLength(2);
    expect(intervals[0]!.cleared).toBe(true);
    intervals[1]!.tick();
    expect(passes.started).toBe(1);
    await passes.finish();
    await task.stop();
  });

  it('asks an everyMs function at each start', async () => {
    let everyMs = 1000;
    const task = new PeriodicTask({ everyMs: () => everyMs, pass: async () => undefined });
    task.start();
    await task.stop();
    everyMs = 4000;
    task.start();
    await task.stop();
    expect(intervals.map((i) => i.ms)).toEqual([1000, 4000]);
  });

  it('idle resolves once the pass under way has finished, and at once when none is', async () => {
    const passes = heldPasses();
    const task = new PeriodicTask({ everyMs: 250, pass: passes.pass });
    await task.idle();
    task.start();
    tick();
    let idle = false;
    const waiting = task.idle().then(() => (idle = true));
    await flush();
    expect(idle).toBe(false);
    await passes.finish();
    await waiting;
    expect(idle).toBe(true);
    await task.stop();
  });
});
