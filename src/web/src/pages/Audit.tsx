/** Audit log: every mutation (actor, action, target, outcome, time), newest first. */
import { useQuery } from '@tanstack/react-query';
import { Title2 } from '@fluentui/react-components';
import { api, call, type Schemas } from '../api/client';
import { useFormat, useT } from '../i18n/I18nProvider';
import { Loading, Pager, ProblemMessage, usePageTitle, usePager } from '../components/common';
import { SimpleTable } from '../components/SimpleTable';
import { keys } from '../data';
import { useMe } from '../session';

export default function AuditPage() {
  const t = useT();
  const format = useFormat();
  const { data: me } = useMe();
  const partnerId = me?.partnerId ?? '';
  usePageTitle(t('audit.title'));
  const pager = usePager('audit');
  const list = useQuery({
    queryKey: [...keys.audit(partnerId), pager.token],
    queryFn: () =>
      call<{ items: Schemas['AuditEvent'][]; continuationToken: string | null }>(
        api.GET('/api/partners/{partnerId}/audit-events', {
          params: {
            path: { partnerId },
            query: { pageSize: 25, ...(pager.token ? { continuationToken: pager.token } : {}) },
          },
        }),
      ),
  });
  return (
    <>
      <Title2 as="h1">{t('audit.title')}</Title2>
      {list.isPending ? (
        <Loading />
      ) : list.error ? (
        <ProblemMessage error={list.error} />
      ) : (
        <SimpleTable
          label={t('audit.title')}
          columns={[
            t('audit.col.time'),
            t('audit.col.actor'),
            t('audit.col.action'),
            t('audit.col.target'),
            t('audit.col.outcome'),
          ]}
          rows={list.data.items.map((e) => ({
            key: e.id,
            cells: [
              format.dateTime(e.at),
              `${e.actor.kind}: ${e.actor.objectId}`,
              e.action,
              `${e.target.type} ${e.target.id}`,
              t(e.outcome === 'Succeeded' ? 'audit.succeeded' : 'audit.rejected'),
            ],
          }))}
        />
      )}
      <Pager pager={pager} continuationToken={list.data?.continuationToken} />
    </>
  );
}
