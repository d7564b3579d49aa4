/**
 * The public contact-verification page (docs/product.md §7, §11): the emailed link opens
 * `/verify-contact#token=…`. The page looks the token up (read-only: it names the partner and the address)
 * and asks the person to Confirm; only the click verifies. Opening the link changes nothing (mail scanners
 * open links). Without a token in the link, the code from the email can be typed in.
 */
import { useEffect, useState } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Title1,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { api, call } from '../api/client';
import { useT } from '../i18n/I18nProvider';
import { LanguagePicker } from '../components/LanguagePicker';
import { Loading, ProblemMessage, Stack, usePageTitle } from '../components/common';

const useStyles = makeStyles({
  page: { padding: tokens.spacingHorizontalXXL, maxWidth: '720px' },
  top: { display: 'flex', justifyContent: 'space-between', alignItems: 'center', flexWrap: 'wrap' },
});

function tokenFromHash(): string {
  return new URLSearchParams(window.location.hash.replace(/^#/, '')).get('token') ?? '';
}

export default function VerifyContactPage() {
  const t = useT();
  const styles = useStyles();
  usePageTitle(t('verify.title'));
  const [token, setToken] = useState(tokenFromHash);
  const [typed, setTyped] = useState('');
  useEffect(() => {
    // Keep the token out of the address bar and history once read.
    if (window.location.hash) history.replaceState(null, '', window.location.pathname);
  }, []);
  const lookup = useQuery({
    queryKey: ['contact-lookup', token],
    enabled: !!token,
    retry: false,
    queryFn: () => call(api.POST('/api/contact-verifications/lookup', { body: { token } })),
  });
  const confirm = useMutation({
    mutationFn: () => call(api.POST('/api/contact-verifications', { body: { token } })),
  });
  return (
    <main className={styles.page}>
      <div className={styles.top}>
        <Title1 as="h1">{t('verify.title')}</Title1>
        <LanguagePicker />
      </div>
      {!token ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setToken(typed.trim());
          }}
        >
          <Stack>
            <p>{t('verify.enterCode')}</p>
            <Field label={t('verify.code')} required>
              <Input value={typed} onChange={(_, d) => setTyped(d.value)} required />
            </Field>
            <div>
              <Button type="submit" appearance="primary">
                {t('verify.continue')}
              </Button>
            </div>
          </Stack>
        </form>
      ) : lookup.isPending ? (
        <Loading />
      ) : lookup.error ? (
        <Stack>
          <ProblemMessage error={lookup.error} />
          <p>{t('verify.askAgain')}</p>
        </Stack>
      ) : confirm.isSuccess ? (
        <MessageBar intent="success" role="status">
          <MessageBarBody>
            <MessageBarTitle>{t('verify.done')}</MessageBarTitle>
            {t('verify.doneBody', { email: lookup.data.email, partner: lookup.data.partnerName })}
          </MessageBarBody>
        </MessageBar>
      ) : (
        <Stack>
          <p>
            {t(
              lookup.data.contact === 'marketing' ? 'verify.questionMarketing' : 'verify.questionTechnical',
              {
                email: lookup.data.email,
                partner: lookup.data.partnerName,
              },
            )}
          </p>
          <div>
            <Button appearance="primary" disabled={confirm.isPending} onClick={() => confirm.mutate()}>
              {t('verify.confirm')}
            </Button>
          </div>
          <ProblemMessage error={confirm.error} />
        </Stack>
      )}
    </main>
  );
}
