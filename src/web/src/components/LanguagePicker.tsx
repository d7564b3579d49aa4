import { Select, useId } from '@fluentui/react-components';
import { LOCALES, LOCALE_NAMES, useLocale, useT, type Locale } from '../i18n/I18nProvider';

/** The language switch (remembered in localStorage). */
export function LanguagePicker() {
  const t = useT();
  const { locale, setLocale } = useLocale();
  const id = useId('language');
  return (
    <span style={{ display: 'inline-flex', alignItems: 'center', gap: 8 }}>
      <label htmlFor={id}>{t('nav.language')}</label>
      <Select id={id} value={locale} onChange={(_, d) => setLocale(d.value as Locale)}>
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LOCALE_NAMES[l]}
          </option>
        ))}
      </Select>
    </span>
  );
}
