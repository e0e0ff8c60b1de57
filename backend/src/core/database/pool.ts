/**
 * The slonik pool: rows are validated against the zod schema of each `sql.type(...)` query (a
 * repository that reads a column it did not declare, or a migration that changed a type, fails
 * loudly instead of leaking malformed data), timestamps come back as ISO strings.
 */
import { createHash } from 'node:crypto';
import {
  createBigintTypeParser,
  createPool,
  type DatabasePool,
  type DriverTypeParser,
  type Interceptor,
  SchemaValidationError,
} from 'slonik';
import type { AppConfig } from '../config/config.js';

/**
 * Sessions run in UTC (see createDatabasePool), so PostgreSQL prints `2026-11-25 00:18:14.170123+00`;
 * rewriting that text is several times cheaper than Date's parser. Output matches
 * Date#toISOString (milliseconds, `Z`); anything else (infinity, odd offsets) takes the slow path.
 */
const UTC_TIMESTAMP = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?\+00$/;
export const parseTimestamp = (value: string): string => {
  const match = UTC_TIMESTAMP.exec(value);
  if (!match) return new Date(value).toISOString();
  return `${match[1]}T${match[2]}.${(match[3] ?? '').padEnd(3, '0').slice(0, 3)}Z`;
};

const isoTimestamp: DriverTypeParser = { name: 'timestamptz', parse: parseTimestamp };

const resultParserInterceptor: Interceptor = {
  name: 'custos/result-parser',
  transformRow: (context, query, row) => {
    const parser = context.resultParser;
    if (!parser) return row;
    const result = parser['~standard'].validate(row);
    if (result instanceof Promise) throw new TypeError('Row schemas must be synchronous');
    if (result.issues) throw new SchemaValidationError(query, row, result.issues);
    return result.value as typeof row;
  },
};

/**
 * Every statement becomes a named prepared statement, named after a hash of its text: PostgreSQL
 * parses and plans it once per connection instead of on every request. Access conditions are built
 * from a fixed set of policy rules and every value is a parameter, so the set of distinct texts is
 * small and bounded.
 */
const statementNames = new Map<string, string>();
const statementName = (text: string): string => {
  let name = statementNames.get(text);
  if (!name) {
    name = `custos_${createHash('sha1').update(text).digest('base64url')}`;
    if (statementNames.size >= 10_000) statementNames.clear();
    statementNames.set(text, name);
  }
  return name;
};

const preparedStatements: Interceptor = {
  name: 'custos/prepared-statements',
  transformQuery: (_context, query) =>
    query.name || query.values.length === 0 ? query : { ...query, name: statementName(query.sql) },
};

export interface PoolOptions {
  connectionUri: string;
  maxPoolSize: number;
  statementTimeoutMs: number;
  applicationName?: string;
  /** Named prepared statements (default true); see DATABASE_PREPARED_STATEMENTS. */
  preparedStatements?: boolean;
}

/** The API's pool, exactly as the configuration describes it (launcher and tests alike). */
export function createApiPool(config: AppConfig, connectionUri: string): Promise<DatabasePool> {
  return createDatabasePool({
    connectionUri,
    maxPoolSize: config.DATABASE_POOL_SIZE,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    applicationName: 'custos-api',
    preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
  });
}

export async function createDatabasePool(options: PoolOptions): Promise<DatabasePool> {
  const uri = new URL(options.connectionUri);
  if (options.applicationName && !uri.searchParams.has('application_name')) {
    uri.searchParams.set('application_name', options.applicationName);
  }
  // Timestamps are exchanged in UTC whatever the server's default time zone.
  if (!uri.searchParams.has('options')) uri.searchParams.set('options', '-c TimeZone=UTC');
  return createPool(uri.toString(), {
    maxPoolSize: options.maxPoolSize,
    statementTimeout: options.statementTimeoutMs,
    idleInTransactionSessionTimeout: options.statementTimeoutMs * 2,
    connectionTimeout: 5_000,
    interceptors:
      options.preparedStatements === false
        ? [resultParserInterceptor]
        : [preparedStatements, resultParserInterceptor],
    // slonik's default runs DISCARD ALL after every query: a second round trip per request. We
    // never leave session state behind (no SET without LOCAL, no temporary tables or session
    // locks on pooled connections), so there is nothing to discard.
    resetConnection: async () => undefined,
    typeParsers: [createBigintTypeParser(), isoTimestamp],
  });
}
