/**
 * Reads `abac.yaml` into a validated PolicySet. Loading is all-or-nothing: one bad rule rejects the
 * whole file, because a partially loaded policy would silently change who may do what.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { type PolicyRule, parseRule, policyFileSchema } from './policy-rule.js';

export interface PolicySet {
  readonly rules: readonly PolicyRule[];
  /** Where the rules came from (a file path), for error messages and audit records. */
  readonly source: string;
}

export class PolicyError extends Error {
  override name = 'PolicyError';
  constructor(
    readonly source: string,
    readonly issues: string[],
  ) {
    super(`Invalid policy file ${source}:\n  - ${issues.join('\n  - ')}`);
  }
}

/** Parses and validates policy YAML; throws PolicyError listing every problem found. */
export function parsePolicySet(yamlText: string, source: string): PolicySet {
  let document: unknown;
  try {
    document = parse(yamlText);
  } catch (error) {
    throw new PolicyError(source, [`not valid YAML: ${(error as Error).message}`]);
  }
  const file = policyFileSchema.safeParse(document);
  if (!file.success) {
    throw new PolicyError(
      source,
      file.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(file)'}: ${issue.message}`),
    );
  }
  const results = file.data.rules.map((raw, index) => parseRule(raw, index));
  const issues = results.flatMap((result) => result.issues);
  if (issues.length > 0) throw new PolicyError(source, issues);
  const rules = results.map((result) => result.rule).filter((rule) => rule !== undefined);
  return Object.freeze({ rules: Object.freeze(rules), source });
}

/**
 * Loads the platform's policy file. The default path is resolved relative to this module, so it
 * works both from `src/` (tests) and from `dist/` (runtime): both sit next to `abac.yaml`'s folder.
 */
export function loadPolicySet(file?: string): PolicySet {
  const path = file ?? fileURLToPath(new URL('../abac.yaml', import.meta.url));
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PolicyError(path, [`cannot read the file: ${(error as Error).message}`]);
  }
  return parsePolicySet(text, path);
}
