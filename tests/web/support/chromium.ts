/**
 * Debian's Chromium, as the browser tests and the web benchmark start it: never a downloaded
 * browser; without the background-networking flags it keeps calling hosts this network refuses.
 */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
