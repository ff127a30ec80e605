// A D1 binding that counts what reaches storage: every statement executed on its own (first/all/raw/run),
// every db.batch and the statements inside it, and exec calls, with the SQL of each. It wraps the real
// binding (a Proxy, like test/http/storage-failure.test.ts does), so the queries still run; prepared
// statements handed back to batch() are unwrapped first, because D1 accepts only its own objects.
// Used by the statement-budget test and by the bench's instrumented entries (never by the real bundle).

export type D1Counts = {
  /** Statements that reached D1, alone or inside a batch. */
  statements: number;
  /** Statements executed on their own (a read, or a write outside a batch). */
  single: number;
  batches: number;
  exec: number;
  /** In order: "first:<sql>", "all:<sql>", "batch[n]:<sql>; <sql>", "exec". */
  log: string[];
};

export const emptyCounts = (): D1Counts => ({ statements: 0, single: 0, batches: 0, exec: 0, log: [] });

const EXECUTORS = new Set(["first", "all", "raw", "run"]);

/** `counts` may be a function, to attribute each statement to whatever phase is current when it runs. */
export function countingD1(db: D1Database, target: D1Counts | (() => D1Counts)): D1Database {
  const current = typeof target === "function" ? target : () => target;
  const real = new WeakMap<object, D1PreparedStatement>();
  const sqlOf = new WeakMap<object, string>();

  const wrap = (statement: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, property) {
        if (property === "bind") {
          return (...values: unknown[]) => wrap(target.bind(...values), sql);
        }
        const value = Reflect.get(target, property, target);
        if (typeof property === "string" && EXECUTORS.has(property) && typeof value === "function") {
          return (...args: unknown[]) => {
            const counts = current();
            counts.statements++;
            counts.single++;
            counts.log.push(`${property}:${sql}`);
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    real.set(proxy, statement);
    sqlOf.set(proxy, sql);
    return proxy;
  };

  return new Proxy(db, {
    get(target, property) {
      if (property === "prepare") {
        return (sql: string) => wrap(target.prepare(sql), sql);
      }
      if (property === "batch") {
        return (statements: D1PreparedStatement[]) => {
          const counts = current();
          counts.batches++;
          counts.statements += statements.length;
          counts.log.push(`batch[${statements.length}]:${statements.map((s) => sqlOf.get(s) ?? "?").join("; ")}`);
          return target.batch(statements.map((s) => real.get(s) ?? s));
        };
      }
      if (property === "exec") {
        return (sql: string) => {
          const counts = current();
          counts.exec++;
          counts.log.push("exec");
          return target.exec(sql);
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** Counts KV reads (the allow-list lookup) the same way. */
export function countingKv(kv: KVNamespace, counts: { kvGets: number }): KVNamespace {
  return new Proxy(kv, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (property === "get" || property === "getWithMetadata") {
        return (...args: unknown[]) => {
          counts.kvGets++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
