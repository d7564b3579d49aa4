/** The activation orchestration's durable contract lives with its use cases: src/app/activationContract.ts. */
export * from '../app/activationContract';
