import { type Compilable, type CompiledQuery, type Kysely, type QueryResult, type RawBuilder, sql } from 'kysely';

/** Where a prepared query takes one of its arguments, named. */
class Slot {
  constructor(readonly name: string) {}
}

/** Puts the argument `name` where a value goes in a query being built, typed as that argument. */
export type SlotFor<Args> = <Name extends keyof Args & string>(name: Name) => RawBuilder<Args[Name]>;

/**
 * A query built and compiled by Kysely once, then run with fresh arguments: the statements every link runs
 * would otherwise be rebuilt, parsed and compiled on each call, which costs more CPU than SQLite executing them.
 * `build` writes the query with Kysely's typed builder, putting `slot('name')` where an argument goes; values
 * written as they are (a constant state, a null) stay fixed. Works on both engines, since each compiles its own
 * placeholders (`?`, `$1`) and the arguments follow them in order.
 */
export function prepareQuery<Database, Args extends Record<string, unknown>, Row>(
  db: Kysely<Database>,
  build: (slot: SlotFor<Args>) => Compilable<Row>,
  execute: (query: CompiledQuery<NoInfer<Row>>) => Promise<QueryResult<NoInfer<Row>>> = (query) =>
    db.executeQuery(query),
): (args: Args) => Promise<Row[]> {
  const compiled = build((name) => sql`${new Slot(name)}`).compile();
  return async (args) => {
    const parameters = compiled.parameters.map((parameter) =>
      parameter instanceof Slot ? args[parameter.name] : parameter,
    );
    const result = await execute({ ...compiled, parameters });
    return result.rows;
  };
}
