/* Log inputs for the detection engine: files, folders (recursively, in name
 * order) and standard input holding JSON lines, concatenated JSON objects or
 * syslog lines (RFC 3164 / RFC 5424, rendered as JSON objects), gzip- or
 * zstd-compressed or not (all detected from the content), and Windows EVTX
 * files (records rendered as XML by libevtx). Each event is handed to a
 * callback as one record. The syslog parser, its framing and its network
 * listeners are declared here too. */
#ifndef VG_DETECT_INPUT_H
#define VG_DETECT_INPUT_H
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/limits.h"

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

/* Text format of a stream: detected from its first line (a '{' or '[' is
 * JSON, a line that parses as syslog with a timestamp is syslog) or forced. */
typedef enum vg_input_format { VG_INPUT_AUTO = 0, VG_INPUT_JSON, VG_INPUT_SYSLOG } vg_input_format;
/* "auto", "json", "syslog"; false when unknown. */
bool vg_input_format_parse(const char *s, vg_input_format *out);
/* The format of a stream from its start (n bytes: its first line, complete,
 * or all of it): VG_INPUT_JSON or VG_INPUT_SYSLOG. */
vg_input_format vg_input_detect_format(const char *buf, size_t n);

typedef struct vg_input_opts {
	vg_record_fn record;
	vg_input_problem_fn problem; /* may be NULL */
	void *ctx;
	/* Called from time to time with the stats so far (may be NULL). */
	void (*progress)(void *ctx, const vg_input_stats *st);
	vg_input_format format; /* VG_INPUT_AUTO when zero */
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

/* Where a followed compressed or EVTX file was left (vg_input_read_resume).
 * Zero it before the first read. */
typedef struct vg_input_resume {
	uint64_t records;     /* records of the file already processed (compressed files) */
	uint64_t first_hash;  /* hash of its first record: another first record = another file */
	uint64_t evtx_max_id; /* highest EVTX record identifier processed */
	bool evtx;            /* the file was EVTX at the last read */
} vg_input_resume;

/* Read a whole file again and hand on only the records not processed before:
 * EVTX records whose identifier is above r->evtx_max_id (all of them when the
 * file's highest identifier went down: the log was cleared), records of a
 * (compressed) stream after the first r->records when its first record is
 * the same as before (else the file is another one and is read in full).
 * prime: hand on nothing, only note where the file ends (following from the
 * end). Updates r. */
vg_err vg_input_read_resume(const char *path, const vg_input_opts *o, vg_input_resume *r, bool prime,
			    vg_input_stats *st, vg_diag *d);
/* Does the file start with a gzip, zstd or EVTX signature (a followed file
 * that cannot be read as it grows)? */
bool vg_input_is_blob(const char *path);
/* The same test on the first n bytes of a file. */
bool vg_input_is_blob_data(const void *p, size_t n);

/* A followed compressed or EVTX file (zero it first). vg_input_blob_poll,
 * called at each poll: when the file (device, inode, size, mtime) changed
 * since the last poll it waits for it to settle; when it stayed the same
 * for one poll after a change it is read again through
 * vg_input_read_resume (new records only). The first poll only notes the
 * file, and reads it whole unless from_end (then its records count as
 * processed). Returns true when the file was read. */
typedef struct vg_input_blob {
	vg_input_resume res;
	uint64_t dev, ino, mtime_ns;
	int64_t size;
	bool seen, changed;
} vg_input_blob;
bool vg_input_blob_poll(const char *path, vg_input_blob *b, bool from_end, const vg_input_opts *o,
			vg_input_stats *st, vg_diag *d, vg_err *err);

/* Split a buffer of syslog lines (LF or CRLF) into records, each rendered as
 * a JSON object (vg_syslog_to_json); now_s is the reference time for the year
 * of RFC 3164 timestamps. Same contract as vg_input_split_json; a line that
 * does not parse is reported with its record number, byte offset and field. */
size_t vg_input_split_syslog(const char *buf, size_t len, bool final, const char *source, uint64_t *recno,
			     int64_t now_s, const vg_input_opts *o, vg_input_stats *st, bool *stop);

/* ---- syslog messages (syslog.c) ---- */

typedef enum vg_syslog_format { VG_SYSLOG_NONE = 0, VG_SYSLOG_RFC5424, VG_SYSLOG_RFC3164 } vg_syslog_format;

typedef struct vg_syslog_str {
	const char *p; /* into the parsed message; NULL when absent (or NILVALUE) */
	size_t n;
} vg_syslog_str;

typedef struct vg_syslog_param {
	uint16_t sd;         /* index of its element in sd_id[] */
	vg_syslog_str name;
	vg_syslog_str value; /* as written: \" \\ \] still escaped (vg_syslog_unescape) */
} vg_syslog_param;

typedef struct vg_syslog_msg {
	vg_syslog_format format;
	int pri;                /* -1: none (a line of a log file) */
	int facility, severity; /* -1 when no PRI */
	char timestamp[40];     /* RFC 3339; "" when absent */
	vg_syslog_str hostname, appname, procid, msgid, message;
	bool bom; /* RFC 5424 MSG began with a UTF-8 BOM (removed) */
	size_t nsd, nparams;
	vg_syslog_str sd_id[VG_SYSLOG_SD_MAX];
	vg_syslog_param params[VG_SYSLOG_SD_PARAMS_MAX];
} vg_syslog_msg;

/* Parse one message (no framing: one UDP datagram, one line, one counted
 * frame), at most VG_SYSLOG_MSG_MAX bytes; a trailing LF/CRLF/NUL is
 * ignored. RFC 5424 when "<PRI>VERSION " starts it, else RFC 3164 ("<PRI>"
 * optional, "Mmm dd hh:mm:ss" whose year is inferred from now_s: the latest
 * such date not more than a month after now_s; an RFC 3339 timestamp is also
 * accepted in its place, as rsyslog writes). Errors: VG_ERR_INVALID / VG_ERR_LIMIT
 * with the field and "at byte N" in the message; the byte offset also goes to
 * *err_off when err_off is not NULL. Pointers in m point into s. */
vg_err vg_syslog_parse(const char *s, size_t len, int64_t now_s, vg_syslog_msg *m, size_t *err_off, vg_diag *d);
/* Facility and severity keywords of RFC 5424 ("auth", "err"...), NULL when out of range. */
const char *vg_syslog_facility_name(int facility);
const char *vg_syslog_severity_name(int severity);
/* Unescape an SD parameter value (\" \\ \] ; any other backslash stays). */
void vg_syslog_unescape(vg_syslog_str v, vg_buf *out);
/* The message as one flat-ish JSON object: syslog_format, pri, facility,
 * severity, timestamp, hostname, appname, procid, msgid, message and
 * "sd": {id: {param: value}} (a repeated parameter gives an array);
 * source_ip when peer is not NULL. Absent parts are left out. Invalid UTF-8
 * bytes are written as U+0080..U+00FF. Appends to out. */
vg_err vg_syslog_to_json(const vg_syslog_msg *m, const char *peer, vg_buf *out);

/* Framing of a TCP stream (RFC 6587): octet counting ("LEN SP MSG") when the
 * frame starts with a digit, else a message ends at LF (CR before it and NUL
 * terminators are dropped). Returns 1 with *msg set and *consumed bytes to
 * drop, 0 when more bytes are needed (final: the rest is one last message),
 * or a negative vg_err for a bad or oversized frame: *consumed then says how
 * much to drop to resynchronise, and d says why. */
int vg_syslog_frame(const char *buf, size_t len, bool final, vg_syslog_str *msg, size_t *consumed, vg_diag *d);

/* ---- syslog listeners (syslog_net.c) ---- */

typedef struct vg_syslog_server vg_syslog_server;
typedef struct vg_syslog_net_stats {
	uint64_t datagrams, connections, messages, malformed;
	uint64_t dropped; /* refused clients, bad or oversized frames */
	uint64_t evicted; /* idle clients closed to make room for a new one */
} vg_syslog_net_stats;

vg_err vg_syslog_server_new(vg_syslog_server **out);
void vg_syslog_server_free(vg_syslog_server *s);
/* Listen on "PORT", "ADDR:PORT" or "[ADDR6]:PORT" (numeric addresses; a port
 * alone binds the loopback 127.0.0.1). tcp: a stream listener, else UDP. */
vg_err vg_syslog_server_listen(vg_syslog_server *s, bool tcp, const char *spec, vg_diag *d);
/* The sockets to poll (listeners and TCP clients): fills at most max entries
 * (POLLIN) and returns how many. */
size_t vg_syslog_server_pollfds(const vg_syslog_server *s, struct pollfd *pfd, size_t max);
/* Serve what is readable on those entries: accept clients, read datagrams and
 * frames, parse each message and hand it to o->record as a JSON record
 * (source "udp:ADDR:PORT" / "tcp:ADDR:PORT", record number per listener). A
 * malformed message is counted, reported through o->problem and dropped;
 * nothing here is fatal. now_s: reference time for RFC 3164 years. */
void vg_syslog_server_serve(vg_syslog_server *s, const struct pollfd *pfd, size_t n, int64_t now_s,
			    const vg_input_opts *o, vg_syslog_net_stats *st);
size_t vg_syslog_server_count(const vg_syslog_server *s); /* listening sockets */

#endif
