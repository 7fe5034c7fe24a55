/* SQLite backend: WAL, foreign keys, STRICT tables, a per-connection cache of
 * prepared statements keyed by the SQL text's address. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "store/backend.h"

#define STMT_CACHE_SLOTS 256 /* distinct SQL statements per connection */

typedef struct sq_stmt {
	vg_stmt base;
	sqlite3_stmt *s;
	const char *sql;
	bool busy;
	bool cached;
} sq_stmt;

typedef struct sq_db {
	vg_db base;
	sqlite3 *h;
	sq_stmt *cache[STMT_CACHE_SLOTS];
} sq_db;

static vg_err sq_err(sqlite3 *h, int rc, vg_diag *d)
{
	int prim = rc & 0xff;
	vg_err code = VG_ERR_DB;
	if (prim == SQLITE_CONSTRAINT) {
		code = VG_ERR_CONFLICT;
		if (rc == SQLITE_CONSTRAINT_FOREIGNKEY || rc == SQLITE_CONSTRAINT_CHECK ||
		    rc == SQLITE_CONSTRAINT_NOTNULL || rc == SQLITE_CONSTRAINT_DATATYPE)
			code = VG_ERR_INVALID;
	} else if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED) {
		code = VG_ERR_BUSY;
	} else if (prim == SQLITE_NOMEM) {
		code = VG_ERR_NOMEM;
	} else if (prim == SQLITE_TOOBIG) {
		code = VG_ERR_LIMIT;
	} else if (prim == SQLITE_CANTOPEN || prim == SQLITE_IOERR || prim == SQLITE_FULL) {
		code = VG_ERR_IO;
	}
	return vg_diag_set(d, code, NULL, "database: %s", h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
}

static void sq_close(vg_db *db)
{
	sq_db *q = (sq_db *)db;
	for (int i = 0; i < STMT_CACHE_SLOTS; i++) {
		if (q->cache[i]) {
			sqlite3_finalize(q->cache[i]->s);
			free(q->cache[i]);
		}
	}
	sqlite3_close_v2(q->h);
	free(q);
}

static vg_err sq_exec(vg_db *db, const char *sql, vg_diag *d)
{
	sq_db *q = (sq_db *)db;
	char *msg = NULL;
	int rc = sqlite3_exec(q->h, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		vg_err e = sq_err(q->h, rc, d);
		if (msg) {
			vg_diag_set(d, e, NULL, "database: %s", msg);
			sqlite3_free(msg);
		}
		return e;
	}
	return VG_OK;
}

static vg_err sq_open(const char *target, const vg_db_options *o, vg_db **out, vg_diag *d)
{
	sq_db *q = calloc(1, sizeof *q);
	int flags = o->readonly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	int rc;
	char pragmas[512];
	vg_err e;
	if (!q)
		return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
	q->base.ops = &vg_sqlite_ops;
	rc = sqlite3_open_v2(target, &q->h, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		e = vg_diag_set(d, VG_ERR_IO, "db", "cannot open database %s: %s", target,
				q->h ? sqlite3_errmsg(q->h) : sqlite3_errstr(rc));
		sqlite3_close_v2(q->h);
		free(q);
		return e;
	}
	sqlite3_extended_result_codes(q->h, 1);
	sqlite3_busy_timeout(q->h, o->busy_timeout_ms > 0 ? o->busy_timeout_ms : 5000);
	/* Harden against a hostile database file: no extension loading, no triggers
	 * or views from a schema we did not write are trusted beyond our own. */
	sqlite3_db_config(q->h, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(q->h, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	/* No memory-mapped I/O: the database grows with every commit, and a
	 * connection whose mapping no longer covers the file remaps it at its next
	 * transaction; with one writer and many readers that cost about a fifth of
	 * the CPU of an API creation, while reads, served from each connection's
	 * page cache, showed no difference (docs/PERFORMANCE.md, "Incident creation
	 * through the API"). */
	snprintf(pragmas, sizeof pragmas,
		 "PRAGMA foreign_keys=ON; %s PRAGMA synchronous=%s; PRAGMA temp_store=MEMORY;"
		 " PRAGMA cache_size=-16384; PRAGMA mmap_size=0;",
		 o->readonly ? "" : "PRAGMA journal_mode=WAL;", o->sync_full ? "FULL" : "NORMAL");
	e = sq_exec(&q->base, pragmas, d);
	if (e) {
		sq_close(&q->base);
		return e;
	}
	*out = &q->base;
	return VG_OK;
}

static unsigned slot_of(const char *sql)
{
	uintptr_t p = (uintptr_t)sql;
	p ^= p >> 17;
	p *= 0x9E3779B97F4A7C15ull;
	return (unsigned)(p >> 40) % STMT_CACHE_SLOTS;
}

static vg_err sq_prepare(vg_db *db, const char *sql, vg_stmt **out, vg_diag *d)
{
	sq_db *q = (sq_db *)db;
	unsigned slot = slot_of(sql), i;
	sq_stmt *st;
	int rc;
	*out = NULL;
	/* linear probe a few slots for a cached, idle statement with this SQL */
	for (i = 0; i < 8; i++) {
		sq_stmt *c = q->cache[(slot + i) % STMT_CACHE_SLOTS];
		if (c && c->sql == sql && !c->busy && strcmp(sqlite3_sql(c->s), sql) == 0) {
			c->busy = true;
			*out = &c->base;
			return VG_OK;
		}
	}
	st = calloc(1, sizeof *st);
	if (!st)
		return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
	st->base.ops = &vg_sqlite_ops;
	st->base.db = db;
	st->sql = sql;
	rc = sqlite3_prepare_v3(q->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->s, NULL);
	if (rc != SQLITE_OK) {
		vg_err e = sq_err(q->h, rc, d);
		free(st);
		return e;
	}
	st->busy = true;
	for (i = 0; i < 8; i++) {
		unsigned s = (slot + i) % STMT_CACHE_SLOTS;
		if (!q->cache[s]) {
			q->cache[s] = st;
			st->cached = true;
			break;
		}
	}
	*out = &st->base;
	return VG_OK;
}

static void sq_done(vg_stmt *vs)
{
	sq_stmt *st = (sq_stmt *)vs;
	if (!st->cached) {
		sqlite3_finalize(st->s);
		free(st);
		return;
	}
	sqlite3_reset(st->s);
	sqlite3_clear_bindings(st->s);
	st->busy = false;
}

#define S(vs) (((sq_stmt *)(vs))->s)
#define H(vs) (((sq_db *)((vs)->db))->h)

static vg_err bind_rc(vg_stmt *vs, int rc)
{
	if (rc == SQLITE_OK)
		return VG_OK;
	return sq_err(H(vs), rc, NULL);
}

static vg_err sq_bind_int(vg_stmt *vs, int i, int64_t v) { return bind_rc(vs, sqlite3_bind_int64(S(vs), i, v)); }
static vg_err sq_bind_double(vg_stmt *vs, int i, double v) { return bind_rc(vs, sqlite3_bind_double(S(vs), i, v)); }
static vg_err sq_bind_text(vg_stmt *vs, int i, const char *s, ptrdiff_t len)
{
	return bind_rc(vs, sqlite3_bind_text(S(vs), i, s, len < 0 ? -1 : (int)len, SQLITE_TRANSIENT));
}
static vg_err sq_bind_blob(vg_stmt *vs, int i, const void *p, size_t len)
{
	return bind_rc(vs, sqlite3_bind_blob64(S(vs), i, p, len, SQLITE_TRANSIENT));
}
static vg_err sq_bind_null(vg_stmt *vs, int i) { return bind_rc(vs, sqlite3_bind_null(S(vs), i)); }

static int sq_step(vg_stmt *vs, vg_diag *d)
{
	int rc = sqlite3_step(S(vs));
	if (rc == SQLITE_ROW)
		return VG_ROW;
	if (rc == SQLITE_DONE)
		return VG_DONE;
	return -(int)sq_err(H(vs), rc, d);
}

static int sq_columns(vg_stmt *vs) { return sqlite3_column_count(S(vs)); }
static bool sq_is_null(vg_stmt *vs, int c) { return sqlite3_column_type(S(vs), c) == SQLITE_NULL; }
static int64_t sq_col_int(vg_stmt *vs, int c) { return sqlite3_column_int64(S(vs), c); }
static double sq_col_double(vg_stmt *vs, int c) { return sqlite3_column_double(S(vs), c); }
static const char *sq_col_text(vg_stmt *vs, int c)
{
	const unsigned char *t = sqlite3_column_text(S(vs), c);
	return t ? (const char *)t : "";
}
static const void *sq_col_blob(vg_stmt *vs, int c, size_t *len)
{
	const void *p = sqlite3_column_blob(S(vs), c);
	*len = (size_t)sqlite3_column_bytes(S(vs), c);
	return p;
}
static const char *sq_col_name(vg_stmt *vs, int c) { return sqlite3_column_name(S(vs), c); }

static vg_err sq_tx_begin(vg_db *db, bool write, vg_diag *d)
{
	return sq_exec(db, write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED", d);
}
static vg_err sq_tx_commit(vg_db *db, vg_diag *d) { return sq_exec(db, "COMMIT", d); }
static void sq_tx_rollback(vg_db *db)
{
	sq_db *q = (sq_db *)db;
	if (!sqlite3_get_autocommit(q->h))
		sq_exec(db, "ROLLBACK", NULL);
}
static int64_t sq_last_id(vg_db *db) { return sqlite3_last_insert_rowid(((sq_db *)db)->h); }
static int64_t sq_changes(vg_db *db) { return sqlite3_changes64(((sq_db *)db)->h); }

static int64_t pragma_int(vg_db *db, const char *sql)
{
	sq_db *q = (sq_db *)db;
	sqlite3_stmt *s;
	int64_t v = -1;
	if (sqlite3_prepare_v2(q->h, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static int64_t sq_size(vg_db *db)
{
	return pragma_int(db, "PRAGMA page_count") * pragma_int(db, "PRAGMA page_size");
}

static int64_t sq_data_version(vg_db *db)
{
	return pragma_int(db, "PRAGMA data_version");
}

static vg_err sq_backup(vg_db *db, const char *dest, vg_diag *d)
{
	sq_db *q = (sq_db *)db;
	sqlite3 *out = NULL;
	sqlite3_backup *b;
	int rc;
	vg_err e = VG_OK;
	FILE *probe = fopen(dest, "rb");
	if (probe) {
		fclose(probe);
		return vg_diag_set(d, VG_ERR_CONFLICT, "file", "%s already exists; refusing to overwrite", dest);
	}
	rc = sqlite3_open_v2(dest, &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		e = vg_diag_set(d, VG_ERR_IO, "file", "cannot create %s: %s", dest,
				out ? sqlite3_errmsg(out) : sqlite3_errstr(rc));
		goto out;
	}
	b = sqlite3_backup_init(out, "main", q->h, "main");
	if (!b) {
		e = sq_err(out, sqlite3_errcode(out), d);
		goto out;
	}
	/* copy in steps so writers are not blocked for the whole copy */
	do {
		rc = sqlite3_backup_step(b, 1024);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(20);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE)
		e = sq_err(out, rc, d);
	else
		sqlite3_exec(out, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
out:
	sqlite3_close_v2(out);
	if (e)
		remove(dest);
	return e;
}

static vg_err sq_check(vg_db *db, char **report, vg_diag *d)
{
	sq_db *q = (sq_db *)db;
	sqlite3_stmt *s = NULL;
	vg_buf b;
	int problems = 0, rc;
	vg_err e = VG_OK;
	vg_buf_init(&b, 1 << 20);
	rc = sqlite3_prepare_v2(q->h, "PRAGMA integrity_check(100)", -1, &s, NULL);
	if (rc != SQLITE_OK) {
		e = sq_err(q->h, rc, d);
		goto out;
	}
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);
		if (t && strcmp(t, "ok") != 0) {
			vg_buf_printf(&b, "integrity: %s\n", t);
			problems++;
		}
	}
	sqlite3_finalize(s);
	rc = sqlite3_prepare_v2(q->h, "PRAGMA foreign_key_check", -1, &s, NULL);
	if (rc != SQLITE_OK) {
		e = sq_err(q->h, rc, d);
		goto out;
	}
	while (sqlite3_step(s) == SQLITE_ROW) {
		vg_buf_printf(&b, "foreign key: table %s row %lld refers to missing %s\n",
			      sqlite3_column_text(s, 0), (long long)sqlite3_column_int64(s, 1),
			      sqlite3_column_text(s, 2));
		problems++;
	}
	sqlite3_finalize(s);
	if (problems)
		e = vg_diag_set(d, VG_ERR_DB, NULL, "%d problem(s) found", problems);
out:
	if (report)
		*report = vg_buf_steal(&b);
	vg_buf_fini(&b);
	return e;
}

const vg_db_ops vg_sqlite_ops = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.prepare = sq_prepare,
	.done = sq_done,
	.bind_int = sq_bind_int,
	.bind_double = sq_bind_double,
	.bind_text = sq_bind_text,
	.bind_blob = sq_bind_blob,
	.bind_null = sq_bind_null,
	.step = sq_step,
	.columns = sq_columns,
	.is_null = sq_is_null,
	.col_int = sq_col_int,
	.col_double = sq_col_double,
	.col_text = sq_col_text,
	.col_blob = sq_col_blob,
	.col_name = sq_col_name,
	.exec = sq_exec,
	.tx_begin = sq_tx_begin,
	.tx_commit = sq_tx_commit,
	.tx_rollback = sq_tx_rollback,
	.last_id = sq_last_id,
	.changes = sq_changes,
	.backup = sq_backup,
	.check = sq_check,
	.size = sq_size,
	.data_version = sq_data_version,
};
