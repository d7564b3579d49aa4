/**
 * The marketing contact at the top of the Go-To-Market tab (seeds: "select Add, Update, or Change"): pick a
 * user, an email different from their account email, phone and preferred language → Assign user. Setting a
 * new email sends a verification email; the state shows here.
 */
import { useState } from 'react';
import { Link as RouterLink } from 'react-router';
import {
  Badge,
  Button,
  Card,
  Field,
  Input,
  Select,
  Title3,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { api, call, type Partner } from '../../api/client';
import { LOCALES, LOCALE_NAMES, useT } from '../../i18n/I18nProvider';
import { Loading, ProblemMessage, RoleGate, Stack, useApiMutation } from '../../components/common';
import { keys, usePartner, useUsers } from '../../data';

const useStyles = makeStyles({
  card: { marginTop: tokens.spacingVerticalM, maxWidth: '760px' },
  row: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'end' },
});

type Contact = NonNullable<Partner['marketingContact']>;

function ContactForm({
  partnerId,
  current,
  change,
  onClose,
}: {
  partnerId: string;
  current?: Contact;
  change: boolean;
  onClose: () => void;
}) {
  const t = useT();
  const styles = useStyles();
  const users = useUsers(partnerId);
  const [userId, setUserId] = useState(change ? '' : (current?.userId ?? ''));
  const [email, setEmail] = useState(change ? '' : (current?.email ?? ''));
  const [phone, setPhone] = useState(change ? '' : (current?.phone ?? ''));
  const [language, setLanguage] = useState<string>(current?.preferredLanguage ?? 'en-US');
  const save = useApiMutation({
    invalidate: [keys.partner(partnerId)],
    mutationFn: () =>
      call(
        api.PUT('/api/partners/{partnerId}/marketing-contact', {
          params: { path: { partnerId } },
          body: { userId, email, phone, preferredLanguage: language as (typeof LOCALES)[number] },
        }),
      ),
    onSuccess: onClose,
  });
  return (
    <form
      aria-label={t('contact.formLabel')}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(undefined);
      }}
    >
      <Stack>
        <div className={styles.row}>
          <Field label={t('seats.user')} required>
            <Select value={userId} onChange={(_, d) => setUserId(d.value)} required>
              <option value="">{t('seats.chooseUser')}</option>
              {(users.data ?? []).map((u) => (
                <option key={u.id} value={u.id}>
                  {u.displayName} ({u.accountEmail})
                </option>
              ))}
            </Select>
          </Field>
          <Field label={t('contact.email')} required hint={t('contact.emailHint')}>
            <Input type="email" value={email} onChange={(_, d) => setEmail(d.value)} required />
          </Field>
          <Field label={t('contact.phone')} required hint={t('contact.phoneHint')}>
            <Input type="tel" value={phone} onChange={(_, d) => setPhone(d.value)} required />
          </Field>
          <Field label={t('contact.language')}>
            <Select value={language} onChange={(_, d) => setLanguage(d.value)}>
              {LOCALES.map((l) => (
                <option key={l} value={l} lang={l}>
                  {LOCALE_NAMES[l]}
                </option>
              ))}
            </Select>
          </Field>
        </div>
        <div className={styles.row}>
          <Button type="submit" appearance="primary" disabled={save.isPending}>
            {t('seats.assignUser')}
          </Button>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
        </div>
        <ProblemMessage error={save.error} action="setMarketingContact" />
        <RouterLink to="/settings/users">{t('seats.addUsers')}</RouterLink>
      </Stack>
    </form>
  );
}

export function MarketingContactSection({ partnerId }: { partnerId: string }) {
  const t = useT();
  const styles = useStyles();
  const partner = usePartner(partnerId);
  const users = useUsers(partnerId);
  const [editing, setEditing] = useState<'add' | 'update' | 'change' | null>(null);
  const contact = partner.data?.marketingContact;
  const user = users.data?.find((u) => u.id === contact?.userId);
  return (
    <Card className={styles.card}>
      <Title3 as="h2">{t('contact.title')}</Title3>
      {partner.isPending ? (
        <Loading />
      ) : partner.error ? (
        <ProblemMessage error={partner.error} />
      ) : (
        <Stack>
          {contact ? (
            <p>
              {user ? `${user.displayName} (${user.accountEmail})` : contact.userId} · {contact.email} ·{' '}
              {contact.phone} · {LOCALE_NAMES[contact.preferredLanguage]}{' '}
              <Badge appearance="tint" color={contact.status === 'Verified' ? 'success' : 'warning'}>
                {t(contact.status === 'Verified' ? 'contact.Verified' : 'contact.PendingVerification')}
              </Badge>
            </p>
          ) : (
            <p>{t('contact.none')}</p>
          )}
          {contact && contact.status !== 'Verified' ? (
            <p>{t('contact.pendingHint', { email: contact.email })}</p>
          ) : null}
          <RoleGate action="setMarketingContact">
            {editing ? (
              <ContactForm
                partnerId={partnerId}
                current={contact}
                change={editing === 'change'}
                onClose={() => setEditing(null)}
              />
            ) : contact ? (
              <div className={styles.row}>
                <Button onClick={() => setEditing('update')}>{t('contact.update')}</Button>
                <Button onClick={() => setEditing('change')}>{t('contact.change')}</Button>
              </div>
            ) : (
              <div>
                <Button appearance="primary" onClick={() => setEditing('add')}>
                  {t('contact.add')}
                </Button>
              </div>
            )}
          </RoleGate>
        </Stack>
      )}
    </Card>
  );
}
