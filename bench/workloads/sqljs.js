// The sql.js workload: what an application does with an embedded database.
// One iteration opens a fresh in-memory database and runs four phases, each
// timed: a bulk insert through one prepared statement inside a transaction,
// an aggregate query (GROUP BY with count/sum/avg/min/max), a join, and a
// loop of indexed point lookups through a prepared statement. The checksum
// covers every value read back, so a wrong result cannot pass as a fast one.

import { createHash } from 'node:crypto';

export const sizes = {
  jit: { rows: 20000, lookups: 10000 },
  jitless: { rows: 2000, lookups: 2000 },
};

export function runSqljs(SQL, { rows, lookups }) {
  const hash = createHash('sha256');
  const add = (value) => hash.update(JSON.stringify(value) + '\n');
  const phases = {};
  let started = performance.now();
  const lap = (name) => {
    const now = performance.now();
    phases[name] = now - started;
    started = now;
  };

  const db = new SQL.Database();
  db.run(`CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, category INTEGER, price REAL, qty INTEGER);
          CREATE INDEX items_name ON items(name);
          CREATE TABLE categories (id INTEGER PRIMARY KEY, label TEXT, discount REAL);`);
  for (let c = 0; c < 50; c++) db.run('INSERT INTO categories VALUES (?, ?, ?)', [c, 'category ' + c, (c % 7) / 20]);
  started = performance.now();

  db.run('BEGIN');
  const insert = db.prepare('INSERT INTO items (name, category, price, qty) VALUES (?, ?, ?, ?)');
  let seed = 42;
  for (let i = 0; i < rows; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    insert.run(['item-' + ((seed >>> 8) % (rows * 4)) + '-' + i, seed % 50, (seed % 100000) / 100, seed % 17]);
  }
  insert.free();
  db.run('COMMIT');
  lap('insert');

  add(db.exec(`SELECT category, count(*), sum(qty), round(avg(price), 6), min(price), max(price)
               FROM items GROUP BY category ORDER BY category`));
  lap('aggregate');

  add(db.exec(`SELECT c.label, count(*), round(sum(i.price * i.qty * (1 - c.discount)), 4)
               FROM items i JOIN categories c ON c.id = i.category
               WHERE i.qty > 3 GROUP BY c.id ORDER BY 3 DESC LIMIT 20`));
  lap('join');

  const lookup = db.prepare('SELECT id, price, qty FROM items WHERE name = ?');
  let found = 0;
  let sum = 0;
  seed = 42;
  for (let i = 0; i < lookups; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const row = i % rows;
    lookup.bind(['item-' + ((seed >>> 8) % (rows * 4)) + '-' + row]);
    while (lookup.step()) {
      const [id, price, qty] = lookup.get();
      found++;
      sum += id + price * qty;
    }
    lookup.reset();
  }
  lookup.free();
  add([found, sum]);
  lap('lookup');
  db.close();
  return { result: hash.digest('hex').slice(0, 16), phases };
}

/**
 * The first result an application waits for: open a database, run one small
 * script, read the answer back, close. Timed from before the implementation
 * is imported as "start-up to first result"; throws on a wrong answer.
 */
export function firstQuery(SQL) {
  const db = new SQL.Database();
  try {
    const result = db.exec("CREATE TABLE t(a,b); INSERT INTO t VALUES (1,'x'),(2,'y'); SELECT sum(a), group_concat(b) FROM t");
    const values = JSON.stringify(result[0]?.values);
    if (values !== '[[3,"x,y"]]') throw new Error(`first query returned ${values}, expected [[3,"x,y"]]`);
    return values;
  } finally {
    db.close();
  }
}
