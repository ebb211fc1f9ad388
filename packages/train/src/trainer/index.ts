export * from './fit';
export * from './step';
export * from './types';
