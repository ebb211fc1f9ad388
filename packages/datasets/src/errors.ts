/**
 * A data file is missing, truncated, of the wrong size or otherwise not in the expected format.
 * The message always names the file and what is wrong.
 *
 * @example
 * ```ts
 * try { await CIFAR10.load({ root: '/nope' }); } catch (e) { if (e instanceof DatasetError) console.error(e.message); }
 * ```
 */
export class DatasetError extends Error {
  /** The offending file (or directory, or URL). */
  readonly file: string;
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'DatasetError';
    this.file = file;
  }
}

/**
 * A downloaded file's MD5 does not match the published checksum.
 *
 * @example
 * ```ts
 * try { await downloadFile(url, dest, { md5: '...' }); } catch (e) { if (e instanceof ChecksumError) console.error(e.actual); }
 * ```
 */
export class ChecksumError extends DatasetError {
  readonly url: string;
  readonly expected: string;
  readonly actual: string;
  constructor(url: string, file: string, expected: string, actual: string) {
    super(file, `MD5 mismatch for ${url}: expected ${expected}, got ${actual}`);
    this.name = 'ChecksumError';
    this.url = url;
    this.expected = expected;
    this.actual = actual;
  }
}
