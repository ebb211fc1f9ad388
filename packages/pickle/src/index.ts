export { readPickle, PickleError } from './pickle';
export type { GlobalHandler, PickledNdarray, PickleValue, ReadPickleOptions } from './pickle';
