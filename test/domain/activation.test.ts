import { START_GRACE_MS, endedActivationFailure } from '../../src/domain/activation';

const requestedAt = '2026-01-01T00:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(requestedAt) + ms);

describe('endedActivationFailure (docs/product.md §6: never stuck in Pending)', () => {
  it.each([
    ['Terminated', 'orchestration-terminated'],
    ['Failed', 'orchestration-failed'],
    ['Completed', 'orchestration-ended'],
    ['Canceled', 'orchestration-ended'],
  ])('%s → %s, at once', (status, code) => {
    expect(endedActivationFailure(status, requestedAt, at(1))?.code).toBe(code);
  });
  it.each(['Running', 'Pending', 'ContinuedAsNew'])('%s → still running: nothing to settle', (status) => {
    expect(endedActivationFailure(status, requestedAt, at(10 * START_GRACE_MS))).toBeUndefined();
  });
  it('Unknown: may still be starting within the grace, lost after it', () => {
    expect(endedActivationFailure('Unknown', requestedAt, at(START_GRACE_MS - 1))).toBeUndefined();
    expect(endedActivationFailure('Unknown', requestedAt, at(START_GRACE_MS))?.code).toBe(
      'orchestration-lost',
    );
    expect(endedActivationFailure('Unknown', 'not a date', at(0))?.code).toBe('orchestration-lost');
  });
});
