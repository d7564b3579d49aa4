import { Link } from 'react-router';
import { Title2 } from '@fluentui/react-components';
import { useT } from '../i18n/I18nProvider';
import { usePageTitle } from '../components/common';

export default function NotFoundPage() {
  const t = useT();
  usePageTitle(t('notFound.title'));
  return (
    <>
      <Title2 as="h1">{t('notFound.title')}</Title2>
      <p>
        <Link to="/">{t('notFound.home')}</Link>
      </p>
    </>
  );
}
