/**
 * Continuation tokens a caller can trust us with (docs/product.md §9: "a continuation token that this service did
 * not issue for this query is `400 validation-failed`, never a 500").
 *
 * The SDK's token is handed out sealed: `<base64url(sdk token)>.<base64url(HMAC-SHA256)>`, the MAC taken over the
 * token and a fingerprint of the query it continues — route, partner and filters. A token from another route,
 * partner or filter, an edited one, or base64 of any other JSON fails the MAC check and never reaches the SDK.
 * `pageSize` is not part of the fingerprint: a client may change it between pages.
 *
 * The key is a random secret kept with the data (`BenefitsStore.sharedSecret`), read once per process: every
 * instance of a scaled-out app and every restart accept each other's tokens (docs/decisions.md).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../domain/errors';
import type { Services } from '../services';
import type { Page } from '../store/ports';
import type { BenefitsStore, PageOptions } from '../store/store';

/** Name of the shared secret that keys continuation-token MACs. */
const CONTINUATION_KEY_NAME = 'continuation-token-key';

const TOKEN_SHAPE = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/;

const keys = new WeakMap<BenefitsStore, Promise<Buffer>>();

function keyOf(store: BenefitsStore): Promise<Buffer> {
  let key = keys.get(store);
  if (!key) {
    key = store.sharedSecret(CONTINUATION_KEY_NAME);
    // A failed load is retried by the next request rather than cached.
    key.catch(() => keys.delete(store));
    keys.set(store, key);
  }
  return key;
}

/** What a sealed token is bound to: the route's name, the partner (or `*`) and the list's filters. */
export interface PageScope {
  route: string;
  partnerId: string;
  /** The filters of the query, e.g. `{ category, status, q }`; undefined members are ignored. */
  filters?: Record<string, string | undefined>;
}

function fingerprint(scope: PageScope): string {
  const filters = Object.entries(scope.filters ?? {})
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([scope.route, scope.partnerId, filters]);
}

function mac(key: Buffer, scope: PageScope, sdkToken: string): Buffer {
  return createHmac('sha256', key)
    .update(`v1\n${fingerprint(scope)}\n${sdkToken}`, 'utf8')
    .digest();
}

/** Seals an SDK continuation token for `scope`; null stays null. */
async function sealContinuation(
  services: Services,
  scope: PageScope,
  sdkToken: string | null,
): Promise<string | null> {
  if (sdkToken === null) return null;
  const key = await keyOf(services.store);
  return `${Buffer.from(sdkToken, 'utf8').toString('base64url')}.${mac(key, scope, sdkToken).toString('base64url')}`;
}

/**
 * The SDK token inside a sealed `token`, or undefined when there is none.
 * @throws DomainError `validation-failed` (400, field `query.continuationToken`) when the token is malformed or was
 *   not issued by this service for `scope`.
 */
async function openContinuation(
  services: Services,
  scope: PageScope,
  token: string | undefined,
): Promise<string | undefined> {
  if (token === undefined) return undefined;
  const refused = () =>
    new DomainError('validation-failed', 'continuationToken is not valid for this list.', [
      {
        field: 'query.continuationToken',
        message: 'not a token this service issued for this list and these filters',
      },
    ]);
  const m = TOKEN_SHAPE.exec(token);
  if (!m) throw refused();
  const sdkToken = Buffer.from(m[1], 'base64url').toString('utf8');
  const given = Buffer.from(m[2], 'base64url');
  const expected = mac(await keyOf(services.store), scope, sdkToken);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw refused();
  return sdkToken;
}

/**
 * One page of a list route: opens the caller's token, fetches the page with the SDK token, seals the next one.
 * @param fetch reads one page from the store (SDK tokens in and out).
 * @throws DomainError `validation-failed` for a token not issued for `scope`.
 */
export async function pageOf<T>(
  services: Services,
  scope: PageScope,
  query: { pageSize: number; continuationToken?: string },
  fetch: (page: PageOptions) => Promise<Page<T>>,
): Promise<Page<T>> {
  const continuationToken = await openContinuation(services, scope, query.continuationToken);
  const page = await fetch({ pageSize: query.pageSize, continuationToken });
  return {
    items: page.items,
    continuationToken: await sealContinuation(services, scope, page.continuationToken),
  };
}
