/** A random secret kept in a file readable by its owner only, created on first use. */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The file's text (base64), creating it with `bytes` random bytes when it does not exist. */
export async function readOrCreateSecretFile(file: string, bytes: number): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  let text = randomBytes(bytes).toString('base64');
  await writeFile(file, `${text}\n`, { mode: 0o600, flag: 'wx' }).catch(async (e) => {
    // Another process created it first: use theirs.
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    text = (await readFile(file, 'utf8')).trim();
  });
  await chmod(file, 0o600).catch(() => undefined);
  return text;
}
