/* Growable byte buffer with a hard maximum size. Always NUL-terminated.
 * An append that would cross `max` fails with VG_ERR_LIMIT and leaves the
 * buffer unchanged. */
#ifndef VG_CORE_BUF_H
#define VG_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "core/err.h"

typedef struct vg_buf {
	char *data; /* NULL until the first append */
	size_t len;
	size_t cap;
	size_t max; /* 0 = SIZE_MAX/2 */
} vg_buf;

void vg_buf_init(vg_buf *b, size_t max);
void vg_buf_fini(vg_buf *b);
void vg_buf_reset(vg_buf *b);
vg_err vg_buf_reserve(vg_buf *b, size_t extra);
vg_err vg_buf_append(vg_buf *b, const void *p, size_t n);
vg_err vg_buf_puts(vg_buf *b, const char *s);
vg_err vg_buf_putc(vg_buf *b, char c);
/* s (n bytes) as a JSON string, quoted: \" \\ escaped, control bytes as \u00XX;
 * other bytes as they are (the caller gives UTF-8). */
vg_err vg_buf_put_json_str(vg_buf *b, const char *s, size_t n);
vg_err vg_buf_printf(vg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The contents as a C string ("" when empty). */
const char *vg_buf_cstr(const vg_buf *b);
/* Hand the malloc'd string to the caller; the buffer becomes empty. */
char *vg_buf_steal(vg_buf *b);

#endif
