/**
 * Account settings → Users (seeds: "add new users in Account settings"): list, add a user with roles, change
 * roles, remove. Adding and changing users needs Global admin or User admin; a User admin may grant only
 * User admin and Admin agent (docs/product.md §2).
 */
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import {
  Button,
  Card,
  Checkbox,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Title2,
  Title3,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { api, call, callWithEtag, type User } from '../api/client';
import { isAllowed, PARTNER_ACTIONS, PERMISSIONS } from '../../../domain/permissions';
import { useT } from '../i18n/I18nProvider';
import {
  Loading,
  Pager,
  ProblemMessage,
  RoleNotice,
  Stack,
  useApiMutation,
  usePageTitle,
  usePager,
  useRoleName,
} from '../components/common';
import { SimpleTable } from '../components/SimpleTable';
import { keys } from '../data';
import { permission, useMe } from '../session';

const ROLES = ['GlobalAdmin', 'UserAdmin', 'AdminAgent', 'MpnPartnerAdmin'] as const;
type Role = (typeof ROLES)[number];

const useStyles = makeStyles({
  row: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'end' },
  card: { maxWidth: '900px' },
  roles: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
});

/**
 * Roles the signed-in person may grant: the API's rule (src/app/policy.ts `grantableRoles`, docs/product.md §2
 * "Granting roles") on the same permission table — a role whose every right the person holds. Repeated here
 * because that module pulls in zod, which the portal does not need.
 */
function grantable(myRoles: readonly string[]): Role[] {
  const mine = myRoles.filter((r): r is Role => (ROLES as readonly string[]).includes(r));
  if (!isAllowed(mine, 'manageUsers')) return [];
  return ROLES.filter((role) =>
    PARTNER_ACTIONS.every((action) => !PERMISSIONS[action].includes(role) || isAllowed(mine, action)),
  );
}

function RolePicker({
  value,
  onChange,
  allowed,
  label,
}: {
  value: Role[];
  onChange: (r: Role[]) => void;
  allowed: Role[];
  label: string;
}) {
  const roleName = useRoleName();
  const styles = useStyles();
  return (
    <fieldset className={styles.roles}>
      <legend>{label}</legend>
      {ROLES.map((r) => (
        <Checkbox
          key={r}
          label={roleName(r)}
          checked={value.includes(r)}
          disabled={!allowed.includes(r)}
          onChange={(_, d) => onChange(d.checked ? [...value, r] : value.filter((x) => x !== r))}
        />
      ))}
    </fieldset>
  );
}

/**
 * Change roles: reads the user with its ETag and saves with `If-Match`, so a change made meanwhile (412) is not
 * overwritten — the page reloads the user and says so. The last GlobalAdmin cannot be demoted (409).
 */
function EditUser({
  partnerId,
  user,
  allowed,
  onClose,
}: {
  partnerId: string;
  user: User;
  allowed: Role[];
  onClose: () => void;
}) {
  const t = useT();
  const current = useQuery({
    queryKey: [...keys.users(partnerId), 'one', user.id],
    queryFn: () =>
      callWithEtag<User>(
        api.GET('/api/partners/{partnerId}/users/{userId}', {
          params: { path: { partnerId, userId: user.id } },
        }),
      ),
  });
  const [edited, setEdited] = useState<Role[] | null>(null);
  const roles = edited ?? current.data?.data.roles ?? user.roles;
  const save = useApiMutation({
    invalidate: [keys.users(partnerId), ['me']],
    mutationFn: () =>
      call<User>(
        api.PATCH('/api/partners/{partnerId}/users/{userId}', {
          params: { path: { partnerId, userId: user.id } },
          headers: current.data?.etag ? { 'If-Match': current.data.etag } : {},
          body: { roles },
        }),
      ),
    onSuccess: onClose,
    // Changed meanwhile: show the reloaded roles rather than the edit.
    onError: () => setEdited(null),
  });
  return (
    <form
      aria-label={t('users.editLabel', { user: user.accountEmail })}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(undefined);
      }}
    >
      <RolePicker
        value={roles}
        onChange={setEdited}
        allowed={allowed}
        label={t('users.rolesOf', { user: user.accountEmail })}
      />
      <Button type="submit" appearance="primary" disabled={save.isPending || current.isPending}>
        {t('users.saveRoles')}
      </Button>{' '}
      <Button onClick={onClose}>{t('common.cancel')}</Button>
      <ProblemMessage error={save.error ?? current.error} action="manageUsers" />
    </form>
  );
}

/** Remove: asks first (the user's benefit assignments end), then `DELETE …/users/{userId}`. */
function RemoveUser({ partnerId, user, onClose }: { partnerId: string; user: User; onClose: () => void }) {
  const t = useT();
  const remove = useApiMutation({
    invalidate: [keys.users(partnerId), keys.benefits(partnerId)],
    mutationFn: () =>
      call<void>(
        api.DELETE('/api/partners/{partnerId}/users/{userId}', {
          params: { path: { partnerId, userId: user.id } },
        }),
      ),
    onSuccess: onClose,
  });
  return (
    <Stack>
      <span>{t('users.removeConfirm', { user: user.accountEmail })}</span>
      <div>
        <Button
          size="small"
          appearance="primary"
          disabled={remove.isPending}
          onClick={() => remove.mutate(undefined)}
        >
          {t('users.confirmRemove')}
        </Button>{' '}
        <Button size="small" onClick={onClose}>
          {t('common.cancel')}
        </Button>
      </div>
    </Stack>
  );
}

function AddUser({ partnerId, allowed }: { partnerId: string; allowed: Role[] }) {
  const t = useT();
  const styles = useStyles();
  const [displayName, setDisplayName] = useState('');
  const [email, setEmail] = useState('');
  const [objectId, setObjectId] = useState<string>(() => crypto.randomUUID());
  const [roles, setRoles] = useState<Role[]>([]);
  const [added, setAdded] = useState('');
  const add = useApiMutation({
    invalidate: [keys.users(partnerId)],
    mutationFn: () =>
      call<User>(
        api.POST('/api/partners/{partnerId}/users', {
          params: { path: { partnerId } },
          body: { objectId, displayName, accountEmail: email, roles },
        }),
      ),
    onSuccess: (u) => {
      setAdded(u.accountEmail);
      setDisplayName('');
      setEmail('');
      setRoles([]);
      setObjectId(crypto.randomUUID());
    },
  });
  return (
    <Card className={styles.card}>
      <Title3 as="h2">{t('users.addHeading')}</Title3>
      <form
        aria-label={t('users.addHeading')}
        onSubmit={(e) => {
          e.preventDefault();
          setAdded('');
          add.mutate(undefined);
        }}
      >
        <Stack>
          <div className={styles.row}>
            <Field label={t('users.displayName')} required>
              <Input value={displayName} onChange={(_, d) => setDisplayName(d.value)} required />
            </Field>
            <Field label={t('users.email')} required>
              <Input type="email" value={email} onChange={(_, d) => setEmail(d.value)} required />
            </Field>
            <Field label={t('users.objectId')} hint={t('users.objectIdHint')} required>
              <Input value={objectId} onChange={(_, d) => setObjectId(d.value)} required />
            </Field>
          </div>
          <RolePicker value={roles} onChange={setRoles} allowed={allowed} label={t('users.roles')} />
          <div>
            <Button type="submit" appearance="primary" disabled={add.isPending}>
              {t('users.add')}
            </Button>
          </div>
          <ProblemMessage error={add.error} action="manageUsers" />
          {added ? (
            <MessageBar intent="success">
              <MessageBarBody>{t('users.added', { email: added })}</MessageBarBody>
            </MessageBar>
          ) : null}
        </Stack>
      </form>
    </Card>
  );
}

export default function UsersPage() {
  const t = useT();
  const roleName = useRoleName();
  const { data: me } = useMe();
  const partnerId = me?.partnerId ?? '';
  usePageTitle(`${t('nav.accountSettings')} · ${t('users.title')}`);
  const pager = usePager('users');
  const [editing, setEditing] = useState<string | null>(null);
  const canManage = permission(me, 'manageUsers').allowed;
  const allowed = grantable(me?.roles ?? []);
  const list = useQuery({
    queryKey: [...keys.users(partnerId), 'page', pager.token],
    queryFn: () =>
      call<{ items: User[]; continuationToken: string | null }>(
        api.GET('/api/partners/{partnerId}/users', {
          params: {
            path: { partnerId },
            query: { pageSize: 25, ...(pager.token ? { continuationToken: pager.token } : {}) },
          },
        }),
      ),
  });
  const [removing, setRemoving] = useState<string | null>(null);
  return (
    <Stack>
      <Title2 as="h1">
        {t('nav.accountSettings')} · {t('users.title')}
      </Title2>
      {list.isPending ? (
        <Loading />
      ) : list.error ? (
        <ProblemMessage error={list.error} action="manageUsers" />
      ) : (
        <SimpleTable
          label={t('users.title')}
          columns={[t('users.displayName'), t('users.email'), t('users.roles'), t('users.actions')]}
          rows={list.data.items.map((u) => ({
            key: u.id,
            cells: [
              u.displayName,
              u.accountEmail,
              editing === u.id ? (
                <EditUser
                  key="e"
                  partnerId={partnerId}
                  user={u}
                  allowed={allowed}
                  onClose={() => setEditing(null)}
                />
              ) : u.roles.length ? (
                ROLES.filter((r) => u.roles.includes(r))
                  .map(roleName)
                  .join(', ')
              ) : (
                t('role.employee')
              ),
              canManage && removing === u.id ? (
                <RemoveUser key="r" partnerId={partnerId} user={u} onClose={() => setRemoving(null)} />
              ) : canManage ? (
                <span key="a">
                  <Button
                    size="small"
                    onClick={() => setEditing(u.id)}
                    aria-label={t('users.changeRolesOf', { user: u.accountEmail })}
                  >
                    {t('users.changeRoles')}
                  </Button>{' '}
                  <Button
                    size="small"
                    onClick={() => setRemoving(u.id)}
                    aria-label={t('users.removeUser', { user: u.accountEmail })}
                  >
                    {t('users.remove')}
                  </Button>
                </span>
              ) : (
                '—'
              ),
            ],
          }))}
        />
      )}
      <Pager pager={pager} continuationToken={list.data?.continuationToken} />
      {canManage ? <AddUser partnerId={partnerId} allowed={allowed} /> : <RoleNotice action="manageUsers" />}
    </Stack>
  );
}
