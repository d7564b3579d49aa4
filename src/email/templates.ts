/**
 * Localized email templates (docs/product.md §7): every message in en-US (default and fallback), zh-TW,
 * zh-CN and ru-RU, each with an HTML body (every interpolated value HTML-escaped) and a plain-text
 * body. Pure: no I/O, no Azure imports.
 */
import { DateTime } from 'luxon';
import { LOCALES, type Locale } from '../domain/types';
import type { EmailKind } from './port';

/**
 * The data each message needs (docs/product.md §3, §6 step 4, §7, §8). Dates are ISO 8601 strings; they are
 * rendered in the recipient's locale. Product and offer names are shown as given (English).
 */
export interface EmailTemplateData {
  /** Onboarding of a marketing contact or a technical contact's alternate email (docs/product.md §7). */
  contactVerification: {
    recipientName: string;
    partnerName: string;
    /** The single-use verification token, shown so it can be typed in if the link fails. */
    token: string;
    /** Absolute http(s) URL of the verification page (usually carrying the token). */
    verifyUrl: string;
    /** ISO 8601 instant at which the token expires (7 days after issue, docs/product.md §7). */
    expiresAt: string;
  };
  /**
   * Go-To-Market activation instructions to the marketing contact (docs/product.md §3, §6 step 4). The offer
   * is named once, by its offer type (the catalog's product name of an offer is only "Go-To-Market: <offer
   * type>").
   */
  gtmInstructions: {
    recipientName: string;
    partnerName: string;
    /** e.g. "Gold Core", "Silver Core", "ISV Co-sell ready". */
    offerType: string;
    /** ISO 8601 instant until which the offer is active. */
    expiresAt: string;
  };
  /**
   * Technical benefit activation: how to reach Microsoft Product Support (docs/product.md §3, §6 step 4).
   * `sentTo` says who got it, so the message is truthful: `contact` = the technical contact's alternate and
   * account emails ("as a safeguard"); `requester` = no contact is assigned, only the person who requested
   * the activation.
   */
  technicalInstructions: {
    recipientName: string;
    partnerName: string;
    productName: string;
    accessId: string;
    contractId: string;
    sentTo: 'contact' | 'requester';
  };
  /** A Visual Studio subscription was assigned to the recipient (docs/product.md §3). */
  vsAssignment: {
    recipientName: string;
    partnerName: string;
    productName: string;
    /** Optional communication from the assigning admin (product). */
    message?: string;
  };
  /** A benefit expired (docs/product.md §8). */
  expiryNotice: {
    recipientName: string;
    partnerName: string;
    productName: string;
    /** ISO 8601 instant at which the benefit expired. */
    expiredAt: string;
  };
  /** A benefit expires soon: 30 or 7 days before its `expiresAt` (docs/product.md §12). */
  benefitExpiryReminder: {
    recipientName: string;
    partnerName: string;
    productName: string;
    /** ISO 8601 instant at which the benefit expires. */
    expiresAt: string;
    /** Absolute http(s) URL of the portal's Benefits page. */
    benefitsUrl: string;
  };
  /**
   * The membership expires soon: 60 or 14 days before its `expiresAt` (docs/product.md §12), with the renewal
   * link.
   */
  membershipExpiryReminder: {
    recipientName: string;
    partnerName: string;
    /** The membership level as shown to people, e.g. "Gold", "Action Pack". */
    level: string;
    /** ISO 8601 instant at which the membership ends. */
    expiresAt: string;
    /** ISO 8601 instant at which the renewal window closes (30 days of grace after `expiresAt`). */
    closesAt: string;
    /** Absolute http(s) URL of the portal page where the membership is renewed. */
    renewUrl: string;
  };
  /** A seat-limited benefit reached its last free seat (docs/product.md §12). */
  lastSeatNotice: {
    recipientName: string;
    partnerName: string;
    productName: string;
    /** Seats of the benefit in total. */
    seats: number;
    /** Seats still free when the notice is written: 1, or 0 if the last one went meanwhile. */
    seatsFree: number;
    /** Absolute http(s) URL of the portal's Benefits page. */
    benefitsUrl: string;
  };
}

/** A rendered message: subject, both bodies, and the locale actually used (after fallback). */
export interface RenderedEmail {
  subject: string;
  html: string;
  plainText: string;
  locale: Locale;
}

/** The default and fallback locale (docs/product.md §7). */
const DEFAULT_LOCALE: Locale = 'en-US';

/** The portal where Visual Studio subscribers manage their subscription. */
const VISUAL_STUDIO_PORTAL_URL = 'https://my.visualstudio.com';

const EN_US = {
  'common.greeting': 'Hello {recipientName},',
  'common.signature': 'The Microsoft Partner Network benefits team',
  'common.footer':
    'You received this message because of your role at {partnerName} in the Microsoft Partner Network. This mailbox is not monitored; please do not reply.',

  'contactVerification.subject': 'Verify your contact email for {partnerName}',
  'contactVerification.intro':
    '{partnerName} has named this email address as its marketing or technical contact in the Microsoft Partner Network. Please confirm that this address belongs to you.',
  'contactVerification.action': 'Verify email address',
  'contactVerification.tokenLabel': 'Verification code',
  'contactVerification.tokenHint':
    'If the button does not work, open {verifyUrl} and enter the verification code above.',
  'contactVerification.expiry': 'The link and the code can be used once and expire on {expiresAt}.',
  'contactVerification.ignore':
    'If you did not expect this message, you can ignore it: nothing changes until the address is verified.',

  'gtmInstructions.subject': 'Instructions for your Go-To-Market offer: {offerType}',
  'gtmInstructions.intro':
    'The {offerType} Go-To-Market offer of {partnerName} has been activated, and you are its marketing contact.',
  'gtmInstructions.stepsTitle': 'How to use your offer:',
  'gtmInstructions.step1': 'Sign in to Partner Center.',
  'gtmInstructions.step2':
    'Select Benefits, then Go-To-Market, to see the offers associated with your membership.',
  'gtmInstructions.step3': 'Open the offer and follow its instructions to plan and launch your campaign.',
  'gtmInstructions.activeUntil': 'The offer is active until {expiresAt}.',

  'technicalInstructions.subject': 'How to access Microsoft Product Support: {productName}',
  'technicalInstructions.intro':
    'The technical benefit {productName} of {partnerName} has been activated. Use the details below to access Microsoft Product Support.',
  'technicalInstructions.accessIdLabel': 'Access ID',
  'technicalInstructions.contractIdLabel': 'Contract ID',
  'technicalInstructions.usage':
    'Share the Access ID and Contract ID when you submit a support request for On-premises, Azure (non-CSP) and Dynamics products. You can also find them in Partner Center by expanding the technical benefit.',
  'technicalInstructions.safeguard':
    'As a safeguard, this message is sent to your alternate email as well as your account email.',
  'technicalInstructions.requester':
    'No technical contact is assigned to this benefit, so this message was sent only to you, as the person who requested the activation. Assign a technical contact with an alternate email to have these details sent to both of their addresses.',

  'vsAssignment.subject': 'You have been assigned a Visual Studio subscription: {productName}',
  'vsAssignment.intro':
    '{partnerName} has assigned you a Visual Studio subscription ({productName}) as a Microsoft Partner Network benefit.',
  'vsAssignment.manage':
    'Sign in to the Visual Studio subscriptions portal with this email address to download software, activate your monthly Azure credit and manage your subscription.',
  'vsAssignment.portalAction': 'Open the Visual Studio portal',
  'vsAssignment.messageLabel': 'Message from your administrator:',

  'expiryNotice.subject': 'Your benefit has expired: {productName}',
  'expiryNotice.intro': 'The benefit {productName} of {partnerName} expired on {expiredAt}.',
  'expiryNotice.next':
    'Expired benefits can no longer be used. To keep using it, renew your membership or buy the benefits package again in Partner Center.',

  'benefitExpiryReminder.subject': 'Your benefit expires soon: {productName}',
  'benefitExpiryReminder.intro': 'The benefit {productName} of {partnerName} expires on {expiresAt}.',
  'benefitExpiryReminder.next':
    'After that date it can no longer be used. To keep such benefits, renew your membership or buy the benefits package again in the benefits portal.',
  'benefitExpiryReminder.action': 'Open your benefits',

  'membershipExpiryReminder.subject': 'Your membership expires soon: {partnerName}',
  'membershipExpiryReminder.intro':
    'The {level} membership of {partnerName} in the Microsoft Partner Network expires on {expiresAt}.',
  'membershipExpiryReminder.renew':
    'Renew it before then to keep purchasing and activating benefits. Renewal is open until {closesAt} and adds 12 months to the end date.',
  'membershipExpiryReminder.action': 'Renew membership',

  'lastSeatNotice.subject': 'Last free seat: {productName}',
  'lastSeatNotice.introOne': 'Only one of the {seats} seats of {productName} of {partnerName} is still free.',
  'lastSeatNotice.introNone': 'All {seats} seats of {productName} of {partnerName} are now assigned.',
  'lastSeatNotice.next':
    'Once all seats are taken, remove a user from a seat to give it to someone else: seats can be reassigned at any time.',
  'lastSeatNotice.action': 'Manage seats',
} as const;

/** Every message key; each locale's dictionary has exactly these keys (checked by the compiler and tests). */
export type MessageKey = keyof typeof EN_US;
/** One locale's strings. `{name}` marks a placeholder filled from the template data. */
export type MessageDictionary = Readonly<Record<MessageKey, string>>;

const ZH_TW: MessageDictionary = {
  'common.greeting': '{recipientName} 您好：',
  'common.signature': 'Microsoft 合作夥伴網路權益小組',
  'common.footer':
    '您收到此郵件，是因為您在 Microsoft 合作夥伴網路中擔任 {partnerName} 的相關角色。此信箱無人監看，請勿直接回覆。',

  'contactVerification.subject': '請驗證您在 {partnerName} 的聯絡人電子郵件',
  'contactVerification.intro':
    '{partnerName} 已將此電子郵件地址指定為其在 Microsoft 合作夥伴網路中的行銷或技術聯絡人。請確認此地址屬於您。',
  'contactVerification.action': '驗證電子郵件地址',
  'contactVerification.tokenLabel': '驗證碼',
  'contactVerification.tokenHint': '如果按鈕無法使用，請開啟 {verifyUrl} 並輸入上方的驗證碼。',
  'contactVerification.expiry': '此連結與驗證碼只能使用一次，並將於 {expiresAt} 到期。',
  'contactVerification.ignore': '如果您並未預期收到此郵件，可以忽略它；在地址驗證之前不會有任何變更。',

  'gtmInstructions.subject': '您的市場推廣 (Go-To-Market) 優惠使用說明：{offerType}',
  'gtmInstructions.intro':
    '{partnerName} 的 {offerType} 市場推廣 (Go-To-Market) 優惠已啟用，您是此優惠的行銷聯絡人。',
  'gtmInstructions.stepsTitle': '如何使用您的優惠：',
  'gtmInstructions.step1': '登入合作夥伴中心。',
  'gtmInstructions.step2': '選取 [權益]，然後選取 [Go-To-Market]，查看與您的會員資格相關的優惠。',
  'gtmInstructions.step3': '開啟此優惠，依照其中的說明規劃並啟動您的行銷活動。',
  'gtmInstructions.activeUntil': '此優惠的有效期限至 {expiresAt}。',

  'technicalInstructions.subject': '如何存取 Microsoft 產品支援：{productName}',
  'technicalInstructions.intro':
    '{partnerName} 的技術權益 {productName} 已啟用。請使用下列資訊存取 Microsoft 產品支援。',
  'technicalInstructions.accessIdLabel': '存取識別碼 (Access ID)',
  'technicalInstructions.contractIdLabel': '合約識別碼 (Contract ID)',
  'technicalInstructions.usage':
    '針對內部部署、Azure (非 CSP) 及 Dynamics 產品提交支援要求時，請提供存取識別碼和合約識別碼。您也可以在合作夥伴中心展開該技術權益來查看這些資訊。',
  'technicalInstructions.safeguard': '為安全起見，此郵件會同時寄送至您的備用電子郵件地址與帳戶電子郵件地址。',
  'technicalInstructions.requester':
    '此權益尚未指派技術聯絡人，因此本郵件僅寄送給您（提出啟用要求的人）。指派具有備用電子郵件地址的技術聯絡人後，這些資訊會同時寄送至其兩個地址。',

  'vsAssignment.subject': '您已獲指派 Visual Studio 訂閱：{productName}',
  'vsAssignment.intro':
    '{partnerName} 已將 Visual Studio 訂閱 ({productName}) 指派給您，作為 Microsoft 合作夥伴網路權益。',
  'vsAssignment.manage':
    '請使用此電子郵件地址登入 Visual Studio 訂閱入口網站，以下載軟體、啟用每月 Azure 點數並管理您的訂閱。',
  'vsAssignment.portalAction': '開啟 Visual Studio 入口網站',
  'vsAssignment.messageLabel': '系統管理員的訊息：',

  'expiryNotice.subject': '您的權益已到期：{productName}',
  'expiryNotice.intro': '{partnerName} 的權益 {productName} 已於 {expiredAt} 到期。',
  'expiryNotice.next':
    '已到期的權益無法再使用。若要繼續使用，請在合作夥伴中心續約會員資格或再次購買權益套件。',

  'benefitExpiryReminder.subject': '您的權益即將到期：{productName}',
  'benefitExpiryReminder.intro': '{partnerName} 的權益 {productName} 將於 {expiresAt} 到期。',
  'benefitExpiryReminder.next':
    '到期後將無法再使用。若要保留此類權益，請在權益入口網站續約會員資格或再次購買權益套件。',
  'benefitExpiryReminder.action': '開啟您的權益',

  'membershipExpiryReminder.subject': '您的會員資格即將到期：{partnerName}',
  'membershipExpiryReminder.intro':
    '{partnerName} 在 Microsoft 合作夥伴網路中的 {level} 會員資格將於 {expiresAt} 到期。',
  'membershipExpiryReminder.renew':
    '請在此之前續約，以便繼續購買及啟用權益。續約開放至 {closesAt}，續約後到期日將延長 12 個月。',
  'membershipExpiryReminder.action': '續約會員資格',

  'lastSeatNotice.subject': '僅剩最後一個可用席位：{productName}',
  'lastSeatNotice.introOne': '{partnerName} 的 {productName} 共有 {seats} 個席位，目前僅剩一個可用。',
  'lastSeatNotice.introNone': '{partnerName} 的 {productName} 共有 {seats} 個席位，現已全部指派。',
  'lastSeatNotice.next':
    '席位全部指派後，若要將席位提供給其他人，請先從席位中移除使用者；席位可隨時重新指派。',
  'lastSeatNotice.action': '管理席位',
};

const ZH_CN: MessageDictionary = {
  'common.greeting': '{recipientName}，您好：',
  'common.signature': 'Microsoft 合作伙伴网络权益团队',
  'common.footer':
    '您收到此邮件，是因为您在 Microsoft 合作伙伴网络中担任 {partnerName} 的相关角色。此邮箱无人监控，请勿直接回复。',

  'contactVerification.subject': '请验证您在 {partnerName} 的联系人电子邮件',
  'contactVerification.intro':
    '{partnerName} 已将此电子邮件地址指定为其在 Microsoft 合作伙伴网络中的营销或技术联系人。请确认此地址属于您。',
  'contactVerification.action': '验证电子邮件地址',
  'contactVerification.tokenLabel': '验证码',
  'contactVerification.tokenHint': '如果按钮无法使用，请打开 {verifyUrl} 并输入上面的验证码。',
  'contactVerification.expiry': '此链接和验证码只能使用一次，将于 {expiresAt} 过期。',
  'contactVerification.ignore': '如果您没有预期收到此邮件，可以忽略它；在地址验证之前不会发生任何更改。',

  'gtmInstructions.subject': '您的市场推广 (Go-To-Market) 优惠使用说明：{offerType}',
  'gtmInstructions.intro':
    '{partnerName} 的 {offerType} 市场推广 (Go-To-Market) 优惠已激活，您是此优惠的营销联系人。',
  'gtmInstructions.stepsTitle': '如何使用您的优惠：',
  'gtmInstructions.step1': '登录合作伙伴中心。',
  'gtmInstructions.step2': '选择“权益”，然后选择“Go-To-Market”，查看与您的会员资格关联的优惠。',
  'gtmInstructions.step3': '打开此优惠，按照其中的说明规划并启动您的营销活动。',
  'gtmInstructions.activeUntil': '此优惠的有效期至 {expiresAt}。',

  'technicalInstructions.subject': '如何访问 Microsoft 产品支持：{productName}',
  'technicalInstructions.intro':
    '{partnerName} 的技术权益 {productName} 已激活。请使用以下信息访问 Microsoft 产品支持。',
  'technicalInstructions.accessIdLabel': '访问 ID (Access ID)',
  'technicalInstructions.contractIdLabel': '合同 ID (Contract ID)',
  'technicalInstructions.usage':
    '为本地、Azure（非 CSP）和 Dynamics 产品提交支持请求时，请提供访问 ID 和合同 ID。您也可以在合作伙伴中心展开该技术权益来查看这些信息。',
  'technicalInstructions.safeguard': '为安全起见，此邮件会同时发送到您的备用电子邮件地址和帐户电子邮件地址。',
  'technicalInstructions.requester':
    '此权益尚未分配技术联系人，因此本邮件仅发送给您（提出激活请求的人）。分配具有备用电子邮件地址的技术联系人后，这些信息将同时发送到其两个地址。',

  'vsAssignment.subject': '您已获分配 Visual Studio 订阅：{productName}',
  'vsAssignment.intro':
    '{partnerName} 已将 Visual Studio 订阅 ({productName}) 分配给您，作为 Microsoft 合作伙伴网络权益。',
  'vsAssignment.manage':
    '请使用此电子邮件地址登录 Visual Studio 订阅门户，以下载软件、激活每月 Azure 额度并管理您的订阅。',
  'vsAssignment.portalAction': '打开 Visual Studio 门户',
  'vsAssignment.messageLabel': '管理员的留言：',

  'expiryNotice.subject': '您的权益已过期：{productName}',
  'expiryNotice.intro': '{partnerName} 的权益 {productName} 已于 {expiredAt} 过期。',
  'expiryNotice.next':
    '已过期的权益无法再使用。如需继续使用，请在合作伙伴中心续订会员资格或重新购买权益套餐。',

  'benefitExpiryReminder.subject': '您的权益即将过期：{productName}',
  'benefitExpiryReminder.intro': '{partnerName} 的权益 {productName} 将于 {expiresAt} 过期。',
  'benefitExpiryReminder.next':
    '过期后将无法再使用。如需保留此类权益，请在权益门户中续订会员资格或重新购买权益套餐。',
  'benefitExpiryReminder.action': '打开您的权益',

  'membershipExpiryReminder.subject': '您的会员资格即将过期：{partnerName}',
  'membershipExpiryReminder.intro':
    '{partnerName} 在 Microsoft 合作伙伴网络中的 {level} 会员资格将于 {expiresAt} 过期。',
  'membershipExpiryReminder.renew':
    '请在此之前续订，以便继续购买和激活权益。续订开放至 {closesAt}，续订后到期日将延长 12 个月。',
  'membershipExpiryReminder.action': '续订会员资格',

  'lastSeatNotice.subject': '仅剩最后一个可用席位：{productName}',
  'lastSeatNotice.introOne': '{partnerName} 的 {productName} 共有 {seats} 个席位，目前仅剩一个可用。',
  'lastSeatNotice.introNone': '{partnerName} 的 {productName} 共有 {seats} 个席位，现已全部分配。',
  'lastSeatNotice.next': '席位全部分配后，如需将席位提供给其他人，请先从席位中移除用户；席位可随时重新分配。',
  'lastSeatNotice.action': '管理席位',
};

const RU_RU: MessageDictionary = {
  'common.greeting': 'Здравствуйте, {recipientName}!',
  'common.signature': 'Команда преимуществ Microsoft Partner Network',
  'common.footer':
    'Вы получили это сообщение, так как выполняете роль в организации {partnerName} в Microsoft Partner Network. Этот почтовый ящик не отслеживается, не отвечайте на это письмо.',

  'contactVerification.subject': 'Подтвердите адрес электронной почты контакта для {partnerName}',
  'contactVerification.intro':
    'Организация {partnerName} указала этот адрес электронной почты как адрес своего контакта по маркетингу или техническим вопросам в Microsoft Partner Network. Подтвердите, что этот адрес принадлежит вам.',
  'contactVerification.action': 'Подтвердить адрес электронной почты',
  'contactVerification.tokenLabel': 'Код подтверждения',
  'contactVerification.tokenHint':
    'Если кнопка не работает, откройте {verifyUrl} и введите код подтверждения, указанный выше.',
  'contactVerification.expiry':
    'Ссылку и код можно использовать только один раз; срок их действия истекает {expiresAt}.',
  'contactVerification.ignore':
    'Если вы не ожидали этого сообщения, просто проигнорируйте его: пока адрес не подтвержден, ничего не изменится.',

  'gtmInstructions.subject': 'Инструкции по использованию предложения Go-To-Market: {offerType}',
  'gtmInstructions.intro':
    'Предложение Go-To-Market {offerType} организации {partnerName} активировано, и вы являетесь его контактом по маркетингу.',
  'gtmInstructions.stepsTitle': 'Как воспользоваться предложением:',
  'gtmInstructions.step1': 'Войдите в Центр партнеров.',
  'gtmInstructions.step2':
    'Выберите «Преимущества», затем «Go-To-Market», чтобы просмотреть предложения, связанные с вашим членством.',
  'gtmInstructions.step3':
    'Откройте предложение и следуйте инструкциям, чтобы спланировать и запустить маркетинговую кампанию.',
  'gtmInstructions.activeUntil': 'Предложение действует до {expiresAt}.',

  'technicalInstructions.subject':
    'Как получить доступ к службе поддержки продуктов Майкрософт: {productName}',
  'technicalInstructions.intro':
    'Техническое преимущество {productName} организации {partnerName} активировано. Используйте приведенные ниже сведения для доступа к службе поддержки продуктов Майкрософт.',
  'technicalInstructions.accessIdLabel': 'Идентификатор доступа (Access ID)',
  'technicalInstructions.contractIdLabel': 'Идентификатор контракта (Contract ID)',
  'technicalInstructions.usage':
    'Укажите идентификатор доступа и идентификатор контракта при отправке запроса в службу поддержки для локальных продуктов, Azure (не CSP) и Dynamics. Эти сведения также можно найти в Центре партнеров, развернув это техническое преимущество.',
  'technicalInstructions.safeguard':
    'В целях безопасности это сообщение отправлено как на ваш дополнительный адрес электронной почты, так и на адрес вашей учетной записи.',
  'technicalInstructions.requester':
    'Для этого преимущества не назначен технический контакт, поэтому это сообщение отправлено только вам как лицу, запросившему активацию. Назначьте технический контакт с дополнительным адресом электронной почты, чтобы эти сведения отправлялись на оба его адреса.',

  'vsAssignment.subject': 'Вам назначена подписка Visual Studio: {productName}',
  'vsAssignment.intro':
    'Организация {partnerName} назначила вам подписку Visual Studio ({productName}) в рамках преимуществ Microsoft Partner Network.',
  'vsAssignment.manage':
    'Войдите на портал подписок Visual Studio с этим адресом электронной почты, чтобы скачивать программное обеспечение, активировать ежемесячный кредит Azure и управлять подпиской.',
  'vsAssignment.portalAction': 'Открыть портал Visual Studio',
  'vsAssignment.messageLabel': 'Сообщение от администратора:',

  'expiryNotice.subject': 'Срок действия преимущества истек: {productName}',
  'expiryNotice.intro':
    'Срок действия преимущества {productName} организации {partnerName} истек {expiredAt}.',
  'expiryNotice.next':
    'Преимущества с истекшим сроком действия больше нельзя использовать. Чтобы продолжить, продлите членство или снова приобретите пакет преимуществ в Центре партнеров.',

  'benefitExpiryReminder.subject': 'Срок действия преимущества скоро истекает: {productName}',
  'benefitExpiryReminder.intro':
    'Срок действия преимущества {productName} организации {partnerName} истекает {expiresAt}.',
  'benefitExpiryReminder.next':
    'После этой даты им нельзя будет воспользоваться. Чтобы сохранить такие преимущества, продлите членство или снова приобретите пакет преимуществ на портале преимуществ.',
  'benefitExpiryReminder.action': 'Открыть преимущества',

  'membershipExpiryReminder.subject': 'Срок членства скоро истекает: {partnerName}',
  'membershipExpiryReminder.intro':
    'Срок членства {level} организации {partnerName} в Microsoft Partner Network истекает {expiresAt}.',
  'membershipExpiryReminder.renew':
    'Продлите его до этой даты, чтобы и дальше приобретать и активировать преимущества. Продление доступно до {closesAt} и добавляет 12 месяцев к сроку членства.',
  'membershipExpiryReminder.action': 'Продлить членство',

  'lastSeatNotice.subject': 'Осталось последнее свободное место: {productName}',
  'lastSeatNotice.introOne':
    '{productName} организации {partnerName}: свободным осталось только одно место (всего мест: {seats}).',
  'lastSeatNotice.introNone':
    '{productName} организации {partnerName}: все места назначены (всего мест: {seats}).',
  'lastSeatNotice.next':
    'Когда все места заняты, чтобы передать место другому пользователю, сначала освободите одно из назначенных: места можно переназначать в любое время.',
  'lastSeatNotice.action': 'Управление местами',
};

/** The dictionaries, one per supported locale (docs/product.md §7). */
export const MESSAGES: Readonly<Record<Locale, MessageDictionary>> = {
  'en-US': EN_US,
  'zh-TW': ZH_TW,
  'zh-CN': ZH_CN,
  'ru-RU': RU_RU,
};

/** Every message key, in en-US order. */
export const MESSAGE_KEYS: readonly MessageKey[] = Object.keys(EN_US) as MessageKey[];

/**
 * The supported locale for a requested one: exact match first (case-insensitive), else en-US
 * (docs/product.md §7: en-US is default and fallback). Never throws.
 */
export function resolveLocale(locale: string | undefined | null): Locale {
  if (!locale) return DEFAULT_LOCALE;
  const wanted = locale.trim().toLowerCase();
  return LOCALES.find((l) => l.toLowerCase() === wanted) ?? DEFAULT_LOCALE;
}

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Formats an ISO 8601 instant for a locale in UTC: a full date, or a full date and time.
 * @throws Error when `iso` is not a valid ISO 8601 date.
 */
function formatEmailDate(iso: string, locale: Locale, withTime = false): string {
  const dt = DateTime.fromISO(iso, { zone: 'utc' });
  if (!dt.isValid) throw new Error(`Invalid ISO 8601 date in email data: ${JSON.stringify(iso)}`);
  return dt.setLocale(locale).toLocaleString(withTime ? DateTime.DATETIME_FULL : DateTime.DATE_FULL);
}

/** The `{name}` placeholders of a template, in order of appearance. */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
}

type Vars = Readonly<Record<string, string>>;

/** Separator between a label and its value: full-width colon in Chinese. */
function labelSeparator(locale: Locale): string {
  return locale.startsWith('zh') ? '：' : ': ';
}

/** Fills placeholders; literal text and values both go through `encode` (identity for plain text). */
function fill(template: string, vars: Vars, encode: (s: string) => string): string {
  let out = '';
  let last = 0;
  for (const m of template.matchAll(/\{(\w+)\}/g)) {
    const value = vars[m[1]];
    if (value === undefined) throw new Error(`Email template placeholder {${m[1]}} has no value`);
    out += encode(template.slice(last, m.index)) + encode(value);
    last = (m.index ?? 0) + m[0].length;
  }
  return out + encode(template.slice(last));
}

/** Building blocks of a message body, rendered to both HTML and plain text. */
type Block =
  | { type: 'p'; key: MessageKey }
  | { type: 'button'; key: MessageKey; href: string }
  | { type: 'field'; key: MessageKey; value: string }
  | { type: 'steps'; title: MessageKey; keys: MessageKey[] }
  | { type: 'quote'; key: MessageKey; text: string };

interface Layout {
  subject: MessageKey;
  vars: Vars;
  blocks: Block[];
}

function httpUrl(url: string, field: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${field} must be an absolute http(s) URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new Error(`${field} must be an absolute http(s) URL`);
  }
  return url;
}

function layoutFor<K extends EmailKind>(kind: K, locale: Locale, data: EmailTemplateData[K]): Layout {
  // Each case narrows `data` by re-reading it through the map type.
  switch (kind) {
    case 'contactVerification': {
      const d = data as EmailTemplateData['contactVerification'];
      const verifyUrl = httpUrl(d.verifyUrl, 'verifyUrl');
      return {
        subject: 'contactVerification.subject',
        vars: { ...d, verifyUrl, expiresAt: formatEmailDate(d.expiresAt, locale, true) },
        blocks: [
          { type: 'p', key: 'contactVerification.intro' },
          { type: 'button', key: 'contactVerification.action', href: verifyUrl },
          { type: 'field', key: 'contactVerification.tokenLabel', value: d.token },
          { type: 'p', key: 'contactVerification.tokenHint' },
          { type: 'p', key: 'contactVerification.expiry' },
          { type: 'p', key: 'contactVerification.ignore' },
        ],
      };
    }
    case 'gtmInstructions': {
      const d = data as EmailTemplateData['gtmInstructions'];
      return {
        subject: 'gtmInstructions.subject',
        vars: { ...d, expiresAt: formatEmailDate(d.expiresAt, locale) },
        blocks: [
          { type: 'p', key: 'gtmInstructions.intro' },
          {
            type: 'steps',
            title: 'gtmInstructions.stepsTitle',
            keys: ['gtmInstructions.step1', 'gtmInstructions.step2', 'gtmInstructions.step3'],
          },
          { type: 'p', key: 'gtmInstructions.activeUntil' },
        ],
      };
    }
    case 'technicalInstructions': {
      const d = data as EmailTemplateData['technicalInstructions'];
      const { sentTo, ...vars } = d;
      return {
        subject: 'technicalInstructions.subject',
        vars,
        blocks: [
          { type: 'p', key: 'technicalInstructions.intro' },
          { type: 'field', key: 'technicalInstructions.accessIdLabel', value: d.accessId },
          { type: 'field', key: 'technicalInstructions.contractIdLabel', value: d.contractId },
          { type: 'p', key: 'technicalInstructions.usage' },
          {
            type: 'p',
            key: sentTo === 'contact' ? 'technicalInstructions.safeguard' : 'technicalInstructions.requester',
          },
        ],
      };
    }
    case 'vsAssignment': {
      const d = data as EmailTemplateData['vsAssignment'];
      const blocks: Block[] = [
        { type: 'p', key: 'vsAssignment.intro' },
        { type: 'p', key: 'vsAssignment.manage' },
        { type: 'button', key: 'vsAssignment.portalAction', href: VISUAL_STUDIO_PORTAL_URL },
      ];
      if (d.message && d.message.trim() !== '') {
        blocks.push({ type: 'quote', key: 'vsAssignment.messageLabel', text: d.message.trim() });
      }
      const { message: _message, ...vars } = d;
      return { subject: 'vsAssignment.subject', vars, blocks };
    }
    case 'expiryNotice': {
      const d = data as EmailTemplateData['expiryNotice'];
      return {
        subject: 'expiryNotice.subject',
        vars: { ...d, expiredAt: formatEmailDate(d.expiredAt, locale) },
        blocks: [
          { type: 'p', key: 'expiryNotice.intro' },
          { type: 'p', key: 'expiryNotice.next' },
        ],
      };
    }
    case 'benefitExpiryReminder': {
      const d = data as EmailTemplateData['benefitExpiryReminder'];
      const benefitsUrl = httpUrl(d.benefitsUrl, 'benefitsUrl');
      return {
        subject: 'benefitExpiryReminder.subject',
        vars: { ...d, benefitsUrl, expiresAt: formatEmailDate(d.expiresAt, locale) },
        blocks: [
          { type: 'p', key: 'benefitExpiryReminder.intro' },
          { type: 'p', key: 'benefitExpiryReminder.next' },
          { type: 'button', key: 'benefitExpiryReminder.action', href: benefitsUrl },
        ],
      };
    }
    case 'membershipExpiryReminder': {
      const d = data as EmailTemplateData['membershipExpiryReminder'];
      const renewUrl = httpUrl(d.renewUrl, 'renewUrl');
      return {
        subject: 'membershipExpiryReminder.subject',
        vars: {
          ...d,
          renewUrl,
          expiresAt: formatEmailDate(d.expiresAt, locale),
          closesAt: formatEmailDate(d.closesAt, locale),
        },
        blocks: [
          { type: 'p', key: 'membershipExpiryReminder.intro' },
          { type: 'p', key: 'membershipExpiryReminder.renew' },
          { type: 'button', key: 'membershipExpiryReminder.action', href: renewUrl },
        ],
      };
    }
    case 'lastSeatNotice': {
      const d = data as EmailTemplateData['lastSeatNotice'];
      const benefitsUrl = httpUrl(d.benefitsUrl, 'benefitsUrl');
      const number = new Intl.NumberFormat(locale);
      return {
        subject: 'lastSeatNotice.subject',
        vars: {
          ...d,
          benefitsUrl,
          seats: number.format(d.seats),
          seatsFree: number.format(d.seatsFree),
        },
        blocks: [
          { type: 'p', key: d.seatsFree > 0 ? 'lastSeatNotice.introOne' : 'lastSeatNotice.introNone' },
          { type: 'p', key: 'lastSeatNotice.next' },
          { type: 'button', key: 'lastSeatNotice.action', href: benefitsUrl },
        ],
      };
    }
    default:
      throw new Error(`Unknown email kind: ${String(kind)}`);
  }
}

const STYLE = {
  body: 'margin:0;padding:24px;background:#f5f5f5;font-family:Segoe UI,Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:#1b1b1b',
  card: 'max-width:600px;margin:0 auto;background:#ffffff;padding:24px;border-radius:4px',
  button:
    'display:inline-block;padding:10px 20px;background:#0067b8;color:#ffffff;text-decoration:none;border-radius:2px;font-weight:600',
  code: 'font-family:Consolas,Menlo,monospace;font-size:16px;background:#f0f0f0;padding:2px 6px',
  quote:
    'margin:12px 0;padding:8px 12px;border-left:4px solid #0067b8;background:#f7f9fc;white-space:pre-line',
  footer: 'color:#616161;font-size:12px',
};

function renderHtml(locale: Locale, subject: string, dict: MessageDictionary, layout: Layout): string {
  const sep = labelSeparator(locale);
  const t = (key: MessageKey) => fill(dict[key], layout.vars, escapeHtml);
  const parts: string[] = [`<p>${t('common.greeting')}</p>`];
  for (const b of layout.blocks) {
    switch (b.type) {
      case 'p':
        parts.push(`<p>${t(b.key)}</p>`);
        break;
      case 'button':
        parts.push(`<p><a href="${escapeHtml(b.href)}" style="${STYLE.button}">${t(b.key)}</a></p>`);
        break;
      case 'field':
        parts.push(
          `<p>${t(b.key)}${escapeHtml(sep)}<strong style="${STYLE.code}">${escapeHtml(b.value)}</strong></p>`,
        );
        break;
      case 'steps':
        parts.push(`<p>${t(b.title)}</p>`, `<ol>${b.keys.map((k) => `<li>${t(k)}</li>`).join('')}</ol>`);
        break;
      case 'quote':
        parts.push(
          `<p>${t(b.key)}</p>`,
          `<blockquote style="${STYLE.quote}">${escapeHtml(b.text)}</blockquote>`,
        );
        break;
    }
  }
  parts.push(
    `<p>${t('common.signature')}</p>`,
    `<hr>`,
    `<p style="${STYLE.footer}">${t('common.footer')}</p>`,
  );
  return [
    '<!DOCTYPE html>',
    `<html lang="${locale}">`,
    `<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(subject)}</title></head>`,
    `<body style="${STYLE.body}"><div style="${STYLE.card}">`,
    ...parts,
    '</div></body>',
    '</html>',
  ].join('\n');
}

function renderText(locale: Locale, dict: MessageDictionary, layout: Layout): string {
  const sep = labelSeparator(locale);
  const t = (key: MessageKey) => fill(dict[key], layout.vars, (s) => s);
  const parts: string[] = [t('common.greeting')];
  for (const b of layout.blocks) {
    switch (b.type) {
      case 'p':
        parts.push(t(b.key));
        break;
      case 'button':
        parts.push(`${t(b.key)}${sep}${b.href}`);
        break;
      case 'field':
        parts.push(`${t(b.key)}${sep}${b.value}`);
        break;
      case 'steps':
        parts.push([t(b.title), ...b.keys.map((k, i) => `${i + 1}. ${t(k)}`)].join('\n'));
        break;
      case 'quote':
        parts.push([t(b.key), ...b.text.split(/\r?\n/).map((line) => `> ${line}`)].join('\n'));
        break;
    }
  }
  parts.push(t('common.signature'), '--', t('common.footer'));
  return parts.join('\n\n') + '\n';
}

/**
 * Renders one message in the recipient's language (docs/product.md §7).
 *
 * @param kind which message (see {@link EmailKind}).
 * @param locale requested locale; an unknown or missing one falls back to en-US.
 * @param data the values to interpolate (see {@link EmailTemplateData}); dates are ISO 8601 strings,
 *   rendered as a full date in the locale (UTC), plus the time for the verification expiry.
 * @returns subject (single line, not escaped), HTML body (every value HTML-escaped), plain-text body,
 *   and the locale actually used.
 * @throws Error when a date is not valid ISO 8601, or a link (`verifyUrl`, `benefitsUrl`, `renewUrl`) is not an
 *   absolute http(s) URL.
 */
export function renderEmail<K extends EmailKind>(
  kind: K,
  locale: string | undefined,
  data: EmailTemplateData[K],
): RenderedEmail {
  const resolved = resolveLocale(locale);
  const dict = MESSAGES[resolved];
  const layout = layoutFor(kind, resolved, data);
  // Subjects are single header lines: fold any line break a value may carry.
  const subject = fill(dict[layout.subject], layout.vars, (s) => s.replace(/[\r\n]+/g, ' ')).trim();
  return {
    subject,
    html: renderHtml(resolved, subject, dict, layout),
    plainText: renderText(resolved, dict, layout),
    locale: resolved,
  };
}
