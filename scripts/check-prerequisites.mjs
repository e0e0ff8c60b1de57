#!/usr/bin/env node
/**
 * Runs before `npm test`: checks what npm cannot install. Programs the suite needs from the system
 * are installed with apt-get when we run as root on Debian/Ubuntu; otherwise we stop at once and
 * name the package. The browser tests drive Debian's Chromium (Playwright never downloads one);
 * the device tests start their own Mosquitto (with its dynamic-security plugin, in the same package).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(`Custos needs Node.js 24 (found ${process.version}). See README.md, "Requirements".`);
  process.exit(1);
}

/** [program (a name on PATH, or an absolute path), Debian package] */
const systemPrograms = [
  ['chromium', 'chromium'],
  // In /usr/sbin, which is not on a normal user's PATH.
  ['/usr/sbin/mosquitto', 'mosquitto'],
];

const have = (program) =>
  program.startsWith('/')
    ? existsSync(program)
    : spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
const missing = systemPrograms.filter(([program]) => !have(program));
if (missing.length > 0) {
  const packages = missing.map(([, pkg]) => pkg);
  const osRelease = existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : '';
  const debianLike = /^(ID|ID_LIKE)=.*(debian|ubuntu)/m.test(osRelease);
  if (process.getuid?.() === 0 && debianLike) {
    console.error(`[custos] installing ${packages.join(', ')} with apt-get`);
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', ...packages], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } else {
    console.error(
      `[custos] the tests need: ${packages.join(', ')}. Install them (e.g. sudo apt-get install ${packages.join(' ')}) and run again.`,
    );
    process.exit(1);
  }
}
