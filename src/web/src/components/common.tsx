/** Shared pieces: API errors a person can act on, role explanations, paging, page titles. */
import { useEffect, useState, type ReactNode } from 'react';
import {
  Button,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useMutation, useQueryClient, type UseMutationOptions } from '@tanstack/react-query';
import { useIntl } from 'react-intl';
import { ApiError } from '../api/client';
import { useT } from '../i18n/I18nProvider';
import type { MessageKey } from '../i18n/messages/en-US';
import { permission, useMe, type PartnerAction } from '../session';

const useStyles = makeStyles({
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  pager: {
    display: 'flex',
    gap: tokens.spacingHorizontalS,
    alignItems: 'center',
    marginTop: tokens.spacingVerticalS,
  },
});

/** The role names of the seeds, translated. */
export function useRoleName() {
  const t = useT();
  return (role: string) => {
    const key = `role.${role}` as MessageKey;
    return t(key);
  };
}

/** Translates a problem's code where a translation exists; else shows the API's own `detail`. */
function useProblemText() {
  const intl = useIntl();
  return (error: unknown): string => {
    if (error instanceof ApiError) {
      const id = `error.${error.code}`;
      if (intl.messages[id]) return intl.formatMessage({ id }, { detail: error.problem.detail });
      return error.problem.detail;
    }
    return error instanceof Error ? error.message : String(error);
  };
}

/**
 * An API error next to the control that caused it: the translated text, field errors, and for 409/412 that the
 * data was reloaded; for 403 which role is needed and whom to ask.
 */
export function ProblemMessage({ error, action }: { error: unknown; action?: PartnerAction }) {
  const t = useT();
  const text = useProblemText();
  if (!error) return null;
  if (error instanceof ApiError && error.status === 403 && action) return <RoleNotice action={action} />;
  const reloaded = error instanceof ApiError && (error.status === 409 || error.status === 412);
  return (
    <MessageBar intent="error" role="alert">
      <MessageBarBody>
        {text(error)}
        {error instanceof ApiError && error.problem.errors?.length ? (
          <ul>
            {error.problem.errors.map((e) => (
              <li key={e.field}>
                {e.field}: {e.message}
              </li>
            ))}
          </ul>
        ) : null}
        {reloaded ? <> {t(error.status === 412 ? 'error.changedReloaded' : 'error.reloaded')}</> : null}
      </MessageBarBody>
    </MessageBar>
  );
}

/** "This needs role X. Ask a global admin of P: names" (seeds: "check with your Partner Center Global admin"). */
export function RoleNotice({ action }: { action: PartnerAction }) {
  const t = useT();
  const roleName = useRoleName();
  const { data: me } = useMe();
  const { roles } = permission(me, action);
  const admins = (me?.globalAdmins ?? []).map((a) => `${a.displayName} (${a.accountEmail})`).join(', ');
  return (
    <MessageBar intent="info">
      <MessageBarBody>
        <MessageBarTitle>
          {t('role.needed', { roles: roles.map(roleName).join(t('role.or')) })}
        </MessageBarTitle>
        {admins ? t('role.askAdmins', { partner: me?.partnerName ?? '', admins }) : t('role.askTeam')}
      </MessageBarBody>
    </MessageBar>
  );
}

/** Renders `children` when the signed-in person may do `action`, else the {@link RoleNotice}. */
export function RoleGate({ action, children }: { action: PartnerAction; children: ReactNode }) {
  const { data: me } = useMe();
  if (!me) return null;
  return permission(me, action).allowed ? <>{children}</> : <RoleNotice action={action} />;
}

/**
 * A mutation that reloads what it changed: on success and on 409/412 (the resource changed elsewhere) the
 * given query keys are invalidated, so the page shows the current state with the error next to the control.
 */
export function useApiMutation<TData, TVars>(
  options: UseMutationOptions<TData, unknown, TVars> & { invalidate: ReadonlyArray<readonly unknown[]> },
) {
  const queryClient = useQueryClient();
  const { invalidate, onSuccess, onError, ...rest } = options;
  return useMutation<TData, unknown, TVars>({
    retry: false,
    ...rest,
    onSuccess: async (...args) => {
      await Promise.all(invalidate.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
      await onSuccess?.(...args);
    },
    onError: async (error, ...args) => {
      if (error instanceof ApiError && (error.status === 409 || error.status === 412)) {
        await Promise.all(invalidate.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
      }
      await onError?.(error, ...args);
    },
  });
}

/** Continuation-token paging: a stack of tokens, "Previous page" / "Next page". */
export function usePager(resetKey: string) {
  const [tokens, setTokens] = useState<Array<string | undefined>>([undefined]);
  useEffect(() => setTokens([undefined]), [resetKey]);
  return {
    token: tokens[tokens.length - 1],
    page: tokens.length,
    next: (t: string) => setTokens((s) => [...s, t]),
    previous: () => setTokens((s) => (s.length > 1 ? s.slice(0, -1) : s)),
  };
}

export function Pager({
  pager,
  continuationToken,
}: {
  pager: ReturnType<typeof usePager>;
  continuationToken: string | null | undefined;
}) {
  const t = useT();
  const styles = useStyles();
  return (
    <nav className={styles.pager} aria-label={t('paging.label')}>
      <Button disabled={pager.page <= 1} onClick={pager.previous}>
        {t('paging.previous')}
      </Button>
      <span>{t('paging.page', { page: pager.page })}</span>
      <Button
        disabled={!continuationToken}
        onClick={() => continuationToken && pager.next(continuationToken)}
      >
        {t('paging.next')}
      </Button>
    </nav>
  );
}

export function Loading() {
  const t = useT();
  return <Spinner size="small" label={t('common.loading')} />;
}

export function Stack({ children }: { children: ReactNode }) {
  return <div className={useStyles().stack}>{children}</div>;
}

/** Sets the document title for a page (screen readers announce it on navigation). */
export function usePageTitle(title: string) {
  useEffect(() => {
    document.title = `${title} · Partner benefits`;
  }, [title]);
}
