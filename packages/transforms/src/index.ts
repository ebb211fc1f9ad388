export { createImage, imageFromBytes, assertImage, cloneImage } from './image';
export type { Image, FloatImage } from './image';
export * from './functional/index';
