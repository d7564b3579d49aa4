/** Which language an email to a person is written in (docs/product.md §7). */
import type { Locale, Partner, User } from './types';

/**
 * The language of an email to `user` of `partner`: the user's own `preferredLanguage`, else the partner's, else
 * undefined (the templates fall back to en-US). Never the marketing contact's: that is the language of emails to
 * the marketing contact only.
 */
export function recipientLocale(
  user: Pick<User, 'preferredLanguage'> | undefined,
  partner: Pick<Partner, 'preferredLanguage'>,
): Locale | undefined {
  return user?.preferredLanguage ?? partner.preferredLanguage;
}
