/* Region allocator: one per request and per batch. Everything allocated from
 * an arena is released at once by vg_arena_free / vg_arena_reset. */
#ifndef VG_CORE_ARENA_H
#define VG_CORE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct vg_arena vg_arena;

/* block_size 0 picks the default. Returns NULL on allocation failure. */
vg_arena *vg_arena_new(size_t block_size);
void vg_arena_free(vg_arena *a);
/* Release everything but keep the first block for reuse. */
void vg_arena_reset(vg_arena *a);
/* 16-byte aligned; NULL on overflow/allocation failure or if the arena's cap is hit. */
void *vg_arena_alloc(vg_arena *a, size_t n);
void *vg_arena_calloc(vg_arena *a, size_t count, size_t size);
char *vg_arena_strdup(vg_arena *a, const char *s);
char *vg_arena_strndup(vg_arena *a, const char *s, size_t n);
char *vg_arena_printf(vg_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *vg_arena_vprintf(vg_arena *a, const char *fmt, va_list ap);
/* Bytes handed out since creation or the last reset. */
size_t vg_arena_used(const vg_arena *a);
/* Refuse allocations once more than cap bytes are in use (0 = no cap). */
void vg_arena_set_cap(vg_arena *a, size_t cap);

#endif
