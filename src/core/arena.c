#include "core/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16
#define ARENA_DEFAULT_BLOCK (16 * 1024)

typedef struct arena_block {
	struct arena_block *next;
	size_t size; /* usable bytes in data */
	size_t used;
	_Alignas(ARENA_ALIGN) unsigned char data[];
} arena_block;

struct vg_arena {
	arena_block *head;
	size_t block_size;
	size_t total;
	size_t cap;
};

static arena_block *block_new(size_t size)
{
	arena_block *b;
	if (size > SIZE_MAX - sizeof *b)
		return NULL;
	b = malloc(sizeof *b + size);
	if (!b)
		return NULL;
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

vg_arena *vg_arena_new(size_t block_size)
{
	vg_arena *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	a->block_size = block_size ? block_size : ARENA_DEFAULT_BLOCK;
	a->head = block_new(a->block_size);
	if (!a->head) {
		free(a);
		return NULL;
	}
	return a;
}

void vg_arena_free(vg_arena *a)
{
	arena_block *b, *n;
	if (!a)
		return;
	for (b = a->head; b; b = n) {
		n = b->next;
		free(b);
	}
	free(a);
}

void vg_arena_reset(vg_arena *a)
{
	arena_block *b, *n;
	if (!a)
		return;
	/* keep the last block in the chain (the first one allocated) */
	for (b = a->head; b && b->next; b = n) {
		n = b->next;
		free(b);
	}
	a->head = b;
	if (b)
		b->used = 0;
	a->total = 0;
}

void vg_arena_set_cap(vg_arena *a, size_t cap)
{
	a->cap = cap;
}

size_t vg_arena_used(const vg_arena *a)
{
	return a ? a->total : 0;
}

void *vg_arena_alloc(vg_arena *a, size_t n)
{
	arena_block *b;
	size_t need;
	void *p;
	if (!a)
		return NULL;
	if (n == 0)
		n = 1;
	if (n > SIZE_MAX - ARENA_ALIGN)
		return NULL;
	need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (a->cap && (need > a->cap || a->total > a->cap - need))
		return NULL;
	b = a->head;
	if (!b || b->size - b->used < need) {
		size_t sz = need > a->block_size ? need : a->block_size;
		arena_block *nb = block_new(sz);
		if (!nb)
			return NULL;
		if (b && need > a->block_size) {
			/* big allocation: put it behind the head so the head keeps filling */
			nb->next = b->next;
			b->next = nb;
			nb->used = need;
			a->total += need;
			return nb->data;
		}
		nb->next = b;
		a->head = b = nb;
	}
	p = b->data + b->used;
	b->used += need;
	a->total += need;
	return p;
}

void *vg_arena_calloc(vg_arena *a, size_t count, size_t size)
{
	void *p;
	if (size && count > SIZE_MAX / size)
		return NULL;
	p = vg_arena_alloc(a, count * size);
	if (p)
		memset(p, 0, count * size);
	return p;
}

char *vg_arena_strndup(vg_arena *a, const char *s, size_t n)
{
	char *p;
	if (!s)
		return NULL;
	p = vg_arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *vg_arena_strdup(vg_arena *a, const char *s)
{
	return s ? vg_arena_strndup(a, s, strlen(s)) : NULL;
}

char *vg_arena_vprintf(vg_arena *a, const char *fmt, va_list ap)
{
	va_list cp;
	int n;
	char *p;
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return NULL;
	p = vg_arena_alloc(a, (size_t)n + 1);
	if (!p)
		return NULL;
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *vg_arena_printf(vg_arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;
	va_start(ap, fmt);
	p = vg_arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}
