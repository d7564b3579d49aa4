/** The expanded row of a benefit: its details and the actions of its tab (seeds' steps per category). */
import { useState } from 'react';
import { Link as RouterLink } from 'react-router';
import {
  Button,
  Field,
  Input,
  Link,
  MessageBar,
  MessageBarBody,
  Select,
  Spinner,
  Textarea,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { api, call, type Benefit, type Schemas } from '../../api/client';
import { useFormat, useT } from '../../i18n/I18nProvider';
import type { MessageKey } from '../../i18n/messages/en-US';
import { ProblemMessage, RoleGate, Stack, useApiMutation } from '../../components/common';
import { keys, useUsers } from '../../data';
import { useMe } from '../../session';
import { activeAssignments } from '../Benefits';

const useStyles = makeStyles({
  row: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'end' },
  dl: {
    display: 'grid',
    gridTemplateColumns: 'max-content auto',
    columnGap: tokens.spacingHorizontalL,
    rowGap: '4px',
    margin: 0,
  },
  dt: { fontWeight: tokens.fontWeightSemibold },
  dd: { margin: 0 },
  key: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase300 },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
});

export const AZURE_PORTAL_URL = 'https://portal.azure.com/';

function Description({ items }: { items: Array<[string, string | number | undefined | null]> }) {
  const styles = useStyles();
  return (
    <dl className={styles.dl}>
      {items
        .filter(([, v]) => v !== undefined && v !== null && v !== '')
        .map(([k, v]) => [
          <dt key={`${k}-t`} className={styles.dt}>
            {k}
          </dt>,
          <dd key={`${k}-d`} className={styles.dd}>
            {v}
          </dd>,
        ])}
    </dl>
  );
}

type KeysResponse = Schemas['KeysResponse'];

/** Software and license-based cloud: Get keys (language + OS), keys with copy buttons, downloads, instructions. */
function GetKeys({ partnerId, benefit }: { partnerId: string; benefit: Benefit }) {
  const t = useT();
  const styles = useStyles();
  const languages = benefit.languages ?? [];
  const systems = benefit.operatingSystems ?? [];
  const [language, setLanguage] = useState(languages[0] ?? '');
  const [os, setOs] = useState(systems[0] ?? '');
  const [copied, setCopied] = useState('');
  const reveal = useApiMutation({
    invalidate: [keys.benefits(partnerId), keys.purchases(partnerId)],
    mutationFn: () =>
      call<KeysResponse>(
        api.POST('/api/partners/{partnerId}/benefits/{benefitId}/keys', {
          params: { path: { partnerId, benefitId: benefit.id } },
          body: { language, operatingSystem: os },
        }),
      ),
  });
  const firstReveal = benefit.status === 'NotActivated';
  const instructions = reveal.data?.instructions;
  return (
    <RoleGate action="revealKeys">
      <Stack>
        <div className={styles.row}>
          <Field label={t('keys.language')}>
            <Select value={language} onChange={(_, d) => setLanguage(d.value)}>
              {languages.map((l) => (
                <option key={l} value={l}>
                  {l}
                </option>
              ))}
            </Select>
          </Field>
          <Field label={t('keys.os')}>
            <Select value={os} onChange={(_, d) => setOs(d.value)}>
              {systems.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </Select>
          </Field>
        </div>
        {firstReveal ? (
          <MessageBar intent="warning">
            <MessageBarBody>{t('keys.refundWarning')}</MessageBarBody>
          </MessageBar>
        ) : null}
        <div>
          <Button appearance="primary" disabled={reveal.isPending} onClick={() => reveal.mutate(undefined)}>
            {t('keys.getKeys')}
          </Button>
        </div>
        <ProblemMessage error={reveal.error} action="revealKeys" />
        {reveal.data ? (
          <section aria-label={t('keys.resultLabel')}>
            {instructions ? (
              <MessageBar intent="info">
                <MessageBarBody>
                  <strong>{t('keys.instructions')}</strong> {instructions}
                </MessageBarBody>
              </MessageBar>
            ) : null}
            <ul className={styles.list}>
              {reveal.data.keys.map((k) => (
                <li key={k.productKey}>
                  <span className={styles.key}>{k.productKey}</span> ({k.language}, {k.operatingSystem}){' '}
                  <Button
                    size="small"
                    aria-label={t('keys.copyFor', { key: k.productKey })}
                    onClick={() =>
                      void navigator.clipboard
                        ?.writeText(k.productKey)
                        .then(() => setCopied(k.productKey))
                        .catch(() => setCopied(''))
                    }
                  >
                    {t('keys.copy')}
                  </Button>
                </li>
              ))}
            </ul>
            <p role="status">{copied ? t('keys.copied') : ''}</p>
            <ul className={styles.list}>
              {reveal.data.downloads.map((d) => (
                <li key={d.url}>
                  <Link href={d.url} download={d.fileName}>
                    {t('keys.download', { file: d.fileName })}
                  </Link>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
      </Stack>
    </RoleGate>
  );
}

/** Usage-based Azure: "assign yourself as a user", then manage it in the Azure portal. */
function AssignYourself({ partnerId, benefit }: { partnerId: string; benefit: Benefit }) {
  const t = useT();
  const { data: me } = useMe();
  const mine = activeAssignments(benefit).find((a) => a.userId === me?.id);
  const assign = useApiMutation({
    invalidate: [keys.benefits(partnerId), ['me']],
    mutationFn: () =>
      call(
        api.POST('/api/partners/{partnerId}/benefits/{benefitId}/assignments', {
          params: { path: { partnerId, benefitId: benefit.id } },
          body: { userId: me!.id! },
        }),
      ),
  });
  return (
    <Stack>
      {mine ? (
        <MessageBar intent="success">
          <MessageBarBody>{t('cloud.assignedToYou')}</MessageBarBody>
        </MessageBar>
      ) : (
        <RoleGate action="selfAssignCloud">
          <div>
            <Button appearance="primary" disabled={assign.isPending} onClick={() => assign.mutate(undefined)}>
              {t('cloud.assignYourself')}
            </Button>
          </div>
          <ProblemMessage error={assign.error} action="selfAssignCloud" />
        </RoleGate>
      )}
      <Link href={benefit.portalUrl ?? AZURE_PORTAL_URL} target="_blank" rel="noreferrer">
        {t('cloud.azurePortal')}
      </Link>
    </Stack>
  );
}

/** Visual Studio: seats used/total; Remove per assignee; pick a user → Assign user. */
function Seats({
  partnerId,
  benefit,
  alternateEmail,
}: {
  partnerId: string;
  benefit: Benefit;
  alternateEmail?: boolean;
}) {
  const t = useT();
  const format = useFormat();
  const styles = useStyles();
  const users = useUsers(partnerId);
  const [userId, setUserId] = useState('');
  const [email, setEmail] = useState('');
  const [message, setMessage] = useState('');
  const active = activeAssignments(benefit);
  const userLabel = (id: string) => {
    const u = users.data?.find((x) => x.id === id);
    return u ? `${u.displayName} (${u.accountEmail})` : id;
  };
  const assign = useApiMutation({
    invalidate: [keys.benefits(partnerId)],
    mutationFn: () =>
      call(
        api.POST('/api/partners/{partnerId}/benefits/{benefitId}/assignments', {
          params: { path: { partnerId, benefitId: benefit.id } },
          body: {
            userId,
            ...(alternateEmail ? { alternateEmail: email } : {}),
            ...(message.trim() ? { message: message.trim() } : {}),
          },
        }),
      ),
    onSuccess: () => {
      setUserId('');
      setEmail('');
      setMessage('');
    },
  });
  const remove = useApiMutation({
    invalidate: [keys.benefits(partnerId)],
    mutationFn: (assignmentId: string) =>
      call(
        api.DELETE('/api/partners/{partnerId}/benefits/{benefitId}/assignments/{assignmentId}', {
          params: { path: { partnerId, benefitId: benefit.id, assignmentId } },
        }),
      ),
  });
  const free = users.data?.filter((u) => !active.some((a) => a.userId === u.id)) ?? [];
  return (
    <Stack>
      {benefit.seats !== undefined ? (
        <p>{t('benefits.seatsUsed', { used: active.length, total: benefit.seats })}</p>
      ) : null}
      {active.length ? (
        <ul className={styles.list} aria-label={t(alternateEmail ? 'technical.contacts' : 'seats.assigned')}>
          {active.map((a) => (
            <li key={a.id}>
              {userLabel(a.userId)}
              {a.alternateEmail
                ? ` — ${a.alternateEmail} (${t(a.alternateEmailVerifiedAt ? 'contact.Verified' : 'contact.PendingVerification')})`
                : ''}{' '}
              · {t('seats.assignedOn', { date: format.date(a.assignedAt) })}{' '}
              <RoleGate action="assignBenefit">
                <Button
                  size="small"
                  disabled={remove.isPending}
                  aria-label={t('seats.removeUser', { user: userLabel(a.userId) })}
                  onClick={() => remove.mutate(a.id)}
                >
                  {t('seats.remove')}
                </Button>
              </RoleGate>
            </li>
          ))}
        </ul>
      ) : null}
      <ProblemMessage error={remove.error} action="assignBenefit" />
      <RoleGate action="assignBenefit">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            assign.mutate(undefined);
          }}
        >
          <Stack>
            <div className={styles.row}>
              <Field label={t('seats.user')} required>
                <Select value={userId} onChange={(_, d) => setUserId(d.value)} required>
                  <option value="">{t('seats.chooseUser')}</option>
                  {free.map((u) => (
                    <option key={u.id} value={u.id}>
                      {u.displayName} ({u.accountEmail})
                    </option>
                  ))}
                </Select>
              </Field>
              {alternateEmail ? (
                <Field
                  label={t('technical.alternateEmail')}
                  required
                  hint={t('technical.alternateEmailHint')}
                >
                  <Input type="email" value={email} onChange={(_, d) => setEmail(d.value)} required />
                </Field>
              ) : (
                <Field label={t('seats.message')}>
                  <Textarea value={message} onChange={(_, d) => setMessage(d.value)} />
                </Field>
              )}
            </div>
            <div>
              <Button appearance="primary" type="submit" disabled={assign.isPending || !userId}>
                {t('seats.assignUser')}
              </Button>
            </div>
            <ProblemMessage error={assign.error} action="assignBenefit" />
          </Stack>
        </form>
      </RoleGate>
      <RouterLink to="/settings/users">{t('seats.addUsers')}</RouterLink>
    </Stack>
  );
}

/** Technical and Go-To-Market: Activate → Pending (live) → Active. */
function Activate({ partnerId, benefit }: { partnerId: string; benefit: Benefit }) {
  const t = useT();
  const activate = useApiMutation({
    invalidate: [keys.benefits(partnerId)],
    mutationFn: () =>
      call(
        api.POST('/api/partners/{partnerId}/benefits/{benefitId}/activation', {
          params: { path: { partnerId, benefitId: benefit.id } },
        }),
      ),
  });
  const action = benefit.category === 'goToMarket' ? 'activateGoToMarket' : 'activateBenefit';
  if (benefit.status === 'Pending')
    return <Spinner size="tiny" labelPosition="after" label={t('activation.pending')} role="status" />;
  if (benefit.status !== 'NotActivated' && benefit.status !== 'ActivationFailed') return null;
  return (
    <Stack>
      {benefit.status === 'ActivationFailed' && benefit.activation?.failure ? (
        <MessageBar intent="error">
          <MessageBarBody>
            {t('activation.failed', { detail: benefit.activation.failure.detail })}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <RoleGate action={action}>
        <div>
          <Button
            appearance="primary"
            disabled={activate.isPending}
            onClick={() => activate.mutate(undefined)}
          >
            {t('activation.activate')}
          </Button>
        </div>
        <ProblemMessage error={activate.error} action={action} />
      </RoleGate>
    </Stack>
  );
}

/** Advisory hours (presales) and support incidents, with the remaining balance. */
function ServiceRequestForm({ partnerId, benefit }: { partnerId: string; benefit: Benefit }) {
  const t = useT();
  const format = useFormat();
  const styles = useStyles();
  const presales = benefit.technicalKind === 'presales';
  const [topic, setTopic] = useState('');
  const [description, setDescription] = useState('');
  const [hours, setHours] = useState('1');
  const [area, setArea] = useState<'cloud' | 'onPremises' | 'azureNonCsp' | 'dynamics'>(
    benefit.technicalKind === 'signatureSupport' ? 'cloud' : 'onPremises',
  );
  const [done, setDone] = useState('');
  const file = useApiMutation({
    invalidate: [keys.benefits(partnerId), keys.serviceRequests(partnerId)],
    mutationFn: () =>
      call<Schemas['ServiceRequest']>(
        api.POST('/api/partners/{partnerId}/service-requests', {
          params: { path: { partnerId } },
          body: presales
            ? { type: 'AdvisoryHours', benefitId: benefit.id, topic, description, hours: Number(hours) }
            : {
                type: 'SupportIncident',
                benefitId: benefit.id,
                productArea: area,
                title: topic,
                description,
              },
        }),
      ),
    onSuccess: (r) => {
      setTopic('');
      setDescription('');
      setDone(r.id);
    },
  });
  if (benefit.status !== 'Active') return <p>{t('requests.activateFirst')}</p>;
  return (
    <RoleGate action="fileServiceRequest">
      <form
        aria-label={t(presales ? 'requests.advisoryTitle' : 'requests.incidentTitle')}
        onSubmit={(e) => {
          e.preventDefault();
          setDone('');
          file.mutate(undefined);
        }}
      >
        <Stack>
          <strong>{t(presales ? 'requests.advisoryTitle' : 'requests.incidentTitle')}</strong>
          <p>
            {presales
              ? t('requests.hoursRemaining', { hours: format.number(benefit.advisoryHoursRemaining) })
              : t('requests.incidentsRemaining', { count: format.number(benefit.incidentsRemaining) })}
          </p>
          <div className={styles.row}>
            <Field label={t(presales ? 'requests.topic' : 'requests.incidentTitleField')} required>
              <Input value={topic} onChange={(_, d) => setTopic(d.value)} required />
            </Field>
            {presales ? (
              <Field label={t('requests.hours')} required>
                <Input
                  type="number"
                  min={0.5}
                  step={0.5}
                  value={hours}
                  onChange={(_, d) => setHours(d.value)}
                  required
                />
              </Field>
            ) : (
              <Field label={t('requests.productArea')}>
                <Select value={area} onChange={(_, d) => setArea(d.value as typeof area)}>
                  {(['cloud', 'onPremises', 'azureNonCsp', 'dynamics'] as const).map((a) => (
                    <option key={a} value={a}>
                      {t(`area.${a}` as MessageKey)}
                    </option>
                  ))}
                </Select>
              </Field>
            )}
          </div>
          <Field label={t('requests.description')} required>
            <Textarea value={description} onChange={(_, d) => setDescription(d.value)} required />
          </Field>
          <div>
            <Button type="submit" appearance="primary" disabled={file.isPending}>
              {t('requests.submit')}
            </Button>
          </div>
          <ProblemMessage error={file.error} action="fileServiceRequest" />
          {done ? (
            <MessageBar intent="success">
              <MessageBarBody>
                {t('requests.filed')}{' '}
                <RouterLink to="/service-requests">{t('nav.serviceRequests')}</RouterLink>
              </MessageBarBody>
            </MessageBar>
          ) : null}
        </Stack>
      </form>
    </RoleGate>
  );
}

/** Software and license-based cloud benefits reveal product keys (docs/product.md §3). */
const hasKeys = (benefit: Benefit) =>
  benefit.category === 'software' || (benefit.category === 'cloud' && benefit.cloudKind === 'licenseBased');

export function BenefitDetails({ partnerId, benefit }: { partnerId: string; benefit: Benefit }) {
  const t = useT();
  const format = useFormat();
  const facts: Array<[string, string | number | undefined]> = [
    [t('details.activated'), benefit.activatedAt ? format.date(benefit.activatedAt) : undefined],
    [t('details.expires'), benefit.expiresAt ? format.date(benefit.expiresAt) : undefined],
    [t('details.accessId'), benefit.accessId],
    [t('details.contractId'), benefit.contractId],
    // The product's special instructions (catalog, in English like the product names; docs/product.md §3). Those of
    // a benefit with keys come with the keys (Get keys), so they are not listed twice.
    [t('keys.instructions'), hasKeys(benefit) ? undefined : benefit.instructions],
  ];
  return (
    <Stack>
      <Description items={facts} />
      {benefit.status === 'Cancelled' ? <p>{t('details.cancelled')}</p> : null}
      {benefit.status === 'Cancelled' || benefit.status === 'Expired' ? null : (
        <>
          {hasKeys(benefit) ? <GetKeys partnerId={partnerId} benefit={benefit} /> : null}
          {benefit.category === 'cloud' && benefit.cloudKind === 'usageBased' ? (
            <AssignYourself partnerId={partnerId} benefit={benefit} />
          ) : null}
          {benefit.category === 'visualStudio' ? <Seats partnerId={partnerId} benefit={benefit} /> : null}
          {benefit.category === 'technical' || benefit.category === 'goToMarket' ? (
            <Activate partnerId={partnerId} benefit={benefit} />
          ) : null}
          {benefit.category === 'technical' ? (
            <>
              <strong>{t('technical.contactTitle')}</strong>
              <Seats partnerId={partnerId} benefit={benefit} alternateEmail />
              <ServiceRequestForm partnerId={partnerId} benefit={benefit} />
            </>
          ) : null}
        </>
      )}
    </Stack>
  );
}
