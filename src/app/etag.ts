/** An ETag without its quotes or weak prefix (`W/"x"` → `x`), to compare an `If-Match` with a stored ETag. */
export const bareEtag = (etag: string): string => etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
