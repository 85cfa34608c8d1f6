import { type CompiledQuery, type Kysely, type QueryResult, sql } from 'kysely';

type Write = {
  query: CompiledQuery;
  resolve: (result: QueryResult<unknown>) => void;
  reject: (error: unknown) => void;
};
type Outcome = { result: QueryResult<unknown> } | { error: unknown };

/**
 * On SQLite each commit waits for the disk (`synchronous = FULL`) on the event loop's thread: every other request of
 * the instance waits with it, three times a link, and the flush costs the kernel more CPU than the writes. The link
 * writes that arrive in one turn of the event loop are committed together, with one wait for the disk. Each caller
 * still goes on only once its write is on disk. A write refused (a constraint) fails alone, as it would alone; a
 * failure that ends the whole transaction or its commit (the disk full, an I/O error) fails every write of the group,
 * none of which is kept, and each caller is told, as a lone write's would be. Each write runs in a savepoint of its
 * own only to tell the two apart: without it, the writes after one that ended the transaction would each be committed
 * on its own, unseen, while the group was told it failed.
 * PostgreSQL groups the commits of concurrent connections itself.
 */
export class GroupCommit<Database> {
  #waiting: Write[] = [];
  readonly #begin: CompiledQuery;
  readonly #commit: CompiledQuery;
  readonly #rollback: CompiledQuery;
  readonly #savepoint: CompiledQuery;
  readonly #release: CompiledQuery;
  readonly #rollbackToSavepoint: CompiledQuery;

  constructor(private readonly db: Kysely<Database>) {
    this.#begin = sql`begin immediate`.compile(db);
    this.#commit = sql`commit`.compile(db);
    this.#rollback = sql`rollback`.compile(db);
    this.#savepoint = sql`savepoint one_write`.compile(db);
    this.#release = sql`release one_write`.compile(db);
    this.#rollbackToSavepoint = sql`rollback to one_write`.compile(db);
  }

  /** Runs `query` in the next group commit; settles once it is on disk. */
  run<Row>(query: CompiledQuery<Row>): Promise<QueryResult<Row>> {
    return new Promise((resolve, reject) => {
      const write: Write = { query, resolve: resolve as Write['resolve'], reject };
      if (this.#waiting.push(write) === 1) setImmediate(() => void this.#commitWaiting());
    });
  }

  async #commitWaiting(): Promise<void> {
    const writes = this.#waiting;
    this.#waiting = [];
    const [only] = writes;
    if (writes.length === 1 && only) {
      await this.db.executeQuery(only.query).then(only.resolve, only.reject);
      return;
    }
    let outcomes: Outcome[];
    try {
      outcomes = await this.db.connection().execute(async (connection) => {
        await connection.executeQuery(this.#begin);
        try {
          const done: Outcome[] = [];
          for (const write of writes) done.push(await this.#runAlone(connection, write.query));
          await connection.executeQuery(this.#commit);
          return done;
        } catch (error) {
          // SQLite may have ended the transaction itself (the disk full): the first error is the one to tell.
          await connection.executeQuery(this.#rollback).catch(() => undefined);
          throw error;
        }
      });
    } catch (error) {
      for (const write of writes) write.reject(error);
      return;
    }
    writes.forEach((write, index) => {
      const outcome = outcomes[index];
      if (outcome && 'result' in outcome) write.resolve(outcome.result);
      else write.reject(outcome?.error);
    });
  }

  /** One write inside the group's transaction, undone alone should it fail. */
  async #runAlone(connection: Kysely<Database>, query: CompiledQuery): Promise<Outcome> {
    await connection.executeQuery(this.#savepoint);
    try {
      const result = await connection.executeQuery(query);
      await connection.executeQuery(this.#release);
      return { result };
    } catch (error) {
      try {
        await connection.executeQuery(this.#rollbackToSavepoint);
        await connection.executeQuery(this.#release);
      } catch {
        // The failure ended the whole transaction (the disk full): the group fails with it.
        throw error;
      }
      return { error };
    }
  }
}
