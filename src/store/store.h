/* The store: one database connection (vg_db), prepared statements (vg_stmt),
 * transactions and migrations, behind a backend interface (vg_db_ops) that the
 * SQLite backend implements today and a PostgreSQL backend can implement later.
 *
 * SQL is written once, in the portable subset both engines share, with `?`
 * placeholders (a PostgreSQL backend rewrites them to $n). Every statement is
 * prepared; nothing is ever built by concatenating values into SQL.
 *
 * Threads: a vg_db is used by one thread at a time. The HTTP server takes one
 * from a vg_db_pool per request. */
#ifndef VG_STORE_STORE_H
#define VG_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct vg_db vg_db;
typedef struct vg_stmt vg_stmt;
typedef struct vg_db_pool vg_db_pool;

typedef struct vg_db_options {
	bool sync_full;          /* synchronous=FULL (durable on power loss) */
	int busy_timeout_ms;     /* wait for the write lock */
	bool readonly;
	bool no_migrate;         /* open without applying migrations */
} vg_db_options;

/* Open the database at `target` (a SQLite path; "postgres://" is reserved for
 * the PostgreSQL backend). Applies pending migrations unless opts->no_migrate. */
vg_err vg_db_open(const char *target, const vg_db_options *opts, vg_db **out, vg_diag *d);
void vg_db_close(vg_db *db);

/* Prepare (or fetch from the connection's cache) a statement. `sql` must be a
 * string literal or otherwise outlive the connection: the cache is keyed on it.
 * Release with vg_stmt_done (which resets it for reuse). */
vg_err vg_db_prepare(vg_db *db, const char *sql, vg_stmt **out, vg_diag *d);
void vg_stmt_done(vg_stmt *st);

/* Bind parameters, 1-based. text with len < 0 means NUL-terminated; a NULL text binds NULL. */
vg_err vg_stmt_bind_int(vg_stmt *st, int idx, int64_t v);
vg_err vg_stmt_bind_double(vg_stmt *st, int idx, double v);
vg_err vg_stmt_bind_text(vg_stmt *st, int idx, const char *s, ptrdiff_t len);
vg_err vg_stmt_bind_blob(vg_stmt *st, int idx, const void *p, size_t len);
vg_err vg_stmt_bind_null(vg_stmt *st, int idx);

/* Step: VG_ROW when a row is available, VG_DONE when finished, negative on error
 * (the diagnostic says which; a constraint violation is VG_ERR_CONFLICT). */
#define VG_ROW 1
#define VG_DONE 0
int vg_stmt_step(vg_stmt *st, vg_diag *d);
/* Run to completion (for INSERT/UPDATE/DELETE). */
vg_err vg_stmt_exec(vg_stmt *st, vg_diag *d);

int vg_stmt_columns(vg_stmt *st);
bool vg_stmt_is_null(vg_stmt *st, int col);
int64_t vg_stmt_int(vg_stmt *st, int col);
double vg_stmt_double(vg_stmt *st, int col);
/* Valid until the next step/done; never NULL ("" for NULL). */
const char *vg_stmt_text(vg_stmt *st, int col);
const void *vg_stmt_blob(vg_stmt *st, int col, size_t *len);
const char *vg_stmt_column_name(vg_stmt *st, int col);

/* Run SQL without parameters (DDL, pragmas). */
vg_err vg_db_exec(vg_db *db, const char *sql, vg_diag *d);

/* Transactions. begin_write takes the write lock at once (SQLite BEGIN
 * IMMEDIATE) so that a read-then-write sequence cannot deadlock. Nesting is
 * counted: only the outermost commit commits; any rollback rolls back all. */
vg_err vg_db_begin(vg_db *db, bool write, vg_diag *d);
vg_err vg_db_commit(vg_db *db, vg_diag *d);
void vg_db_rollback(vg_db *db);
/* The end of a transaction begun for writing: commit when e is VG_OK, else
 * roll back and return e. */
vg_err vg_db_end(vg_db *db, vg_err e, vg_diag *d);
bool vg_db_in_tx(const vg_db *db);
/* Inside a transaction begun for writing (it may hold uncommitted changes). */
bool vg_db_in_write_tx(const vg_db *db);

int64_t vg_db_last_id(vg_db *db);
int64_t vg_db_changes(vg_db *db);

/* ---- migrations ---- */
typedef struct vg_migration {
	int version;
	const char *name;
	const char *sql;
} vg_migration;

/* The compiled-in list, ordered by version, terminated by version 0. */
extern const vg_migration vg_migrations[];
int vg_schema_latest(void);
/* Current schema version of the database (0 for a new one). */
vg_err vg_db_schema_version(vg_db *db, int *out, vg_diag *d);
/* Apply migrations up to `target` (0 = latest), each in its own transaction.
 * A database newer than this binary is an error. */
vg_err vg_db_migrate(vg_db *db, int target, int *applied, vg_diag *d);

/* ---- maintenance ---- */
/* Online backup to a new file (SQLite backup API); consistent while writers run. */
vg_err vg_db_backup(vg_db *db, const char *dest, vg_diag *d);
/* Integrity and foreign-key check. Problems are written to *report (malloc'd, may be NULL). */
vg_err vg_db_check(vg_db *db, char **report, vg_diag *d);
/* Database size in bytes (page_count * page_size). */
int64_t vg_db_size(vg_db *db);
/* A counter that changes whenever another connection commits (PRAGMA data_version). */
int64_t vg_db_data_version(vg_db *db);
const char *vg_db_backend_name(const vg_db *db);

/* ---- connection pool ---- */
vg_err vg_db_pool_new(const char *target, const vg_db_options *opts, int size, vg_db_pool **out,
		      vg_diag *d);
void vg_db_pool_free(vg_db_pool *p);
/* Blocks until a connection is free. */
vg_db *vg_db_pool_get(vg_db_pool *p);
void vg_db_pool_put(vg_db_pool *p, vg_db *db);

#endif
