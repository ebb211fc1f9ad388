export * from './checkpoint';
export { writeFileAtomic, WriteFileError } from './atomic';
export type { RawTensor } from './raw';
