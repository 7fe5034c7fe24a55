/* Log inputs for the detection engine: files, folders (recursively, in name
 * order) and standard input holding JSON lines or concatenated JSON objects,
 * gzip- or zstd-compressed or not (detected from the content), and Windows
 * EVTX files (records rendered as XML by libevtx). Each event is handed to a
 * callback as one record. */
#ifndef VG_DETECT_INPUT_H
#define VG_DETECT_INPUT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef enum vg_record_kind { VG_RECORD_JSON, VG_RECORD_XML } vg_record_kind;

typedef struct vg_record {
	vg_record_kind kind;
	const char *data; /* valid during the callback only */
	size_t len;
	const char *source; /* file name or "-" */
	uint64_t number;    /* 1-based record number in its source */
} vg_record;

/* Return false to stop reading. */
typedef bool (*vg_record_fn)(void *ctx, const vg_record *rec);

typedef struct vg_input_stats {
	uint64_t files;
	uint64_t bytes;   /* bytes read from disk / stdin (compressed size) */
	uint64_t records;
	uint64_t errors;  /* malformed or oversized records, unreadable files */
	const void *junk_source; /* input whose non-JSON lines were already reported once */
} vg_input_stats;

/* Called for each input problem (file and record number in the diag). */
typedef void (*vg_input_problem_fn)(void *ctx, const vg_diag *d);

typedef struct vg_input_opts {
	vg_record_fn record;
	vg_input_problem_fn problem; /* may be NULL */
	void *ctx;
	/* Called from time to time with the stats so far (may be NULL). */
	void (*progress)(void *ctx, const vg_input_stats *st);
} vg_input_opts;

/* Read one path ("-" for standard input). Errors on a record or a file inside
 * a folder are reported and counted, and reading goes on; the return value is
 * an error only when the path itself cannot be read. */
vg_err vg_input_read(const char *path, const vg_input_opts *o, vg_input_stats *st, vg_diag *d);

/* Split a buffer of JSON lines / concatenated objects into records (used by
 * the reader and by tests): calls o->record for each complete top-level
 * object and returns the number of bytes consumed (a trailing partial object
 * is left for the next call unless final). */
size_t vg_input_split_json(const char *buf, size_t len, bool final, const char *source, uint64_t *recno,
			   const vg_input_opts *o, vg_input_stats *st, bool *stop);

#endif
