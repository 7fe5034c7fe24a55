/* Login throttle: a fixed-size table of keys, each with its failure count and
 * the start of its window; one mutex. Bounded: when full, the entry whose
 * window started first is evicted (a linear scan: only on insertion of a new
 * key into a full table). */
#include "auth/throttle.h"

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/limits.h"

/* "u:" + username or "a:" + address; longer keys are truncated (still stable). */
#define KEY_MAX 80

typedef struct entry {
	char key[KEY_MAX];
	int64_t first_ms; /* start of the window */
	int failures;
	bool used;
} entry;

struct vg_throttle {
	pthread_mutex_t mu;
	int max_failures;
	int64_t window_ms;
	size_t cap;   /* power of two */
	size_t count;
	entry *slots; /* open addressing; deletion by backward shift */
};

vg_throttle *vg_throttle_new(int max_failures, int64_t window_s)
{
	vg_throttle *t = calloc(1, sizeof *t);
	size_t cap = 1;
	if (!t)
		return NULL;
	while (cap < (size_t)VG_THROTTLE_ENTRIES_MAX * 2)
		cap <<= 1;
	t->slots = calloc(cap, sizeof *t->slots);
	if (!t->slots) {
		free(t);
		return NULL;
	}
	t->cap = cap;
	t->max_failures = max_failures;
	t->window_ms = (window_s > 0 ? window_s : 1) * 1000;
	pthread_mutex_init(&t->mu, NULL);
	return t;
}

void vg_throttle_free(vg_throttle *t)
{
	if (!t)
		return;
	pthread_mutex_destroy(&t->mu);
	free(t->slots);
	free(t);
}

static size_t slot_of(const vg_throttle *t, const char *key)
{
	return (size_t)vg_hash_bytes(key, strlen(key)) & (t->cap - 1);
}

static entry *find(vg_throttle *t, const char *key)
{
	for (size_t i = slot_of(t, key);; i = (i + 1) & (t->cap - 1)) {
		entry *e = &t->slots[i];
		if (!e->used)
			return NULL;
		if (strcmp(e->key, key) == 0)
			return e;
	}
}

static void remove_entry(vg_throttle *t, entry *e)
{
	size_t i = (size_t)(e - t->slots), j = i;
	t->slots[i].used = false;
	t->count--;
	/* backward-shift deletion keeps probe chains intact */
	for (;;) {
		size_t home;
		j = (j + 1) & (t->cap - 1);
		if (!t->slots[j].used)
			break;
		home = slot_of(t, t->slots[j].key);
		if (((j - home) & (t->cap - 1)) >= ((j - i) & (t->cap - 1))) {
			t->slots[i] = t->slots[j];
			t->slots[j].used = false;
			i = j;
		}
	}
}

static void evict_oldest(vg_throttle *t)
{
	entry *old = NULL;
	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i].used && (!old || t->slots[i].first_ms < old->first_ms))
			old = &t->slots[i];
	if (old)
		remove_entry(t, old);
}

vg_err vg_throttle_check(vg_throttle *t, const char *key_in, int64_t now_ms, int64_t *retry_after_s)
{
	return vg_throttle_check_limit(t, key_in, t ? t->max_failures : 0, now_ms, retry_after_s);
}

vg_err vg_throttle_check_limit(vg_throttle *t, const char *key_in, int max_failures, int64_t now_ms,
			       int64_t *retry_after_s)
{
	vg_err r = VG_OK;
	entry *e;
	char key[KEY_MAX];
	if (!t || t->max_failures <= 0 || max_failures <= 0 || !key_in)
		return VG_OK;
	snprintf(key, sizeof key, "%s", key_in);
	pthread_mutex_lock(&t->mu);
	e = find(t, key);
	if (e) {
		int64_t end = e->first_ms + t->window_ms;
		if (now_ms >= end) {
			remove_entry(t, e);
		} else if (e->failures >= max_failures) {
			r = VG_ERR_THROTTLED;
			if (retry_after_s)
				*retry_after_s = (end - now_ms + 999) / 1000;
		}
	}
	pthread_mutex_unlock(&t->mu);
	return r;
}

void vg_throttle_fail(vg_throttle *t, const char *key_in, int64_t now_ms)
{
	entry *e;
	char key[KEY_MAX];
	if (!t || t->max_failures <= 0 || !key_in)
		return;
	snprintf(key, sizeof key, "%s", key_in);
	pthread_mutex_lock(&t->mu);
	e = find(t, key);
	if (e && now_ms >= e->first_ms + t->window_ms) {
		remove_entry(t, e);
		e = NULL;
	}
	if (!e) {
		size_t i;
		if (t->count >= VG_THROTTLE_ENTRIES_MAX)
			evict_oldest(t);
		for (i = slot_of(t, key); t->slots[i].used; i = (i + 1) & (t->cap - 1))
			;
		e = &t->slots[i];
		memset(e, 0, sizeof *e);
		memcpy(e->key, key, strlen(key) + 1);
		e->used = true;
		e->first_ms = now_ms;
		t->count++;
	}
	if (e->failures < INT_MAX)
		e->failures++;
	pthread_mutex_unlock(&t->mu);
}

void vg_throttle_reset(vg_throttle *t, const char *key_in)
{
	entry *e;
	char key[KEY_MAX];
	if (!t || !key_in)
		return;
	snprintf(key, sizeof key, "%s", key_in);
	pthread_mutex_lock(&t->mu);
	e = find(t, key);
	if (e)
		remove_entry(t, e);
	pthread_mutex_unlock(&t->mu);
}

size_t vg_throttle_count(vg_throttle *t)
{
	size_t n;
	if (!t)
		return 0;
	pthread_mutex_lock(&t->mu);
	n = t->count;
	pthread_mutex_unlock(&t->mu);
	return n;
}

int vg_throttle_limit(const vg_throttle *t)
{
	return t ? t->max_failures : 0;
}
