/* Inputs of vigie detect: standard input and followed files (see
 * detect_source.h). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/detect_source.h"

void vg_detect_source_close(vg_detect_source *s)
{
	if (s->fd > 0)
		close(s->fd);
	s->fd = -1;
}

/* A compressed or EVTX followed file: read again (new records only) once it
 * changed and then stayed the same for one poll; false when it is no longer one. */
static bool blob_poll(const vg_detect_feed *f, vg_detect_source *s, bool from_end)
{
	vg_input_opts o = f->io;
	vg_input_stats st = {0};
	vg_diag d;
	vg_err e;
	struct stat sb;
	if (s->bl.seen && stat(s->path, &sb) == 0 && sb.st_size > 0 && !vg_input_is_blob(s->path))
		return false;
	if (vg_input_blob_poll(s->path, &s->bl, from_end, &o, &st, &d, &e) && e)
		f->io.problem(f->io.ctx, &d);
	return true;
}

/* Open (or reopen after rotation) a followed file; missing files are retried. */
void vg_detect_source_open(const vg_detect_feed *f, vg_detect_source *s, bool at_end)
{
	struct stat st;
	int fd;
	s->fmt = f->io.format;
	if (stat(s->path, &st) == 0 && S_ISREG(st.st_mode) && vg_input_is_blob(s->path)) {
		s->blob = true;
		memset(&s->bl, 0, sizeof s->bl);
		blob_poll(f, s, at_end);
		return;
	}
	s->blob = false;
	if ((fd = open(s->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return;
	if (fstat(fd, &st)) {
		close(fd);
		return;
	}
	s->fd = fd;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->off = 0;
	s->len = 0;
	if (at_end && lseek(fd, 0, SEEK_END) > 0)
		s->off = st.st_size;
}

/* Split what is buffered into events; keep a trailing partial event. */
void vg_detect_source_drain(const vg_detect_feed *f, vg_detect_source *s, bool final)
{
	vg_input_opts o = f->io;
	vg_input_stats st = {0};
	bool stop = false;
	size_t used;
	if (s->fmt == VG_INPUT_AUTO && s->len) {
		if (!memchr(s->buf, '\n', s->len) && !final && s->len < VG_SYSLOG_MSG_MAX)
			return;
		s->fmt = vg_input_detect_format(s->buf, s->len);
	}
	used = s->fmt == VG_INPUT_SYSLOG
		       ? vg_input_split_syslog(s->buf, s->len, final, s->path, &s->recno, (int64_t)time(NULL), &o, &st, &stop)
		       : vg_input_split_json(s->buf, s->len, final, s->path, &s->recno, &o, &st, &stop);
	if (used > s->len)
		used = s->len;
	memmove(s->buf, s->buf + used, s->len - used);
	s->len -= used;
	if (final || s->len >= VG_DETECT_EVENT_BUF_MAX) {
		if (s->len && !final) {
			(*f->errors)++;
			if (!f->cli->quiet)
				fprintf(stderr, "%s: %s: event larger than %u bytes skipped\n", f->cli->prog, s->path,
					VG_DETECT_EVENT_BUF_MAX);
		}
		s->len = 0;
	}
}

/* Read what is available; returns bytes read (0 at EOF / nothing new). */
ssize_t vg_detect_source_read(const vg_detect_feed *f, vg_detect_source *s)
{
	ssize_t n;
	if (s->fd < 0)
		return 0;
	if (s->cap - s->len < VG_DETECT_READ_CHUNK) {
		size_t nc = s->cap ? s->cap * 2 : 4 * VG_DETECT_READ_CHUNK;
		char *nb = realloc(s->buf, nc + 1);
		if (!nb)
			return -1;
		s->buf = nb;
		s->cap = nc;
	}
	n = read(s->fd, s->buf + s->len, VG_DETECT_READ_CHUNK);
	if (n > 0 && s->follow && s->off == 0 && vg_input_is_blob_data(s->buf, (size_t)n)) { /* compressed */
		vg_detect_source_close(s);
		s->blob = true;
		memset(&s->bl, 0, sizeof s->bl);
		blob_poll(f, s, false);
		return 0;
	}
	if (n > 0) {
		s->len += (size_t)n;
		s->off += n;
		vg_detect_source_drain(f, s, false);
	}
	return n;
}

/* tail -F: a followed file that was replaced (other inode) or truncated is
 * read to its end, then reopened from the start. */
void vg_detect_follow_check(const vg_detect_feed *f, vg_detect_source *s)
{
	struct stat st;
	if (s->blob) {
		if (!blob_poll(f, s, false))
			vg_detect_source_open(f, s, false); /* replaced by a text file */
		return;
	}
	if (s->fd < 0) {
		vg_detect_source_open(f, s, false);
		return;
	}
	if (stat(s->path, &st))
		return; /* removed: keep the old descriptor until a new file appears */
	if (st.st_dev != s->dev || st.st_ino != s->ino || st.st_size < s->off) {
		while (vg_detect_source_read(f, s) > 0)
			;
		vg_detect_source_drain(f, s, true);
		vg_detect_source_close(s);
		vg_detect_source_open(f, s, false);
	}
}

