/* Small containers: a growable vector of pointers and a string-keyed hash map
 * (open addressing, linear probing, power-of-two capacity). */
#ifndef VG_CORE_HASH_H
#define VG_CORE_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* 64-bit hash of bytes (wyhash-style mix; seeded per process). */
uint64_t vg_hash_bytes(const void *p, size_t n);

typedef struct vg_vec {
	void **items;
	size_t len;
	size_t cap;
} vg_vec;

void vg_vec_init(vg_vec *v);
void vg_vec_fini(vg_vec *v);
vg_err vg_vec_push(vg_vec *v, void *item);

typedef struct vg_map_entry {
	const char *key; /* owned by the map (copied) */
	size_t keylen;
	uint64_t hash;
	void *value;
} vg_map_entry;

typedef struct vg_map {
	vg_map_entry *slots;
	size_t cap; /* power of two, 0 when empty */
	size_t len;
} vg_map;

void vg_map_init(vg_map *m);
/* Frees keys; values are the caller's (free them first with vg_map_foreach). */
void vg_map_fini(vg_map *m);
/* Insert or replace. If old is non-NULL it receives the replaced value (or NULL). */
vg_err vg_map_put(vg_map *m, const char *key, size_t keylen, void *value, void **old);
void *vg_map_get(const vg_map *m, const char *key, size_t keylen);
bool vg_map_has(const vg_map *m, const char *key, size_t keylen);
/* Iterate: i starts at 0; returns NULL when done. */
vg_map_entry *vg_map_next(const vg_map *m, size_t *i);

#endif
