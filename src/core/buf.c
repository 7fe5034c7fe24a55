#include "core/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vg_buf_init(vg_buf *b, size_t max)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->max = max ? max : SIZE_MAX / 2;
}

void vg_buf_fini(vg_buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void vg_buf_reset(vg_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

vg_err vg_buf_reserve(vg_buf *b, size_t extra)
{
	size_t need, ncap;
	char *p;
	if (extra > b->max || b->len > b->max - extra)
		return VG_ERR_LIMIT;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return VG_OK;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	if (ncap > b->max + 1)
		ncap = b->max + 1;
	p = realloc(b->data, ncap);
	if (!p)
		return VG_ERR_NOMEM;
	b->data = p;
	b->cap = ncap;
	return VG_OK;
}

vg_err vg_buf_append(vg_buf *b, const void *p, size_t n)
{
	vg_err e;
	/* fast path: room already there (cap never exceeds max + 1) */
	if (b->data && b->cap - b->len > n) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len] = '\0';
		return VG_OK;
	}
	e = vg_buf_reserve(b, n);
	if (e)
		return e;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return VG_OK;
}

vg_err vg_buf_puts(vg_buf *b, const char *s)
{
	return vg_buf_append(b, s, strlen(s));
}

vg_err vg_buf_put_json_str(vg_buf *b, const char *s, size_t n)
{
	vg_err e = vg_buf_putc(b, '"');
	for (size_t i = 0; i < n && !e; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20)
			e = vg_buf_printf(b, "\\u%04x", c);
		else if ((c == '"' || c == '\\') && (e = vg_buf_putc(b, '\\')))
			break;
		else
			e = vg_buf_putc(b, (char)c);
	}
	return e ? e : vg_buf_putc(b, '"');
}

vg_err vg_buf_putc(vg_buf *b, char c)
{
	if (b->data && b->cap - b->len > 1) {
		b->data[b->len++] = c;
		b->data[b->len] = '\0';
		return VG_OK;
	}
	return vg_buf_append(b, &c, 1);
}

vg_err vg_buf_printf(vg_buf *b, const char *fmt, ...)
{
	va_list ap, cp;
	int n;
	vg_err e;
	va_start(ap, fmt);
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0) {
		va_end(ap);
		return VG_ERR_INVALID;
	}
	e = vg_buf_reserve(b, (size_t)n);
	if (!e) {
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
		b->len += (size_t)n;
	}
	va_end(ap);
	return e;
}

const char *vg_buf_cstr(const vg_buf *b)
{
	return b->data ? b->data : "";
}

char *vg_buf_steal(vg_buf *b)
{
	char *p = b->data;
	if (!p)
		p = calloc(1, 1);
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
