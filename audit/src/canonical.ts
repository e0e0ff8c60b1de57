/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): the one byte form of a JSON value that is hashed and
 * signed (audit events, tree heads). Serialisation is the `canonicalize` package; this module adds a
 * strict check first, because JSON.stringify-style serialisers silently drop or rewrite what JSON cannot
 * express (`undefined` members vanish, NaN becomes null, a Map becomes {}), and a hash over silently
 * altered data would let two different records share one hash.
 */
import canonicalize from 'canonicalize';

/** RFC 8785 canonical JSON text of `value`; throws a TypeError naming the offending path if `value` is
 * not plain JSON data (see assertPlainJson). */
export function canonicalJson(value: unknown): string {
  assertPlainJson(value);
  const text = canonicalize(value);
  // Unreachable after the check above; kept so that a change in the library cannot yield `undefined`.
  if (text === undefined) throw new TypeError('Cannot canonicalize: the value has no JSON representation');
  return text;
}

/** UTF-8 bytes of canonicalJson(value): what gets hashed or signed. */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}

interface PathStep {
  parent: PathStep | undefined;
  key: string | number;
}

interface Frame {
  value: unknown;
  at: PathStep | undefined;
  /** Set on the marker pushed after a container's children: the container leaves the ancestor set. */
  leaving: boolean;
}

/**
 * Accepts only null, booleans, finite numbers, well-formed strings, dense arrays and plain objects
 * (prototype Object.prototype or null). Rejects undefined anywhere (also as an object member), NaN and
 * ±Infinity, bigint, symbols, functions, cycles, array holes, and every other object (Date, Map, Buffer,
 * class instances): their JSON form depends on toJSON or is lossy, so callers convert them explicitly.
 * Iterative, so hostile nesting depth cannot overflow the call stack.
 */
function assertPlainJson(root: unknown): void {
  const ancestors = new Set<object>();
  const stack: Frame[] = [{ value: root, at: undefined, leaving: false }];
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    const { value, at } = frame;
    if (frame.leaving) {
      ancestors.delete(value as object);
      continue;
    }
    switch (typeof value) {
      case 'boolean':
        continue;
      case 'string':
        if (!value.isWellFormed()) fail(at, 'a string with a lone UTF-16 surrogate (not encodable as UTF-8)');
        continue;
      case 'number':
        if (!Number.isFinite(value)) fail(at, `the non-finite number ${String(value)}`);
        continue;
      case 'object':
        break;
      default:
        fail(at, typeof value === 'undefined' ? 'undefined' : `a value of type ${typeof value}`);
    }
    if (value === null) continue;
    if (ancestors.has(value)) fail(at, 'a circular reference');
    ancestors.add(value);
    stack.push({ value, at, leaving: true });
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        if (!Object.hasOwn(value, i)) fail({ parent: at, key: i }, 'an array hole');
        stack.push({ value: value[i], at: { parent: at, key: i }, leaving: false });
      }
      continue;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      fail(at, `an object of class ${(value as object).constructor?.name ?? 'unknown'} (only plain objects)`);
    }
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i] as string;
      if (!key.isWellFormed()) fail({ parent: at, key }, 'a member whose name has a lone UTF-16 surrogate');
      stack.push({ value: (value as Record<string, unknown>)[key], at: { parent: at, key }, leaving: false });
    }
  }
}

function fail(at: PathStep | undefined, what: string): never {
  throw new TypeError(`Cannot canonicalize ${formatPath(at)}: it is ${what}, which is not plain JSON data`);
}

function formatPath(at: PathStep | undefined): string {
  const parts: string[] = [];
  for (let step = at; step !== undefined; step = step.parent) {
    const { key } = step;
    parts.push(
      typeof key === 'number'
        ? `[${key}]`
        : /^[A-Za-z_$][\w$]*$/.test(key)
          ? `.${key}`
          : `[${JSON.stringify(key)}]`,
    );
  }
  return `$${parts.reverse().join('')}`;
}
