export * from './optimizer';
export * from './sgd';
export * from './adam';
