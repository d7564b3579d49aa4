/**
 * When a `Pending` benefit's activation can no longer finish (docs/product.md §6: "never stuck in `Pending`, also when the
 * orchestration instance itself was terminated or failed outside our code: a new activation request then finds that
 * instance ended and starts a new attempt"). Pure: the caller asks the durable runtime for the instance's status.
 */

/** How long an unknown instance may still be starting: the starter reserves the attempt, then starts the instance. */
export const START_GRACE_MS = 2 * 60 * 1000;

/**
 * The runtime status of an activation instance as the durable client reports it (`Running`, `Pending`,
 * `Completed`, `Failed`, `Terminated`, `Canceled`, `ContinuedAsNew`, …), or `Unknown` when the runtime has no such
 * instance (purged, or lost with a local runtime's memory).
 */
export type InstanceRuntimeStatus = string;

/**
 * The failure to record on a benefit still `Pending` for an instance whose status is `runtimeStatus`, or undefined
 * while that instance may still settle it (running, pending, or unknown but reserved less than
 * {@link START_GRACE_MS} ago — its start may be under way).
 * - `Terminated` → `orchestration-terminated`; `Failed` → `orchestration-failed`; `Completed`/`Canceled` without
 *   settling the benefit → `orchestration-ended`; `Unknown` after the grace → `orchestration-lost`.
 * @param requestedAt when the attempt was reserved (ISO 8601).
 */
export function endedActivationFailure(
  runtimeStatus: InstanceRuntimeStatus,
  requestedAt: string,
  now: Date,
): { code: string; detail: string } | undefined {
  switch (runtimeStatus) {
    case 'Terminated':
      return {
        code: 'orchestration-terminated',
        detail: 'The activation was stopped before it finished; request the activation again.',
      };
    case 'Failed':
      return {
        code: 'orchestration-failed',
        detail: 'The activation failed before it finished; request the activation again.',
      };
    case 'Completed':
    case 'Canceled':
      return {
        code: 'orchestration-ended',
        detail: 'The activation ended without finishing; request the activation again.',
      };
    case 'Unknown': {
      const reserved = Date.parse(requestedAt);
      if (Number.isFinite(reserved) && now.getTime() - reserved < START_GRACE_MS) return undefined;
      return {
        code: 'orchestration-lost',
        detail: 'The activation is no longer running (it was lost); request the activation again.',
      };
    }
    default:
      return undefined;
  }
}
