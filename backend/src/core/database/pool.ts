/**
 * The slonik pool: rows are validated against the zod schema of each `sql.type(...)` query (a
 * repository that reads a column it did not declare, or a migration that changed a type, fails
 * loudly instead of leaking malformed data), timestamps come back as ISO strings.
 */
import {
  createBigintTypeParser,
  createPool,
  type DatabasePool,
  type DriverTypeParser,
  type Interceptor,
  SchemaValidationError,
} from 'slonik';

const isoTimestamp: DriverTypeParser = {
  name: 'timestamptz',
  parse: (value: string) => new Date(value).toISOString(),
};

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

export interface PoolOptions {
  connectionUri: string;
  maxPoolSize: number;
  statementTimeoutMs: number;
  applicationName?: string;
}

export async function createDatabasePool(options: PoolOptions): Promise<DatabasePool> {
  const uri = new URL(options.connectionUri);
  if (options.applicationName && !uri.searchParams.has('application_name')) {
    uri.searchParams.set('application_name', options.applicationName);
  }
  return createPool(uri.toString(), {
    maxPoolSize: options.maxPoolSize,
    statementTimeout: options.statementTimeoutMs,
    idleInTransactionSessionTimeout: options.statementTimeoutMs * 2,
    connectionTimeout: 5_000,
    interceptors: [resultParserInterceptor],
    typeParsers: [createBigintTypeParser(), isoTimestamp],
  });
}
