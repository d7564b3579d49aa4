/** Every portal message exists in every locale, with the same ICU placeholders (docs/product.md §11). */
import { enUS } from '../../src/web/src/i18n/messages/en-US';
import { zhTW } from '../../src/web/src/i18n/messages/zh-TW';
import { zhCN } from '../../src/web/src/i18n/messages/zh-CN';
import { ruRU } from '../../src/web/src/i18n/messages/ru-RU';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test.each([
  ['zh-TW', zhTW],
  ['zh-CN', zhCN],
  ['ru-RU', ruRU],
] as const)(
  '%s has exactly the en-US keys, each translated with the same placeholders',
  (_locale, messages) => {
    const dict = messages as Record<string, string>;
    expect(Object.keys(dict).sort()).toEqual(Object.keys(enUS).sort());
    for (const [key, text] of Object.entries(enUS)) {
      expect({ key, empty: dict[key].trim() === '' }).toEqual({ key, empty: false });
      expect({ key, placeholders: placeholders(dict[key]) }).toEqual({
        key,
        placeholders: placeholders(text),
      });
    }
  },
);
