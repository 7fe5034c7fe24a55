/* Error codes and bounded diagnostics shared by every module.
 *
 * A function that can fail returns a vg_err and, when the caller passes a
 * vg_diag, fills it with a human message, the offending field and, for parsers,
 * the file and line. Diagnostics are fixed-size: they never allocate. */
#ifndef VG_CORE_ERR_H
#define VG_CORE_ERR_H

#include <stdarg.h>
#include <stddef.h>

typedef enum vg_err {
	VG_OK = 0,
	VG_ERR_NOMEM = 1,       /* allocation failed */
	VG_ERR_INVALID = 2,     /* input is malformed or a value is out of its domain */
	VG_ERR_NOT_FOUND = 3,   /* object does not exist (or is not visible to the actor) */
	VG_ERR_CONFLICT = 4,    /* object already exists / state conflict */
	VG_ERR_LIMIT = 5,       /* input exceeds a limit from limits.h */
	VG_ERR_IO = 6,          /* file or socket error */
	VG_ERR_DB = 7,          /* database error */
	VG_ERR_AUTH = 8,        /* not authenticated */
	VG_ERR_FORBIDDEN = 9,   /* authenticated but not allowed */
	VG_ERR_BUSY = 10,       /* temporary: retry later */
	VG_ERR_THROTTLED = 11,  /* too many attempts */
	VG_ERR_UNSUPPORTED = 12,/* valid but not supported */
	VG_ERR_TIMEOUT = 13,
	VG_ERR_INTERNAL = 14,   /* a bug */
	VG_ERR__COUNT
} vg_err;

/* Short stable name ("invalid", "not_found", ...) used in API errors. */
const char *vg_err_name(vg_err e);
/* HTTP status that corresponds to the error. */
int vg_err_http_status(vg_err e);

#define VG_DIAG_MESSAGE_MAX 256
#define VG_DIAG_FIELD_MAX 96
#define VG_DIAG_FILE_MAX 160

typedef struct vg_diag {
	vg_err code;
	char message[VG_DIAG_MESSAGE_MAX];
	char field[VG_DIAG_FIELD_MAX];
	char file[VG_DIAG_FILE_MAX];
	unsigned line; /* 0 when not applicable */
} vg_diag;

void vg_diag_clear(vg_diag *d);
/* Record an error. d may be NULL. Returns code so callers can
 * `return vg_diag_set(d, VG_ERR_INVALID, "cidr", "bad prefix %s", s);` */
vg_err vg_diag_set(vg_diag *d, vg_err code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
vg_err vg_diag_vset(vg_diag *d, vg_err code, const char *field, const char *fmt, va_list ap);
/* Attach a location (file may be NULL) if none is recorded yet. */
void vg_diag_at(vg_diag *d, const char *file, unsigned line);
/* Prefix the field with a parent path: "networks" + "[3]" -> "networks[3]". */
void vg_diag_field_prefix(vg_diag *d, const char *prefix);
/* "file:line: field: message" into out. */
void vg_diag_format(const vg_diag *d, char *out, size_t outsz);

#endif
