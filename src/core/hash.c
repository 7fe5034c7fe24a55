#include "core/hash.h"

#include <stdlib.h>
#include <string.h>

static inline uint64_t mix(uint64_t a, uint64_t b)
{
	__uint128_t r = (__uint128_t)a * b;
	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t rd64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static inline uint64_t rd32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

uint64_t vg_hash_bytes(const void *data, size_t n)
{
	static const uint64_t s0 = 0xa0761d6478bd642full, s1 = 0xe7037ed1a0b428dbull,
			      s2 = 0x8ebc6af09c88c6e3ull;
	const unsigned char *p = data;
	uint64_t seed = s0 ^ n, a, b;
	size_t i = n;
	while (i > 16) {
		seed = mix(rd64(p) ^ s1, rd64(p + 8) ^ seed);
		p += 16;
		i -= 16;
	}
	if (i >= 4) {
		a = (rd32(p) << 32) | rd32(p + ((i >> 3) << 2));
		b = (rd32(p + i - 4) << 32) | rd32(p + i - 4 - ((i >> 3) << 2));
	} else if (i > 0) {
		a = ((uint64_t)p[0] << 16) | ((uint64_t)p[i >> 1] << 8) | p[i - 1];
		b = 0;
	} else {
		a = b = 0;
	}
	return mix(s1 ^ n, mix(a ^ s1, b ^ seed) ^ s2);
}

void vg_vec_init(vg_vec *v)
{
	v->items = NULL;
	v->len = v->cap = 0;
}

void vg_vec_fini(vg_vec *v)
{
	if (!v)
		return;
	free(v->items);
	v->items = NULL;
	v->len = v->cap = 0;
}

vg_err vg_vec_push(vg_vec *v, void *item)
{
	if (v->len == v->cap) {
		size_t nc = v->cap ? v->cap * 2 : 8;
		void **p = realloc(v->items, nc * sizeof *p);
		if (!p)
			return VG_ERR_NOMEM;
		v->items = p;
		v->cap = nc;
	}
	v->items[v->len++] = item;
	return VG_OK;
}

void vg_map_init(vg_map *m)
{
	m->slots = NULL;
	m->cap = m->len = 0;
}

void vg_map_fini(vg_map *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->cap; i++)
		free((char *)m->slots[i].key);
	free(m->slots);
	m->slots = NULL;
	m->cap = m->len = 0;
}

static vg_map_entry *find_slot(vg_map_entry *slots, size_t cap, const char *key, size_t keylen,
			       uint64_t h)
{
	size_t i = (size_t)h & (cap - 1);
	for (;;) {
		vg_map_entry *e = &slots[i];
		if (!e->key)
			return e;
		if (e->hash == h && e->keylen == keylen && memcmp(e->key, key, keylen) == 0)
			return e;
		i = (i + 1) & (cap - 1);
	}
}

static vg_err grow(vg_map *m)
{
	size_t nc = m->cap ? m->cap * 2 : 16;
	vg_map_entry *ns = calloc(nc, sizeof *ns);
	if (!ns)
		return VG_ERR_NOMEM;
	for (size_t i = 0; i < m->cap; i++) {
		vg_map_entry *e = &m->slots[i];
		if (e->key)
			*find_slot(ns, nc, e->key, e->keylen, e->hash) = *e;
	}
	free(m->slots);
	m->slots = ns;
	m->cap = nc;
	return VG_OK;
}

vg_err vg_map_put(vg_map *m, const char *key, size_t keylen, void *value, void **old)
{
	uint64_t h = vg_hash_bytes(key, keylen);
	vg_map_entry *e;
	if (old)
		*old = NULL;
	if ((m->len + 1) * 4 > m->cap * 3) {
		vg_err err = grow(m);
		if (err)
			return err;
	}
	e = find_slot(m->slots, m->cap, key, keylen, h);
	if (e->key) {
		if (old)
			*old = e->value;
		e->value = value;
		return VG_OK;
	}
	{
		char *k = malloc(keylen + 1);
		if (!k)
			return VG_ERR_NOMEM;
		memcpy(k, key, keylen);
		k[keylen] = '\0';
		e->key = k;
	}
	e->keylen = keylen;
	e->hash = h;
	e->value = value;
	m->len++;
	return VG_OK;
}

void *vg_map_get(const vg_map *m, const char *key, size_t keylen)
{
	vg_map_entry *e;
	if (!m->cap)
		return NULL;
	e = find_slot(m->slots, m->cap, key, keylen, vg_hash_bytes(key, keylen));
	return e->key ? e->value : NULL;
}

bool vg_map_has(const vg_map *m, const char *key, size_t keylen)
{
	vg_map_entry *e;
	if (!m->cap)
		return false;
	e = find_slot(m->slots, m->cap, key, keylen, vg_hash_bytes(key, keylen));
	return e->key != NULL;
}

vg_map_entry *vg_map_next(const vg_map *m, size_t *i)
{
	for (; *i < m->cap; (*i)++)
		if (m->slots[*i].key)
			return &m->slots[(*i)++];
	return NULL;
}
