import { LOCALES, type Locale } from '../../src/domain/types';
import type { EmailKind } from '../../src/email/port';
import {
  MESSAGES,
  MESSAGE_KEYS,
  escapeHtml,
  placeholdersOf,
  renderEmail,
  resolveLocale,
  type EmailTemplateData,
} from '../../src/email/templates';

const SAMPLES: { [K in EmailKind]: EmailTemplateData[K] } = {
  contactVerification: {
    recipientName: 'Ada Lovelace',
    partnerName: 'Contoso Ltd',
    token: 'tok_9f8e7d6c5b4a39281706f5e4d3c2b1a0',
    verifyUrl: 'https://benefits.example/verify?token=tok_9f8e7d6c5b4a39281706f5e4d3c2b1a0',
    expiresAt: '2027-03-15T10:00:00Z',
  },
  gtmInstructions: {
    recipientName: 'Grace Hopper',
    partnerName: 'Fabrikam Inc',
    offerType: 'Gold Core',
    expiresAt: '2027-06-30T00:00:00Z',
  },
  technicalInstructions: {
    recipientName: 'Alan Turing',
    partnerName: 'Adatum Corp',
    productName: 'Signature Cloud Support',
    accessId: 'ACC-1234-5678',
    contractId: 'CTR-8765-4321',
    sentTo: 'contact',
  },
  vsAssignment: {
    recipientName: 'Edsger Dijkstra',
    partnerName: 'Northwind Traders',
    productName: 'Visual Studio Enterprise',
    message: 'Welcome aboard, use it for the pilot project.',
  },
  expiryNotice: {
    recipientName: 'Barbara Liskov',
    partnerName: 'Contoso Ltd',
    productName: 'Silver Core Go-To-Market offer',
    expiredAt: '2026-11-24T08:00:00Z',
  },
  benefitExpiryReminder: {
    recipientName: 'Donald Knuth',
    partnerName: 'Fabrikam, Inc.',
    productName: 'Go-To-Market: Silver Core',
    expiresAt: '2026-12-06T12:00:00Z',
    benefitsUrl: 'https://benefits.example/benefits',
  },
  membershipExpiryReminder: {
    recipientName: 'Frances Allen',
    partnerName: 'Fabrikam, Inc.',
    level: 'Silver',
    expiresAt: '2027-01-15T12:00:00Z',
    closesAt: '2027-02-14T12:00:00Z',
    renewUrl: 'https://benefits.example/benefits',
  },
  lastSeatNotice: {
    recipientName: 'Ken Thompson',
    partnerName: 'Adatum Corp',
    productName: 'Visual Studio Professional subscription',
    seats: 5,
    seatsFree: 1,
    benefitsUrl: 'https://benefits.example/benefits',
  },
};

/**
 * The raw (non-date) values each message must show (numbers as written; `seatsFree` chooses the wording instead of
 * being shown).
 */
function expectedValues<K extends EmailKind>(kind: K): string[] {
  const data = SAMPLES[kind] as Record<string, string | number | undefined>;
  return Object.entries(data)
    .filter(([k, v]) => v !== undefined && !k.endsWith('At') && !['seatsFree', 'sentTo'].includes(k))
    .map(([, v]) => String(v));
}

const KINDS = Object.keys(SAMPLES) as EmailKind[];

describe('renderEmail', () => {
  describe.each(KINDS)('%s', (kind) => {
    it.each(LOCALES)('renders %s with subject, html and plain text holding the data', (locale) => {
      const r = renderEmail(kind, locale, SAMPLES[kind]);
      expect(r.locale).toBe(locale);
      expect(r.subject.trim()).not.toBe('');
      expect(r.subject).not.toMatch(/[\r\n]/);
      expect(r.html).toContain(`<html lang="${locale}">`);
      expect(r.plainText.trim()).not.toBe('');
      for (const value of expectedValues(kind)) {
        expect(r.plainText).toContain(value);
        expect(r.html).toContain(escapeHtml(value));
      }
      const iso =
        (SAMPLES[kind] as { expiresAt?: string; expiredAt?: string }).expiresAt ??
        (SAMPLES[kind] as { expiredAt?: string }).expiredAt;
      if (iso) {
        const year = iso.slice(0, 4);
        expect(r.plainText).toContain(year);
        expect(r.html).toContain(year);
        expect(r.plainText).not.toContain(iso); // formatted for the locale, not raw ISO
      }
      expect(r.plainText).not.toMatch(/\{\w+\}/);
      expect(r.html).not.toMatch(/\{\w+\}/);
      expect(r.plainText).not.toMatch(/<\w+/);
    });
  });

  it('never puts the verification token in the subject (the subject is logged)', () => {
    for (const locale of LOCALES) {
      expect(renderEmail('contactVerification', locale, SAMPLES.contactVerification).subject).not.toContain(
        SAMPLES.contactVerification.token,
      );
    }
  });

  it('escapes a <script> in the recipient name in the html body', () => {
    const evil = '<script>alert("x")</script> & Co';
    for (const kind of KINDS) {
      const r = renderEmail(kind, 'en-US', {
        ...SAMPLES[kind],
        recipientName: evil,
        partnerName: `<b>${evil}</b>`,
      });
      expect(r.html).not.toContain('<script>');
      expect(r.html).not.toContain('<b>');
      expect(r.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
      expect(r.plainText).toContain(evil); // plain text stays plain
    }
  });

  it('escapes the admin message and the verify URL attribute', () => {
    const vs = renderEmail('vsAssignment', 'en-US', {
      ...SAMPLES.vsAssignment,
      message: '<img src=x onerror=alert(1)>',
    });
    expect(vs.html).not.toContain('<img');
    expect(vs.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const cv = renderEmail('contactVerification', 'en-US', {
      ...SAMPLES.contactVerification,
      verifyUrl: 'https://x.example/v?a=1&b="2"',
    });
    expect(cv.html).toContain('href="https://x.example/v?a=1&amp;b=&quot;2&quot;"');
  });

  it('omits the admin message block when there is none', () => {
    const { message: _m, ...noMessage } = SAMPLES.vsAssignment;
    const r = renderEmail('vsAssignment', 'en-US', noMessage);
    expect(r.plainText).not.toContain(MESSAGES['en-US']['vsAssignment.messageLabel']);
  });

  it('refuses a verification URL that is not http(s) and a date that is not ISO 8601', () => {
    expect(() =>
      renderEmail('contactVerification', 'en-US', {
        ...SAMPLES.contactVerification,
        verifyUrl: 'javascript:alert(1)',
      }),
    ).toThrow(/http/);
    expect(() =>
      renderEmail('expiryNotice', 'en-US', { ...SAMPLES.expiryNotice, expiredAt: 'yesterday' }),
    ).toThrow(/ISO 8601/);
  });

  it.each([['fr-FR'], [undefined], [''], ['zh']])('falls back to en-US for %p', (locale) => {
    const r = renderEmail('expiryNotice', locale, SAMPLES.expiryNotice);
    expect(r.locale).toBe('en-US');
    expect(r).toEqual(renderEmail('expiryNotice', 'en-US', SAMPLES.expiryNotice));
  });

  it('matches locales case-insensitively', () => {
    expect(resolveLocale('zh-tw')).toBe('zh-TW');
    expect(resolveLocale('RU-ru')).toBe('ru-RU');
  });
});

describe('message dictionaries', () => {
  it.each(LOCALES)(
    '%s has exactly the en-US keys, non-empty, with the same placeholders',
    (locale: Locale) => {
      const dict = MESSAGES[locale];
      expect(Object.keys(dict).sort()).toEqual([...MESSAGE_KEYS].sort());
      for (const key of MESSAGE_KEYS) {
        expect(dict[key].trim()).not.toBe('');
        expect(placeholdersOf(dict[key]).sort()).toEqual(placeholdersOf(MESSAGES['en-US'][key]).sort());
      }
    },
  );

  it.each(LOCALES.filter((l) => l !== 'en-US'))(
    '%s is translated (every string differs from en-US)',
    (locale) => {
      for (const key of MESSAGE_KEYS) {
        expect({ key, text: MESSAGES[locale][key] }).not.toEqual({ key, text: MESSAGES['en-US'][key] });
      }
      for (const kind of KINDS) {
        const en = renderEmail(kind, 'en-US', SAMPLES[kind]);
        const other = renderEmail(kind, locale, SAMPLES[kind]);
        expect(other.subject).not.toBe(en.subject);
        expect(other.plainText).not.toBe(en.plainText);
      }
    },
  );

  it('tells a last-seat notice truthfully whether one seat or none is left, in every locale', () => {
    for (const locale of LOCALES) {
      const one = renderEmail('lastSeatNotice', locale, SAMPLES.lastSeatNotice);
      const none = renderEmail('lastSeatNotice', locale, { ...SAMPLES.lastSeatNotice, seatsFree: 0 });
      const dict = MESSAGES[locale];
      const intro = (key: 'lastSeatNotice.introOne' | 'lastSeatNotice.introNone') =>
        dict[key]
          .replace('{seats}', '5')
          .replace('{productName}', SAMPLES.lastSeatNotice.productName)
          .replace('{partnerName}', SAMPLES.lastSeatNotice.partnerName);
      expect(one.plainText).toContain(intro('lastSeatNotice.introOne'));
      expect(one.plainText).not.toContain(intro('lastSeatNotice.introNone'));
      expect(none.plainText).toContain(intro('lastSeatNotice.introNone'));
    }
  });

  it('gives the membership reminder its renewal link and both dates, formatted for the locale', () => {
    const ru = renderEmail('membershipExpiryReminder', 'ru-RU', SAMPLES.membershipExpiryReminder);
    expect(ru.plainText).toContain('15 января 2027');
    expect(ru.plainText).toContain('14 февраля 2027');
    expect(ru.plainText).toContain('https://benefits.example/benefits');
    expect(ru.html).toContain('href="https://benefits.example/benefits"');
    const en = renderEmail('membershipExpiryReminder', 'en-US', SAMPLES.membershipExpiryReminder);
    expect(en.plainText).toContain('January 15, 2027');
    expect(en.plainText).toContain('February 14, 2027');
    expect(() =>
      renderEmail('membershipExpiryReminder', 'en-US', {
        ...SAMPLES.membershipExpiryReminder,
        renewUrl: 'javascript:alert(1)',
      }),
    ).toThrow(/http/);
  });

  it('keeps product names in English in every locale', () => {
    for (const locale of LOCALES) {
      expect(renderEmail('vsAssignment', locale, SAMPLES.vsAssignment).subject).toContain(
        'Visual Studio Enterprise',
      );
    }
  });
});

describe('truthful instructions (docs/product.md §3, §7)', () => {
  it.each(LOCALES)(
    '%s: the Go-To-Market email names the offer once in its body, and never as "Go-To-Market: <offer>"',
    (locale) => {
      const r = renderEmail('gtmInstructions', locale, SAMPLES.gtmInstructions);
      expect(r.plainText.split('Gold Core')).toHaveLength(2);
      expect(r.subject.split('Gold Core')).toHaveLength(2);
      expect(r.plainText).not.toContain('Go-To-Market: Gold Core');
    },
  );

  it.each(LOCALES)('%s: technical instructions say who received them', (locale) => {
    const toContact = renderEmail('technicalInstructions', locale, SAMPLES.technicalInstructions);
    const toRequester = renderEmail('technicalInstructions', locale, {
      ...SAMPLES.technicalInstructions,
      sentTo: 'requester',
    });
    const dict = MESSAGES[locale];
    expect(toContact.plainText).toContain(dict['technicalInstructions.safeguard']);
    expect(toContact.plainText).not.toContain(dict['technicalInstructions.requester']);
    expect(toRequester.plainText).toContain(dict['technicalInstructions.requester']);
    expect(toRequester.plainText).not.toContain(dict['technicalInstructions.safeguard']);
  });
});
