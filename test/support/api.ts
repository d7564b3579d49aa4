/**
 * Small helpers shared by the integration tests (assignments, keys, contacts, robustness):
 * problem+json assertions, benefit look-ups through the API, audit-event paging, outbox look-ups and
 * store snapshots. Everything goes through the real host: HTTP for the API, the real store for snapshots.
 */
import { readOutbox, type StoredEmail } from '../../src/email/outbox';
import { demoObjectId } from '../../src/local/seed';
import type { ApiResponse, TestHost } from './testHost';
import { rawDocuments } from '../../src/store/raw';

/** Asserts an RFC 9457 problem with the docs/product.md §9 code. */
export function expectProblem(res: ApiResponse<any>, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({
    status,
    code,
    type: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
  });
}

/** The object id (= user id) of a seeded demo user. */
export const oid = (email: string): string => demoObjectId(email);

/** Every benefit of a partner (one page of 100 is enough for the demo partners; asserted). */
export async function listBenefits(
  host: TestHost,
  partnerId: string,
  token: string,
  query = '',
): Promise<any[]> {
  const res = await host.call('GET', `/api/partners/${partnerId}/benefits?pageSize=100${query}`, { token });
  expect(res.status).toBe(200);
  expect(res.body.continuationToken).toBeNull();
  return res.body.items;
}

/** The id of the benefit with a catalog item id among a purchase's (from {@link listBenefits}); asserted present. */
export function benefitIdOf(benefits: any[], purchaseId: string, catalogItemId: string): string {
  const b = benefits.find((x) => x.purchaseId === purchaseId && x.catalogItemId === catalogItemId);
  expect(b).toBeDefined();
  return b.id as string;
}

/** One benefit through `GET …/benefits/{id}` (body and ETag). */
export async function getBenefit(
  host: TestHost,
  partnerId: string,
  benefitId: string,
  token: string,
): Promise<{ body: any; etag: string }> {
  const res = await host.call('GET', `/api/partners/${partnerId}/benefits/${benefitId}`, { token });
  expect(res.status).toBe(200);
  const etag = res.headers.get('etag');
  expect(etag).toBeTruthy();
  return { body: res.body, etag: etag! };
}

/** The active (not ended) assignments of a benefit as returned by the API. */
export const activeAssignments = (benefit: any): any[] =>
  (benefit.assignments as any[]).filter((a) => a.endedAt === undefined);

/**
 * Every audit event of a partner, read page by page through `GET …/audit-events` (docs/product.md §9 paging).
 * Also checks the paging contract: each page holds at most `pageSize` items and ids never repeat.
 */
export async function allAuditEvents(
  host: TestHost,
  partnerId: string,
  token: string,
  pageSize = 50,
): Promise<any[]> {
  const events: any[] = [];
  let continuation: string | null = null;
  let pages = 0;
  do {
    const q: string = `pageSize=${pageSize}${continuation ? `&continuationToken=${encodeURIComponent(continuation)}` : ''}`;
    const res = await host.call('GET', `/api/partners/${partnerId}/audit-events?${q}`, { token });
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(pageSize);
    events.push(...res.body.items);
    continuation = res.body.continuationToken;
    pages++;
    expect(pages).toBeLessThan(1000);
  } while (continuation);
  expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  return events;
}

/** Audit events of one action on one target. */
export async function auditEventsOf(
  host: TestHost,
  partnerId: string,
  token: string,
  action: string,
  targetId: string,
): Promise<any[]> {
  return (await allAuditEvents(host, partnerId, token)).filter(
    (e) => e.action === action && e.target?.id === targetId,
  );
}

/** Outbox messages of a kind sent to an address (case-insensitive). */
export async function mailsTo(host: TestHost, kind: string, address: string): Promise<StoredEmail[]> {
  return (await readOutbox(host.outboxDir)).filter(
    (m) => m.kind === kind && m.to.some((r) => r.address.toLowerCase() === address.toLowerCase()),
  );
}

/** The verification token in a contact-verification email's plain text (256 bits, base64url = 43 chars). */
export function tokenFromMail(mail: StoredEmail): string {
  const token = /(?<![A-Za-z0-9_-])([A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/.exec(mail.plainText)?.[1];
  expect(token).toBeDefined();
  return token!;
}

/**
 * Every document of the container, keyed by partition and id, for before/after comparisons. Includes the
 * system properties (`_etag`, `_ts`): a rewrite with identical content is still a write and must show up.
 */
export async function snapshotStore(host: TestHost): Promise<Map<string, unknown>> {
  const { resources } = await rawDocuments(host.services.store)
    .container.items.readAll<Record<string, any>>()
    .fetchAll();
  const map = new Map<string, unknown>();
  for (const r of resources) map.set(`${String(r.partnerId)}/${String(r.id)}`, r);
  return map;
}

/** Differences between two snapshots (added, removed, changed keys); empty when equal. */
export function diffSnapshots(before: Map<string, unknown>, after: Map<string, unknown>): string[] {
  const diff: string[] = [];
  for (const [k, v] of after) {
    if (!before.has(k)) diff.push(`added ${k}`);
    else if (JSON.stringify(before.get(k)) !== JSON.stringify(v)) diff.push(`changed ${k}`);
  }
  for (const k of before.keys()) if (!after.has(k)) diff.push(`removed ${k}`);
  return diff;
}
