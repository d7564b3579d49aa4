/** The pure domain of the partner-benefits service: types, errors, catalog, permissions, rules and schemas. */
export * from './types';
export * from './errors';
export * from './clock';
export * from './catalog';
export * from './permissions';
export * from './provisioning';
export * from './rules';
export * from './schemas';
