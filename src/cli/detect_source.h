/* Inputs of vigie detect (detect_source.c): standard input and followed
 * files. Text files are read as they grow (tail -F: a replaced or truncated
 * file is read to its end, then reopened); compressed and EVTX files are read
 * again once changed, new records only (vg_input_blob_poll). */
#ifndef VG_CLI_DETECT_SOURCE_H
#define VG_CLI_DETECT_SOURCE_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cli/cli.h"
#include "detect/input.h"

#define VG_DETECT_EVENT_BUF_MAX (8u * 1024 * 1024) /* one event may not exceed this (oversized: skipped) */
#define VG_DETECT_READ_CHUNK 65536

/* Where the records go: the input callbacks and format, the CLI for
 * messages, the error counter. */
typedef struct vg_detect_feed {
	vg_input_opts io;
	vg_cli *cli;
	uint64_t *errors;
} vg_detect_feed;

typedef struct vg_detect_source {
	const char *path; /* "-" = stdin */
	int fd;
	bool follow, eof, blob;
	vg_input_format fmt;
	dev_t dev;
	ino_t ino;
	off_t off;
	vg_input_blob bl;
	char *buf;
	size_t len, cap;
	uint64_t recno;
} vg_detect_source;

void vg_detect_source_close(vg_detect_source *s);
/* Open (or reopen after rotation) a followed file; missing files are retried. */
void vg_detect_source_open(const vg_detect_feed *f, vg_detect_source *s, bool at_end);
/* Split what is buffered into events; keep a trailing partial event. */
void vg_detect_source_drain(const vg_detect_feed *f, vg_detect_source *s, bool final);
/* Read what is available; bytes read (0 at EOF / nothing new, -1 on error). */
ssize_t vg_detect_source_read(const vg_detect_feed *f, vg_detect_source *s);
/* A followed file: reopen when replaced or truncated; re-read a compressed or EVTX one that changed. */
void vg_detect_follow_check(const vg_detect_feed *f, vg_detect_source *s);

#endif
