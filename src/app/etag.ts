/**
 * ETag comparison for use cases that check a client's `If-Match` before they decide anything (docs/product.md §9).
 * Cosmos DB quotes its ETags while `If-Match` values arrive unquoted (src/http/route.ts `ifMatch`), so both sides
 * are compared bare — the same rule as the store's own comparison (src/store/etag.ts), which the application
 * layer may not import (docs/architecture.md).
 */

/** An ETag without a weak prefix or surrounding quotes (`W/"x"` → `x`). */
const bareEtag = (etag: string): string => etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');

/** True when `expected` (e.g. a client's If-Match) names the same version as `etag` (a stored document's). */
export function etagMatches(expected: string, etag: string): boolean {
  return bareEtag(expected) === bareEtag(etag);
}
