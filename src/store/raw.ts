/**
 * The raw document layer of a store, for the local runtime (seeding, the portal's local user list) and tests
 * only: production code uses the store's intention-named methods (./ports.ts). eslint keeps this module and
 * ./documents.ts out of every other folder.
 */
import type { Documents } from './documents';
import type { BenefitsStore } from './store';

export type { Documents };

/** The store's private document layer. */
export function rawDocuments(store: BenefitsStore): Documents {
  // Bracket access reaches the private member by design (TypeScript allows it); nothing else should.
  return store['docs'];
}
