/* Log inputs: see input.h. Compression is detected from the first bytes
 * (gzip 1f 8b, zstd 28 b5 2f fd, EVTX "ElfFile"), never from the name. */
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
#include <zlib.h>
#include <zstd.h>

#include "core/limits.h"
#include "detect/input.h"

#define INPUT_CHUNK (256 * 1024)

static void problem(const vg_input_opts *o, vg_input_stats *st, const char *src, uint64_t rec, vg_err code,
		    const char *fmt, const char *arg)
{
	vg_diag d;
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

typedef enum { SRC_PLAIN, SRC_GZIP, SRC_ZSTD } src_kind;

/* Stream a FILE through the decompressor and the splitter. */
static vg_err read_stream(FILE *f, const char *source, const unsigned char *head, size_t headlen,
			  const vg_input_opts *o, vg_input_stats *st, vg_diag *d)
{
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
		size_t used = vg_input_split_json(buf, have, final, source, &recno, o, st, &stop);
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

static vg_err read_evtx(const char *path, const vg_input_opts *o, vg_input_stats *st, vg_diag *d)
{
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
	for (int i = 0; i < n; i++) {
		libevtx_record_t *rec = NULL;
		size_t sz = 0;
		if (libevtx_file_get_record_by_index(file, i, &rec, NULL) != 1 ||
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
		vg_record r = {VG_RECORD_XML, xml, strnlen(xml, sz), path, (uint64_t)i + 1};
		if (!o->record(o->ctx, &r))
			break;
		if (o->progress && (i & 1023) == 0)
			o->progress(o->ctx, st);
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
		return read_stream(stdin, "-", head, hl, o, st, d);
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
		return read_evtx(path, o, st, d);
	}
	e = read_stream(f, path, head, hl, o, st, d);
	fclose(f);
	return e;
}

vg_err vg_input_read(const char *path, const vg_input_opts *o, vg_input_stats *st, vg_diag *d)
{
	return read_any(path, 0, o, st, d);
}
