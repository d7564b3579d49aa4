/** "My benefits": what is assigned to the signed-in person (`GET /api/me`). */
import { Link, Title2 } from '@fluentui/react-components';
import { useFormat, useT } from '../i18n/I18nProvider';
import type { MessageKey } from '../i18n/messages/en-US';
import { usePageTitle } from '../components/common';
import { SimpleTable } from '../components/SimpleTable';
import { useMe } from '../session';
import { StatusBadge } from './Benefits';
import { AZURE_PORTAL_URL } from './benefits/details';

const VISUAL_STUDIO_PORTAL_URL = 'https://my.visualstudio.com/';

export default function MyBenefitsPage() {
  const t = useT();
  const format = useFormat();
  const { data: me } = useMe();
  usePageTitle(t('my.title'));
  if (!me) return null;
  return (
    <>
      <Title2 as="h1">{t('my.title')}</Title2>
      <p>{t('my.intro', { name: me.displayName ?? '', partner: me.partnerName ?? '' })}</p>
      {me.assignments.length === 0 ? (
        <p>{t('my.none')}</p>
      ) : (
        <SimpleTable
          label={t('my.title')}
          columns={[
            t('benefits.col.name'),
            t('my.col.category'),
            t('my.col.assigned'),
            t('benefits.col.status'),
            t('benefits.col.expires'),
            t('my.col.open'),
          ]}
          rows={me.assignments.map((a) => ({
            key: a.id,
            cells: [
              a.productName,
              t(`category.${a.category}` as MessageKey),
              format.date(a.assignedAt),
              <StatusBadge key="s" status={a.benefit.status} />,
              format.date(a.benefit.expiresAt),
              a.category === 'visualStudio' ? (
                <Link href={VISUAL_STUDIO_PORTAL_URL} target="_blank" rel="noreferrer">
                  {t('my.vsPortal')}
                </Link>
              ) : a.category === 'cloud' ? (
                <Link href={AZURE_PORTAL_URL} target="_blank" rel="noreferrer">
                  {t('cloud.azurePortal')}
                </Link>
              ) : (
                '—'
              ),
            ],
          }))}
        />
      )}
      {me.roles.length === 0 && me.globalAdmins?.length ? (
        <p>
          {t('my.askAdmins', {
            admins: me.globalAdmins.map((g) => `${g.displayName} (${g.accountEmail})`).join(', '),
          })}
        </p>
      ) : null}
    </>
  );
}
