/* Backend interface of the store. store.c dispatches every public call through
 * a vg_db_ops table; sqlite.c implements it (pg.c will). Private to src/store. */
#ifndef VG_STORE_BACKEND_H
#define VG_STORE_BACKEND_H

#include "store/store.h"

typedef struct vg_db_ops {
	const char *name;
	vg_err (*open)(const char *target, const vg_db_options *o, vg_db **out, vg_diag *d);
	void (*close)(vg_db *db);
	vg_err (*prepare)(vg_db *db, const char *sql, vg_stmt **out, vg_diag *d);
	void (*done)(vg_stmt *st);
	vg_err (*bind_int)(vg_stmt *st, int idx, int64_t v);
	vg_err (*bind_double)(vg_stmt *st, int idx, double v);
	vg_err (*bind_text)(vg_stmt *st, int idx, const char *s, ptrdiff_t len);
	vg_err (*bind_blob)(vg_stmt *st, int idx, const void *p, size_t len);
	vg_err (*bind_null)(vg_stmt *st, int idx);
	int (*step)(vg_stmt *st, vg_diag *d);
	int (*columns)(vg_stmt *st);
	bool (*is_null)(vg_stmt *st, int col);
	int64_t (*col_int)(vg_stmt *st, int col);
	double (*col_double)(vg_stmt *st, int col);
	const char *(*col_text)(vg_stmt *st, int col);
	const void *(*col_blob)(vg_stmt *st, int col, size_t *len);
	const char *(*col_name)(vg_stmt *st, int col);
	vg_err (*exec)(vg_db *db, const char *sql, vg_diag *d);
	vg_err (*tx_begin)(vg_db *db, bool write, vg_diag *d);
	vg_err (*tx_commit)(vg_db *db, vg_diag *d);
	void (*tx_rollback)(vg_db *db);
	int64_t (*last_id)(vg_db *db);
	int64_t (*changes)(vg_db *db);
	vg_err (*backup)(vg_db *db, const char *dest, vg_diag *d);
	vg_err (*check)(vg_db *db, char **report, vg_diag *d);
	int64_t (*size)(vg_db *db);
	int64_t (*data_version)(vg_db *db);
} vg_db_ops;

/* Common head of every backend's connection and statement. */
struct vg_db {
	const vg_db_ops *ops;
	int tx_depth;
	bool tx_failed; /* an inner rollback poisons the outer transaction */
	bool tx_write;  /* the outermost transaction was begun for writing */
};

struct vg_stmt {
	const vg_db_ops *ops;
	vg_db *db;
};

extern const vg_db_ops vg_sqlite_ops;

#endif
