/**
 * The crash matrix of a mutation (docs/decisions.md, "One unit of work per mutation"): the mutation's request is run
 * once to learn its write requests, then once per write and failure mode with that write failing
 * (test/support/faults.ts) — the write not sent, its response lost, and for a transactional batch each of its
 * operations refused. After each failure the caller's invariant must hold (no state change without its audit
 * event and outbox record), and a retry of the request must leave the change applied exactly once.
 */
import { ManualClock } from '../../src/local/clock';
import { OUTBOX_GRACE_MS, OUTBOX_LEASE_MS } from '../../src/app/outbox';
import type { FaultMode, SeenWrite, WriteFaults } from './faults';
import type { ApiResponse, TestHost } from './testHost';

/** One failure to inject: the write's index (1-based, among the request's writes) and how it fails. */
export interface Fault {
  at: number;
  mode: FaultMode;
  /** What the write was, for the test's name. */
  write: SeenWrite;
}

/** Every failure of a mutation's writes, from the writes of a run without faults. */
export function faultsOf(writes: readonly SeenWrite[]): Fault[] {
  return writes.flatMap((write, i) => [
    { at: i + 1, mode: 'before' as const, write },
    { at: i + 1, mode: 'after' as const, write },
    ...(write.operations ?? []).map((_, operation) => ({ at: i + 1, mode: { operation }, write })),
  ]);
}

/** A readable name of a fault, e.g. `write 2 (batch Replace,Create,Create): operation 1 refused`. */
export function faultName(f: Fault): string {
  const what = f.write.operations
    ? `batch ${f.write.operations.join(',')}`
    : `${f.write.method} ${f.write.path}`;
  const how =
    f.mode === 'before'
      ? 'not sent'
      : f.mode === 'after'
        ? 'response lost'
        : `operation ${f.mode.operation} refused`;
  return `write ${f.at} (${what}): ${how}`;
}

/**
 * Runs what a retry leaves to the relay's timer: moves the manual clock past the relay's lease and grace, and runs
 * the `outboxRetry` timer, so an email whose relay write failed is sent.
 */
export async function settleOutbox(host: TestHost, clock: ManualClock): Promise<void> {
  clock.advance(OUTBOX_LEASE_MS + OUTBOX_GRACE_MS + 1000);
  await host.runFunction('outboxRetry');
}

/**
 * The answers a retry of a mutation may give after a failure: the change applied now (`expected` status), the
 * first response replayed, or — when the first attempt committed but its response was lost — `409 conflict` saying
 * that the request was applied. Never a second application (the caller's exactly-once check).
 */
export function expectRetryAnswer(res: ApiResponse<any>, expected: number): void {
  if (res.status === 409 && res.body?.code === 'conflict') {
    expect(res.body.detail).toMatch(/was applied/);
    return;
  }
  expect(res.status).toBe(expected);
}

/** Counts the write requests of one run of `request` (no fault). */
export async function writesOfRun(
  faults: WriteFaults,
  request: () => Promise<{ status: number }>,
  expected: number,
): Promise<SeenWrite[]> {
  faults.record();
  const res = await request();
  expect(res.status).toBe(expected);
  return [...faults.seen];
}
