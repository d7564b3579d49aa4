/** The frame of every signed-in page: header, navigation, language, sign-out, and the page itself. */
import { NavLink, Outlet } from 'react-router';
import { Button, Text, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { useAuth } from '../auth/AuthContext';
import { useT } from '../i18n/I18nProvider';
import { isOperator, isPartnerAdmin, useMe } from '../session';
import { LanguagePicker } from './LanguagePicker';
import { Loading, ProblemMessage } from './common';

const useStyles = makeStyles({
  skip: {
    position: 'absolute',
    left: '-10000px',
    ':focus': {
      left: tokens.spacingHorizontalM,
      top: tokens.spacingVerticalS,
      zIndex: 10,
      backgroundColor: tokens.colorNeutralBackground1,
      padding: tokens.spacingHorizontalS,
    },
  },
  header: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: tokens.spacingHorizontalL,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
    backgroundColor: tokens.colorBrandBackground2,
    borderBottom: `1px solid ${tokens.colorNeutralStroke1}`,
  },
  brand: { fontWeight: tokens.fontWeightSemibold, fontSize: tokens.fontSizeBase400 },
  spacer: { flexGrow: 1 },
  nav: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalM,
    listStyle: 'none',
    margin: 0,
    padding: 0,
  },
  link: {
    color: tokens.colorNeutralForeground1,
    textDecoration: 'none',
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS}`,
    borderRadius: tokens.borderRadiusMedium,
    ':hover': { textDecoration: 'underline' },
    ':focus-visible': { outline: `2px solid ${tokens.colorStrokeFocus2}` },
  },
  active: { backgroundColor: tokens.colorNeutralBackground1, fontWeight: tokens.fontWeightSemibold },
  main: { padding: tokens.spacingHorizontalL, maxWidth: '1200px' },
});

export function Layout() {
  const t = useT();
  const styles = useStyles();
  const { label, signOut } = useAuth();
  const me = useMe();
  const admin = isPartnerAdmin(me.data);
  const links: Array<[string, string]> = [];
  if (me.data && admin) {
    links.push(
      ['/benefits/software', t('nav.benefits')],
      ['/purchases', t('nav.purchases')],
      ['/service-requests', t('nav.serviceRequests')],
      ['/audit', t('nav.audit')],
      ['/settings/users', t('nav.accountSettings')],
    );
  }
  if (me.data?.partnerId) links.push(['/my-benefits', t('nav.myBenefits')]);
  if (isOperator(me.data)) links.push(['/operator', t('nav.operator')]);
  return (
    <>
      <a href="#main" className={styles.skip}>
        {t('nav.skip')}
      </a>
      <header className={styles.header}>
        <Text className={styles.brand}>{t('app.title')}</Text>
        {me.data?.partnerName ? <Text>{me.data.partnerName}</Text> : null}
        <nav aria-label={t('nav.label')}>
          <ul className={styles.nav}>
            {links.map(([to, text]) => (
              <li key={to}>
                <NavLink
                  to={to}
                  className={({ isActive }) => mergeClasses(styles.link, isActive && styles.active)}
                >
                  {text}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <span className={styles.spacer} />
        <LanguagePicker />
        <Text>{t('nav.signedInAs', { who: label })}</Text>
        <Button onClick={signOut}>{t('nav.signOut')}</Button>
      </header>
      <main id="main" className={styles.main} tabIndex={-1}>
        {me.isPending ? <Loading /> : me.error ? <ProblemMessage error={me.error} /> : <Outlet />}
      </main>
    </>
  );
}
