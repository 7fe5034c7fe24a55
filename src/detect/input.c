/* Log inputs: see input.h. Compression is detected from the first bytes
 * (gzip 1f 8b, zstd 28 b5 2f fd, EVTX "ElfFile"), never from the name, and
 * the text format (JSON or syslog) from the first line once decompressed. */
#include <dirent.h>
#include <errno.h>
/* libevtx's header pulls libbfio.h (not packaged) only for the file-IO-handle
 * functions, which we do not use. */
#include <libevtx/features.h>
#undef LIBEVTX_HAVE_BFIO
#include <libevtx.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>
#include <zstd.h>

#include "core/limits.h"
#include "detect/input.h"

#define INPUT_CHUNK (256 * 1024)

static void problem(const vg_input_opts *o, vg_input_stats *st, const char *src, uint64_t rec, vg_err code,
		    const char *fmt, const char *arg)
{
	vg_diag d;
	vg_diag_clear(&d);
	vg_diag_set(&d, code, NULL, fmt, arg);
	vg_diag_at(&d, src, (unsigned)rec);
	st->errors++;
	if (o->problem)
		o->problem(o->ctx, &d);
}

size_t vg_input_split_json(const char *buf, size_t len, bool final, const char *source, uint64_t *recno,
			   const vg_input_opts *o, vg_input_stats *st, bool *stop)
{
	size_t i = 0, consumed = 0;
	while (i < len && !*stop) {
		/* skip to the next object */
		while (i < len && buf[i] != '{') {
			char c = buf[i];
			if (c != ' ' && c != '\n' && c != '\r' && c != '\t' && c != ',' && c != '[' && c != ']') {
				/* junk: skip the rest of the line */
				const char *nl = memchr(buf + i, '\n', len - i);
				if (!nl && !final)
					return consumed;
				(*recno)++;
				if (st->junk_source != (const void *)source) { /* once per input */
					st->junk_source = source;
					problem(o, st, source, *recno, VG_ERR_INVALID, "%s",
						"not a JSON object: non-JSON lines of this input are skipped");
				} else {
					st->errors++;
				}
				i = nl ? (size_t)(nl - buf) + 1 : len;
				consumed = i;
				continue;
			}
			i++;
		}
		consumed = i;
		if (i >= len)
			return len;
		size_t start = i, depth = 0;
		bool in_str = false, done = false;
		for (; i < len; i++) {
			char c = buf[i];
			if (in_str) {
				if (c == '\\')
					i++;
				else if (c == '"')
					in_str = false;
				continue;
			}
			if (c == '"')
				in_str = true;
			else if (c == '{' || c == '[')
				depth++;
			else if ((c == '}' || c == ']') && --depth == 0) {
				done = true;
				i++;
				break;
			}
			if (i - start > VG_EVENT_SIZE_MAX)
				break;
		}
		if (!done) {
			if (i - start > VG_EVENT_SIZE_MAX) {
				(*recno)++;
				problem(o, st, source, *recno, VG_ERR_LIMIT, "%s", "event larger than the limit: skipped");
				/* resynchronise at the next line */
				const char *nl = memchr(buf + start + 1, '\n', len - start - 1);
				if (!nl)
					return final ? len : start; /* caller grows or drops */
				i = (size_t)(nl - buf) + 1;
				consumed = i;
				continue;
			}
			if (final) {
				(*recno)++;
				problem(o, st, source, *recno, VG_ERR_INVALID, "%s", "truncated JSON object at end of input");
				return len;
			}
			return start;
		}
		(*recno)++;
		st->records++;
		vg_record rec = {VG_RECORD_JSON, buf + start, i - start, source, *recno};
		if (!o->record(o->ctx, &rec))
			*stop = true;
		consumed = i;
	}
	return consumed;
}

bool vg_input_format_parse(const char *s, vg_input_format *out)
{
	static const char *const names[] = {"auto", "json", "syslog"};
	for (int i = 0; i < 3; i++)
		if (s && !strcmp(s, names[i])) {
			*out = (vg_input_format)i;
			return true;
		}
	return false;
}

size_t vg_input_split_syslog(const char *buf, size_t len, bool final, const char *source, uint64_t *recno,
			     int64_t now_s, const vg_input_opts *o, vg_input_stats *st, bool *stop)
{
	size_t i = 0;
	vg_buf json;
	vg_buf_init(&json, 0);
	while (i < len && !*stop) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - buf) : len, n;
		vg_syslog_msg m;
		vg_diag d;
		size_t off;
		if (!nl && !final) {
			if (len - i > VG_SYSLOG_MSG_MAX) { /* a line that never ends */
				(*recno)++;
				problem(o, st, source, *recno, VG_ERR_LIMIT, "%s", "syslog line longer than the limit: skipped");
				i = len;
			}
			break;
		}
		(*recno)++;
		n = end - i;
		while (n && (buf[i + n - 1] == '\r' || buf[i + n - 1] == ' ' || buf[i + n - 1] == '\t'))
			n--;
		if (n == 0) {
			i = nl ? end + 1 : len;
			continue;
		}
		vg_diag_clear(&d);
		if (vg_syslog_parse(buf + i, n, now_s, &m, &off, &d) != VG_OK) {
			vg_diag_at(&d, source, (unsigned)*recno);
			st->errors++;
			if (o->problem)
				o->problem(o->ctx, &d);
		} else {
			vg_buf_reset(&json);
			if (vg_syslog_to_json(&m, NULL, &json) == VG_OK) {
				vg_record rec = {VG_RECORD_JSON, json.data, json.len, source, *recno};
				st->records++;
				if (!o->record(o->ctx, &rec))
					*stop = true;
			}
		}
		i = nl ? end + 1 : len;
	}
	vg_buf_fini(&json);
	return i;
}

/* The format of a stream from its first line (n bytes of it, complete or the
 * whole input): JSON unless it parses as syslog with a timestamp. */
vg_input_format vg_input_detect_format(const char *buf, size_t n)
{
	size_t i = 0;
	vg_syslog_msg *m;
	vg_input_format f = VG_INPUT_JSON;
	while (i < n && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
		i++;
	if (i == n || buf[i] == '{' || buf[i] == '[')
		return VG_INPUT_JSON;
	const char *nl = memchr(buf + i, '\n', n - i);
	size_t ln = nl ? (size_t)(nl - buf) - i : n - i;
	if (!(m = malloc(sizeof *m)))
		return VG_INPUT_JSON;
	if (vg_syslog_parse(buf + i, ln, (int64_t)time(NULL), m, NULL, NULL) == VG_OK &&
	    (m->format == VG_SYSLOG_RFC5424 || m->timestamp[0]))
		f = VG_INPUT_SYSLOG;
	free(m);
	return f;
}

typedef enum { SRC_PLAIN, SRC_GZIP, SRC_ZSTD } src_kind;

/* Stream a FILE through the decompressor and the splitter. */
static vg_err read_stream(FILE *f, const char *source, const unsigned char *head, size_t headlen, int64_t now_s,
			  const vg_input_opts *o, vg_input_stats *st, vg_diag *d)
{
	vg_input_format fmt = o->format;
	src_kind kind = SRC_PLAIN;
	unsigned char *in = malloc(INPUT_CHUNK);
	size_t cap = 2 * INPUT_CHUNK, have = 0;
	char *buf = malloc(cap);
	z_stream zs;
	ZSTD_DCtx *zd = NULL;
	bool zinit = false, stop = false, eof = false;
	uint64_t recno = 0;
	vg_err e = VG_OK;
	size_t inlen = 0, inpos = 0;
	memset(&zs, 0, sizeof(zs));
	if (!in || !buf) {
		e = VG_ERR_NOMEM;
		goto out;
	}
	if (headlen >= 2 && head[0] == 0x1f && head[1] == 0x8b)
		kind = SRC_GZIP;
	else if (headlen >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd)
		kind = SRC_ZSTD;
	if (kind == SRC_GZIP) {
		if (inflateInit2(&zs, 15 + 32) != Z_OK) {
			e = VG_ERR_NOMEM;
			goto out;
		}
		zinit = true;
	} else if (kind == SRC_ZSTD && !(zd = ZSTD_createDCtx())) {
		e = VG_ERR_NOMEM;
		goto out;
	}
	memcpy(in, head, headlen);
	inlen = headlen;
	st->bytes += headlen;
	while (!stop) {
		if (inpos == inlen && !eof) {
			inlen = fread(in, 1, INPUT_CHUNK, f);
			inpos = 0;
			st->bytes += inlen;
			if (inlen == 0)
				eof = true;
			if (o->progress)
				o->progress(o->ctx, st);
		}
		if (cap - have < INPUT_CHUNK) {
			if (cap >= (size_t)VG_EVENT_SIZE_MAX * 4) {
				/* a record that never ends: drop the buffer */
				problem(o, st, source, recno, VG_ERR_LIMIT, "%s", "event larger than the limit: skipped");
				have = 0;
			} else {
				char *nb = realloc(buf, cap * 2);
				if (!nb) {
					e = VG_ERR_NOMEM;
					goto out;
				}
				buf = nb;
				cap *= 2;
			}
		}
		size_t produced = 0;
		if (kind == SRC_PLAIN) {
			produced = inlen - inpos < cap - have ? inlen - inpos : cap - have;
			memcpy(buf + have, in + inpos, produced);
			inpos += produced;
		} else if (kind == SRC_GZIP) {
			zs.next_in = in + inpos;
			zs.avail_in = (uInt)(inlen - inpos);
			zs.next_out = (Bytef *)buf + have;
			zs.avail_out = (uInt)(cap - have);
			int zr = inflate(&zs, Z_NO_FLUSH);
			produced = cap - have - zs.avail_out;
			inpos = inlen - zs.avail_in;
			if (zr == Z_STREAM_END) {
				/* concatenated gzip members */
				inflateReset(&zs);
			} else if (zr != Z_OK && zr != Z_BUF_ERROR) {
				problem(o, st, source, recno, VG_ERR_INVALID, "gzip: %s", zs.msg ? zs.msg : "corrupt data");
				break;
			}
		} else {
			ZSTD_inBuffer zi = {in, inlen, inpos};
			ZSTD_outBuffer zo = {buf + have, cap - have, 0};
			size_t zr = ZSTD_decompressStream(zd, &zo, &zi);
			if (ZSTD_isError(zr)) {
				problem(o, st, source, recno, VG_ERR_INVALID, "zstd: %s", ZSTD_getErrorName(zr));
				break;
			}
			produced = zo.pos;
			inpos = zi.pos;
		}
		have += produced;
		bool final = eof && inpos == inlen && produced == 0;
		if (fmt == VG_INPUT_AUTO && have) { /* decide on the first complete line */
			if (memchr(buf, '\n', have) || final || have >= VG_SYSLOG_MSG_MAX)
				fmt = vg_input_detect_format(buf, have);
			else
				continue;
		}
		size_t used = fmt == VG_INPUT_SYSLOG
				      ? vg_input_split_syslog(buf, have, final, source, &recno, now_s, o, st, &stop)
				      : vg_input_split_json(buf, have, final, source, &recno, o, st, &stop);
		memmove(buf, buf + used, have - used);
		have -= used;
		if (final)
			break;
	}
	if (ferror(f))
		e = vg_diag_set(d, VG_ERR_IO, NULL, "read error on %s", source);
out:
	if (zinit)
		inflateEnd(&zs);
	ZSTD_freeDCtx(zd);
	free(in);
	free(buf);
	return e;
}

/* r (may be NULL): skip records whose identifier is not above r->evtx_max_id
 * (unless the log was cleared), note the highest; prime: hand on nothing. */
static vg_err read_evtx(const char *path, const vg_input_opts *o, vg_input_resume *r, bool prime, vg_input_stats *st,
			vg_diag *d)
{
	uint64_t skip_to = 0, max_id = 0;
	libevtx_file_t *file = NULL;
	libevtx_error_t *err = NULL;
	int n = 0;
	vg_err e = VG_OK;
	char *xml = NULL;
	size_t xcap = 0;
	struct stat sb;
	if (libevtx_file_initialize(&file, &err) != 1 || libevtx_file_open(file, path, LIBEVTX_OPEN_READ, &err) != 1) {
		char msg[200] = "";
		if (err)
			libevtx_error_sprint(err, msg, sizeof(msg));
		libevtx_error_free(&err);
		libevtx_file_free(&file, NULL);
		return vg_diag_set(d, VG_ERR_INVALID, NULL, "EVTX %s: %s", path, msg);
	}
	if (stat(path, &sb) == 0)
		st->bytes += (uint64_t)sb.st_size;
	libevtx_file_get_number_of_records(file, &n, NULL);
	if (r && n > 0) {
		libevtx_record_t *last = NULL;
		uint64_t last_id = 0;
		if (libevtx_file_get_record_by_index(file, n - 1, &last, NULL) == 1)
			libevtx_record_get_identifier(last, &last_id, NULL);
		libevtx_record_free(&last, NULL);
		skip_to = last_id >= r->evtx_max_id ? r->evtx_max_id : 0; /* lower: the log was cleared */
	}
	for (int i = 0; i < n; i++) {
		libevtx_record_t *rec = NULL;
		size_t sz = 0;
		uint64_t id = 0;
		if (r) {
			if (libevtx_file_get_record_by_index(file, i, &rec, NULL) != 1 ||
			    libevtx_record_get_identifier(rec, &id, NULL) != 1) {
				libevtx_record_free(&rec, NULL);
				problem(o, st, path, (uint64_t)i + 1, VG_ERR_INVALID, "%s", "EVTX record cannot be read");
				continue;
			}
			if (id > max_id)
				max_id = id;
			if (prime || id <= skip_to) {
				libevtx_record_free(&rec, NULL);
				continue;
			}
		}
		if ((!rec && libevtx_file_get_record_by_index(file, i, &rec, NULL) != 1) ||
		    libevtx_record_get_utf8_xml_string_size(rec, &sz, NULL) != 1 || sz > VG_EVENT_SIZE_MAX) {
			libevtx_record_free(&rec, NULL);
			problem(o, st, path, (uint64_t)i + 1, VG_ERR_INVALID, "%s", "EVTX record cannot be rendered");
			continue;
		}
		if (sz > xcap) {
			char *nx = realloc(xml, sz);
			if (!nx) {
				libevtx_record_free(&rec, NULL);
				e = VG_ERR_NOMEM;
				break;
			}
			xml = nx;
			xcap = sz;
		}
		int ok = libevtx_record_get_utf8_xml_string(rec, (uint8_t *)xml, sz, NULL);
		libevtx_record_free(&rec, NULL);
		if (ok != 1) {
			problem(o, st, path, (uint64_t)i + 1, VG_ERR_INVALID, "%s", "EVTX record cannot be rendered");
			continue;
		}
		st->records++;
		vg_record out = {VG_RECORD_XML, xml, strnlen(xml, sz), path, (uint64_t)i + 1};
		if (!o->record(o->ctx, &out))
			break;
		if (o->progress && (i & 1023) == 0)
			o->progress(o->ctx, st);
	}
	if (r) {
		r->evtx = true;
		r->evtx_max_id = max_id > skip_to ? max_id : skip_to;
	}
	free(xml);
	libevtx_file_close(file, NULL);
	libevtx_file_free(&file, NULL);
	return e;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static vg_err read_any(const char *path, unsigned depth, const vg_input_opts *o, vg_input_stats *st, vg_diag *d);

static vg_err read_dir(const char *path, unsigned depth, const vg_input_opts *o, vg_input_stats *st)
{
	DIR *dir = opendir(path);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	vg_err e = VG_OK;
	if (!dir) {
		problem(o, st, path, 0, VG_ERR_IO, "cannot open folder: %s", strerror(errno));
		return VG_OK;
	}
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			char **nn = realloc(names, nc * sizeof(*nn));
			if (!nn) {
				e = VG_ERR_NOMEM;
				break;
			}
			names = nn;
			cap = nc;
		}
		if (asprintf(&names[n], "%s/%s", path, de->d_name) < 0) {
			e = VG_ERR_NOMEM;
			break;
		}
		n++;
	}
	closedir(dir);
	if (n)
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n && !e; i++) {
		vg_diag d;
		vg_diag_clear(&d);
		vg_err fe = read_any(names[i], depth + 1, o, st, &d);
		if (fe == VG_ERR_NOMEM)
			e = fe;
		else if (fe) {
			st->errors++;
			if (o->problem)
				o->problem(o->ctx, &d);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return e;
}

static vg_err read_any(const char *path, unsigned depth, const vg_input_opts *o, vg_input_stats *st, vg_diag *d)
{
	struct stat sb;
	unsigned char head[8];
	size_t hl;
	FILE *f;
	vg_err e;
	if (strcmp(path, "-") == 0) {
		st->files++;
		hl = fread(head, 1, sizeof(head), stdin);
		return read_stream(stdin, "-", head, hl, (int64_t)time(NULL), o, st, d);
	}
	if (stat(path, &sb) != 0)
		return vg_diag_set(d, VG_ERR_IO, NULL, "%s: %s", path, strerror(errno));
	if (S_ISDIR(sb.st_mode)) {
		if (depth >= VG_DETECT_DIR_DEPTH_MAX)
			return VG_OK;
		return read_dir(path, depth, o, st);
	}
	if (!S_ISREG(sb.st_mode))
		return VG_OK;
	if (!(f = fopen(path, "rb")))
		return vg_diag_set(d, VG_ERR_IO, NULL, "%s: %s", path, strerror(errno));
	st->files++;
	hl = fread(head, 1, sizeof(head), f);
	if (hl >= 7 && memcmp(head, "ElfFile", 7) == 0) {
		fclose(f);
		return read_evtx(path, o, NULL, false, st, d);
	}
	/* the year of RFC 3164 dates: the file's, not today's */
	e = read_stream(f, path, head, hl, (int64_t)sb.st_mtime, o, st, d);
	fclose(f);
	return e;
}

vg_err vg_input_read(const char *path, const vg_input_opts *o, vg_input_stats *st, vg_diag *d)
{
	return read_any(path, 0, o, st, d);
}

/* ---- followed compressed and EVTX files ---- */

static uint64_t fnv1a(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3ull;
	return h ? h : 1;
}

typedef struct resume_ctx {
	const vg_input_opts *o;
	vg_input_resume *r;
	uint64_t seen, skip;
	bool prime;
} resume_ctx;

static bool resume_record(void *ctx, const vg_record *rec)
{
	resume_ctx *c = ctx;
	if (++c->seen == 1) {
		uint64_t h = fnv1a(rec->data, rec->len);
		c->skip = c->r->records && h == c->r->first_hash ? c->r->records : 0;
		c->r->first_hash = h;
	}
	if (c->prime || c->seen <= c->skip)
		return true;
	return c->o->record(c->o->ctx, rec);
}

static void resume_problem(void *ctx, const vg_diag *d)
{
	resume_ctx *c = ctx;
	if (!c->prime && c->o->problem)
		c->o->problem(c->o->ctx, d);
}

vg_err vg_input_read_resume(const char *path, const vg_input_opts *o, vg_input_resume *r, bool prime,
			    vg_input_stats *st, vg_diag *d)
{
	struct stat sb;
	unsigned char head[8];
	size_t hl;
	FILE *f;
	vg_err e;
	if (!(f = fopen(path, "rb")))
		return vg_diag_set(d, VG_ERR_IO, NULL, "%s: %s", path, strerror(errno));
	if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
		fclose(f);
		return vg_diag_set(d, VG_ERR_IO, NULL, "%s: not a regular file", path);
	}
	st->files++;
	hl = fread(head, 1, sizeof(head), f);
	if (hl >= 7 && memcmp(head, "ElfFile", 7) == 0) {
		fclose(f);
		return read_evtx(path, o, r, prime, st, d);
	}
	resume_ctx c = {o, r, 0, 0, prime};
	vg_input_opts wo = *o;
	wo.record = resume_record;
	wo.problem = resume_problem;
	wo.ctx = &c;
	r->evtx = false;
	e = read_stream(f, path, head, hl, (int64_t)sb.st_mtime, &wo, st, d);
	fclose(f);
	if (!e && c.seen)
		r->records = c.seen;
	return e;
}

bool vg_input_is_blob_data(const void *p, size_t n)
{
	const unsigned char *h = p;
	return (n >= 2 && h[0] == 0x1f && h[1] == 0x8b) || (n >= 4 && !memcmp(h, "\x28\xb5\x2f\xfd", 4)) ||
	       (n >= 7 && !memcmp(h, "ElfFile", 7));
}

bool vg_input_is_blob(const char *path)
{
	unsigned char h[8];
	size_t n = 0;
	FILE *f = fopen(path, "rb");
	if (f) {
		n = fread(h, 1, sizeof h, f);
		fclose(f);
	}
	return vg_input_is_blob_data(h, n);
}

bool vg_input_blob_poll(const char *path, vg_input_blob *b, bool from_end, const vg_input_opts *o,
			vg_input_stats *st, vg_diag *d, vg_err *err)
{
	struct stat sb;
	uint64_t mt;
	*err = VG_OK;
	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
		return false; /* removed: wait for a new one */
	mt = (uint64_t)sb.st_mtim.tv_sec * 1000000000u + (uint64_t)sb.st_mtim.tv_nsec;
	if (!b->seen || b->dev != (uint64_t)sb.st_dev || b->ino != (uint64_t)sb.st_ino || b->size != sb.st_size ||
	    b->mtime_ns != mt) {
		bool first = !b->seen;
		b->seen = true;
		b->dev = (uint64_t)sb.st_dev;
		b->ino = (uint64_t)sb.st_ino;
		b->size = sb.st_size;
		b->mtime_ns = mt;
		b->changed = !first;
		if (!first)
			return false; /* read once it has settled */
		*err = vg_input_read_resume(path, o, &b->res, from_end, st, d);
		return true;
	}
	if (!b->changed)
		return false;
	b->changed = false;
	*err = vg_input_read_resume(path, o, &b->res, false, st, d);
	return true;
}
