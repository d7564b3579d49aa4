/**
 * Clocks that can also run callbacks at a given time. The local durable runtime uses them for
 * durable timers and activity retry delays; tests use {@link ManualClock} to move time by days
 * without waiting (docs/platform-notes.md: "context.df.currentUtcDateTime is the latest
 * OrchestratorStarted Timestamp").
 */
import type { Clock } from '../domain/clock';

/** A {@link Clock} that can call back at a point in time. */
export interface SchedulingClock extends Clock {
  /**
   * Runs `callback` once, when the clock reaches `at` (immediately-ish if `at` is already past).
   * Returns a function that cancels the callback; calling it after the callback ran, or twice, is harmless.
   */
  schedule(at: Date, callback: () => void): () => void;
}

/** Largest delay `setTimeout` accepts (2^31-1 ms ≈ 24.8 days); longer delays are chained. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Real time. Timers are not `unref`'d: a pending durable timer keeps the process alive, as the
 * Functions host would keep it. Call {@link SystemSchedulingClock.dispose} to cancel every pending timer.
 */
export class SystemSchedulingClock implements SchedulingClock {
  readonly #timers = new Set<{ handle: NodeJS.Timeout | undefined }>();

  /** The machine's current time. */
  now(): Date {
    return new Date();
  }

  /**
   * Schedules `callback` at `at` (real time). Delays beyond {@link MAX_TIMEOUT_MS} are chained
   * through intermediate timeouts, re-measured against the wall clock at each hop.
   */
  schedule(at: Date, callback: () => void): () => void {
    const entry: { handle: NodeJS.Timeout | undefined } = { handle: undefined };
    const arm = (): void => {
      const delayMs = at.getTime() - Date.now();
      if (delayMs > MAX_TIMEOUT_MS) {
        entry.handle = setTimeout(arm, MAX_TIMEOUT_MS);
        return;
      }
      entry.handle = setTimeout(
        () => {
          this.#timers.delete(entry);
          callback();
        },
        Math.max(0, delayMs),
      );
    };
    this.#timers.add(entry);
    arm();
    return () => {
      if (entry.handle !== undefined) clearTimeout(entry.handle);
      this.#timers.delete(entry);
    };
  }

  /** Number of callbacks still pending (diagnostics and tests). */
  get pendingCount(): number {
    return this.#timers.size;
  }

  /** Cancels every pending callback. The clock stays usable afterwards. */
  dispose(): void {
    for (const entry of this.#timers) if (entry.handle !== undefined) clearTimeout(entry.handle);
    this.#timers.clear();
  }
}

interface ManualEntry {
  atMs: number;
  seq: number;
  callback: () => void;
}

/**
 * A clock that only moves when told to. `advance(ms)` runs due callbacks synchronously in fire-time
 * order (ties in scheduling order); during a callback `now()` equals that callback's fire time.
 * Callbacks scheduled by a callback run in the same `advance` if they fall due before its end.
 */
export class ManualClock implements SchedulingClock {
  #nowMs: number;
  #seq = 0;
  readonly #entries: ManualEntry[] = [];

  /** @param start the initial time. */
  constructor(start: Date) {
    this.#nowMs = start.getTime();
  }

  /** The current manual time (a fresh Date each call). */
  now(): Date {
    return new Date(this.#nowMs);
  }

  /**
   * Registers `callback` for `at`. A callback for a time not after `now()` is NOT run here: it runs
   * at the next `advance`/`set` (use `advance(0)` to flush). Returns a canceller.
   */
  schedule(at: Date, callback: () => void): () => void {
    const entry: ManualEntry = { atMs: at.getTime(), seq: this.#seq++, callback };
    this.#entries.push(entry);
    return () => {
      const i = this.#entries.indexOf(entry);
      if (i >= 0) this.#entries.splice(i, 1);
    };
  }

  /**
   * Moves time forward by `ms` milliseconds (≥ 0), firing every callback due up to the new time,
   * each with `now()` at its own fire time. Throws a RangeError for a negative or non-finite `ms`.
   */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance(ms) needs a finite ms >= 0, got ${ms}`);
    this.#runUntil(this.#nowMs + ms);
  }

  /**
   * Sets the time to `date`. Moving forward fires due callbacks like {@link ManualClock.advance};
   * moving backward just sets the time (nothing fires).
   */
  set(date: Date): void {
    const targetMs = date.getTime();
    if (targetMs <= this.#nowMs) {
      this.#nowMs = targetMs;
      return;
    }
    this.#runUntil(targetMs);
  }

  /** Number of callbacks still pending. */
  get pendingCount(): number {
    return this.#entries.length;
  }

  /** Fire time of the earliest pending callback, if any. */
  nextDue(): Date | undefined {
    const next = this.#nextEntry();
    return next ? new Date(next.atMs) : undefined;
  }

  #nextEntry(): ManualEntry | undefined {
    let best: ManualEntry | undefined;
    for (const e of this.#entries) {
      if (!best || e.atMs < best.atMs || (e.atMs === best.atMs && e.seq < best.seq)) best = e;
    }
    return best;
  }

  #runUntil(targetMs: number): void {
    for (;;) {
      const next = this.#nextEntry();
      if (!next || next.atMs > targetMs) break;
      this.#entries.splice(this.#entries.indexOf(next), 1);
      if (next.atMs > this.#nowMs) this.#nowMs = next.atMs;
      next.callback();
    }
    this.#nowMs = targetMs;
  }
}
