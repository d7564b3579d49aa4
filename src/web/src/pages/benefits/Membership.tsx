/**
 * The membership card at the top of the Benefits page (docs/product.md §12): level, status and expiry, **Renew**
 * while the renewal window is open (with a confirmation, since it is a purchase), and the benefits expiring within
 * 30 days, each linking to its tab with the "Expiring soon" filter on.
 */
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link as RouterLink } from 'react-router';
import {
  Badge,
  Button,
  Card,
  CardHeader,
  MessageBar,
  MessageBarBody,
  Text,
  Title3,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { api, call, type Benefit, type Schemas } from '../../api/client';
import { useFormat, useT } from '../../i18n/I18nProvider';
import type { MessageKey } from '../../i18n/messages/en-US';
import { Loading, ProblemMessage, Stack, useApiMutation } from '../../components/common';
import { keys } from '../../data';
import { permission, useMe } from '../../session';

/** How far ahead "Expiring soon" looks: the first benefit reminder's threshold (docs/product.md §12). */
export const EXPIRING_SOON_DAYS = 30;
/** How many expiring benefits the card lists (the filter on each tab shows them all). */
const CARD_LIST_SIZE = 5;

/** The instant "Expiring soon" ends, fixed for the page's life (a stable query and paging key). */
export function useExpiringSoonUntil(): string {
  const [until] = useState(() => new Date(Date.now() + EXPIRING_SOON_DAYS * 864e5).toISOString());
  return until;
}

/** The tab slug of a category (the page's routes). */
const TAB_OF: Record<Benefit['category'], string> = {
  software: 'software',
  cloud: 'cloud',
  visualStudio: 'visual-studio',
  technical: 'technical',
  goToMarket: 'go-to-market',
};

const useStyles = makeStyles({
  card: { margin: `${tokens.spacingVerticalM} 0`, maxWidth: '960px' },
  facts: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalXXL}`,
    alignItems: 'center',
    margin: 0,
  },
  fact: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'baseline' },
  term: { color: tokens.colorNeutralForeground3 },
  value: { margin: 0 },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalXL },
});

type Membership = Schemas['Membership'];

export function MembershipCard({ partnerId }: { partnerId: string }) {
  const t = useT();
  const format = useFormat();
  const styles = useStyles();
  const { data: me } = useMe();
  const until = useExpiringSoonUntil();
  const [confirming, setConfirming] = useState(false);
  const [renewedTo, setRenewedTo] = useState<string | null>(null);
  const membership = useQuery({
    queryKey: keys.membership(partnerId),
    queryFn: () =>
      call<Membership>(api.GET('/api/partners/{partnerId}/membership', { params: { path: { partnerId } } })),
  });
  const expiring = useQuery({
    queryKey: [...keys.benefits(partnerId), 'expiring-soon', until],
    queryFn: () =>
      call<{ items: Benefit[]; continuationToken: string | null }>(
        api.GET('/api/partners/{partnerId}/benefits', {
          params: {
            path: { partnerId },
            query: { status: 'Active', expiresBefore: until, pageSize: CARD_LIST_SIZE },
          },
        }),
      ),
  });
  const catalog = useQuery({
    queryKey: ['catalog'],
    queryFn: () => call<{ items: Schemas['CatalogPackage'][] }>(api.GET('/api/catalog/packages')),
    staleTime: Infinity,
  });
  const renew = useApiMutation({
    invalidate: [
      keys.membership(partnerId),
      keys.partner(partnerId),
      keys.purchases(partnerId),
      keys.benefits(partnerId),
    ],
    mutationFn: (packageId: string) =>
      call<Schemas['RenewalCreated']>(
        api.POST('/api/partners/{partnerId}/membership/renewal', {
          params: { path: { partnerId } },
          body: { packageId },
        }),
      ),
    onSuccess: (created) => {
      setConfirming(false);
      setRenewedTo(created.membership.expiresAt);
    },
  });

  if (membership.isPending) return <Loading />;
  if (membership.error) return <ProblemMessage error={membership.error} />;
  const m = membership.data;
  const renewal = m.renewal;
  const mayRenew = permission(me, 'renewMembership').allowed;
  const soon = expiring.data?.items ?? [];

  return (
    <Card className={styles.card} role="region" aria-labelledby="membership-title">
      <CardHeader header={<Title3 id="membership-title">{t('membership.title')}</Title3>} />
      <dl className={styles.facts}>
        <div className={styles.fact}>
          <dt className={styles.term}>{t('membership.level')}</dt>
          <dd className={styles.value}>{t(`level.${m.level}` as MessageKey)}</dd>
        </div>
        <div className={styles.fact}>
          <dt className={styles.term}>{t('membership.status')}</dt>
          <dd className={styles.value}>
            <Badge appearance="tint" shape="rounded" color={m.status === 'Active' ? 'success' : 'danger'}>
              {t(`membership.${m.status}` as MessageKey)}
            </Badge>
          </dd>
        </div>
        <div className={styles.fact}>
          <dt className={styles.term}>{t('membership.expires')}</dt>
          <dd className={styles.value}>{format.date(m.expiresAt)}</dd>
        </div>
      </dl>

      {renewedTo ? (
        <MessageBar intent="success" role="status">
          <MessageBarBody>{t('membership.renewed', { date: format.date(renewedTo) })}</MessageBarBody>
        </MessageBar>
      ) : null}

      {renewal?.open ? (
        <Stack>
          <Text>{t('membership.renewOpen', { date: format.date(renewal.closesAt) })}</Text>
          {!mayRenew ? (
            <Text>{t('membership.renewRole')}</Text>
          ) : confirming ? (
            <div role="group" aria-label={t('membership.renewConfirmLabel')}>
              <Text block>
                {t('membership.renewConfirm', {
                  package:
                    catalog.data?.items.find((p) => p.id === renewal.packageId)?.name ?? renewal.packageId,
                  level: t(`level.${m.level}` as MessageKey),
                })}
              </Text>
              <Button
                appearance="primary"
                disabled={renew.isPending}
                onClick={() => renew.mutate(renewal.packageId)}
              >
                {t('membership.renewConfirmButton')}
              </Button>{' '}
              <Button onClick={() => setConfirming(false)}>{t('common.cancel')}</Button>
            </div>
          ) : (
            <div>
              <Button appearance="primary" onClick={() => setConfirming(true)}>
                {t('membership.renew')}
              </Button>
            </div>
          )}
          <ProblemMessage error={renew.error} action="renewMembership" />
        </Stack>
      ) : renewal && !renewedTo ? (
        <Text>
          {Date.parse(renewal.opensAt) > Date.now()
            ? t('membership.renewOpens', { date: format.date(renewal.opensAt) })
            : t('membership.renewClosed', { date: format.date(renewal.closesAt) })}
        </Text>
      ) : null}

      <section aria-labelledby="expiring-title">
        <Text as="h3" weight="semibold" id="expiring-title">
          {t('membership.expiringSoon', { days: EXPIRING_SOON_DAYS })}
        </Text>
        {expiring.isPending ? (
          <Loading />
        ) : expiring.error ? (
          <ProblemMessage error={expiring.error} />
        ) : soon.length === 0 ? (
          <Text block>{t('membership.expiringNone')}</Text>
        ) : (
          <ul className={styles.list}>
            {soon.map((b) => (
              <li key={b.id}>
                <RouterLink to={`/benefits/${TAB_OF[b.category]}?expiring=1`}>{b.productName}</RouterLink> —{' '}
                {t('membership.expiresOn', { date: format.date(b.expiresAt) })}
              </li>
            ))}
          </ul>
        )}
      </section>
    </Card>
  );
}
