/**
 * Users (docs/product.md §2, §9) end to end on the local host: listing by every admin role; GET/PATCH/DELETE of a
 * user with ETags; nobody grants a role with rights they lack; the last GlobalAdmin cannot be removed or demoted,
 * also when two admins demote each other at the same moment.
 */
import {
  activeAssignments,
  auditEventsOf,
  diffSnapshots,
  expectProblem,
  getBenefit,
  listBenefits,
  oid,
  snapshotStore,
} from '../support/api';
import { startTestHost, type TestHost } from '../support/testHost';

let host: TestHost;
let admin: string;
let userAdmin: string;
let operator: string;

beforeAll(async () => {
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  host = await startTestHost();
  admin = await host.tokenFor('admin@contoso.example');
  userAdmin = await host.tokenFor('useradmin@contoso.example');
  operator = await host.token('users-operator', { operator: true });
});
afterAll(async () => host?.close());

const userPath = (email: string, partner = 'contoso') => `/api/partners/${partner}/users/${oid(email)}`;
const patch = (email: string, body: unknown, token = admin, headers?: Record<string, string>) =>
  host.call('PATCH', userPath(email), { token, body, headers });

describe('listing users: every admin role (needed to pick a user for a contact or a seat)', () => {
  test.each(['admin', 'useradmin', 'agent', 'mpn'])('%s@contoso.example → 200', async (who) => {
    const res = await host.call('GET', '/api/partners/contoso/users?pageSize=100', {
      token: await host.tokenFor(`${who}@contoso.example`),
    });
    expect(res.status).toBe(200);
    expect(res.body.items.map((u: any) => u.accountEmail)).toContain('dev1@contoso.example');
    const names = res.body.items.map((u: any) => u.displayName);
    expect(names).toEqual([...names].sort());
  });
  test('an employee → 403; another partner → 404', async () => {
    expectProblem(
      await host.call('GET', '/api/partners/contoso/users', {
        token: await host.tokenFor('dev1@contoso.example'),
      }),
      403,
      'forbidden',
    );
    expectProblem(
      await host.call('GET', '/api/partners/contoso/users', {
        token: await host.tokenFor('admin@fabrikam.example'),
      }),
      404,
      'not-found',
    );
  });
  test('GET one user with its ETag (an AdminAgent may read it)', async () => {
    const res = await host.call('GET', userPath('dev1@contoso.example'), {
      token: await host.tokenFor('agent@contoso.example'),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: oid('dev1@contoso.example'),
      accountEmail: 'dev1@contoso.example',
      roles: [],
    });
    expect(res.headers.get('etag')).toBeTruthy();
    expectProblem(
      await host.call('GET', '/api/partners/contoso/users/nobody', { token: admin }),
      404,
      'not-found',
    );
  });
});

describe('PATCH …/users/{userId}', () => {
  test('roles, displayName and language; 200 with the new ETag; If-Match honoured', async () => {
    const before = await host.call('GET', userPath('dev4@contoso.example'), { token: admin });
    const etag = before.headers.get('etag')!;
    const res = await patch(
      'dev4@contoso.example',
      { roles: ['AdminAgent'], displayName: 'Dev Four', preferredLanguage: 'ru-RU' },
      admin,
      {
        'If-Match': etag,
      },
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      roles: ['AdminAgent'],
      displayName: 'Dev Four',
      preferredLanguage: 'ru-RU',
    });
    expect(res.headers.get('etag')).toBeTruthy();
    expect(res.headers.get('etag')).not.toBe(etag);

    // The old ETag is stale now: 412, nothing written.
    const snap = await snapshotStore(host);
    expectProblem(
      await patch('dev4@contoso.example', { roles: [] }, admin, { 'If-Match': etag }),
      412,
      'precondition-failed',
    );
    expect(diffSnapshots(snap, await snapshotStore(host))).toEqual([]);

    const events = await auditEventsOf(host, 'contoso', admin, 'user.update', oid('dev4@contoso.example'));
    expect(events).toHaveLength(1);
    expect(events[0].detail).toMatchObject({ rolesBefore: [], roles: ['AdminAgent'] });
  });

  test('bad bodies: empty, unknown role, unknown field → 400; unknown user → 404', async () => {
    for (const body of [{}, { roles: ['Overlord'] }, { roles: [], extra: 1 }, { displayName: '  ' }]) {
      expectProblem(await patch('dev5@contoso.example', body), 400, 'validation-failed');
    }
    expectProblem(
      await host.call('PATCH', '/api/partners/contoso/users/nobody', { token: admin, body: { roles: [] } }),
      404,
      'not-found',
    );
  });

  test('AdminAgent and MpnPartnerAdmin may not change users (403)', async () => {
    for (const who of ['agent', 'mpn']) {
      expectProblem(
        await patch(
          'dev5@contoso.example',
          { roles: ['AdminAgent'] },
          await host.tokenFor(`${who}@contoso.example`),
        ),
        403,
        'forbidden',
      );
    }
  });
});

describe('nobody grants a role with rights they lack (a UserAdmin grants UserAdmin and AdminAgent only)', () => {
  const newUser = (n: number, roles: string[]) => ({
    objectId: `granted-${n}`,
    displayName: `Granted ${n}`,
    accountEmail: `granted-${n}@contoso.example`,
    roles,
  });

  test('create: GlobalAdmin or MpnPartnerAdmin → 403; UserAdmin + AdminAgent → 201', async () => {
    for (const roles of [['GlobalAdmin'], ['MpnPartnerAdmin'], ['AdminAgent', 'MpnPartnerAdmin']]) {
      expectProblem(
        await host.call('POST', '/api/partners/contoso/users', { token: userAdmin, body: newUser(1, roles) }),
        403,
        'forbidden',
      );
    }
    const ok = await host.call('POST', '/api/partners/contoso/users', {
      token: userAdmin,
      body: newUser(2, ['UserAdmin', 'AdminAgent']),
    });
    expect(ok.status).toBe(201);
  });

  test('PATCH: a UserAdmin may not grant MpnPartnerAdmin or GlobalAdmin, nor demote a GlobalAdmin or an MpnPartnerAdmin', async () => {
    const snap = await snapshotStore(host);
    expectProblem(
      await patch('dev6@contoso.example', { roles: ['MpnPartnerAdmin'] }, userAdmin),
      403,
      'forbidden',
    );
    expectProblem(
      await patch('dev6@contoso.example', { roles: ['GlobalAdmin'] }, userAdmin),
      403,
      'forbidden',
    );
    expectProblem(await patch('admin@contoso.example', { roles: [] }, userAdmin), 403, 'forbidden');
    expectProblem(
      await patch('admin@contoso.example', { roles: ['GlobalAdmin', 'AdminAgent'] }, userAdmin),
      403,
      'forbidden',
    );
    expectProblem(await patch('mpn@contoso.example', { roles: ['AdminAgent'] }, userAdmin), 403, 'forbidden');
    expectProblem(
      await host.call('DELETE', userPath('admin@contoso.example'), { token: userAdmin }),
      403,
      'forbidden',
    );
    expect(diffSnapshots(snap, await snapshotStore(host))).toEqual([]);
    // What a UserAdmin may do.
    expect(
      (await patch('dev6@contoso.example', { roles: ['AdminAgent', 'UserAdmin'] }, userAdmin)).status,
    ).toBe(200);
    expect((await patch('dev6@contoso.example', { roles: [] }, userAdmin)).status).toBe(200);
    expect(
      (await patch('admin@contoso.example', { displayName: 'Global Admin (Contoso Ltd)' }, userAdmin)).status,
    ).toBe(200);
  });

  test('a GlobalAdmin grants any role', async () => {
    const res = await patch('dev7@contoso.example', { roles: ['MpnPartnerAdmin', 'UserAdmin'] });
    expect(res.status).toBe(200);
    expect(res.body.roles.sort()).toEqual(['MpnPartnerAdmin', 'UserAdmin']);
  });
});

/** A new partner (through the operator route) with its first GlobalAdmin; returns the partner id and admin token. */
async function newPartner(tag: string): Promise<{ id: string; adminOid: string; token: string }> {
  const adminOid = `ga-${tag}`;
  const res = await host.call('POST', '/api/operator/partners', {
    token: operator,
    body: {
      name: `Partner ${tag}`,
      level: 'Silver',
      membership: { status: 'Active', expiresAt: '2099-01-01T00:00:00Z' },
      globalAdmin: { objectId: adminOid, displayName: `GA ${tag}`, accountEmail: `ga@${tag}.example` },
    },
  });
  expect(res.status).toBe(201);
  return { id: res.body.id, adminOid, token: await host.token(adminOid) };
}

describe('the last GlobalAdmin (409 last-global-admin)', () => {
  test('cannot demote or remove themself; nothing is written', async () => {
    const p = await newPartner('solo');
    const snap = await snapshotStore(host);
    expectProblem(
      await host.call('PATCH', `/api/partners/${p.id}/users/${p.adminOid}`, {
        token: p.token,
        body: { roles: ['UserAdmin'] },
      }),
      409,
      'last-global-admin',
    );
    expectProblem(
      await host.call('DELETE', `/api/partners/${p.id}/users/${p.adminOid}`, { token: p.token }),
      409,
      'last-global-admin',
    );
    expect(diffSnapshots(snap, await snapshotStore(host))).toEqual([]);
  });

  test('with a second GlobalAdmin, one may go; then the other is the last', async () => {
    const p = await newPartner('pair');
    const second = await host.call('POST', `/api/partners/${p.id}/users`, {
      token: p.token,
      body: {
        objectId: 'ga2-pair',
        displayName: 'GA2',
        accountEmail: 'ga2@pair.example',
        roles: ['GlobalAdmin'],
      },
    });
    expect(second.status).toBe(201);
    expect(
      (
        await host.call('PATCH', `/api/partners/${p.id}/users/ga2-pair`, {
          token: p.token,
          body: { roles: [] },
        })
      ).status,
    ).toBe(200);
    expectProblem(
      await host.call('PATCH', `/api/partners/${p.id}/users/${p.adminOid}`, {
        token: p.token,
        body: { roles: [] },
      }),
      409,
      'last-global-admin',
    );
  });

  test('two GlobalAdmins demoting each other at the same moment: one wins, one GlobalAdmin is left (20 rounds)', async () => {
    for (let round = 0; round < 20; round++) {
      const p = await newPartner(`race${round}`);
      const b = `gb-race${round}`;
      const created = await host.call('POST', `/api/partners/${p.id}/users`, {
        token: p.token,
        body: {
          objectId: b,
          displayName: 'B',
          accountEmail: `b@race${round}.example`,
          roles: ['GlobalAdmin'],
        },
      });
      expect(created.status).toBe(201);
      const bToken = await host.token(b);
      const [aDemotesB, bDemotesA] = await Promise.all([
        host.call('PATCH', `/api/partners/${p.id}/users/${b}`, { token: p.token, body: { roles: [] } }),
        round % 2 === 0
          ? host.call('PATCH', `/api/partners/${p.id}/users/${p.adminOid}`, {
              token: bToken,
              body: { roles: ['UserAdmin'] },
            })
          : host.call('DELETE', `/api/partners/${p.id}/users/${p.adminOid}`, { token: bToken }),
      ]);
      const statuses = [aDemotesB.status, bDemotesA.status].sort();
      expect(statuses[0]).toBeLessThan(300);
      // The loser is refused: 409 last-global-admin when both passed the access check at once; or, when the
      // winner's write landed before the loser's request was checked (a busy machine does that), 403 forbidden (the
      // loser no longer holds GlobalAdmin) or 404 not-found (the loser was deleted: no longer a user of the partner).
      const loser = [aDemotesB, bDemotesA].find((r) => r.status >= 300)!;
      const refusals = [
        ['409', 'last-global-admin'],
        ['403', 'forbidden'],
        ['404', 'not-found'],
      ];
      expect(refusals).toContainEqual([String(loser.status), loser.body.code]);
      const admins = await host.services.store.listUsersWithRole(p.id, 'GlobalAdmin');
      expect(admins).toHaveLength(1);
      const partner = await host.services.store.getPartner(p.id);
      expect(partner!.value.globalAdminIds).toEqual(admins.map((u) => u.id));
    }
  });
});

describe('DELETE …/users/{userId}', () => {
  test("204: the user's assignments end (the seat frees up), the user is gone, the email can be used again", async () => {
    const vs = (await listBenefits(host, 'contoso', admin, '&category=visualStudio')).find(
      (b) => b.purchaseId === host.seed!.purchases[0].id,
    );
    const assigned = await host.call('POST', `/api/partners/contoso/benefits/${vs.id}/assignments`, {
      token: admin,
      body: { userId: oid('dev8@contoso.example') },
    });
    expect(assigned.status).toBe(201);
    const dev8Token = await host.tokenFor('dev8@contoso.example');
    expect((await host.call('GET', '/api/me', { token: dev8Token })).body.assignments).toHaveLength(1);

    const res = await host.call('DELETE', userPath('dev8@contoso.example'), { token: userAdmin });
    expect(res.status).toBe(204);

    const after = await getBenefit(host, 'contoso', vs.id, admin);
    expect(activeAssignments(after.body).map((a: any) => a.userId)).not.toContain(
      oid('dev8@contoso.example'),
    );
    expect(after.body.assignments.find((a: any) => a.id === assigned.body.id).endedAt).toBeDefined();
    expectProblem(
      await host.call('GET', userPath('dev8@contoso.example'), { token: admin }),
      404,
      'not-found',
    );
    expectProblem(await host.call('GET', '/api/me', { token: dev8Token }), 404, 'not-found');
    const events = await auditEventsOf(host, 'contoso', admin, 'user.delete', oid('dev8@contoso.example'));
    expect(events).toHaveLength(1);
    expect(events[0].detail).toMatchObject({ assignmentsEnded: 1 });

    // The account email and the object id are free again.
    const again = await host.call('POST', '/api/partners/contoso/users', {
      token: admin,
      body: {
        objectId: oid('dev8@contoso.example'),
        displayName: 'Developer 8 again',
        accountEmail: 'dev8@contoso.example',
        roles: [],
      },
    });
    expect(again.status).toBe(201);
    expectProblem(
      await host.call('DELETE', '/api/partners/contoso/users/nobody', { token: admin }),
      404,
      'not-found',
    );
  });

  test('a stale If-Match → 412 and nothing is removed', async () => {
    const before = await host.call('GET', userPath('dev9@contoso.example'), { token: admin });
    expect((await patch('dev9@contoso.example', { displayName: 'Nine' })).status).toBe(200);
    expectProblem(
      await host.call('DELETE', userPath('dev9@contoso.example'), {
        token: admin,
        headers: { 'If-Match': before.headers.get('etag')! },
      }),
      412,
      'precondition-failed',
    );
    expect((await host.call('GET', userPath('dev9@contoso.example'), { token: admin })).status).toBe(200);
  });

  test('the marketing contact cannot be removed before another is set (409 user-is-marketing-contact)', async () => {
    const set = await host.call('PUT', '/api/partners/contoso/marketing-contact', {
      token: admin,
      body: {
        userId: oid('dev10@contoso.example'),
        email: 'mkt@mail.example',
        phone: '+14255550100',
        preferredLanguage: 'en-US',
      },
    });
    expect(set.status).toBe(200);
    expectProblem(
      await host.call('DELETE', userPath('dev10@contoso.example'), { token: admin }),
      409,
      'user-is-marketing-contact',
    );
  });
});
