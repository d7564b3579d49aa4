/**
 * Languages of the portal (docs/product.md §11): en-US, zh-TW, zh-CN, ru-RU — picked from the browser,
 * switchable, remembered in localStorage. react-intl formats messages (ICU), and dates and numbers through
 * `Intl`. en-US is bundled; the other dictionaries load on demand.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { IntlProvider, useIntl } from 'react-intl';
import { enUS, type MessageKey, type Messages } from './messages/en-US';

export const LOCALES = ['en-US', 'zh-TW', 'zh-CN', 'ru-RU'] as const;
export type Locale = (typeof LOCALES)[number];
/** Each language named in itself, for the language picker. */
export const LOCALE_NAMES: Record<Locale, string> = {
  'en-US': 'English (United States)',
  'zh-TW': '中文 (台灣)',
  'zh-CN': '中文 (中国)',
  'ru-RU': 'Русский (Россия)',
};
const STORAGE_KEY = 'portal.locale';

/** Loads one locale's dictionary. */
async function loadMessages(locale: Locale): Promise<Messages> {
  switch (locale) {
    case 'zh-TW':
      return (await import('./messages/zh-TW')).zhTW;
    case 'zh-CN':
      return (await import('./messages/zh-CN')).zhCN;
    case 'ru-RU':
      return (await import('./messages/ru-RU')).ruRU;
    default:
      return enUS;
  }
}

/** The best supported locale for a list of browser languages (`navigator.languages`). */
function pickLocale(preferred: readonly string[]): Locale {
  for (const tag of preferred) {
    const lower = tag.toLowerCase();
    const exact = LOCALES.find((l) => l.toLowerCase() === lower);
    if (exact) return exact;
    if (/^zh-(hant|tw|hk|mo)/.test(lower)) return 'zh-TW';
    if (lower.startsWith('zh')) return 'zh-CN';
    if (lower.startsWith('ru')) return 'ru-RU';
    if (lower.startsWith('en')) return 'en-US';
  }
  return 'en-US';
}

function initialLocale(): Locale {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored && (LOCALES as readonly string[]).includes(stored)) return stored as Locale;
  } catch {
    // storage unavailable
  }
  return pickLocale(navigator.languages?.length ? navigator.languages : [navigator.language]);
}

const LocaleContext = createContext<{ locale: Locale; setLocale: (l: Locale) => void }>({
  locale: 'en-US',
  setLocale: () => undefined,
});

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  const [messages, setMessages] = useState<{ locale: Locale; messages: Messages } | null>(
    locale === 'en-US' ? { locale, messages: enUS } : null,
  );
  useEffect(() => {
    let alive = true;
    void loadMessages(locale).then((m) => alive && setMessages({ locale, messages: m }));
    document.documentElement.lang = locale;
    return () => {
      alive = false;
    };
  }, [locale]);
  const setLocale = useCallback((l: Locale) => {
    try {
      localStorage.setItem(STORAGE_KEY, l);
    } catch {
      // storage unavailable: the choice lasts for this page
    }
    setLocaleState(l);
  }, []);
  const value = useMemo(() => ({ locale, setLocale }), [locale, setLocale]);
  if (!messages) return null;
  return (
    <LocaleContext.Provider value={value}>
      <IntlProvider locale={messages.locale} defaultLocale="en-US" messages={messages.messages}>
        {children}
      </IntlProvider>
    </LocaleContext.Provider>
  );
}

export const useLocale = () => useContext(LocaleContext);

/** `t(key, values)`: a message of the current locale. Keys are checked by the compiler. */
export function useT() {
  const intl = useIntl();
  return useCallback(
    (id: MessageKey, values?: Record<string, string | number | Date>) => intl.formatMessage({ id }, values),
    [intl],
  );
}

/** Dates (`Intl.DateTimeFormat`) in the current locale; `undefined` → "—". */
export function useFormat() {
  const intl = useIntl();
  return useMemo(
    () => ({
      date: (iso?: string | null) => (iso ? intl.formatDate(iso, { dateStyle: 'medium' }) : '—'),
      dateTime: (iso?: string | null) =>
        iso ? intl.formatDate(iso, { dateStyle: 'medium', timeStyle: 'short' }) : '—',
      number: (n?: number | null) => (n === undefined || n === null ? '—' : intl.formatNumber(n)),
    }),
    [intl],
  );
}
