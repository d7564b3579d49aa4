/**
 * Example request bodies by route name: shown in the OpenAPI document, used in the README walk-through, and
 * validated against the route schemas by the tests (so docs cannot drift from the contract).
 */
export const REQUEST_EXAMPLES: Record<string, unknown> = {
  createUser: {
    objectId: '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f',
    displayName: 'Mei Lin',
    accountEmail: 'mei.lin@contoso.example',
    roles: [],
  },
  createPurchase: { packageId: 'gold-competency' },
  assignBenefit: { userId: '95a9ca42-547f-5bbc-b54e-e278c9bfb654', message: 'Welcome aboard!' },
  revealBenefitKeys: { language: 'zh-TW', operatingSystem: 'Windows x64' },
  setMarketingContact: {
    userId: '95a9ca42-547f-5bbc-b54e-e278c9bfb654',
    email: 'marketing@mail.example',
    phone: '+886212345678',
    preferredLanguage: 'zh-TW',
  },
  verifyContact: { token: 'kq3F9dM2xY7vB1nP4sT6wZ8aC0eG5hJ2lN4rU6yX8b0' },
  createPartner: {
    name: 'Litware Inc.',
    level: 'Silver',
    managedIn: 'PartnerCenter',
    membership: { status: 'Active', expiresAt: '2027-12-31T00:00:00Z' },
    globalAdmin: {
      objectId: 'b7e0c5a2-1d4f-4e8a-9c3b-2f6d8e0a1c4b',
      displayName: 'Ada Admin',
      accountEmail: 'admin@litware.example',
    },
  },
  renewMembership: { packageId: 'silver-competency' },
  changePartnerLevel: { level: 'Gold' },
  fulfilActivation: { accessId: 'AID-0042-7781', contractId: 'CID-9930-1184' },
  rejectActivation: { reason: 'The partner is not enrolled in the competency.' },
  requestCancellation: { reason: 'Bought the wrong package.' },
  createServiceRequest: {
    type: 'AdvisoryHours',
    benefitId: '<presales benefit id>',
    topic: 'Azure landing zone review',
    description: 'Two hours with an architect to review our landing zone design.',
    hours: 2,
  },
};
