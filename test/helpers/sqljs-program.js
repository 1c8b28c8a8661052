// The sql.js conformance program: loads sql.js's own, unmodified glue
// (dist/sql-wasm.js) on the WebAssembly implementation chosen on the command
// line, runs a fixed list of scenarios and prints their results as one JSON
// object on stdout. test/sqljs.test.ts runs it once on native WebAssembly for
// the expected results and again under `node --jitless` on wasm2es.
//
//   node test/helpers/sqljs-program.js native
//   node --jitless test/helpers/sqljs-program.js aot <generated.js>...
//   node --jitless test/helpers/sqljs-program.js polyfill
//
// aot: the listed ahead-of-time output (of sql-wasm.wasm) is imported
// first, then wasm2es/runtime (no compiler) stands in for WebAssembly; the
// glue reads sql-wasm.wasm itself and the runtime finds the precompiled
// module by its bytes. The one-function modules that the glue's addFunction
// builds at run time, to put JS functions into the table, have no function
// bodies: the runtime loads those from their bytes itself.
// polyfill: wasm2es/polyfill installs the compiling WebAssembly.

import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { printReport, runCases } from './report-cases.js';

const require = createRequire(import.meta.url);
const [mode, ...aotFiles] = process.argv.slice(2);
const hadNativeWebAssembly = typeof globalThis.WebAssembly !== 'undefined';

async function installWebAssembly() {
  if (mode === 'native') {
    if (!hadNativeWebAssembly) throw new Error('native mode needs an engine with WebAssembly');
    return 'native';
  }
  if (mode === 'aot') {
    const runtime = await import('wasm2es/runtime');
    globalThis.WebAssembly = runtime.WebAssembly;
    for (const file of aotFiles) await import(pathToFileURL(resolve(file)).href);
    return 'wasm2es/runtime';
  }
  if (mode === 'polyfill') {
    await import('wasm2es/polyfill');
    if (hadNativeWebAssembly) {
      // The polyfill leaves an engine's own WebAssembly alone; to exercise
      // wasm2es with the JIT on (debugging only), replace it explicitly.
      globalThis.WebAssembly = (await import('wasm2es')).WebAssembly;
    }
    return 'wasm2es/polyfill';
  }
  throw new Error(`unknown mode ${mode}`);
}

/** JSON-safe, comparable form of what sql.js returns. */
function plain(value) {
  if (value instanceof Uint8Array) return { blob: Array.from(value) };
  if (typeof value === 'bigint') return { bigint: value.toString() };
  if (typeof value === 'number' && !Number.isFinite(value)) return { number: String(value) };
  if (typeof value === 'number' && Object.is(value, -0)) return { number: '-0' };
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    const out = {};
    for (const key of Object.keys(value)) out[key] = plain(value[key]);
    return out;
  }
  return value;
}

function errorOf(fn) {
  try {
    fn();
  } catch (error) {
    return { name: error?.constructor?.name ?? typeof error, message: String(error?.message ?? error) };
  }
  return 'no error';
}

function rows(db, sql, params) {
  const stmt = db.prepare(sql);
  if (params) stmt.bind(params);
  const out = [];
  while (stmt.step()) out.push(stmt.get());
  stmt.free();
  return out;
}

const scenarios = {
  'create tables'(SQL) {
    const db = new SQL.Database();
    db.run('CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER)');
    db.run('CREATE TABLE pets (id INTEGER PRIMARY KEY, owner INTEGER REFERENCES people(id), kind TEXT)');
    db.run('CREATE INDEX pets_owner ON pets(owner)');
    db.run('CREATE VIEW adults AS SELECT name FROM people WHERE age >= 18');
    const result = db.exec("SELECT type, name, tbl_name FROM sqlite_master ORDER BY type, name");
    const info = db.exec('PRAGMA table_info(people)');
    db.close();
    return { result, info };
  },

  insert(SQL) {
    const db = new SQL.Database();
    db.run('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL)');
    db.run("INSERT INTO t (name, score) VALUES ('ann', 1.5), ('bob', -2.25), ('cé', 1e300)");
    db.run('INSERT INTO t (name, score) VALUES (?, ?)', ['dan', 42]);
    db.run('INSERT INTO t (name, score) VALUES ($name, $score)', { $name: 'eve', $score: 0.1 });
    for (let i = 0; i < 200; i++) db.run('INSERT INTO t (name, score) VALUES (?, ?)', ['n' + i, i / 7]);
    const head = db.exec('SELECT * FROM t ORDER BY id LIMIT 6');
    const total = db.exec('SELECT count(*), sum(score), total(length(name)) FROM t WHERE id > 5');
    const modified = db.getRowsModified();
    db.close();
    return { head, total, modified };
  },

  update(SQL) {
    const db = new SQL.Database();
    db.run('CREATE TABLE t (k INTEGER PRIMARY KEY, v INTEGER, s TEXT)');
    for (let i = 0; i < 50; i++) db.run('INSERT INTO t VALUES (?, ?, ?)', [i, i * i, 'x' + i]);
    db.run('UPDATE t SET v = v + 1000, s = upper(s) WHERE k % 3 = 0');
    const modified = db.getRowsModified();
    db.run("UPDATE t SET s = replace(s, 'x', 'y') WHERE v < 100");
    const modified2 = db.getRowsModified();
    const result = db.exec('SELECT k, v, s FROM t WHERE k < 12 ORDER BY k');
    db.close();
    return { modified, modified2, result };
  },

  delete(SQL) {
    const db = new SQL.Database();
    db.run('CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)');
    for (let i = 0; i < 100; i++) db.run('INSERT INTO t VALUES (?, ?)', [i, 'v' + i]);
    db.run('DELETE FROM t WHERE k % 2 = 1');
    const modified = db.getRowsModified();
    db.run('DELETE FROM t WHERE v LIKE ?', ['v1%']);
    const modified2 = db.getRowsModified();
    const result = db.exec('SELECT count(*), min(k), max(k), group_concat(k) FROM t');
    db.close();
    return { modified, modified2, result };
  },

  transactions(SQL) {
    const db = new SQL.Database();
    db.run('CREATE TABLE t (v INTEGER)');
    db.run('BEGIN');
    db.run('INSERT INTO t VALUES (1), (2)');
    db.run('ROLLBACK');
    const afterRollback = db.exec('SELECT count(*) FROM t');
    db.run('BEGIN TRANSACTION');
    for (let i = 0; i < 100; i++) db.run('INSERT INTO t VALUES (?)', [i]);
    db.run('COMMIT');
    const afterCommit = db.exec('SELECT count(*), sum(v) FROM t');
    db.run('SAVEPOINT a');
    db.run('DELETE FROM t WHERE v < 50');
    db.run('SAVEPOINT b');
    db.run('DELETE FROM t');
    db.run('ROLLBACK TO b');
    db.run('RELEASE a');
    const afterSavepoints = db.exec('SELECT count(*), sum(v) FROM t');
    const nested = errorOf(() => { db.run('BEGIN'); db.run('BEGIN'); });
    db.run('ROLLBACK');
    db.close();
    return { afterRollback, afterCommit, afterSavepoints, nested };
  },

  'prepared statements and binding types'(SQL) {
    const db = new SQL.Database();
    db.run('CREATE TABLE t (a, b, c, d, e)');
    const insert = db.prepare('INSERT INTO t VALUES (?, ?, ?, ?, ?)');
    insert.run([null, 42, 3.25, 'text ✓ ünïcödé', new Uint8Array([0, 1, 2, 254, 255])]);
    insert.run([null, -9007199254740991, -0.5e-300, '', new Uint8Array(0)]);
    insert.run([true, 2147483648, Math.PI, 'x'.repeat(1000), new Uint8Array(300).map((_, i) => i * 7)]);
    insert.free();
    const named = db.prepare('SELECT :x AS x, @y AS y, $z AS z, ?4 AS four');
    const asObject = named.getAsObject({ ':x': 1.5, '@y': 'why', $z: null, 4: new Uint8Array([9]) });
    named.free();
    const all = rows(db, 'SELECT a, typeof(a), b, typeof(b), c, typeof(c), d, typeof(d), e, typeof(e), length(e) FROM t');
    const select = db.prepare('SELECT b FROM t WHERE b > ? ORDER BY b');
    const reused = [];
    for (const bound of [0, -1e20, 2147483647]) {
      select.bind([bound]);
      const values = [];
      while (select.step()) values.push(select.get()[0]);
      reused.push(values);
      select.reset();
    }
    const columns = select.getColumnNames();
    const sql = select.getSQL();
    select.free();
    const big = db.prepare('SELECT 9223372036854775807, -9223372036854775808, 1 << 62');
    big.step();
    const bigint = big.get(null, { useBigInt: true });
    const asNumber = big.get();
    big.free();
    const expanded = db.prepare('SELECT ?, ?');
    expanded.bind([7, 'seven']);
    const normalized = expanded.getNormalizedSQL();
    expanded.free();
    db.close();
    return { asObject, all, reused, columns, sql, bigint, asNumber, normalized };
  },

  aggregates(SQL) {
    const db = new SQL.Database();
    db.run('CREATE TABLE sales (region TEXT, product TEXT, qty INTEGER, price REAL)');
    const insert = db.prepare('INSERT INTO sales VALUES (?, ?, ?, ?)');
    const regions = ['north', 'south', 'east', 'west'];
    for (let i = 0; i < 400; i++) insert.run([regions[i % 4], 'p' + (i % 7), (i * 37) % 11, ((i * 13) % 100) / 4]);
    insert.free();
    const counts = db.exec('SELECT count(*), count(DISTINCT product), sum(qty), total(price), avg(price), min(price), max(qty) FROM sales');
    const grouped = db.exec(`SELECT region, count(*), sum(qty), round(sum(qty * price), 2), group_concat(DISTINCT product)
                             FROM sales GROUP BY region HAVING sum(qty) > 0 ORDER BY region`);
    const window = db.exec(`SELECT product, qty, sum(qty) OVER (PARTITION BY product ORDER BY rowid ROWS 2 PRECEDING)
                            FROM sales WHERE region = 'east' ORDER BY product, rowid LIMIT 12`);
    const math = db.exec('SELECT sqrt(2), pow(2, 0.5), ln(10), sin(1), floor(-2.5), ceil(2.1), 7 / 2, 7 % 3, 7.0 / 2, -7 / 2, 1e308 * 10, abs(-9223372036854775807)');
    db.close();
    return { counts, grouped, window, math };
  },

  joins(SQL) {
    const db = new SQL.Database();
    db.run(`CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT);
            CREATE TABLE books (id INTEGER PRIMARY KEY, author INTEGER, title TEXT, year INTEGER);
            INSERT INTO authors VALUES (1, 'Le Guin'), (2, 'Lem'), (3, 'Borges'), (4, 'Nobody');
            INSERT INTO books VALUES (1, 1, 'The Dispossessed', 1974), (2, 1, 'The Lathe of Heaven', 1971),
              (3, 2, 'Solaris', 1961), (4, 2, 'The Cyberiad', 1965), (5, 3, 'Ficciones', 1944), (6, 9, 'Orphan', 2000);`);
    const inner = db.exec('SELECT a.name, b.title FROM authors a JOIN books b ON b.author = a.id ORDER BY b.year');
    const left = db.exec('SELECT a.name, count(b.id) FROM authors a LEFT JOIN books b ON b.author = a.id GROUP BY a.id ORDER BY a.id');
    const self = db.exec(`SELECT x.title, y.title FROM books x JOIN books y ON x.author = y.author AND x.id < y.id ORDER BY x.id`);
    const sub = db.exec(`SELECT name FROM authors WHERE id IN (SELECT author FROM books WHERE year < 1970) ORDER BY name`);
    const cte = db.exec(`WITH RECURSIVE n(i, f) AS (SELECT 1, 1 UNION ALL SELECT i + 1, f * (i + 1) FROM n WHERE i < 20)
                         SELECT i, f FROM n WHERE i % 5 = 0`);
    db.close();
    return { inner, left, self, sub, cte };
  },

  like(SQL) {
    const db = new SQL.Database();
    db.run('CREATE TABLE words (w TEXT)');
    for (const w of ['apple', 'Apricot', 'banana', 'band', 'bandana', 'can_do', 'canada', '100%', 'ÄPFEL', 'äpfel'])
      db.run('INSERT INTO words VALUES (?)', [w]);
    const q = (pattern, extra = '') => db.exec(`SELECT w FROM words WHERE w LIKE ? ${extra} ORDER BY w`, [pattern]);
    const result = {
      prefix: q('ap%'),
      underscore: q('ban_'),
      infix: q('%ana%'),
      escape: db.exec("SELECT w FROM words WHERE w LIKE 'can\\_%' ESCAPE '\\' ORDER BY w"),
      percent: db.exec("SELECT w FROM words WHERE w LIKE '%!%' ESCAPE '!'"),
      glob: db.exec("SELECT w FROM words WHERE w GLOB '[ab]*an*' ORDER BY w"),
      strings: db.exec(`SELECT upper('äbc'), lower('ÄBC'), substr('hello world', 7), instr('hello', 'll'),
                        replace('a-b-c', '-', '+'), trim('  x  '), printf('%5.2f|%d|%s|%x', 3.14159, 42, 'z', 255),
                        hex('wasm'), quote('it''s'), length('✓✓'), unicode('✓'), char(72, 105)`),
      json: db.exec(`SELECT json_extract('{"a":[1,2,{"b":"c"}]}', '$.a[2].b'), json_array(1, 2.5, 'x', null), json_object('k', 1)`),
    };
    db.close();
    return result;
  },

  'user-defined functions'(SQL) {
    const db = new SQL.Database();
    const calls = [];
    db.create_function('js_add', (a, b) => a + b);
    db.create_function('js_concat', (a, b, c, d) => [a, b, c, d].map(String).join('|'));
    db.create_function('js_blob', (n) => new Uint8Array(n).map((_, i) => i + 1));
    db.create_function('js_null', () => null);
    db.create_function('js_bool', (x) => x > 0);
    db.create_function('js_log', (x) => { calls.push(x); return x; });
    db.create_function('js_fail', () => { throw new Error('boom from js'); });
    db.create_aggregate('js_sumsq', { init: () => 0, step: (state, x) => state + x * x, finalize: (state) => state });
    db.create_aggregate('js_collect', { step: (state, x) => (state ?? []).concat([x]), finalize: (state) => JSON.stringify(state) });
    db.run('CREATE TABLE t (x INTEGER, g TEXT)');
    for (let i = 1; i <= 10; i++) db.run('INSERT INTO t VALUES (?, ?)', [i, i % 2 ? 'odd' : 'even']);
    const scalar = db.exec(`SELECT js_add(1, 2), js_add(1.5, 2.25), js_add('a', 'b'), js_concat(1, 'two', 3.5, NULL),
                            js_blob(4), js_null(), js_bool(5), js_bool(-5)`);
    const inQuery = db.exec('SELECT x, js_add(x, x * 10) FROM t WHERE js_add(x, 0) % 3 = 0 ORDER BY x');
    const aggregate = db.exec('SELECT g, js_sumsq(x), js_collect(x), sum(x * x) FROM t GROUP BY g ORDER BY g');
    db.exec('SELECT js_log(x) FROM t WHERE x < 4');
    const failure = errorOf(() => db.exec('SELECT js_fail()'));
    // Redefining replaces the table entry (removeFunction then addFunction).
    db.create_function('js_add', (a, b) => a * b);
    const redefined = db.exec('SELECT js_add(6, 7)');
    const hooked = [];
    db.updateHook((operation, database, table, rowId) => hooked.push([operation, database, table, rowId]));
    db.run("INSERT INTO t VALUES (99, 'hook')");
    db.run('UPDATE t SET x = 100 WHERE x = 99');
    db.run('DELETE FROM t WHERE x = 100');
    db.updateHook(null);
    db.run("INSERT INTO t VALUES (7, 'unhooked')");
    db.close();
    return { scalar, inQuery, aggregate, calls, failure, redefined, hooked };
  },

  'export and re-open'(SQL) {
    const db = new SQL.Database();
    db.run('CREATE TABLE kv (k TEXT PRIMARY KEY, v BLOB, n REAL)');
    const insert = db.prepare('INSERT INTO kv VALUES (?, ?, ?)');
    for (let i = 0; i < 300; i++) insert.run(['key' + i, new Uint8Array(i % 50).fill(i & 255), i * 1.25]);
    insert.free();
    db.run('CREATE INDEX kv_n ON kv(n)');
    const bytes = db.export();
    db.close();
    const header = new TextDecoder().decode(bytes.subarray(0, 15));
    const digest = createHash('sha256').update(bytes).digest('hex');
    const reopened = new SQL.Database(bytes);
    const check = reopened.exec("SELECT count(*), sum(n), sum(length(v)), max(k) FROM kv WHERE k LIKE 'key1%'");
    const integrity = reopened.exec('PRAGMA integrity_check');
    reopened.run("UPDATE kv SET n = -n WHERE k = 'key7'");
    const again = new SQL.Database(reopened.export());
    reopened.close();
    const after = again.exec("SELECT n FROM kv WHERE k = 'key7'");
    again.close();
    return { size: bytes.length, header, digest, check, integrity, after };
  },

  errors(SQL) {
    const db = new SQL.Database();
    db.run('CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)');
    db.run("INSERT INTO t VALUES (1, 'a')");
    const result = {
      syntax: errorOf(() => db.exec('SELEC 1')),
      noTable: errorOf(() => db.exec('SELECT * FROM missing')),
      noColumn: errorOf(() => db.prepare('SELECT nope FROM t')),
      unique: errorOf(() => db.run("INSERT INTO t VALUES (2, 'a')")),
      notNull: errorOf(() => db.run('INSERT INTO t VALUES (3, NULL)')),
      badBind: errorOf(() => db.run('SELECT ?', [{ not: 'bindable' }])),
      incomplete: errorOf(() => db.exec("SELECT 'unterminated")),
    };
    result.stillWorks = db.exec('SELECT count(*), group_concat(v) FROM t');
    const stmt = db.prepare('SELECT 1');
    stmt.free();
    result.freed = errorOf(() => stmt.step());
    db.close();
    result.closed = errorOf(() => db.exec('SELECT 1'));
    return result;
  },
};

const report = { hadNativeWebAssembly, results: {} };
await printReport(report, async () => {
  report.implementation = await installWebAssembly();
  const started = performance.now();
  const initSqlJs = require('sql.js/dist/sql-wasm.js');
  const SQL = await initSqlJs();
  report.startupMs = performance.now() - started;
  await runCases(report, Object.fromEntries(Object.entries(scenarios).map(([name, scenario]) => [name, () => plain(scenario(SQL))])));
});
