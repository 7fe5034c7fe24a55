/* Fuzz the syslog parser (RFC 3164 / RFC 5424), its JSON rendering (which
 * must always be valid JSON), the RFC 6587 framing of a TCP stream and the
 * line splitter of syslog files, on the same bytes. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect/input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool on_record(void *ctx, const vg_record *r)
{
	json_t *j = json_loadb(r->data, r->len, 0, NULL);
	if (!j)
		abort(); /* the renderer wrote invalid JSON */
	json_decref(j);
	(*(size_t *)ctx)++;
	return true;
}

static void one(const char *p, size_t n)
{
	static vg_syslog_msg m;
	vg_diag d;
	size_t off;
	vg_buf b;
	if (vg_syslog_parse(p, n, 1795824000, &m, &off, &d) != VG_OK) {
		if (off > n)
			abort(); /* the offset must point into the input */
		return;
	}
	vg_buf_init(&b, 0);
	vg_syslog_to_json(&m, "192.0.2.1", &b);
	json_t *j = json_loadb(b.data, b.len, 0, NULL);
	if (!j)
		abort();
	json_decref(j);
	vg_buf_fini(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	size_t pos = 0, used, count = 0;
	uint64_t recno = 0;
	bool stop = false;
	vg_syslog_str msg;
	vg_diag d;
	vg_input_opts o = {.record = on_record, .ctx = &count};
	vg_input_stats st = {0};
	one(s, size);
	/* as a TCP stream: frames, partial until the end */
	while (pos < size) {
		int r = vg_syslog_frame(s + pos, size - pos, true, &msg, &used, &d);
		if (used == 0 || used > size - pos)
			abort(); /* no progress, or past the end */
		if (r == 1)
			one(msg.p, msg.n);
		pos += used;
	}
	/* as a file of lines */
	vg_input_split_syslog(s, size, true, "fuzz", &recno, 1795824000, &o, &st, &stop);
	return 0;
}
