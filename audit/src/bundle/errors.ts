/**
 * The errors of bundle verification. Every reason the verifier gives is one of these, in plain language,
 * so that a damaged or tampered bundle yields a verdict and never a crash.
 */

/** A reason the bundle does not verify, with the file (and event seq) it is about. */
export class BundleError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly seq?: number,
  ) {
    super(message);
    this.name = 'BundleError';
  }
}

/** Damage to the archive container itself (tar structure): nothing after it can be read, so verification stops. */
export class ArchiveError extends BundleError {}
