/**
 * ETag comparison between an HTTP entity-tag and a Cosmos ETag. Not a server workaround: Cosmos DB quotes its
 * ETags (`"00000000-0000-…"`) while `If-Match` values reach the store without quotes (src/http/route.ts `ifMatch`),
 * so both sides are compared bare. The embedded server's ETags are unquoted UUIDs and compare the same way. Use cases
 * compare a client's If-Match by the same rule (`etagMatches`, src/app/etag.ts).
 */

/** An ETag without a weak prefix or surrounding quotes. */
export function bareEtag(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}
