/* Public store API: dispatch to the backend, transaction nesting, migrations
 * and the connection pool. */
#include "store/store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/clock.h"
#include "store/backend.h"

static const vg_db_ops *backend_for(const char *target)
{
	if (strncmp(target, "postgres://", 11) == 0 || strncmp(target, "postgresql://", 13) == 0)
		return NULL;
	return &vg_sqlite_ops;
}

vg_err vg_db_open(const char *target, const vg_db_options *opts, vg_db **out, vg_diag *d)
{
	vg_db_options dflt = {.sync_full = true, .busy_timeout_ms = 5000};
	const vg_db_ops *ops;
	vg_err e;
	*out = NULL;
	if (!target || !*target)
		return vg_diag_set(d, VG_ERR_INVALID, "db", "no database configured");
	ops = backend_for(target);
	if (!ops)
		return vg_diag_set(d, VG_ERR_UNSUPPORTED, "db",
				   "the PostgreSQL backend is not built into this binary");
	if (!opts)
		opts = &dflt;
	e = ops->open(target, opts, out, d);
	if (e)
		return e;
	if (!opts->no_migrate && !opts->readonly) {
		e = vg_db_migrate(*out, 0, NULL, d);
		if (e) {
			vg_db_close(*out);
			*out = NULL;
		}
	}
	return e;
}

void vg_db_close(vg_db *db)
{
	if (db)
		db->ops->close(db);
}

vg_err vg_db_prepare(vg_db *db, const char *sql, vg_stmt **out, vg_diag *d)
{
	return db->ops->prepare(db, sql, out, d);
}

void vg_stmt_done(vg_stmt *st)
{
	if (st)
		st->ops->done(st);
}

vg_err vg_stmt_bind_int(vg_stmt *st, int idx, int64_t v) { return st->ops->bind_int(st, idx, v); }
vg_err vg_stmt_bind_double(vg_stmt *st, int idx, double v) { return st->ops->bind_double(st, idx, v); }
vg_err vg_stmt_bind_text(vg_stmt *st, int idx, const char *s, ptrdiff_t len)
{
	if (!s)
		return st->ops->bind_null(st, idx);
	return st->ops->bind_text(st, idx, s, len);
}
vg_err vg_stmt_bind_blob(vg_stmt *st, int idx, const void *p, size_t len)
{
	return st->ops->bind_blob(st, idx, p, len);
}
vg_err vg_stmt_bind_null(vg_stmt *st, int idx) { return st->ops->bind_null(st, idx); }
int vg_stmt_step(vg_stmt *st, vg_diag *d) { return st->ops->step(st, d); }

vg_err vg_stmt_exec(vg_stmt *st, vg_diag *d)
{
	int rc;
	while ((rc = st->ops->step(st, d)) == VG_ROW)
		;
	return rc < 0 ? (vg_err)-rc : VG_OK;
}

int vg_stmt_columns(vg_stmt *st) { return st->ops->columns(st); }
bool vg_stmt_is_null(vg_stmt *st, int col) { return st->ops->is_null(st, col); }
int64_t vg_stmt_int(vg_stmt *st, int col) { return st->ops->col_int(st, col); }
double vg_stmt_double(vg_stmt *st, int col) { return st->ops->col_double(st, col); }
const char *vg_stmt_text(vg_stmt *st, int col) { return st->ops->col_text(st, col); }
const void *vg_stmt_blob(vg_stmt *st, int col, size_t *len) { return st->ops->col_blob(st, col, len); }
const char *vg_stmt_column_name(vg_stmt *st, int col) { return st->ops->col_name(st, col); }
vg_err vg_db_exec(vg_db *db, const char *sql, vg_diag *d) { return db->ops->exec(db, sql, d); }
int64_t vg_db_last_id(vg_db *db) { return db->ops->last_id(db); }
int64_t vg_db_changes(vg_db *db) { return db->ops->changes(db); }
vg_err vg_db_backup(vg_db *db, const char *dest, vg_diag *d) { return db->ops->backup(db, dest, d); }
vg_err vg_db_check(vg_db *db, char **report, vg_diag *d) { return db->ops->check(db, report, d); }
int64_t vg_db_size(vg_db *db) { return db->ops->size(db); }
int64_t vg_db_data_version(vg_db *db) { return db->ops->data_version(db); }
const char *vg_db_backend_name(const vg_db *db) { return db->ops->name; }
bool vg_db_in_tx(const vg_db *db) { return db->tx_depth > 0; }
bool vg_db_in_write_tx(const vg_db *db) { return db->tx_depth > 0 && db->tx_write; }

vg_err vg_db_begin(vg_db *db, bool write, vg_diag *d)
{
	vg_err e;
	if (db->tx_depth > 0) {
		db->tx_depth++;
		return VG_OK;
	}
	e = db->ops->tx_begin(db, write, d);
	if (!e) {
		db->tx_depth = 1;
		db->tx_failed = false;
		db->tx_write = write;
	}
	return e;
}

vg_err vg_db_commit(vg_db *db, vg_diag *d)
{
	vg_err e;
	if (db->tx_depth <= 0)
		return vg_diag_set(d, VG_ERR_INTERNAL, NULL, "commit without a transaction");
	if (--db->tx_depth > 0)
		return VG_OK;
	if (db->tx_failed) {
		db->ops->tx_rollback(db);
		db->tx_failed = false;
		return vg_diag_set(d, VG_ERR_DB, NULL, "transaction was rolled back by an inner failure");
	}
	e = db->ops->tx_commit(db, d);
	if (e)
		db->ops->tx_rollback(db);
	return e;
}

vg_err vg_db_end(vg_db *db, vg_err e, vg_diag *d)
{
	if (e) {
		vg_db_rollback(db);
		return e;
	}
	return vg_db_commit(db, d);
}

void vg_db_rollback(vg_db *db)
{
	if (db->tx_depth <= 0)
		return;
	if (--db->tx_depth > 0) {
		db->tx_failed = true;
		return;
	}
	db->tx_failed = false;
	db->ops->tx_rollback(db);
}

/* ---- migrations ---- */

int vg_schema_latest(void)
{
	int v = 0;
	for (const vg_migration *m = vg_migrations; m->version; m++)
		v = m->version;
	return v;
}

static const char SQL_META_TABLE[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	" version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT";

vg_err vg_db_schema_version(vg_db *db, int *out, vg_diag *d)
{
	vg_stmt *st;
	vg_err e = vg_db_exec(db, SQL_META_TABLE, d);
	if (e)
		return e;
	e = vg_db_prepare(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &st, d);
	if (e)
		return e;
	*out = 0;
	if (vg_stmt_step(st, d) == VG_ROW)
		*out = (int)vg_stmt_int(st, 0);
	vg_stmt_done(st);
	return VG_OK;
}

vg_err vg_db_migrate(vg_db *db, int target, int *applied, vg_diag *d)
{
	int cur, latest = vg_schema_latest(), n = 0;
	vg_err e;
	if (applied)
		*applied = 0;
	if (target <= 0 || target > latest)
		target = latest;
	e = vg_db_schema_version(db, &cur, d);
	if (e)
		return e;
	if (cur > latest)
		return vg_diag_set(d, VG_ERR_UNSUPPORTED, "db",
				   "database schema version %d is newer than this binary (%d): upgrade Vigie",
				   cur, latest);
	for (const vg_migration *m = vg_migrations; m->version; m++) {
		vg_stmt *st;
		char ts[32];
		if (m->version <= cur || m->version > target)
			continue;
		e = vg_db_begin(db, true, d);
		if (e)
			return e;
		/* re-read inside the write lock: another process may have migrated */
		{
			int again;
			e = vg_db_schema_version(db, &again, d);
			if (e || again >= m->version) {
				vg_db_rollback(db);
				if (e)
					return e;
				continue;
			}
		}
		e = vg_db_exec(db, m->sql, d);
		if (e) {
			vg_db_rollback(db);
			vg_diag_field_prefix(d, m->name);
			return e;
		}
		e = vg_db_prepare(db, "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)",
				  &st, d);
		if (!e) {
			vg_stmt_bind_int(st, 1, m->version);
			vg_stmt_bind_text(st, 2, m->name, -1);
			vg_stmt_bind_text(st, 3, vg_time_format(vg_time_now_ms(), ts, sizeof ts, false), -1);
			e = vg_stmt_exec(st, d);
			vg_stmt_done(st);
		}
		if (e) {
			vg_db_rollback(db);
			return e;
		}
		e = vg_db_commit(db, d);
		if (e)
			return e;
		VG_INFO("database migrated to version %d (%s)", m->version, m->name);
		n++;
	}
	if (applied)
		*applied = n;
	return VG_OK;
}

/* ---- pool ---- */

struct vg_db_pool {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int size;
	int nfree;
	vg_db **free_list;
	vg_db **all;
};

vg_err vg_db_pool_new(const char *target, const vg_db_options *opts, int size, vg_db_pool **out,
		      vg_diag *d)
{
	vg_db_pool *p = calloc(1, sizeof *p);
	vg_err e = VG_OK;
	*out = NULL;
	if (!p || size < 1)
		goto nomem;
	p->free_list = calloc((size_t)size, sizeof *p->free_list);
	p->all = calloc((size_t)size, sizeof *p->all);
	if (!p->free_list || !p->all)
		goto nomem;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	for (int i = 0; i < size; i++) {
		vg_db_options o = *opts;
		if (i > 0)
			o.no_migrate = true; /* the first connection migrated */
		e = vg_db_open(target, &o, &p->all[i], d);
		if (e) {
			p->size = i;
			vg_db_pool_free(p);
			return e;
		}
		p->free_list[i] = p->all[i];
	}
	p->size = p->nfree = size;
	*out = p;
	return VG_OK;
nomem:
	if (p) {
		free(p->free_list);
		free(p->all);
		free(p);
	}
	return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
}

void vg_db_pool_free(vg_db_pool *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->size; i++)
		vg_db_close(p->all[i]);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	free(p->free_list);
	free(p->all);
	free(p);
}

vg_db *vg_db_pool_get(vg_db_pool *p)
{
	vg_db *db;
	pthread_mutex_lock(&p->lock);
	while (p->nfree == 0)
		pthread_cond_wait(&p->cond, &p->lock);
	db = p->free_list[--p->nfree];
	pthread_mutex_unlock(&p->lock);
	return db;
}

void vg_db_pool_put(vg_db_pool *p, vg_db *db)
{
	if (!db)
		return;
	if (db->tx_depth > 0) {
		VG_ERROR("connection returned to the pool inside a transaction: rolling back");
		db->tx_depth = 1;
		vg_db_rollback(db);
	}
	pthread_mutex_lock(&p->lock);
	p->free_list[p->nfree++] = db;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
}
