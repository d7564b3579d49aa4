/**
 * End to end: assigning and unassigning seats (Visual Studio, Azure self-assignment, technical contact),
 * with the cross-cutting rules (If-Match, Idempotency-Key, audit, cancelled benefits). Real local host: real HTTP,
 * real JWTs, the embedded Cosmos server and the email outbox.
 */
import { readOutbox } from '../../src/email/outbox';
import {
  benefitIdOf,
  activeAssignments,
  allAuditEvents,
  auditEventsOf,
  expectProblem,
  getBenefit,
  listBenefits,
  mailsTo,
  oid,
  tokenFromMail,
} from '../support/api';
import { startTestHost, type TestHost } from '../support/testHost';

let host: TestHost;
let admin: string; // admin@contoso (GlobalAdmin)
let mpn: string; // mpn@contoso (MpnPartnerAdmin)
let userAdmin: string; // useradmin@contoso (UserAdmin)
let agent: string; // agent@contoso (AdminAgent)
/** contoso's purchases as seeded: [0] gold today, [1] action pack 45 days ago, [2] gold 400 days ago. */
let goldToday: string;
let actionPack: string;
let goldOld: string;
let benefits: any[];

beforeAll(async () => {
  jest.spyOn(console, 'info').mockImplementation(() => undefined); // outbox log lines
  host = await startTestHost();
  [admin, mpn, userAdmin, agent] = await Promise.all(
    ['admin', 'mpn', 'useradmin', 'agent'].map((r) => host.tokenFor(`${r}@contoso.example`)),
  );
  [goldToday, actionPack, goldOld] = host.seed!.purchases.map((p) => p.id);
  benefits = await listBenefits(host, 'contoso', admin);
});
afterAll(async () => host?.close());

/** The contoso benefit of a purchase with a catalog item id. */
const benefitOf = (purchaseId: string, catalogItemId: string): string =>
  benefitIdOf(benefits, purchaseId, catalogItemId);

const assignPath = (benefitId: string) => `/api/partners/contoso/benefits/${benefitId}/assignments`;
const assign = (benefitId: string, body: unknown, token = admin, headers?: Record<string, string>) =>
  host.call('POST', assignPath(benefitId), { token, body, headers });
const unassign = (benefitId: string, assignmentId: string, token = admin, headers?: Record<string, string>) =>
  host.call('DELETE', `${assignPath(benefitId)}/${assignmentId}`, { token, headers });

describe('Visual Studio subscriptions', () => {
  let vs: string; // the 25-seat Visual Studio Enterprise of today's gold purchase

  beforeAll(async () => {
    const res = await host.call('GET', '/api/partners/contoso/benefits?category=visualStudio', {
      token: admin,
    });
    expect(res.status).toBe(200);
    expect(res.body.items.every((b: any) => b.category === 'visualStudio')).toBe(true);
    const gold = res.body.items.find((b: any) => b.purchaseId === goldToday);
    expect(gold).toMatchObject({ seats: 25, status: 'NotActivated', assignments: [] });
    vs = gold.id;
  });

  test('assign: 201 with the assignment, ETag and Location; the benefit becomes Active; the assignee is emailed', async () => {
    const dev1 = oid('dev1@contoso.example');
    const before = await getBenefit(host, 'contoso', vs, admin);
    const res = await assign(vs, { userId: dev1 });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      userId: dev1,
      assignedAt: expect.any(String),
      assignedBy: oid('admin@contoso.example'),
    });
    expect(Date.parse(res.body.assignedAt)).not.toBeNaN();
    const etag = res.headers.get('etag');
    expect(etag).toBeTruthy();
    expect(etag).not.toBe(before.etag);
    expect(res.headers.get('location')).toBe(`${assignPath(vs)}/${res.body.id}`);

    const after = await getBenefit(host, 'contoso', vs, admin);
    expect(after.etag).toBe(etag); // the ETag of the response is the stored one
    expect(after.body.status).toBe('Active');
    expect(Date.parse(after.body.activatedAt)).not.toBeNaN();
    expect(Date.parse(after.body.expiresAt)).toBeGreaterThan(Date.parse(after.body.activatedAt));
    expect(activeAssignments(after.body)).toEqual([res.body]);

    const mails = await mailsTo(host, 'vsAssignment', 'dev1@contoso.example');
    expect(mails).toHaveLength(1);
    expect(mails[0].plainText).toContain('Visual Studio Enterprise subscription');
    expect(mails[0].to.map((r) => r.address)).toEqual(['dev1@contoso.example']);

    // The assignee sees the seat in GET /api/me.
    const me = await host.call('GET', '/api/me', { token: await host.tokenFor('dev1@contoso.example') });
    expect(me.body.assignments).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: res.body.id, benefitId: vs })]),
    );
    // Audited.
    const events = await auditEventsOf(host, 'contoso', admin, 'benefit.assign', vs);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor: { objectId: oid('admin@contoso.example') },
      outcome: 'Succeeded',
      detail: { assignmentId: res.body.id, userId: dev1 },
    });
    expect(Date.parse(events[0].at)).not.toBeNaN();
  });

  test('409 already-assigned for a user who holds a seat; nothing written', async () => {
    const dev2 = oid('dev2@contoso.example');
    expect((await assign(vs, { userId: dev2 })).status).toBe(201);
    const before = await getBenefit(host, 'contoso', vs, admin);
    expectProblem(await assign(vs, { userId: dev2 }), 409, 'already-assigned');
    const after = await getBenefit(host, 'contoso', vs, admin);
    expect(after.etag).toBe(before.etag);
    expect(activeAssignments(after.body).filter((a) => a.userId === dev2)).toHaveLength(1);
  });

  test('404 not-found for a user of another partner and for an unknown user id; nothing written', async () => {
    const before = await getBenefit(host, 'contoso', vs, admin);
    const auditBefore = (await allAuditEvents(host, 'contoso', admin)).length;
    expectProblem(await assign(vs, { userId: oid('dev1@fabrikam.example') }), 404, 'not-found');
    expectProblem(await assign(vs, { userId: 'no-such-user' }), 404, 'not-found');
    expectProblem(await assign('no-such-benefit', { userId: oid('dev3@contoso.example') }), 404, 'not-found');
    const after = await getBenefit(host, 'contoso', vs, admin);
    expect(after.etag).toBe(before.etag);
    expect((await allAuditEvents(host, 'contoso', admin)).length).toBe(auditBefore);
  });

  test.each([
    ['MpnPartnerAdmin', () => mpn],
    ['UserAdmin', () => userAdmin],
    ['AdminAgent', () => agent],
  ])('403 forbidden for %s (assign and unassign); nothing written', async (_role, token) => {
    const before = await getBenefit(host, 'contoso', vs, admin);
    expectProblem(await assign(vs, { userId: oid('dev3@contoso.example') }, token()), 403, 'forbidden');
    const held = activeAssignments(before.body)[0];
    expectProblem(await unassign(vs, held.id, token()), 403, 'forbidden');
    expect((await getBenefit(host, 'contoso', vs, admin)).etag).toBe(before.etag);
  });

  test('403 for an employee without a role', async () => {
    const dev = await host.tokenFor('dev3@contoso.example');
    expectProblem(await assign(vs, { userId: oid('dev3@contoso.example') }, dev), 403, 'forbidden');
  });

  test('403 (not 404) for a caller without the role, whatever the user id: user ids cannot be probed', async () => {
    // docs/product.md §2: "An authenticated member without the needed role gets 403 forbidden." An AdminAgent
    // cannot list users (manageUsers), so a 404-vs-403 difference would tell them which user ids exist.
    for (const token of [agent, userAdmin]) {
      expectProblem(await assign(vs, { userId: 'no-such-user' }, token), 403, 'forbidden');
      expectProblem(await assign(vs, { userId: oid('dev1@fabrikam.example') }, token), 403, 'forbidden');
    }
  });

  test('unassign: 204, the assignment is ended (kept for audit), a second unassign is 404', async () => {
    const dev4 = oid('dev4@contoso.example');
    const created = await assign(vs, { userId: dev4 });
    expect(created.status).toBe(201);
    const res = await unassign(vs, created.body.id);
    expect(res.status).toBe(204);
    expect(res.headers.get('etag')).toBeTruthy();
    const after = await getBenefit(host, 'contoso', vs, admin);
    const ended = after.body.assignments.find((a: any) => a.id === created.body.id);
    expect(Date.parse(ended.endedAt)).not.toBeNaN();
    expect(activeAssignments(after.body).map((a) => a.userId)).not.toContain(dev4);
    expect(after.body.status).toBe('Active');
    expectProblem(await unassign(vs, created.body.id), 404, 'not-found');
    expect(await auditEventsOf(host, 'contoso', admin, 'benefit.unassign', vs)).toEqual([
      expect.objectContaining({ detail: { assignmentId: created.body.id } }),
    ]);
    // The user may be assigned again once the seat is free.
    expect((await assign(vs, { userId: dev4 })).status).toBe(201);
  });

  test('reassign = unassign + assign to another user; the new assignee is emailed', async () => {
    const dev5 = oid('dev5@contoso.example');
    const dev6 = oid('dev6@contoso.example');
    const first = await assign(vs, { userId: dev5 });
    expect(first.status).toBe(201);
    const seatsBefore = activeAssignments((await getBenefit(host, 'contoso', vs, admin)).body).length;
    expect((await unassign(vs, first.body.id)).status).toBe(204);
    const second = await assign(vs, { userId: dev6 });
    expect(second.status).toBe(201);
    const after = (await getBenefit(host, 'contoso', vs, admin)).body;
    const active = activeAssignments(after).map((a) => a.userId);
    expect(active).toContain(dev6);
    expect(active).not.toContain(dev5);
    expect(active).toHaveLength(seatsBefore);
    expect(await mailsTo(host, 'vsAssignment', 'dev6@contoso.example')).toHaveLength(1);
  });

  test('the optional communication email also receives the notice, with the message', async () => {
    const res = await assign(vs, {
      userId: oid('dev7@contoso.example'),
      alternateEmail: 'dev7.private@mail.example',
      message: 'Welcome to the team & <enjoy>',
    });
    expect(res.status).toBe(201);
    expect(res.body.alternateEmail).toBe('dev7.private@mail.example');
    const mails = await mailsTo(host, 'vsAssignment', 'dev7.private@mail.example');
    expect(mails).toHaveLength(1);
    expect(mails[0].to.map((r) => r.address).sort()).toEqual([
      'dev7.private@mail.example',
      'dev7@contoso.example',
    ]);
    expect(mails[0].plainText).toContain('Welcome to the team & <enjoy>');
    expect(mails[0].html).toContain('&lt;enjoy&gt;');
    expect(mails[0].html).not.toContain('<enjoy>');
  });

  test('409 seat-limit-reached once every seat is taken; a freed seat can be reassigned', async () => {
    // The 5-seat Visual Studio Professional of the Action Pack purchase.
    const pro = benefitOf(actionPack, 'visual-studio-professional');
    const b = (await getBenefit(host, 'contoso', pro, admin)).body;
    expect(b.seats).toBe(5);
    const free = b.seats - activeAssignments(b).length;
    const ids: string[] = [];
    for (let i = 0; i < free; i++) {
      const res = await assign(pro, { userId: oid(`dev${i + 1}@contoso.example`) });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    const full = await getBenefit(host, 'contoso', pro, admin);
    expect(activeAssignments(full.body)).toHaveLength(5);
    const res = await assign(pro, { userId: oid('dev12@contoso.example') });
    expectProblem(res, 409, 'seat-limit-reached');
    expect((await getBenefit(host, 'contoso', pro, admin)).etag).toBe(full.etag);
    // Reassign: free one seat, then the refused user fits.
    expect((await unassign(pro, ids[0])).status).toBe(204);
    expect((await assign(pro, { userId: oid('dev12@contoso.example') })).status).toBe(201);
    expect(activeAssignments((await getBenefit(host, 'contoso', pro, admin)).body)).toHaveLength(5);
  });
});

describe('usage-based cloud (Azure): assign yourself', () => {
  test('the MpnPartnerAdmin assigns themself: 201, the benefit becomes Active', async () => {
    const azure = benefitOf(goldToday, 'azure-usage-based');
    const me = oid('mpn@contoso.example');
    const res = await assign(azure, { userId: me }, mpn);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ userId: me, assignedBy: me });
    const b = (await getBenefit(host, 'contoso', azure, admin)).body;
    expect(b).toMatchObject({ status: 'Active', cloudKind: 'usageBased' });
    expect(Date.parse(b.activatedAt)).not.toBeNaN();
    expect(activeAssignments(b)).toEqual([res.body]);
    // One seat: a second self-assignment (by the GlobalAdmin) is refused.
    expectProblem(
      await assign(azure, { userId: oid('admin@contoso.example') }, admin),
      409,
      'seat-limit-reached',
    );
    // The assignee may end their own self-assignment.
    expect((await unassign(azure, res.body.id, mpn)).status).toBe(204);
    expect(activeAssignments((await getBenefit(host, 'contoso', azure, admin)).body)).toEqual([]);
  });

  test('the GlobalAdmin assigns themself: 201; assigning anyone else is 409 self-assignment-only', async () => {
    const azure = benefitOf(actionPack, 'azure-usage-based');
    const before = await getBenefit(host, 'contoso', azure, admin);
    expectProblem(
      await assign(azure, { userId: oid('dev1@contoso.example') }, admin),
      409,
      'self-assignment-only',
    );
    expectProblem(
      await assign(azure, { userId: oid('mpn@contoso.example') }, admin),
      409,
      'self-assignment-only',
    );
    expect((await getBenefit(host, 'contoso', azure, admin)).etag).toBe(before.etag);
    const res = await assign(azure, { userId: oid('admin@contoso.example') }, admin);
    expect(res.status).toBe(201);
    expect((await getBenefit(host, 'contoso', azure, admin)).body.status).toBe('Active');
  });

  test.each([
    ['AdminAgent', () => agent, 'agent@contoso.example'],
    ['UserAdmin', () => userAdmin, 'useradmin@contoso.example'],
  ])('403 for %s assigning themself', async (_role, token, email) => {
    const azure = benefitOf(goldOld, 'azure-usage-based');
    expectProblem(await assign(azure, { userId: oid(email) }, token()), 403, 'forbidden');
    expect(activeAssignments((await getBenefit(host, 'contoso', azure, admin)).body)).toEqual([]);
  });
});

describe('technical contact', () => {
  let support: string;
  beforeAll(() => {
    support = benefitOf(goldToday, 'signature-product-support');
  });

  test('400 alternate-email-must-differ when the alternate email is the account email in another case', async () => {
    const before = await getBenefit(host, 'contoso', support, admin);
    const res = await assign(support, {
      userId: oid('dev1@contoso.example'),
      alternateEmail: 'DEV1@Contoso.Example',
    });
    expectProblem(res, 400, 'alternate-email-must-differ');
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'body.alternateEmail' })]);
    expect((await getBenefit(host, 'contoso', support, admin)).etag).toBe(before.etag);
  });

  test('400 validation-failed without an alternate email', async () => {
    const res = await assign(support, { userId: oid('dev1@contoso.example') });
    expectProblem(res, 400, 'validation-failed');
    expect(res.body.errors.map((e: any) => e.field)).toContain('body.alternateEmail');
  });

  test('403 for the MpnPartnerAdmin and the AdminAgent', async () => {
    for (const token of [mpn, agent]) {
      expectProblem(
        await assign(
          support,
          { userId: oid('dev1@contoso.example'), alternateEmail: 'x@mail.example' },
          token,
        ),
        403,
        'forbidden',
      );
    }
  });

  test('a different alternate email: 201, a verification email to that address, and its token verifies', async () => {
    const res = await assign(support, {
      userId: oid('dev1@contoso.example'),
      alternateEmail: 'Tech.Contact@partner-mail.example',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      userId: oid('dev1@contoso.example'),
      alternateEmail: 'Tech.Contact@partner-mail.example',
    });
    const b = (await getBenefit(host, 'contoso', support, admin)).body;
    expect(b.status).toBe('NotActivated'); // technical activation is the orchestration, not the assignment
    expect(activeAssignments(b)).toEqual([res.body]);
    const mails = await mailsTo(host, 'contactVerification', 'tech.contact@partner-mail.example');
    expect(mails).toHaveLength(1);
    expect(mails[0].to.map((r) => r.address)).toEqual(['Tech.Contact@partner-mail.example']);
    const token = tokenFromMail(mails[0]);
    const verified = await host.call('POST', '/api/contact-verifications', { body: { token } });
    expect(verified.status).toBe(200);
    expect(verified.body).toEqual({ status: 'Verified', contact: 'technical' });
    const afterVerify = (await getBenefit(host, 'contoso', support, admin)).body;
    expect(activeAssignments(afterVerify)[0].alternateEmailVerifiedAt).toEqual(expect.any(String));
    // One technical contact per benefit.
    expectProblem(
      await assign(support, {
        userId: oid('dev2@contoso.example'),
        alternateEmail: 'other@partner-mail.example',
      }),
      409,
      'seat-limit-reached',
    );
  });

  test("a replaced technical contact's token is invalid (400 invalid-token) and verifies nothing", async () => {
    const held = activeAssignments((await getBenefit(host, 'contoso', support, admin)).body)[0];
    expect((await unassign(support, held.id)).status).toBe(204);
    const first = await assign(support, {
      userId: oid('dev2@contoso.example'),
      alternateEmail: 'first@partner-mail.example',
    });
    expect(first.status).toBe(201);
    const firstToken = tokenFromMail(
      (await mailsTo(host, 'contactVerification', 'first@partner-mail.example'))[0],
    );
    expect((await unassign(support, first.body.id)).status).toBe(204);
    const second = await assign(support, {
      userId: oid('dev2@contoso.example'),
      alternateEmail: 'second@partner-mail.example',
    });
    expect(second.status).toBe(201);
    const before = await getBenefit(host, 'contoso', support, admin);
    expectProblem(
      await host.call('POST', '/api/contact-verifications', { body: { token: firstToken } }),
      400,
      'invalid-token',
    );
    const after = await getBenefit(host, 'contoso', support, admin);
    expect(after.etag).toBe(before.etag);
    expect(activeAssignments(after.body)[0].alternateEmailVerifiedAt).toBeUndefined();
  });
});

describe('cross-cutting rules on assignments', () => {
  test('If-Match: a stale ETag is 412 precondition-failed and writes nothing; the current ETag succeeds', async () => {
    const vs = benefitOf(goldOld, 'visual-studio-enterprise');
    const stale = (await getBenefit(host, 'contoso', vs, admin)).etag;
    const changed = await assign(vs, { userId: oid('dev1@contoso.example') });
    expect(changed.status).toBe(201);
    const current = await getBenefit(host, 'contoso', vs, admin);
    const auditBefore = (await allAuditEvents(host, 'contoso', admin)).length;
    const mailsBefore = (await readOutbox(host.outboxDir)).length;

    expectProblem(
      await assign(vs, { userId: oid('dev2@contoso.example') }, admin, { 'If-Match': stale }),
      412,
      'precondition-failed',
    );
    expectProblem(
      await unassign(vs, changed.body.id, admin, { 'If-Match': stale }),
      412,
      'precondition-failed',
    );
    const after = await getBenefit(host, 'contoso', vs, admin);
    expect(after.etag).toBe(current.etag);
    expect(activeAssignments(after.body)).toEqual([changed.body]);
    expect((await allAuditEvents(host, 'contoso', admin)).length).toBe(auditBefore);
    expect((await readOutbox(host.outboxDir)).length).toBe(mailsBefore);

    const ok = await assign(vs, { userId: oid('dev2@contoso.example') }, admin, { 'If-Match': current.etag });
    expect(ok.status).toBe(201);
    const gone = await unassign(vs, ok.body.id, admin, { 'If-Match': ok.headers.get('etag')! });
    expect(gone.status).toBe(204);
  });

  test('Idempotency-Key: a repeat replays the first response and does nothing again', async () => {
    const vs = benefitOf(goldOld, 'visual-studio-enterprise');
    const key = 'assign-dev9-once';
    const body = { userId: oid('dev9@contoso.example') };
    const first = await assign(vs, body, admin, { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const afterFirst = await getBenefit(host, 'contoso', vs, admin);
    const auditAfterFirst = (await allAuditEvents(host, 'contoso', admin)).length;

    const second = await assign(vs, body, admin, { 'Idempotency-Key': key });
    expect(second.status).toBe(first.status);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    expect(second.headers.get('idempotent-replayed')).toBe('true');

    const stored = await getBenefit(host, 'contoso', vs, admin);
    expect(stored.etag).toBe(afterFirst.etag);
    expect(stored.body.assignments.filter((a: any) => a.userId === body.userId)).toHaveLength(1);
    expect((await allAuditEvents(host, 'contoso', admin)).length).toBe(auditAfterFirst);
    expect(await mailsTo(host, 'vsAssignment', 'dev9@contoso.example')).toHaveLength(1);

    // The same key for a different request is refused.
    const reused = await assign(vs, { userId: oid('dev10@contoso.example') }, admin, {
      'Idempotency-Key': key,
    });
    expectProblem(reused, 422, 'idempotency-key-reused');
    expect((await getBenefit(host, 'contoso', vs, admin)).etag).toBe(afterFirst.etag);
    // Without the key, the same body is a new request (here: already assigned).
    expectProblem(await assign(vs, body), 409, 'already-assigned');
  });

  test('Idempotency-Key: a refusal is the first response too — a repeat replays it and does nothing', async () => {
    // docs/product.md §9: "a repeat within 24 h returns the first response and does nothing again".
    const pro = benefitOf(actionPack, 'visual-studio-professional'); // all 5 seats taken by the seat-limit test
    const headers = { 'Idempotency-Key': 'refused-once' };
    const body = { userId: oid('dev11@contoso.example') };
    const first = await assign(pro, body, admin, headers);
    expectProblem(first, 409, 'seat-limit-reached');
    // A seat frees up in between; the repeat must still be the first answer, not a new assignment.
    const held = activeAssignments((await getBenefit(host, 'contoso', pro, admin)).body)[0];
    expect((await unassign(pro, held.id)).status).toBe(204);
    const second = await assign(pro, body, admin, headers);
    expect({
      status: second.status,
      body: second.body,
      replayed: second.headers.get('idempotent-replayed'),
    }).toEqual({
      status: first.status,
      body: first.body,
      replayed: 'true',
    });
    const after = (await getBenefit(host, 'contoso', pro, admin)).body;
    expect(activeAssignments(after).map((a) => a.userId)).not.toContain(body.userId);
  });

  test('a Cancelled benefit refuses assign and unassign with 409 benefit-cancelled', async () => {
    const vs = benefitOf(goldOld, 'visual-studio-enterprise');
    const held = activeAssignments((await getBenefit(host, 'contoso', vs, admin)).body)[0];
    expect(held).toBeDefined();
    const azure = benefitOf(goldOld, 'azure-usage-based');
    const support = benefitOf(goldOld, 'signature-product-support');
    for (const id of [vs, azure, support]) {
      await host.services.store.updateBenefit('contoso', id, (b) => ({
        value: { ...b, status: 'Cancelled' },
      }));
    }
    const before = await getBenefit(host, 'contoso', vs, admin);
    expectProblem(await assign(vs, { userId: oid('dev11@contoso.example') }), 409, 'benefit-cancelled');
    expectProblem(await unassign(vs, held.id), 409, 'benefit-cancelled');
    expectProblem(await assign(azure, { userId: oid('admin@contoso.example') }), 409, 'benefit-cancelled');
    expectProblem(
      await assign(support, { userId: oid('dev1@contoso.example'), alternateEmail: 'a@mail.example' }),
      409,
      'benefit-cancelled',
    );
    expect((await getBenefit(host, 'contoso', vs, admin)).etag).toBe(before.etag);
  });

  test('a benefit that is not assigned to users refuses assignments (software)', async () => {
    const office = benefitOf(goldToday, 'office-professional-plus-2019');
    const res = await assign(office, { userId: oid('dev1@contoso.example') });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  test('every successful assignment and unassignment of this file wrote exactly one audit event', async () => {
    const events = await allAuditEvents(host, 'contoso', admin, 7);
    const assigns = events.filter((e) => e.action === 'benefit.assign');
    const unassigns = events.filter((e) => e.action === 'benefit.unassign');
    // Count what the store holds: every assignment ever made (ended ones are kept) and every ended one.
    const all = await listBenefits(host, 'contoso', admin);
    const made = all.flatMap((b) => b.assignments.map((a: any) => a.id)).sort();
    const ended = all
      .flatMap((b) => b.assignments.filter((a: any) => a.endedAt).map((a: any) => a.id))
      .sort();
    expect(assigns.map((e) => e.detail.assignmentId).sort()).toEqual(made);
    expect(unassigns.map((e) => e.detail.assignmentId).sort()).toEqual(ended);
    for (const e of [...assigns, ...unassigns]) {
      expect(e).toMatchObject({ partnerId: 'contoso', outcome: 'Succeeded', target: { type: 'benefit' } });
      expect(e.actor.objectId).toEqual(expect.any(String));
    }
  });
});
