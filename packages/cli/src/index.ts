export { decodeNpy, encodeNpy, readNpy, writeNpy, toFloat32, NpyError } from './npy';
export type { NpyArray, NpyData, NpyDtype, NpyWriteOptions } from './npy';
