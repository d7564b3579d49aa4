/**
 * Purchases: buy an eligible package; each purchase says whether it can still be cancelled and why not
 * (30 days, software keys revealed); Request cancellation with a reason (seeds: "Request the cancellation
 * through a service request").
 */
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import {
  Button,
  Card,
  Field,
  MessageBar,
  MessageBarBody,
  Textarea,
  Title2,
  Title3,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { api, call, type Purchase, type Schemas } from '../api/client';
import { useFormat, useT } from '../i18n/I18nProvider';
import type { MessageKey } from '../i18n/messages/en-US';
import {
  Loading,
  Pager,
  ProblemMessage,
  RoleGate,
  Stack,
  useApiMutation,
  usePageTitle,
  usePager,
} from '../components/common';
import { SimpleTable } from '../components/SimpleTable';
import { keys, usePartner } from '../data';
import { useMe } from '../session';
import { PmcBanner } from './Benefits';

const useStyles = makeStyles({
  cards: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM },
  card: { width: '300px' },
});

/**
 * Whether the purchase can still be cancelled, and why not, as the API decides it (`cancellable`,
 * `cancellableReason`, `cancellableUntil` on every purchase; docs/product.md §4), and Request cancellation.
 */
function Cancellation({ partnerId, purchase }: { partnerId: string; purchase: Purchase }) {
  const t = useT();
  const format = useFormat();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const cancel = useApiMutation({
    invalidate: [keys.purchases(partnerId), keys.benefits(partnerId), keys.serviceRequests(partnerId)],
    mutationFn: () =>
      call<Schemas['ServiceRequest']>(
        api.POST('/api/partners/{partnerId}/purchases/{purchaseId}/cancellation', {
          params: { path: { partnerId, purchaseId: purchase.id } },
          body: { reason },
        }),
      ),
    onSuccess: () => setOpen(false),
  });
  if (purchase.status === 'Cancelled') return <span>{t('purchases.cancelled')}</span>;
  if (!purchase.cancellable) {
    const why = purchase.cancellableReason;
    return <span>{why ? t(`purchases.why.${why}` as MessageKey) : t('purchases.notCancellable')}</span>;
  }
  return (
    <RoleGate action="requestCancellation">
      {open ? (
        <form
          aria-label={t('purchases.cancelFormLabel')}
          onSubmit={(e) => {
            e.preventDefault();
            cancel.mutate(undefined);
          }}
        >
          <Stack>
            <Field label={t('purchases.reason')} required>
              <Textarea value={reason} onChange={(_, d) => setReason(d.value)} required />
            </Field>
            <div>
              <Button type="submit" appearance="primary" disabled={cancel.isPending}>
                {t('purchases.submitCancellation')}
              </Button>{' '}
              <Button onClick={() => setOpen(false)}>{t('common.cancel')}</Button>
            </div>
            <ProblemMessage error={cancel.error} action="requestCancellation" />
          </Stack>
        </form>
      ) : (
        <Stack>
          <span>
            {t('purchases.cancellableUntil', {
              date: format.dateTime(purchase.cancellableUntil),
            })}
          </span>
          <div>
            <Button
              onClick={() => setOpen(true)}
              aria-label={t('purchases.requestCancellationFor', { id: purchase.id })}
            >
              {t('purchases.requestCancellation')}
            </Button>
          </div>
        </Stack>
      )}
    </RoleGate>
  );
}

export default function PurchasesPage() {
  const t = useT();
  const format = useFormat();
  const styles = useStyles();
  const { data: me } = useMe();
  const partnerId = me?.partnerId ?? '';
  usePageTitle(t('purchases.title'));
  const partner = usePartner(partnerId);
  const pager = usePager('purchases');
  const catalog = useQuery({
    queryKey: ['catalog'],
    queryFn: () => call<{ items: Schemas['CatalogPackage'][] }>(api.GET('/api/catalog/packages')),
    staleTime: Infinity,
  });
  const list = useQuery({
    queryKey: [...keys.purchases(partnerId), 'list', pager.token],
    enabled: me?.managedIn !== 'PMC',
    queryFn: () =>
      call<{ items: Purchase[]; continuationToken: string | null }>(
        api.GET('/api/partners/{partnerId}/purchases', {
          params: {
            path: { partnerId },
            query: { pageSize: 10, ...(pager.token ? { continuationToken: pager.token } : {}) },
          },
        }),
      ),
  });
  const [bought, setBought] = useState('');
  const buy = useApiMutation({
    invalidate: [keys.purchases(partnerId), keys.benefits(partnerId)],
    mutationFn: (packageId: string) =>
      call<{ purchase: Purchase }>(
        api.POST('/api/partners/{partnerId}/purchases', {
          params: { path: { partnerId } },
          body: { packageId },
        }),
      ),
    onSuccess: (r) => setBought(r.purchase.packageId),
  });
  const packageName = (id: string) => catalog.data?.items.find((p) => p.id === id)?.name ?? id;
  if (me?.managedIn === 'PMC')
    return (
      <>
        <Title2 as="h1">{t('purchases.title')}</Title2>
        <PmcBanner />
      </>
    );
  return (
    <Stack>
      <Title2 as="h1">{t('purchases.title')}</Title2>
      <section aria-labelledby="buy-heading">
        <Title3 as="h2" id="buy-heading">
          {t('purchases.buyHeading')}
        </Title3>
        {catalog.data && partner.data ? (
          <div className={styles.cards}>
            {catalog.data.items.map((p) => {
              const eligible = p.eligibleLevels.includes(partner.data.level);
              return (
                <Card key={p.id} className={styles.card}>
                  <strong>{p.name}</strong>
                  <span>{p.description}</span>
                  {eligible ? (
                    <RoleGate action="purchase">
                      <Button
                        appearance="primary"
                        disabled={buy.isPending}
                        aria-label={t('purchases.buyPackage', { name: p.name })}
                        onClick={() => {
                          setBought('');
                          buy.mutate(p.id);
                        }}
                      >
                        {t('purchases.buy')}
                      </Button>
                    </RoleGate>
                  ) : (
                    <span>
                      {t('purchases.notEligible', { level: t(`level.${partner.data.level}` as MessageKey) })}
                    </span>
                  )}
                </Card>
              );
            })}
          </div>
        ) : (
          <Loading />
        )}
        <ProblemMessage error={buy.error} action="purchase" />
        {bought ? (
          <MessageBar intent="success">
            <MessageBarBody>{t('purchases.bought', { name: packageName(bought) })}</MessageBarBody>
          </MessageBar>
        ) : null}
      </section>
      <section aria-labelledby="list-heading">
        <Title3 as="h2" id="list-heading">
          {t('purchases.listHeading')}
        </Title3>
        {list.isPending ? (
          <Loading />
        ) : list.error ? (
          <ProblemMessage error={list.error} />
        ) : (
          <SimpleTable
            label={t('purchases.listHeading')}
            columns={[
              t('purchases.col.package'),
              t('purchases.col.purchased'),
              t('purchases.col.status'),
              t('purchases.col.cancellation'),
            ]}
            rows={list.data.items.map((p) => ({
              key: p.id,
              cells: [
                packageName(p.packageId),
                format.dateTime(p.purchasedAt),
                t(`purchaseStatus.${p.status}` as MessageKey),
                <Cancellation key="c" partnerId={partnerId} purchase={p} />,
              ],
            }))}
          />
        )}
        <Pager pager={pager} continuationToken={list.data?.continuationToken} />
      </section>
    </Stack>
  );
}
