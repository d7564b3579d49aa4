/**
 * The durable client adapter: the application's {@link DurablePort} over `df.getClient(context)` (loaded on first
 * use, docs/decisions.md "Cold start"). Functions that use it bind {@link durableClientInput}.
 */
import type { InvocationContext } from '@azure/functions';
import type { DurablePort } from '../app/ports';
import { getDurableClient } from './durable';

/**
 * The durable port for one invocation. `status` answers `Unknown` when the durable runtime has no such instance
 * (purged, or lost with a local runtime's memory): the durable client throws on the extension's 404 (platform notes).
 */
export function durablePort(context: InvocationContext): DurablePort {
  const client = () => getDurableClient(context);
  return {
    async start(orchestrator, instanceId, input) {
      return (await client()).startNew(orchestrator, { instanceId, input });
    },
    async raiseEvent(instanceId, eventName, data) {
      await (await client()).raiseEvent(instanceId, eventName, data);
    },
    async runtimeStatus(instanceId) {
      try {
        const status = await (await client()).getStatus(instanceId);
        return status?.runtimeStatus ?? 'Unknown';
      } catch (e) {
        if (e instanceof Error && /HTTP 404\b/.test(e.message)) return 'Unknown';
        throw e;
      }
    },
    async terminate(instanceId, reason) {
      await (await client()).terminate(instanceId, reason);
    },
  };
}
