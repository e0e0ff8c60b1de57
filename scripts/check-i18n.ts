/**
 * `npm run i18n:check` (part of `npm run lint`; plain `node scripts/check-i18n.ts`): keeps the web
 * app's messages in step. frontend/messages/en.json is the source of truth and typed, so the type
 * check catches keys the code uses but English lacks. This checks what the type check cannot:
 * - each locale of routing.ts has exactly en.json's keys, string values, the same ICU arguments as
 *   English and every plural category its language needs (Intl.PluralRules);
 * - every audit event type of audit/src/catalog.ts has a name under `audit.types`;
 * - every key in en.json is used by frontend/src (unused keys rot, untranslated and unreviewed).
 * Usage is read from the sources: `useTranslations('ns')` / `getTranslations('ns' | { namespace })`
 * bound to a variable t, then t('key') or t.has('key'). A dynamic key (t(`do.${action}`), t(state))
 * counts the whole subtree below its static prefix as used. Subtrees read raw, to hand plain strings
 * to client components (`(await getMessages()).compliance.export`), count as used too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const messagesDir = join(root, 'frontend/messages');
const srcDir = join(root, 'frontend/src');
const problems: string[] = [];

/** Nested message objects as dotted keys → leaf values. */
function flatten(value: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) flatten(child, prefix ? `${prefix}.${key}` : key, out);
  } else out.set(prefix, value);
  return out;
}

type Icu = { args: Set<string>; plurals: { name: string; ordinal: boolean; selectors: Set<string> }[] };

/** The ICU argument names of a message and the branch selectors of its plurals; throws if malformed. */
function parseIcu(message: string): Icu {
  const icu: Icu = { args: new Set(), plurals: [] };
  let i = 0;
  const parseMessage = (): void => {
    while (i < message.length && message[i] !== '}') {
      if (message[i++] === '{') parseArgument();
    }
  };
  const parseArgument = (): void => {
    const head = /^\s*([\w-]+)\s*(?:,\s*(\w+)\s*)?/.exec(message.slice(i));
    if (!head?.[1]) throw new Error(`bad argument at ${i}`);
    icu.args.add(head[1]);
    i += head[0].length;
    const type = head[2];
    if (type === 'plural' || type === 'select' || type === 'selectordinal') {
      const plural = { name: head[1], ordinal: type === 'selectordinal', selectors: new Set<string>() };
      if (type !== 'select') icu.plurals.push(plural);
      i++; // the comma before the branches
      for (let branch = /^\s*(?:offset:\d+\s*)?([^\s{}]+)\s*\{/.exec(message.slice(i)); branch; ) {
        plural.selectors.add(branch[1] as string);
        i += branch[0].length;
        parseMessage();
        if (message[i++] !== '}') throw new Error('unclosed branch');
        branch = /^\s*([^\s{}]+)\s*\{/.exec(message.slice(i));
      }
    } else if (type) {
      i = message.indexOf('}', i); // number/date/time with a style: skip the style
      if (i < 0) throw new Error(`unclosed argument ${head[1]}`);
    }
    while (/\s/.test(message[i] ?? '')) i++;
    if (message[i++] !== '}') throw new Error(`unclosed argument ${head[1]}`);
  };
  parseMessage();
  if (i < message.length) throw new Error(`unmatched } at ${i}`);
  return icu;
}

const load = (locale: string) =>
  flatten(JSON.parse(readFileSync(join(messagesDir, `${locale}.json`), 'utf8')));
const en = load('en');
const enKeys = [...en.keys()];
const routing = readFileSync(join(srcDir, 'i18n/routing.ts'), 'utf8');
const locales = [...(/locales:\s*\[([^\]]*)\]/.exec(routing)?.[1] ?? '').matchAll(/'([^']+)'/g)].map(
  (m) => m[1] as string,
);
const files = readdirSync(messagesDir).filter((f) => f.endsWith('.json'));
for (const f of files)
  if (!locales.includes(f.slice(0, -5))) problems.push(`${f}: not a locale in routing.ts`);

// 1. Every locale against English: same keys, strings, same ICU arguments, all plural categories.
for (const locale of locales) {
  if (!files.includes(`${locale}.json`)) {
    problems.push(`${locale}.json: missing (the locale is in routing.ts)`);
    continue;
  }
  const messages = load(locale);
  const categories = (ordinal: boolean) =>
    new Intl.PluralRules(locale, { type: ordinal ? 'ordinal' : 'cardinal' }).resolvedOptions()
      .pluralCategories;
  for (const key of en.keys()) if (!messages.has(key)) problems.push(`${locale}.json: missing key ${key}`);
  for (const [key, value] of messages) {
    if (!en.has(key)) problems.push(`${locale}.json: extra key ${key} (not in en.json)`);
    if (typeof value !== 'string') {
      problems.push(`${locale}.json: ${key} is not a string`);
      continue;
    }
    let icu: Icu;
    try {
      icu = parseIcu(value);
    } catch (error) {
      problems.push(`${locale}.json: ${key} is not a valid ICU message (${(error as Error).message})`);
      continue;
    }
    const source = en.get(key);
    if (locale !== 'en' && typeof source === 'string') {
      const want = [...parseIcu(source).args].sort().join(', ');
      const have = [...icu.args].sort().join(', ');
      if (want !== have) problems.push(`${locale}.json: ${key} has arguments {${have}}, en.json {${want}}`);
    }
    for (const plural of icu.plurals) {
      const absent = categories(plural.ordinal).filter((c) => !plural.selectors.has(c));
      if (absent.length > 0)
        problems.push(`${locale}.json: ${key} {${plural.name}} lacks ${absent.join(', ')}`);
    }
  }
}

// 2. Every audit event type has a name (read as text: no import of the audit package).
const catalog = readFileSync(join(root, 'audit/src/catalog.ts'), 'utf8');
const payloads = /export const eventPayloads = \{([\s\S]*?)\n\}/.exec(catalog)?.[1] ?? '';
const eventTypes = [...payloads.matchAll(/^\s*'([\w.]+)':/gm)].map((m) => m[1] as string);
if (eventTypes.length === 0) problems.push('audit/src/catalog.ts: found no event types in eventPayloads');
for (const type of eventTypes) {
  if (!en.has(`audit.types.${type}`))
    problems.push(`en.json: no name for audit event type audit.types.${type}`);
}

// 3. Every English key is used by the web app.
const usedKeys: string[] = []; // static keys: the key itself, or all of it if it names a subtree
const usedPrefixes: string[] = []; // dynamic keys: every key starting with the static part
const sources = readdirSync(srcDir, { recursive: true, encoding: 'utf8' }).filter(
  (f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f), // a key only tests use is unused
);
for (const file of sources) {
  const text = readFileSync(join(srcDir, file), 'utf8');
  const line = (index: number) => `frontend/src/${file}:${text.slice(0, index).split('\n').length}`;
  const binding =
    /(?:const|let)\s+(\w+)\s*=\s*(?:await\s+)?(?:use|get)Translations\(\s*(?:(['"])([^'"]*)\2|\{[^}]*?\bnamespace:\s*(['"])([^'"]*)\4[^}]*\})?\s*\)/g;
  const bindings = [...text.matchAll(binding)].map((m) => ({
    name: m[1],
    ns: m[3] ?? m[5] ?? '',
    at: m.index,
    end: m.index + m[0].length,
  }));
  for (const call of text.matchAll(/\b(?:use|get)Translations\(/g)) {
    if (!bindings.some((b) => b.at <= call.index && call.index < b.end)) {
      problems.push(`${line(call.index)}: translation call not bound as \`const t = …Translations(…)\``);
    }
  }
  for (const name of new Set(bindings.map((b) => b.name))) {
    for (const call of text.matchAll(
      new RegExp(`(?<![\\w.$])${name}(?:\\.(?:has|rich|markup|raw))?\\(`, 'g'),
    )) {
      const scope = bindings.findLast((b) => b.name === name && b.at < call.index);
      if (!scope) continue;
      const namespace = scope.ns ? `${scope.ns}.` : '';
      let arg = text.slice(call.index + call[0].length).trimStart();
      // A plain variable as key: use its string or template literal, e.g. const key = `types.${type}`.
      const variable = /^(\w+)\s*(?:\)|,|as\b)/.exec(arg)?.[1];
      const value = variable && new RegExp(`const\\s+${variable}\\s*=\\s*([\`'"][^\`'"]*[\`'"])`).exec(text);
      if (value?.[1]) arg = value[1];
      const literal = /^(['"])([^'"]*)\1|^`([^`$]*)`/.exec(arg);
      const template = /^`([^`$]*)\$\{/.exec(arg);
      const key = literal?.[2] ?? literal?.[3];
      if (key !== undefined) {
        usedKeys.push(namespace + key);
        if (!enKeys.some((k) => k === namespace + key || k.startsWith(`${namespace + key}.`))) {
          problems.push(`${line(call.index)}: uses ${namespace + key}, which en.json lacks`);
        }
      } else usedPrefixes.push(namespace + (template?.[1] ?? ''));
    }
  }
  // Raw message subtrees handed to client components as plain strings: `(await getMessages()).a.b`,
  // or a message file imported where it is needed (`m.default.a.b`).
  for (const raw of text.matchAll(/(?:getMessages\([^)]*\)\)|\bm\.default)((?:\.\w+)+)/g)) {
    const key = (raw[1] ?? '').slice(1);
    usedKeys.push(key);
    if (!enKeys.some((k) => k === key || k.startsWith(`${key}.`))) {
      problems.push(`${line(raw.index)}: uses ${key}, which en.json lacks`);
    }
  }
}
const isUsed = (key: string) =>
  usedKeys.some((u) => key === u || key.startsWith(`${u}.`)) || usedPrefixes.some((p) => key.startsWith(p));
for (const key of enKeys) if (!isUsed(key)) problems.push(`en.json: ${key} is not used in frontend/src`);

if (problems.length > 0) {
  console.error(`i18n check failed (${problems.length}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(
  `i18n ok: ${locales.length} locales (${locales.join(', ')}), ${en.size} keys each, ${eventTypes.length} audit event types named, no unused keys`,
);
