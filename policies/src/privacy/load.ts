/**
 * Loads the privacy declarations (data map, retention schedules, purposes) from `privacy/`, all or
 * nothing: one bad entry rejects the whole set, listing every problem, because a half-read data map
 * would silently leave data out of an access request or an erasure.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { buildDataMap, type DataMap } from './data-map.js';
import { buildJurisdictions, type Jurisdiction } from './jurisdictions.js';
import { buildProcessing, type ProcessingRecordSource } from './processing.js';
import { buildRetention, type RetentionSchedule } from './retention.js';

export interface PrivacyDeclarations {
  dataMap: DataMap;
  schedules: readonly RetentionSchedule[];
  processing: ProcessingRecordSource;
  /** Deadlines of data-subject requests per jurisdiction (jurisdictions.yaml). */
  jurisdictions: readonly Jurisdiction[];
}

export class PrivacyDeclarationError extends Error {
  override name = 'PrivacyDeclarationError';
  constructor(readonly issues: string[]) {
    super(`Invalid privacy declarations:\n  - ${issues.join('\n  - ')}`);
  }
}

export interface PrivacyTexts {
  dataMap: string;
  retention: string;
  processing: string;
  /** Absent: the platform's own jurisdictions.yaml (they do not depend on the other files). */
  jurisdictions?: string;
}

export function parsePrivacyDeclarations(texts: PrivacyTexts): PrivacyDeclarations {
  const read = (name: string, text: string): unknown => {
    try {
      return parse(text);
    } catch (error) {
      throw new PrivacyDeclarationError([`${name}: not valid YAML: ${(error as Error).message}`]);
    }
  };
  const { map, issues } = buildDataMap(read('data-map.yaml', texts.dataMap));
  if (!map) throw new PrivacyDeclarationError(issues.map((i) => `data-map.yaml ${i}`));
  const retention = buildRetention(read('retention.yaml', texts.retention), map);
  if (!retention.schedules)
    throw new PrivacyDeclarationError(retention.issues.map((i) => `retention.yaml ${i}`));
  const processing = buildProcessing(read('processing.yaml', texts.processing), map, retention.schedules);
  if (!processing.processing) {
    throw new PrivacyDeclarationError(processing.issues.map((i) => `processing.yaml ${i}`));
  }
  const jurisdictions = buildJurisdictions(
    read(
      'jurisdictions.yaml',
      texts.jurisdictions ?? readFileSync(`${defaultDir}jurisdictions.yaml`, 'utf8'),
    ),
  );
  if (!jurisdictions.jurisdictions) {
    throw new PrivacyDeclarationError(jurisdictions.issues.map((i) => `jurisdictions.yaml ${i}`));
  }
  return {
    dataMap: map,
    schedules: retention.schedules,
    processing: processing.processing,
    jurisdictions: jurisdictions.jurisdictions,
  };
}

/** The folder beside `src/` and `dist/`, so this works from source (tests) and from the build. */
const defaultDir = fileURLToPath(new URL('../../privacy/', import.meta.url));

let cached: PrivacyDeclarations | undefined;

/** The platform's privacy declarations, read once per process. */
export function loadPrivacyDeclarations(dir: string = defaultDir): PrivacyDeclarations {
  if (dir === defaultDir && cached) return cached;
  const text = (name: string) => readFileSync(`${dir.replace(/\/?$/, '/')}${name}`, 'utf8');
  const declarations = parsePrivacyDeclarations({
    dataMap: text('data-map.yaml'),
    retention: text('retention.yaml'),
    processing: text('processing.yaml'),
    jurisdictions: text('jurisdictions.yaml'),
  });
  if (dir === defaultDir) cached = declarations;
  return declarations;
}
