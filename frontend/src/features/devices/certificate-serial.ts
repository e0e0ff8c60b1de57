/** A certificate's serial number as the API writes it (lower-case hex): checked before it goes into a path. */
export const CERTIFICATE_SERIAL = /^[0-9a-f]{2,40}$/;
