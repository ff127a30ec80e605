// A D1 binding that records what D1 itself reports for every statement it runs: meta.duration (the SQL's
// own time inside the database, without the trip to it), meta.size_after (the database's size in bytes),
// rows read and written. For the capacity model's inputs (capacity-measure.ts); never in the real bundle.
//
// D1 reports meta for run(), all() and each statement of a batch, but not for raw() and first(), which the
// gateway's Drizzle reads use. Those are run as asked (their result is what the caller gets) and then once
// more with all(), a read of the same bound statement, whose meta is recorded. Only reads take that path.

export type StatementMeta = { sql: string; ms: number; sizeAfter: number; rowsRead: number; rowsWritten: number };

type Meta = { duration?: number; size_after?: number; rows_read?: number; rows_written?: number };

export function meteredD1(db: D1Database, record: (meta: StatementMeta) => void): D1Database {
  const real = new WeakMap<object, D1PreparedStatement>();
  const sqlOf = new WeakMap<object, string>();
  const note = (sql: string, meta: Meta | undefined) =>
    record({ sql, ms: meta?.duration ?? 0, sizeAfter: meta?.size_after ?? 0, rowsRead: meta?.rows_read ?? 0, rowsWritten: meta?.rows_written ?? 0 });

  const wrap = (statement: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, property) {
        if (property === "bind") return (...values: unknown[]) => wrap(target.bind(...values), sql);
        if (property === "run" || property === "all") {
          return async (...args: unknown[]) => {
            const result = (await (target[property] as (...a: unknown[]) => Promise<D1Result>)(...args)) as D1Result;
            note(sql, result.meta as Meta);
            return result;
          };
        }
        if (property === "raw" || property === "first") {
          return async (...args: unknown[]) => {
            const result = await (target[property] as (...a: unknown[]) => Promise<unknown>)(...args);
            note(sql, (await target.all()).meta as Meta);
            return result;
          };
        }
        const value = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    real.set(proxy, statement);
    sqlOf.set(proxy, sql);
    return proxy;
  };

  return new Proxy(db, {
    get(target, property) {
      if (property === "prepare") return (sql: string) => wrap(target.prepare(sql), sql);
      if (property === "batch") {
        return async (statements: D1PreparedStatement[]) => {
          const results = await target.batch(statements.map((s) => real.get(s) ?? s));
          results.forEach((result, i) => note(sqlOf.get(statements[i] as object) ?? "?", result.meta as Meta));
          return results;
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
