/**
 * The operator console (docs/product.md §11): the partners (`GET /api/operator/partners`), onboard a partner with
 * its first GlobalAdmin, and the queue of activations waiting for processing with Fulfil (Access ID, Contract ID)
 * and Reject (reason).
 */
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import {
  Button,
  Card,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Select,
  Textarea,
  Title2,
  Title3,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { api, call, type Schemas } from '../api/client';
import { useFormat, useT } from '../i18n/I18nProvider';
import type { MessageKey } from '../i18n/messages/en-US';
import {
  Loading,
  Pager,
  ProblemMessage,
  RoleNotice,
  Stack,
  useApiMutation,
  usePageTitle,
  usePager,
} from '../components/common';
import { SimpleTable } from '../components/SimpleTable';
import { isOperator, useMe } from '../session';

const useStyles = makeStyles({
  row: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'end' },
  card: { maxWidth: '1000px' },
});

type Waiting = Schemas['WaitingActivation'];
const queueKey = ['operator', 'activations'] as const;
const partnersKey = ['operator', 'partners'] as const;

/** Every partner organization, by name (`GET /api/operator/partners`), paged. */
function Partners() {
  const t = useT();
  const format = useFormat();
  const pager = usePager('partners');
  const list = useQuery({
    queryKey: [...partnersKey, pager.token],
    queryFn: () =>
      call<{ items: Schemas['Partner'][]; continuationToken: string | null }>(
        api.GET('/api/operator/partners', {
          params: { query: { pageSize: 10, ...(pager.token ? { continuationToken: pager.token } : {}) } },
        }),
      ),
  });
  return (
    <section aria-labelledby="partners-heading">
      <Title3 as="h2" id="partners-heading">
        {t('operator.partnersHeading')}
      </Title3>
      {list.isPending ? (
        <Loading />
      ) : list.error ? (
        <ProblemMessage error={list.error} />
      ) : (
        <SimpleTable
          label={t('operator.partnersHeading')}
          columns={[
            t('operator.col.partner'),
            t('operator.level'),
            t('operator.managedIn'),
            t('operator.col.membership'),
            t('details.expires'),
          ]}
          rows={list.data.items.map((p) => ({
            key: p.id,
            cells: [
              p.name,
              t(`level.${p.level}` as MessageKey),
              t(p.managedIn === 'PMC' ? 'operator.pmc' : 'operator.partnerCenter'),
              t(`membership.${p.membership.status}` as MessageKey),
              format.date(p.membership.expiresAt),
            ],
          }))}
        />
      )}
      <Pager pager={pager} continuationToken={list.data?.continuationToken} />
    </section>
  );
}

function Decide({ item, onDone }: { item: Waiting; onDone: (text: string) => void }) {
  const t = useT();
  const styles = useStyles();
  const [mode, setMode] = useState<'fulfil' | 'reject' | null>(null);
  const [decided, setDecided] = useState<'fulfil' | 'reject' | null>(null);
  const [accessId, setAccessId] = useState('');
  const [contractId, setContractId] = useState('');
  const [reason, setReason] = useState('');
  const path = { partnerId: item.partnerId, benefitId: item.benefitId };
  const decide = useApiMutation({
    invalidate: [queueKey],
    mutationFn: () =>
      mode === 'fulfil'
        ? call(
            api.POST('/api/operator/partners/{partnerId}/benefits/{benefitId}/activation/fulfilment', {
              params: { path },
              body: { ...(accessId ? { accessId } : {}), ...(contractId ? { contractId } : {}) },
            }),
          )
        : call(
            api.POST('/api/operator/partners/{partnerId}/benefits/{benefitId}/activation/rejection', {
              params: { path },
              body: { reason },
            }),
          ),
    onSuccess: () => {
      setDecided(mode);
      onDone(
        `${item.partnerName} · ${item.productName}: ${t(mode === 'fulfil' ? 'operator.fulfilled' : 'operator.rejected')}`,
      );
    },
  });
  // Sent: the activation leaves the queue once its orchestration has processed the event (next refresh).
  if (decided) return <span>{t(decided === 'fulfil' ? 'operator.fulfilled' : 'operator.rejected')}</span>;
  if (!mode)
    return (
      <span className={styles.row}>
        <Button
          size="small"
          appearance="primary"
          onClick={() => setMode('fulfil')}
          aria-label={t('operator.fulfilFor', { name: item.productName, partner: item.partnerName })}
        >
          {t('operator.fulfil')}
        </Button>
        <Button
          size="small"
          onClick={() => setMode('reject')}
          aria-label={t('operator.rejectFor', { name: item.productName, partner: item.partnerName })}
        >
          {t('operator.reject')}
        </Button>
      </span>
    );
  return (
    <form
      aria-label={t(mode === 'fulfil' ? 'operator.fulfil' : 'operator.reject')}
      onSubmit={(e) => {
        e.preventDefault();
        decide.mutate(undefined);
      }}
    >
      <Stack>
        {mode === 'fulfil' ? (
          <div className={styles.row}>
            <Field label={t('details.accessId')}>
              <Input value={accessId} onChange={(_, d) => setAccessId(d.value)} />
            </Field>
            <Field label={t('details.contractId')}>
              <Input value={contractId} onChange={(_, d) => setContractId(d.value)} />
            </Field>
          </div>
        ) : (
          <Field label={t('operator.reason')} required>
            <Textarea value={reason} onChange={(_, d) => setReason(d.value)} required />
          </Field>
        )}
        <div className={styles.row}>
          <Button type="submit" appearance="primary" disabled={decide.isPending}>
            {t(mode === 'fulfil' ? 'operator.confirmFulfil' : 'operator.confirmReject')}
          </Button>
          <Button onClick={() => setMode(null)}>{t('common.cancel')}</Button>
        </div>
        <ProblemMessage error={decide.error} />
      </Stack>
    </form>
  );
}

function Onboard() {
  const t = useT();
  const styles = useStyles();
  const [name, setName] = useState('');
  const [level, setLevel] = useState<'ActionPack' | 'Silver' | 'Gold'>('Silver');
  const [managedIn, setManagedIn] = useState<'PartnerCenter' | 'PMC'>('PartnerCenter');
  const [expires, setExpires] = useState(() => new Date(Date.now() + 365 * 864e5).toISOString().slice(0, 10));
  const [adminName, setAdminName] = useState('');
  const [adminEmail, setAdminEmail] = useState('');
  const [objectId, setObjectId] = useState<string>(() => crypto.randomUUID());
  const create = useApiMutation({
    invalidate: [partnersKey],
    mutationFn: () =>
      call<Schemas['Partner']>(
        api.POST('/api/operator/partners', {
          body: {
            name,
            level,
            managedIn,
            membership: { status: 'Active', expiresAt: new Date(`${expires}T00:00:00Z`).toISOString() },
            globalAdmin: { objectId, displayName: adminName, accountEmail: adminEmail },
          },
        }),
      ),
    onSuccess: () => setObjectId(crypto.randomUUID()),
  });
  return (
    <Card className={styles.card}>
      <Title3 as="h2">{t('operator.onboardHeading')}</Title3>
      <form
        aria-label={t('operator.onboardHeading')}
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate(undefined);
        }}
      >
        <Stack>
          <div className={styles.row}>
            <Field label={t('operator.partnerName')} required>
              <Input value={name} onChange={(_, d) => setName(d.value)} required />
            </Field>
            <Field label={t('operator.level')}>
              <Select value={level} onChange={(_, d) => setLevel(d.value as typeof level)}>
                {(['ActionPack', 'Silver', 'Gold'] as const).map((l) => (
                  <option key={l} value={l}>
                    {t(`level.${l}` as MessageKey)}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label={t('operator.managedIn')}>
              <Select value={managedIn} onChange={(_, d) => setManagedIn(d.value as typeof managedIn)}>
                <option value="PartnerCenter">{t('operator.partnerCenter')}</option>
                <option value="PMC">{t('operator.pmc')}</option>
              </Select>
            </Field>
            <Field label={t('operator.membershipExpires')} required>
              <Input type="date" value={expires} onChange={(_, d) => setExpires(d.value)} required />
            </Field>
          </div>
          <div className={styles.row}>
            <Field label={t('operator.adminName')} required>
              <Input value={adminName} onChange={(_, d) => setAdminName(d.value)} required />
            </Field>
            <Field label={t('operator.adminEmail')} required>
              <Input type="email" value={adminEmail} onChange={(_, d) => setAdminEmail(d.value)} required />
            </Field>
            <Field label={t('users.objectId')} hint={t('users.objectIdHint')} required>
              <Input value={objectId} onChange={(_, d) => setObjectId(d.value)} required />
            </Field>
          </div>
          <div>
            <Button type="submit" appearance="primary" disabled={create.isPending}>
              {t('operator.onboard')}
            </Button>
          </div>
          <ProblemMessage error={create.error} />
          {create.data ? (
            <MessageBar intent="success">
              <MessageBarBody>
                {t('operator.onboarded', { name: create.data.name, id: create.data.id })}
              </MessageBarBody>
            </MessageBar>
          ) : null}
        </Stack>
      </form>
    </Card>
  );
}

export default function OperatorPage() {
  const t = useT();
  const format = useFormat();
  const { data: me } = useMe();
  usePageTitle(t('operator.title'));
  const pager = usePager('queue');
  const operator = isOperator(me);
  const [notice, setNotice] = useState('');
  const queue = useQuery({
    queryKey: [...queueKey, pager.token],
    enabled: operator,
    refetchInterval: 5000,
    queryFn: () =>
      call<{ items: Waiting[]; continuationToken: string | null }>(
        api.GET('/api/operator/activations', {
          params: {
            query: {
              status: 'Pending',
              pageSize: 20,
              ...(pager.token ? { continuationToken: pager.token } : {}),
            },
          },
        }),
      ),
  });
  if (!operator) return <RoleNotice action="read" />;
  return (
    <Stack>
      <Title2 as="h1">{t('operator.title')}</Title2>
      <Partners />
      <Onboard />
      <section aria-labelledby="queue-heading">
        <Title3 as="h2" id="queue-heading">
          {t('operator.queueHeading')}
        </Title3>
        <p role="status">{notice}</p>
        {queue.isPending ? (
          <Loading />
        ) : queue.error ? (
          <ProblemMessage error={queue.error} />
        ) : queue.data.items.length === 0 ? (
          <p>{t('operator.queueEmpty')}</p>
        ) : (
          <SimpleTable
            label={t('operator.queueHeading')}
            columns={[
              t('operator.col.partner'),
              t('benefits.col.name'),
              t('operator.col.requested'),
              t('users.actions'),
            ]}
            rows={queue.data.items.map((i) => ({
              key: i.benefitId,
              cells: [
                i.partnerName,
                i.offerType ? `${i.productName} — ${i.offerType}` : i.productName,
                format.dateTime(i.requestedAt),
                <Decide key="d" item={i} onDone={setNotice} />,
              ],
            }))}
          />
        )}
        <Pager pager={pager} continuationToken={queue.data?.continuationToken} />
      </section>
    </Stack>
  );
}
