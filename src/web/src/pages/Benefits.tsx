/**
 * The Benefits page (seeds: "Benefits" page; docs/product.md §11): tabs named as in the seeds, each a table
 * with search, paging and rows that expand to show details and actions. A partner managed in PMC sees a
 * banner with the PMC link instead.
 */
import { useEffect, useState } from 'react';
import { useLocation, useNavigate, useParams, useSearchParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import {
  Badge,
  Button,
  Field,
  Switch,
  Input,
  Link,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Tab,
  TabList,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Title2,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { api, call, type Benefit } from '../api/client';
import { useFormat, useT } from '../i18n/I18nProvider';
import type { MessageKey } from '../i18n/messages/en-US';
import { Loading, Pager, ProblemMessage, RoleNotice, usePageTitle, usePager } from '../components/common';
import { isPartnerAdmin, useMe } from '../session';
import { keys } from '../data';
import { BenefitDetails } from './benefits/details';
import { MarketingContactSection } from './benefits/MarketingContact';
import { EXPIRING_SOON_DAYS, MembershipCard, useExpiringSoonUntil } from './benefits/Membership';

const TABS = [
  { slug: 'software', category: 'software', label: 'tab.software' },
  { slug: 'cloud', category: 'cloud', label: 'tab.cloud' },
  { slug: 'visual-studio', category: 'visualStudio', label: 'tab.visualStudio' },
  { slug: 'technical', category: 'technical', label: 'tab.technical' },
  { slug: 'go-to-market', category: 'goToMarket', label: 'tab.goToMarket' },
] as const satisfies ReadonlyArray<{ slug: string; category: Benefit['category']; label: MessageKey }>;

/** Seats page size: small enough to show paging with the demo data. */
const PAGE_SIZE = 10;
const PMC_URL = 'https://partner.microsoft.com/_login?authType=OpenIdConnect';

const useStyles = makeStyles({
  toolbar: {
    display: 'flex',
    gap: tokens.spacingHorizontalM,
    alignItems: 'end',
    margin: `${tokens.spacingVerticalM} 0`,
  },
  details: { backgroundColor: tokens.colorNeutralBackground2, padding: tokens.spacingHorizontalM },
  offer: { color: tokens.colorNeutralForeground3, display: 'block' },
});

export function StatusBadge({ status }: { status: Benefit['status'] }) {
  const t = useT();
  const color =
    status === 'Active'
      ? 'success'
      : status === 'Pending'
        ? 'warning'
        : status === 'ActivationFailed'
          ? 'danger'
          : 'informative';
  return (
    <Badge appearance="tint" color={color} shape="rounded">
      {t(`status.${status}` as MessageKey)}
    </Badge>
  );
}

export const activeAssignments = (b: Benefit) => b.assignments.filter((a) => !a.endedAt);

function BenefitTable({ partnerId, category }: { partnerId: string; category: Benefit['category'] }) {
  const t = useT();
  const format = useFormat();
  const styles = useStyles();
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const [expanded, setExpanded] = useState<string | null>(null);
  // "Expiring soon" (docs/product.md §12): Active benefits expiring within 30 days; `?expiring=1` turns it on.
  const [searchParams, setSearchParams] = useSearchParams();
  const expiringOnly = searchParams.get('expiring') === '1';
  const until = useExpiringSoonUntil();
  useEffect(() => {
    const timer = setTimeout(() => setQ(search.trim()), 300);
    return () => clearTimeout(timer);
  }, [search]);
  const pager = usePager(`${category}|${q}|${expiringOnly}`);
  const list = useQuery({
    queryKey: [...keys.benefits(partnerId), category, q, expiringOnly, pager.token],
    queryFn: () =>
      call<{ items: Benefit[]; continuationToken: string | null }>(
        api.GET('/api/partners/{partnerId}/benefits', {
          params: {
            path: { partnerId },
            query: {
              category,
              pageSize: PAGE_SIZE,
              ...(pager.token ? { continuationToken: pager.token } : {}),
              ...(q ? { q } : {}),
              ...(expiringOnly ? { status: 'Active' as const, expiresBefore: until } : {}),
            },
          },
        }),
      ),
    // Live status: poll while an activation is running (Pending → Active without a reload).
    refetchInterval: (query) => (query.state.data?.items.some((b) => b.status === 'Pending') ? 1500 : false),
  });
  const seats = category === 'visualStudio' || category === 'cloud';
  const columns = seats ? 5 : 4;
  return (
    <>
      <div className={styles.toolbar}>
        <Field label={t('benefits.search')}>
          <Input type="search" value={search} onChange={(_, d) => setSearch(d.value)} />
        </Field>
        <Switch
          label={t('benefits.expiringSoon', { days: EXPIRING_SOON_DAYS })}
          checked={expiringOnly}
          onChange={(_, d) =>
            setSearchParams(
              (p) => {
                const next = new URLSearchParams(p);
                if (d.checked) next.set('expiring', '1');
                else next.delete('expiring');
                return next;
              },
              { replace: true },
            )
          }
        />
      </div>
      {list.isPending ? (
        <Loading />
      ) : list.error ? (
        <ProblemMessage error={list.error} />
      ) : list.data.items.length === 0 ? (
        <p>
          {q
            ? t('benefits.noMatch', { q })
            : expiringOnly
              ? t('benefits.noneExpiring', { days: EXPIRING_SOON_DAYS })
              : t('benefits.none')}
        </p>
      ) : (
        <Table aria-label={t('benefits.tableLabel')} size="medium">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>{t('benefits.col.name')}</TableHeaderCell>
              <TableHeaderCell>{t('benefits.col.status')}</TableHeaderCell>
              <TableHeaderCell>{t('benefits.col.expires')}</TableHeaderCell>
              {seats ? <TableHeaderCell>{t('benefits.col.seats')}</TableHeaderCell> : null}
              <TableHeaderCell>{t('benefits.col.details')}</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {list.data.items.flatMap((b) => {
              const open = expanded === b.id;
              const name = b.offerType ? `${b.productName} — ${b.offerType}` : b.productName;
              const rows = [
                <TableRow key={b.id}>
                  <TableCell>
                    {b.productName}
                    {b.offerType ? <span className={styles.offer}>{b.offerType}</span> : null}
                  </TableCell>
                  <TableCell>
                    <StatusBadge status={b.status} />
                  </TableCell>
                  <TableCell>{format.date(b.expiresAt)}</TableCell>
                  {seats ? (
                    <TableCell>
                      {b.seats !== undefined
                        ? t('benefits.seatsUsed', { used: activeAssignments(b).length, total: b.seats })
                        : '—'}
                    </TableCell>
                  ) : null}
                  <TableCell>
                    <Button
                      appearance="subtle"
                      aria-expanded={open}
                      aria-controls={`details-${b.id}`}
                      aria-label={t(open ? 'benefits.hideDetails' : 'benefits.showDetails', { name })}
                      onClick={() => setExpanded(open ? null : b.id)}
                    >
                      {open ? '▲' : '▼'}
                    </Button>
                  </TableCell>
                </TableRow>,
              ];
              if (open) {
                rows.push(
                  <TableRow key={`${b.id}-details`}>
                    <TableCell colSpan={columns} id={`details-${b.id}`} className={styles.details}>
                      <BenefitDetails partnerId={partnerId} benefit={b} />
                    </TableCell>
                  </TableRow>,
                );
              }
              return rows;
            })}
          </TableBody>
        </Table>
      )}
      <Pager pager={pager} continuationToken={list.data?.continuationToken} />
    </>
  );
}

export function PmcBanner() {
  const t = useT();
  return (
    <MessageBar intent="warning" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>{t('pmc.title')}</MessageBarTitle>
        {t('pmc.body')}{' '}
        <Link href={PMC_URL} target="_blank" rel="noreferrer">
          {t('pmc.link')}
        </Link>
      </MessageBarBody>
    </MessageBar>
  );
}

export default function BenefitsPage() {
  const t = useT();
  const navigate = useNavigate();
  const location = useLocation();
  const { tab = 'software' } = useParams();
  const { data: me } = useMe();
  const current = TABS.find((x) => x.slug === tab) ?? TABS[0];
  usePageTitle(`${t('benefits.title')} · ${t(current.label)}`);
  if (!me?.partnerId) return null;
  if (!isPartnerAdmin(me)) {
    return (
      <>
        <Title2 as="h1">{t('benefits.title')}</Title2>
        <RoleNotice action="read" />
      </>
    );
  }
  if (me.managedIn === 'PMC') {
    return (
      <>
        <Title2 as="h1">{t('benefits.title')}</Title2>
        <PmcBanner />
      </>
    );
  }
  return (
    <>
      <Title2 as="h1">{t('benefits.title')}</Title2>
      <MembershipCard partnerId={me.partnerId} />
      <TabList
        selectedValue={current.slug}
        onTabSelect={(_, d) => navigate(`/benefits/${String(d.value)}${location.search}`)}
        aria-label={t('benefits.tabsLabel')}
      >
        {TABS.map((x) => (
          <Tab key={x.slug} value={x.slug}>
            {t(x.label)}
          </Tab>
        ))}
      </TabList>
      <div role="tabpanel" aria-label={t(current.label)}>
        {current.category === 'goToMarket' ? <MarketingContactSection partnerId={me.partnerId} /> : null}
        <BenefitTable key={current.category} partnerId={me.partnerId} category={current.category} />
      </div>
    </>
  );
}
