/** Service requests: cancellations, advisory hours and support incidents, newest first. */
import { useQuery } from '@tanstack/react-query';
import { Title2 } from '@fluentui/react-components';
import { api, call, type Schemas } from '../api/client';
import { useFormat, useT } from '../i18n/I18nProvider';
import type { MessageKey } from '../i18n/messages/en-US';
import { Loading, Pager, ProblemMessage, usePageTitle, usePager } from '../components/common';
import { SimpleTable } from '../components/SimpleTable';
import { keys } from '../data';
import { useMe } from '../session';
import { PmcBanner } from './Benefits';

function summary(r: Schemas['ServiceRequest']): string {
  const d = r.details as Record<string, unknown>;
  return [
    d.productName,
    d.topic,
    d.title,
    d.hoursConsumed !== undefined ? `${String(d.hoursConsumed)} h` : undefined,
    r.reason,
  ]
    .filter((x) => typeof x === 'string' || typeof x === 'number')
    .join(' · ');
}

export default function ServiceRequestsPage() {
  const t = useT();
  const format = useFormat();
  const { data: me } = useMe();
  const partnerId = me?.partnerId ?? '';
  usePageTitle(t('requests.title'));
  const pager = usePager('requests');
  const list = useQuery({
    queryKey: [...keys.serviceRequests(partnerId), pager.token],
    enabled: me?.managedIn !== 'PMC',
    queryFn: () =>
      call<{ items: Schemas['ServiceRequest'][]; continuationToken: string | null }>(
        api.GET('/api/partners/{partnerId}/service-requests', {
          params: {
            path: { partnerId },
            query: { pageSize: 20, ...(pager.token ? { continuationToken: pager.token } : {}) },
          },
        }),
      ),
  });
  return (
    <>
      <Title2 as="h1">{t('requests.title')}</Title2>
      {me?.managedIn === 'PMC' ? (
        <PmcBanner />
      ) : list.isPending ? (
        <Loading />
      ) : list.error ? (
        <ProblemMessage error={list.error} />
      ) : list.data.items.length === 0 ? (
        <p>{t('requests.none')}</p>
      ) : (
        <SimpleTable
          label={t('requests.title')}
          columns={[
            t('requests.col.created'),
            t('requests.col.type'),
            t('requests.col.status'),
            t('requests.col.details'),
          ]}
          rows={list.data.items.map((r) => ({
            key: r.id,
            cells: [
              format.dateTime(r.createdAt),
              t(`requestType.${r.type}` as MessageKey),
              t(`requestStatus.${r.status}` as MessageKey),
              summary(r),
            ],
          }))}
        />
      )}
      <Pager pager={pager} continuationToken={list.data?.continuationToken} />
    </>
  );
}
