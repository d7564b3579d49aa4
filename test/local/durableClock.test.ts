/** Scheduling clocks used by the local durable runtime. */
import { MAX_TIMEOUT_MS, ManualClock, SystemSchedulingClock } from '../../src/local/clock';

const T0 = new Date('2026-01-01T00:00:00.000Z');

describe('ManualClock', () => {
  it('fires due callbacks in fire-time order, each at its own time, and ends at start + ms', () => {
    const clock = new ManualClock(T0);
    const seen: string[] = [];
    const at = (ms: number): Date => new Date(T0.getTime() + ms);
    clock.schedule(at(300), () => seen.push(`c@${clock.now().getTime() - T0.getTime()}`));
    clock.schedule(at(100), () => {
      seen.push(`a@${clock.now().getTime() - T0.getTime()}`);
      // scheduled from a callback, still due within this advance
      clock.schedule(at(200), () => seen.push(`b@${clock.now().getTime() - T0.getTime()}`));
    });
    clock.schedule(at(1000), () => seen.push('late'));
    clock.advance(500);
    expect(seen).toEqual(['a@100', 'b@200', 'c@300']);
    expect(clock.now()).toEqual(at(500));
    expect(clock.pendingCount).toBe(1);
    expect(clock.nextDue()).toEqual(at(1000));
  });

  it('runs ties in scheduling order; cancel and set work', () => {
    const clock = new ManualClock(T0);
    const seen: number[] = [];
    const at = new Date(T0.getTime() + 10);
    clock.schedule(at, () => seen.push(1));
    const cancel = clock.schedule(at, () => seen.push(2));
    clock.schedule(at, () => seen.push(3));
    cancel();
    cancel();
    clock.set(new Date(T0.getTime() + 10));
    expect(seen).toEqual([1, 3]);
    clock.set(T0); // backwards: nothing fires
    expect(clock.now()).toEqual(T0);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });

  it('does not run a callback scheduled in the past until the next advance', () => {
    const clock = new ManualClock(T0);
    let fired = false;
    clock.schedule(new Date(T0.getTime() - 5), () => (fired = true));
    expect(fired).toBe(false);
    clock.advance(0);
    expect(fired).toBe(true);
  });
});

describe('SystemSchedulingClock', () => {
  beforeEach(() => jest.useFakeTimers({ now: T0 }));
  afterEach(() => jest.useRealTimers());

  it('chains delays beyond the setTimeout limit', () => {
    const clock = new SystemSchedulingClock();
    let fired = false;
    clock.schedule(new Date(T0.getTime() + 30 * 24 * 3600_000), () => (fired = true));
    jest.advanceTimersByTime(MAX_TIMEOUT_MS);
    expect(fired).toBe(false);
    expect(clock.pendingCount).toBe(1);
    jest.advanceTimersByTime(30 * 24 * 3600_000 - MAX_TIMEOUT_MS - 1);
    expect(fired).toBe(false);
    jest.advanceTimersByTime(1);
    expect(fired).toBe(true);
    expect(clock.pendingCount).toBe(0);
  });

  it('cancels one timer, and dispose cancels all', () => {
    const clock = new SystemSchedulingClock();
    const seen: string[] = [];
    const cancel = clock.schedule(new Date(T0.getTime() + 10), () => seen.push('a'));
    clock.schedule(new Date(T0.getTime() + 20), () => seen.push('b'));
    clock.schedule(new Date(T0.getTime() + 40 * 24 * 3600_000), () => seen.push('c'));
    cancel();
    jest.advanceTimersByTime(20);
    expect(seen).toEqual(['b']);
    clock.dispose();
    expect(clock.pendingCount).toBe(0);
    jest.advanceTimersByTime(50 * 24 * 3600_000);
    expect(seen).toEqual(['b']);
  });
});
