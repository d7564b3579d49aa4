/** Which language an email to a person is written in (docs/product.md §7): the rule lives in the domain. */
export { recipientLocale } from '../domain/recipientLocale';
