/**
 * The one handle services use to reach PostgreSQL. `transaction` is where every state change
 * happens: later, the audit event of a change is written inside the same transaction.
 */
import { type DatabasePool, type DatabaseTransactionConnection, sql } from 'slonik';

export type Queryable = DatabasePool | DatabaseTransactionConnection;

export const DATABASE_POOL = Symbol('DATABASE_POOL');

export class Database {
  constructor(readonly pool: DatabasePool) {}

  transaction<T>(handler: (tx: DatabaseTransactionConnection) => Promise<T>): Promise<T> {
    // No automatic retries: a retried handler could repeat side effects outside the database.
    return this.pool.transaction(handler, 0);
  }

  async isReachable(): Promise<boolean> {
    try {
      await this.pool.query(sql.unsafe`SELECT 1`);
      return true;
    } catch {
      return false;
    }
  }
}
