/**
 * Sign-in. Local build: one button per local user (demo users and users created at run time, from the local
 * host's `GET /.local/users`), named by the email, plus "Program operator". Deployed build: Microsoft Entra ID.
 */
import { useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import {
  Button,
  MessageBar,
  MessageBarBody,
  Title1,
  Title3,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useAuth } from '../auth/AuthContext';
import { useT } from '../i18n/I18nProvider';
import { LanguagePicker } from '../components/LanguagePicker';
import { Loading, ProblemMessage, usePageTitle, useRoleName } from '../components/common';

const useStyles = makeStyles({
  page: { padding: tokens.spacingHorizontalXXL, maxWidth: '1100px' },
  grid: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, listStyle: 'none', padding: 0 },
  top: { display: 'flex', justifyContent: 'space-between', alignItems: 'center', flexWrap: 'wrap' },
  role: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200, marginLeft: '4px' },
});

interface LocalUser {
  objectId: string;
  email: string;
  displayName: string;
  partnerId: string;
  partnerName: string;
  roles: string[];
}

function LocalUsers({ onDone }: { onDone: () => void }) {
  const t = useT();
  const styles = useStyles();
  const roleName = useRoleName();
  const { signInLocal } = useAuth();
  const [error, setError] = useState<unknown>(null);
  const users = useQuery({
    queryKey: ['local-users'],
    queryFn: async () => {
      const res = await fetch('/.local/users');
      if (!res.ok) throw new Error(`GET /.local/users → ${res.status}`);
      return ((await res.json()) as { users: LocalUser[] }).users;
    },
  });
  const go = async (who: Parameters<NonNullable<typeof signInLocal>>[0]) => {
    try {
      await signInLocal!(who);
      onDone();
    } catch (e) {
      setError(e);
    }
  };
  if (users.isPending) return <Loading />;
  if (users.error) return <ProblemMessage error={users.error} />;
  const partners = [...new Set(users.data.map((u) => u.partnerName))];
  return (
    <>
      <ProblemMessage error={error} />
      <section aria-labelledby="operator-heading">
        <Title3 as="h2" id="operator-heading">
          {t('signIn.operatorHeading')}
        </Title3>
        <Button appearance="primary" onClick={() => void go({ operator: true, label: t('signIn.operator') })}>
          {t('signIn.operator')}
        </Button>
      </section>
      {partners.map((name) => (
        <section key={name} aria-label={name}>
          <Title3 as="h2">{name}</Title3>
          <ul className={styles.grid}>
            {users.data
              .filter((u) => u.partnerName === name)
              .map((u) => (
                <li key={u.objectId}>
                  <Button
                    onClick={() => void go({ objectId: u.objectId, label: u.email })}
                    aria-describedby={`roles-${u.objectId}`}
                  >
                    {u.email}
                  </Button>
                  <span id={`roles-${u.objectId}`} className={styles.role}>
                    {u.roles.length ? u.roles.map(roleName).join(', ') : t('role.employee')}
                  </span>
                </li>
              ))}
          </ul>
        </section>
      ))}
    </>
  );
}

export default function SignInPage() {
  const t = useT();
  const styles = useStyles();
  const auth = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  usePageTitle(t('signIn.title'));
  const from = (location.state as { from?: string } | null)?.from ?? '/';
  if (auth.signedIn && auth.mode === 'entra') return <Navigate to={from} replace />;
  return (
    <main className={styles.page}>
      <div className={styles.top}>
        <Title1 as="h1">{t('signIn.title')}</Title1>
        <LanguagePicker />
      </div>
      {auth.expired ? (
        <MessageBar intent="warning" role="alert">
          <MessageBarBody>{t('signIn.expired')}</MessageBarBody>
        </MessageBar>
      ) : null}
      {__LOCAL_SIGN_IN__ ? (
        <>
          <p>{t('signIn.localIntro')}</p>
          <LocalUsers onDone={() => navigate(from, { replace: true })} />
        </>
      ) : (
        <Button appearance="primary" onClick={() => void auth.signInEntra?.()}>
          {t('signIn.entra')}
        </Button>
      )}
    </main>
  );
}
