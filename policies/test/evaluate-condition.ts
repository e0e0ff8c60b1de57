/**
 * A deliberately naive, CASL-free evaluator of the Condition tree over one row, used by tests as
 * an independent oracle: `accessCondition` must agree with `ability.can` for every row.
 * Semantics are MongoDB's (as CASL applies them in memory): a missing field equals null.
 */
import type { Condition } from '../src/index.js';

export function evaluateCondition(condition: Condition, row: Record<string, unknown>): boolean {
  switch (condition.kind) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'and':
      return condition.items.every((item) => evaluateCondition(item, row));
    case 'or':
      return condition.items.some((item) => evaluateCondition(item, row));
    case 'not':
      return !evaluateCondition(condition.item, row);
    case 'eq':
    case 'ne': {
      const actual = row[condition.field];
      const equal =
        condition.value === null ? actual === null || actual === undefined : actual === condition.value;
      return condition.kind === 'eq' ? equal : !equal;
    }
    case 'in':
    case 'nin': {
      const found = condition.values.some((value) => value === row[condition.field]);
      return condition.kind === 'in' ? found : !found;
    }
  }
}
