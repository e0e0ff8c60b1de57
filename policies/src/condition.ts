/**
 * The list-filtering half of "one rule, two uses": the same rules that answer `ability.can` for one
 * row become a neutral condition tree that a SQL builder turns into a WHERE clause. The tree comes
 * from CASL's own `rulesToAST`, so rule priority and deny rules are handled exactly as in `can`.
 */
import { rulesToAST } from '@casl/ability/extra';
import type { AppAbility } from './ability.js';
import type { Action, ResourceType } from './model.js';

export type Scalar = string | number | boolean | null;

/** A condition over a resource's fields, independent of CASL and of any query language. */
export type Condition =
  | { kind: 'true' }
  | { kind: 'false' }
  | { kind: 'and' | 'or'; items: Condition[] }
  | { kind: 'not'; item: Condition }
  | { kind: 'eq' | 'ne'; field: string; value: Scalar }
  | { kind: 'in' | 'nin'; field: string; values: (string | number)[] };

const TRUE: Condition = { kind: 'true' };
const FALSE: Condition = { kind: 'false' };

/** The structural part of @ucast's Condition that CASL's AST is made of. */
interface AstNode {
  operator: string;
  field?: string;
  value: unknown;
}

function isScalar(value: unknown): value is Scalar {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function junction(kind: 'and' | 'or', items: Condition[]): Condition {
  const [absorbing, neutral] = kind === 'and' ? ['false', 'true'] : ['true', 'false'];
  const kept: Condition[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    if (item.kind === absorbing) return item;
    if (item.kind === neutral) continue;
    // Flatten nested and(and(..)) and drop repeats (two roles granting the same rows) so the
    // generated SQL stays short and readable.
    for (const part of item.kind === kind ? item.items : [item]) {
      const key = JSON.stringify(part);
      if (!seen.has(key)) kept.push(part);
      seen.add(key);
    }
  }
  if (kept.length === 0) return kind === 'and' ? TRUE : FALSE;
  return kept.length === 1 ? (kept[0] as Condition) : { kind, items: kept };
}

function negate(item: Condition): Condition {
  if (item.kind === 'true') return FALSE;
  if (item.kind === 'false') return TRUE;
  // Safe in SQL too: condition-sql makes every negation two-valued (IS NOT TRUE).
  if (item.kind === 'not') return item.item;
  return { kind: 'not', item };
}

/** Converts CASL's AST. Policies only produce the operators below; anything else is a bug. */
function fromAst(node: AstNode): Condition {
  const { operator, field, value } = node;
  if (operator === 'and' || operator === 'or') {
    return junction(operator, (value as AstNode[]).map(fromAst));
  }
  if (operator === 'not') return negate(fromAst((value as AstNode[])[0] as AstNode));
  if (typeof field !== 'string') throw new Error(`Unsupported condition operator "${operator}"`);
  if ((operator === 'eq' || operator === 'ne') && isScalar(value)) return { kind: operator, field, value };
  if ((operator === 'in' || operator === 'nin') && Array.isArray(value)) {
    if (!value.every((item) => typeof item === 'string' || typeof item === 'number')) {
      throw new Error(`Condition "${operator}" on "${field}" holds a value that is not a string or number`);
    }
    return { kind: operator, field, values: value };
  }
  throw new Error(`Unsupported condition "${operator}" on "${field}"`);
}

/**
 * Which resources of this type the caller may act on, as a condition on their fields. Agrees with
 * `ability.can(action, asResource(type, row))` for every row; `false` when no rule applies.
 */
export function accessCondition(ability: AppAbility, action: Action, type: ResourceType): Condition {
  // rulesToAST returns null when no allow rule is reachable; an unconditional allow is and([]).
  const ast = rulesToAST(ability, action, type) as AstNode | null;
  return ast === null ? FALSE : fromAst(ast);
}
