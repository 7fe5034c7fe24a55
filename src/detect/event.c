/* Events: a flat list of (path, value) leaves. Two single-pass parsers fill
 * it without building a document tree: one for JSON objects, one for the XML
 * that EVTX records render to (mapped to the same paths as the JSON
 * renderings: attributes under "#attributes", <Data Name="X"> as X; that one
 * is in event_xml.c). Values go
 * into one buffer (and an ASCII-lowered twin) that the literal prefilter scans
 * in one pass; each leaf is linked to the rule field it maps to, if any. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "detect/internal.h"

/* JSON path cache: a trie of path nodes, one per (parent node, key), in an
 * open-addressing table; looking a key up hashes the key alone, not the
 * whole path. Node 0 is the root; PN_NONE marks a path past the cache's
 * bound (VG_EVENT_PATH_CACHE_MAX), whose field id is then computed each time. */
#define PN_NONE UINT32_MAX
typedef struct pnode {
	uint64_t hash;
	uint32_t parent, keyoff, keylen;
	int32_t fid;
	/* the shape of the last event: the first key seen under this node, the
	 * key seen after this one; a key that matches the guess needs no hash
	 * and no probe (logs of one kind repeat their keys in the same order) */
	uint32_t first, next;
	bool plain; /* the key was written without escapes: its text is its source */
} pnode;

typedef struct vg_pnodes {
	pnode *nodes;
	size_t n, cap;
	uint32_t *tab; /* node index + 1, 0 = empty */
	size_t tcap;   /* power of two, >= 2 * n */
	vg_buf keys;
} vg_pnodes;

static void pnodes_free(vg_pnodes *pn)
{
	if (!pn)
		return;
	free(pn->nodes);
	free(pn->tab);
	vg_buf_fini(&pn->keys);
	free(pn);
}

static inline uint64_t key_hash(uint32_t parent, const char *k, size_t n)
{
	uint64_t h = (parent + 1) * 0x9e3779b97f4a7c15ull ^ n, w;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, k + i, 8);
		h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
		h ^= h >> 31;
	}
	if (i < n) { /* k is readable 8 bytes past n (the parser's path has slack) */
		memcpy(&w, k + i, 8);
		w &= ~0ull >> (64 - 8 * (n - i));
		h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
		h ^= h >> 31;
	}
	return h * 0x94d049bb133111ebull ^ (h >> 29);
}

static inline bool key_eq(const char *a, const char *b, size_t n)
{
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t x, y;
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			return false;
	}
	if (i < n) { /* both readable 8 bytes past n: the path's slack, the keys' padding */
		uint64_t x, y;
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		return ((x ^ y) & (~0ull >> (64 - 8 * (n - i)))) == 0;
	}
	return true;
}

static vg_err pnodes_grow(vg_pnodes *pn)
{
	size_t nt = pn->tcap ? pn->tcap * 2 : 256;
	uint32_t *tab = calloc(nt, sizeof(uint32_t));
	pnode *nodes = realloc(pn->nodes, nt / 2 * sizeof(pnode));
	if (!tab || !nodes) {
		free(tab);
		if (nodes)
			pn->nodes = nodes;
		return VG_ERR_NOMEM;
	}
	pn->nodes = nodes;
	pn->cap = nt / 2;
	for (size_t i = 1; i < pn->n; i++) {
		size_t j = pn->nodes[i].hash & (nt - 1);
		while (tab[j])
			j = (j + 1) & (nt - 1);
		tab[j] = (uint32_t)i + 1;
	}
	free(pn->tab);
	pn->tab = tab;
	pn->tcap = nt;
	return VG_OK;
}


vg_err vg_event_init(vg_event *ev, const vg_ruleset *rs)
{
	memset(ev, 0, sizeof(*ev));
	vg_buf_init(&ev->hay, VG_EVENT_SIZE_MAX * 2);
	vg_buf_init(&ev->low, VG_EVENT_SIZE_MAX * 2);
	vg_buf_init(&ev->paths, VG_EVENT_SIZE_MAX * 2);
	vg_map_init(&ev->path_cache);
	ev->nfids = rs->field_names.len;
	ev->slot = malloc((ev->nfids ? ev->nfids : 1) * sizeof(int32_t));
	ev->touched = malloc((ev->nfids ? ev->nfids : 1) * sizeof(int32_t));
	ev->pnodes = calloc(1, sizeof(vg_pnodes));
	if (!ev->slot || !ev->touched || !ev->pnodes)
		return VG_ERR_NOMEM;
	vg_buf_init(&ev->pnodes->keys, (size_t)VG_EVENT_PATH_CACHE_MAX * VG_EVENT_PATH_MAX);
	if (pnodes_grow(ev->pnodes))
		return VG_ERR_NOMEM;
	ev->pnodes->n = 1; /* the root */
	ev->pnodes->nodes[0] = (pnode){.first = PN_NONE, .next = PN_NONE};
	for (size_t i = 0; i < ev->nfids; i++)
		ev->slot[i] = -1;
	return VG_OK;
}

void vg_event_fini(vg_event *ev)
{
	if (!ev)
		return;
	vg_buf_fini(&ev->hay);
	vg_buf_fini(&ev->low);
	vg_buf_fini(&ev->paths);
	vg_map_fini(&ev->path_cache);
	if (!ev->pnodes_shared)
		pnodes_free(ev->pnodes);
	free(ev->fields);
	free(ev->slot);
	free(ev->touched);
	memset(ev, 0, sizeof(*ev));
}

void vg_event_share_paths(vg_event *ev, vg_event *owner)
{
	if (ev == owner || !owner->pnodes)
		return;
	if (!ev->pnodes_shared)
		pnodes_free(ev->pnodes);
	ev->pnodes = owner->pnodes;
	ev->pnodes_shared = true;
}

void vg_event_reset(vg_event *ev)
{
	for (size_t i = 0; i < ev->ntouched; i++)
		ev->slot[ev->touched[i]] = -1;
	ev->ntouched = 0;
	ev->nfields = 0;
	vg_buf_reset(&ev->hay);
	vg_buf_reset(&ev->low);
	vg_buf_reset(&ev->paths);
}

/* ASCII lower-casing eight bytes at a time (bytes >= 0x80 unchanged). */
static void lower_copy(char *dst, const char *src, size_t n)
{
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t x, low7, above_z, from_a, upper;
		memcpy(&x, src + i, 8);
		low7 = x & 0x7f7f7f7f7f7f7f7full;
		above_z = low7 + 0x2525252525252525ull; /* bit 7 set if byte > 'Z' */
		from_a = low7 + 0x3f3f3f3f3f3f3f3full;  /* bit 7 set if byte >= 'A' */
		upper = ~x & (from_a ^ above_z) & 0x8080808080808080ull;
		x |= upper >> 2; /* 0x80 >> 2 = 0x20 */
		memcpy(dst + i, &x, 8);
	}
	for (; i < n; i++) {
		char c = src[i];
		dst[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
}

static int path_fid(vg_event *ev, const vg_ruleset *rs, const char *path, size_t plen);

/* A new node (the first time a path is seen), or PN_NONE. */
static __attribute__((noinline)) uint32_t pnode_add(vg_event *ev, const vg_ruleset *rs, uint32_t parent, uint64_t h,
						    const char *k, size_t n, const char *path, size_t plen, int *fid)
{
	vg_pnodes *pn = ev->pnodes;
	if (pn->n >= VG_EVENT_PATH_CACHE_MAX || ((pn->n + 1) * 2 > pn->tcap && pnodes_grow(pn)) ||
	    vg_buf_reserve(&pn->keys, n + 8))
		goto none;
	{
		char norm[VG_EVENT_PATH_MAX];
		size_t nl = vg_rs_normalize(rs, path, plen, norm, sizeof(norm));
		pnode *nd = &pn->nodes[pn->n];
		nd->hash = h;
		nd->parent = parent;
		nd->keyoff = (uint32_t)pn->keys.len;
		nd->keylen = (uint32_t)n;
		nd->fid = vg_rs_field_find(rs, norm, nl);
		nd->first = nd->next = PN_NONE;
		nd->plain = !memchr(k, '\\', n) && !memchr(k, '"', n);
		memcpy(pn->keys.data + pn->keys.len, k, n);
		memset(pn->keys.data + pn->keys.len + n, 0, 8);
		pn->keys.len += n;
		size_t i = h & (pn->tcap - 1);
		while (pn->tab[i])
			i = (i + 1) & (pn->tcap - 1);
		pn->tab[i] = (uint32_t)++pn->n;
		*fid = nd->fid;
		return (uint32_t)pn->n - 1;
	}
none:
	*fid = path_fid(ev, rs, path, plen);
	return PN_NONE;
}

/* The node of key k under parent (p->path holds the whole path); PN_NONE
 * when the cache is full or out of memory (*fid is then computed). */
static uint32_t pnode_get(vg_event *ev, const vg_ruleset *rs, uint32_t parent, const char *k, size_t n,
			  const char *path, size_t plen, int *fid)
{
	vg_pnodes *pn = ev->pnodes;
	if (parent == PN_NONE || !pn)
		goto none;
	uint64_t h = key_hash(parent, k, n);
	size_t mask = pn->tcap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		uint32_t v = pn->tab[i];
		if (!v)
			break;
		const pnode *nd = &pn->nodes[v - 1];
		if (nd->hash == h && nd->parent == parent && nd->keylen == n && key_eq(pn->keys.data + nd->keyoff, k, n)) {
			*fid = nd->fid;
			return v - 1;
		}
	}
	return pnode_add(ev, rs, parent, h, k, n, path, plen, fid);
none:
	*fid = path_fid(ev, rs, path, plen);
	return PN_NONE;
}

static __attribute__((noinline)) int path_fid(vg_event *ev, const vg_ruleset *rs, const char *path, size_t plen)
{
	void *c = vg_map_get(&ev->path_cache, path, plen);
	char norm[VG_EVENT_PATH_MAX];
	int fid;
	if (c)
		return (int)((intptr_t)c - 2);
	size_t n = vg_rs_normalize(rs, path, plen, norm, sizeof(norm));
	fid = vg_rs_field_find(rs, norm, n);
	if (ev->path_cache.len < VG_EVENT_PATH_CACHE_MAX)
		(void)vg_map_put(&ev->path_cache, path, plen, (void *)(intptr_t)(fid + 2), NULL);
	return fid;
}

/* vg_buf_reserve with its common case (room already there) inline. */
static inline vg_err reserve(vg_buf *b, size_t extra)
{
	return b->data && b->cap - b->len > extra ? VG_OK : vg_buf_reserve(b, extra);
}

/* Append one leaf whose field id is known (-1: no rule field). lowered: the
 * JSON parser decoded the value in place into both ev->hay and ev->low
 * (vg_jstr_decode), after their ends, with room for it and its '\n'. */
static __attribute__((noinline)) vg_err fields_grow(vg_event *ev)
{
	if (ev->capfields >= VG_EVENT_FIELDS_MAX)
		return VG_ERR_LIMIT;
	size_t nc = ev->capfields ? ev->capfields * 2 : 64;
	if (nc > VG_EVENT_FIELDS_MAX)
		nc = VG_EVENT_FIELDS_MAX;
	vg_efield *nf = realloc(ev->fields, nc * sizeof(*nf));
	if (!nf)
		return VG_ERR_NOMEM;
	ev->fields = nf;
	ev->capfields = nc;
	return VG_OK;
}

/* Room reserved past a JSON event's length in its value buffers: the string
 * decoder's 16-byte stores past the text left, and the '\n' and NUL. */
#define VG_EVENT_JSON_SLACK 32

/* How a leaf's value gets into ev->hay and ev->low. */
typedef enum add_how {
	ADD_COPY,    /* copied, room reserved here */
	ADD_ROOM,    /* copied; the JSON parser reserved room for the whole event */
	ADD_DECODED, /* already there: the JSON parser decoded it in place */
} add_how;

/* (inlined into the JSON parser's leaves, where how is a constant) */
static inline __attribute__((always_inline)) vg_err event_add_fid(vg_event *ev, const char *path, size_t plen,
								  uint32_t node, const char *val, size_t vlen,
								  vg_ftype type, int fid, add_how how)
{
	vg_efield *f;
	vg_err e;
	bool lowered = how == ADD_DECODED;
	if (ev->nfields == ev->capfields && (e = fields_grow(ev)))
		return e;
	if (how == ADD_COPY && ((e = reserve(&ev->low, vlen + 1)) || (e = reserve(&ev->hay, vlen + 1))))
		return e;
	f = &ev->fields[ev->nfields];
	f->node = node;
	f->path_len = (uint32_t)plen;
	f->val_off = (uint32_t)ev->hay.len;
	f->val_len = (uint32_t)vlen;
	f->type = (uint8_t)type;
	if (node == PN_NONE) { /* no trie node to find it by: copied now */
		if ((e = reserve(&ev->paths, plen + 1)))
			return e;
		f->path_off = (uint32_t)ev->paths.len;
		memcpy(ev->paths.data + ev->paths.len, path, plen);
		ev->paths.len += plen;
		ev->paths.data[ev->paths.len++] = 0;
	}
	if (!lowered) {
		memcpy(ev->hay.data + ev->hay.len, val, vlen);
		lower_copy(ev->low.data + ev->low.len, val, vlen);
	}
	ev->hay.len += vlen;
	ev->hay.data[ev->hay.len++] = '\n';
	ev->hay.data[ev->hay.len] = 0;
	ev->low.len += vlen;
	ev->low.data[ev->low.len++] = '\n';
	ev->low.data[ev->low.len] = 0;
	f->fid = fid;
	f->next = -1;
	if (f->fid >= 0 && (size_t)f->fid < ev->nfids) {
		if (ev->slot[f->fid] < 0)
			ev->touched[ev->ntouched++] = f->fid;
		f->next = ev->slot[f->fid];
		ev->slot[f->fid] = (int32_t)ev->nfields;
	} else {
		f->fid = -1;
	}
	ev->nfields++;
	return VG_OK;
}

vg_err vg_event_add(vg_event *ev, const vg_ruleset *rs, const char *path, size_t plen, const char *val, size_t vlen,
		    vg_ftype type)
{
	return event_add_fid(ev, path, plen, PN_NONE, val, vlen, type, path_fid(ev, rs, path, plen), ADD_COPY);
}

vg_err vg_event_paths(vg_event *ev)
{
	for (size_t i = 0; i < ev->nfields; i++) {
		vg_efield *f = &ev->fields[i];
		const vg_pnodes *pn = ev->pnodes;
		vg_err e;
		if (f->node == PN_NONE)
			continue;
		if (!pn || (e = reserve(&ev->paths, (size_t)f->path_len + 1)))
			return pn ? e : VG_ERR_INTERNAL;
		/* from the leaf up: each key ends where its parent's path and a '.' do */
		char *dst = ev->paths.data + ev->paths.len;
		size_t end = f->path_len;
		for (uint32_t nd = f->node; nd != 0 && nd < pn->n; nd = pn->nodes[nd].parent) {
			const pnode *n = &pn->nodes[nd];
			if (n->keylen > end)
				return VG_ERR_INTERNAL;
			end -= n->keylen;
			memcpy(dst + end, pn->keys.data + n->keyoff, n->keylen);
			if (end)
				dst[--end] = '.';
		}
		if (end)
			return VG_ERR_INTERNAL;
		f->path_off = (uint32_t)ev->paths.len;
		f->node = PN_NONE;
		ev->paths.len += f->path_len;
		ev->paths.data[ev->paths.len++] = 0;
	}
	return VG_OK;
}

/* ---- JSON ---- */

typedef struct jparser {
	vg_event *ev;
	const vg_ruleset *rs;
	const char *s;
	size_t pos, len;
	char path[VG_EVENT_PATH_MAX + 8]; /* 8 bytes of slack: keys are hashed eight bytes at a time */
	size_t plen;
	/* path[0..pvalid) holds the current path's text: a guessed key (its
	 * trie node known) is not written; the text is rebuilt from the trie
	 * when a key that is not guessed needs its parent's path */
	size_t pvalid;
	bool skip_unused; /* values of paths no rule uses are skipped, not kept */
	vg_diag *d;
} jparser;

static inline void ws(jparser *restrict p)
{
	if (p->pos < p->len && (unsigned char)p->s[p->pos] > ' ')
		return; /* compact JSON: no whitespace */
	while (p->pos < p->len) {
		char c = p->s[p->pos];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->pos++;
	}
}

static vg_err jfail(jparser *p, const char *what)
{
	return vg_diag_set(p->d, VG_ERR_INVALID, NULL, "JSON: %s at offset %zu", what, p->pos);
}

int vg_ev_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t vg_ev_utf8_put(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 63));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 63));
		o[2] = (char)(0x80 | (cp & 63));
		return 3;
	}
	o[0] = (char)(0xF0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 63));
	o[2] = (char)(0x80 | (cp >> 6 & 63));
	o[3] = (char)(0x80 | (cp & 63));
	return 4;
}

static vg_err jvalue(jparser *restrict p, unsigned depth, int fid, uint32_t node);

static inline __attribute__((always_inline)) vg_err jleaf(jparser *restrict p, uint32_t node, const char *val, size_t vlen,
							 vg_ftype t, int fid, bool decoded)
{
	vg_err e = event_add_fid(p->ev, p->path, p->plen, node, val, vlen, t, fid, decoded ? ADD_DECODED : ADD_ROOM);
	if (e == VG_ERR_LIMIT)
		return vg_diag_set(p->d, e, NULL, "event has more than %d fields or is too large", VG_EVENT_FIELDS_MAX);
	return e;
}

/* A string error of jstr.c, at p->pos. */
static vg_err jstr_fail(jparser *p, vg_jstr_err je)
{
	return jfail(p, je == VG_JSTR_UNTERMINATED ? "unterminated string"
		       : je == VG_JSTR_BAD_U	  ? "bad \\u escape"
						  : "bad escape");
}

/* Skip the string at p->pos (opening quote) without decoding it; escapes are
 * checked as decoding checks them, so skipping accepts what decoding accepts. */
static vg_err jskip_string(jparser *p)
{
	size_t endpos;
	vg_jstr_err je = vg_jstr_skip(p->s, p->len, p->pos, &endpos);
	p->pos = endpos;
	return je ? jstr_fail(p, je) : VG_OK;
}

/* A key with escapes: decoded whole (rare: kept out of jkey's frame). Its
 * end is found first, so that the decoder sees only the key's text and the
 * buffers bound it. */
static __attribute__((noinline)) vg_err jkey_escaped(jparser *p, size_t saved)
{
	char key[VG_EVENT_PATH_MAX + 16], low[VG_EVENT_PATH_MAX + 16];
	size_t klen = 0, endpos, o = saved;
	vg_jstr_err je = vg_jstr_skip(p->s, p->len, p->pos, &endpos);
	if (!je && endpos - p->pos > (size_t)VG_EVENT_PATH_MAX)
		return vg_diag_set(p->d, VG_ERR_LIMIT, NULL, "JSON key path longer than %d", VG_EVENT_PATH_MAX);
	if (!je)
		je = vg_jstr_decode(p->s, endpos, p->pos, key, low, &klen, &endpos);
	p->pos = endpos;
	if (je)
		return jstr_fail(p, je);
	if (saved + klen + 2 >= (size_t)VG_EVENT_PATH_MAX)
		return vg_diag_set(p->d, VG_ERR_LIMIT, NULL, "JSON key path longer than %d", VG_EVENT_PATH_MAX);
	if (saved)
		p->path[o++] = '.';
	memcpy(p->path + o, key, klen);
	p->plen = o + klen;
	return VG_OK;
}

/* Path of the key at p->pos appended to p->path (after a '.'), decoded in
 * place: keys are short and rarely escaped. */
static vg_err jkey(jparser *p, size_t saved)
{
	size_t o = saved;
	const char *s = p->s;
	if (saved)
		p->path[o++] = '.';
	size_t i = p->pos + 1;
	/* eight bytes at a time up to the first quote or backslash */
	while (i + 8 <= p->len && o + 8 + 8 <= (size_t)VG_EVENT_PATH_MAX) {
		uint64_t x, q, b;
		memcpy(&x, s + i, 8);
		q = x ^ 0x2222222222222222ull; /* '"' */
		b = x ^ 0x5c5c5c5c5c5c5c5cull; /* '\\' */
		q = ((q - 0x0101010101010101ull) & ~q) | ((b - 0x0101010101010101ull) & ~b);
		q &= 0x8080808080808080ull;
		memcpy(p->path + o, &x, 8);
		if (q) {
			size_t k = (size_t)__builtin_ctzll(q) >> 3;
			o += k;
			i += k;
			break;
		}
		o += 8;
		i += 8;
	}
	while (i < p->len && o < (size_t)VG_EVENT_PATH_MAX - 2) {
		char c = s[i];
		if (c == '"') {
			p->pos = i + 1;
			p->plen = o;
			return VG_OK;
		}
		if (c == '\\')
			break;
		p->path[o++] = c;
		i++;
	}
	if (i >= p->len)
		return jfail(p, "unterminated string");
	if (o >= (size_t)VG_EVENT_PATH_MAX - 2)
		return vg_diag_set(p->d, VG_ERR_LIMIT, NULL, "JSON key path longer than %d", VG_EVENT_PATH_MAX);
	return jkey_escaped(p, saved);
}

/* Does the key at p->pos (its opening quote) read exactly as node g's key?
 * Then it is consumed; its text is not copied to p->path (see pvalid). */
static inline bool jkey_guess(jparser *restrict p, size_t saved, const vg_pnodes *pn, uint32_t g)
{
	const pnode *nd = &pn->nodes[g];
	size_t n = nd->keylen, at = p->pos + 1, o = saved ? saved + 1 : 0;
	const char *k = pn->keys.data + nd->keyoff;
	if (!nd->plain || at + n >= p->len || p->s[at + n] != '"' || o + n + 2 >= (size_t)VG_EVENT_PATH_MAX)
		return false;
	/* eight bytes at a time when the source has them (the stored keys are padded) */
	if (at + n + 8 <= p->len ? !key_eq(p->s + at, k, n) : memcmp(p->s + at, k, n) != 0)
		return false;
	p->plen = o + n; /* its text is not written (pvalid) */
	if (p->pvalid > saved)
		p->pvalid = saved;
	p->pos = at + n + 1;
	return true;
}

/* Write node's path (saved bytes) to p->path from the trie. */
static __attribute__((noinline)) vg_err path_rebuild(jparser *p, uint32_t node, size_t saved)
{
	const vg_pnodes *pn = p->ev->pnodes;
	size_t end = saved;
	if (!pn || node == PN_NONE || saved > VG_EVENT_PATH_MAX)
		return VG_ERR_INTERNAL;
	for (uint32_t nd = node; nd != 0; nd = pn->nodes[nd].parent) {
		const pnode *n = &pn->nodes[nd];
		if (nd >= pn->n || n->keylen > end)
			return VG_ERR_INTERNAL;
		end -= n->keylen;
		memcpy(p->path + end, pn->keys.data + n->keyoff, n->keylen);
		if (end)
			p->path[--end] = '.';
	}
	if (end)
		return VG_ERR_INTERNAL;
	p->pvalid = saved;
	return VG_OK;
}

static vg_err jobject(jparser *restrict p, unsigned depth, uint32_t node)
{
	size_t saved = p->plen;
	vg_err e;
	uint32_t prev = PN_NONE;
	bool first = true;
	p->pos++; /* { */
	ws(p);
	if (p->pos < p->len && p->s[p->pos] == '}') {
		p->pos++;
		return VG_OK;
	}
	for (;;) {
		ws(p);
		if (p->pos >= p->len || p->s[p->pos] != '"')
			return jfail(p, "expected a key");
		/* the field id of the path, before the value: a scalar no rule uses is
		 * skipped without decoding when the ruleset has no keyword */
		int fid;
		uint32_t child;
		vg_pnodes *pn = p->ev->pnodes;
		uint32_t guess = !pn || node == PN_NONE ? PN_NONE
				 : first		  ? pn->nodes[node].first
				 : prev != PN_NONE	  ? pn->nodes[prev].next
							  : PN_NONE;
		if (guess != PN_NONE && jkey_guess(p, saved, pn, guess)) {
			child = guess;
			fid = pn->nodes[guess].fid;
		} else {
			if ((p->pvalid < saved && (e = path_rebuild(p, node, saved))) || (e = jkey(p, saved)))
				return e;
			p->pvalid = p->plen;
			size_t ks = saved ? saved + 1 : 0;
			child = pnode_get(p->ev, p->rs, node, p->path + ks, p->plen - ks, p->path, p->plen, &fid);
			if (child != PN_NONE) { /* remember the shape (pnode_get may have moved the nodes) */
				if (first)
					pn->nodes[node].first = child;
				else if (prev != PN_NONE)
					pn->nodes[prev].next = child;
			}
		}
		first = false;
		prev = child;
		ws(p);
		if (p->pos >= p->len || p->s[p->pos] != ':')
			return jfail(p, "expected ':'");
		p->pos++;
		if ((e = jvalue(p, depth + 1, fid, child)))
			return e;
		p->plen = saved;
		if (p->pvalid > saved)
			p->pvalid = saved;
		ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == '}') {
			p->pos++;
			return VG_OK;
		}
		return jfail(p, "expected ',' or '}'");
	}
}

/* Bytes of a JSON number (its grammar is checked no further: lenient). */
static const bool num_char[256] = {
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
	['8'] = 1, ['9'] = 1, ['-'] = 1, ['+'] = 1, ['.'] = 1, ['e'] = 1, ['E'] = 1,
};

static vg_err jvalue(jparser *restrict p, unsigned depth, int fid, uint32_t node)
{
	vg_err e;
	if (depth > VG_EVENT_DEPTH_MAX)
		return vg_diag_set(p->d, VG_ERR_LIMIT, NULL, "JSON nested deeper than %d", VG_EVENT_DEPTH_MAX);
	ws(p);
	if (p->pos >= p->len)
		return jfail(p, "unexpected end");
	char c = p->s[p->pos];
	if (c == '{')
		return jobject(p, depth, node);
	if (c == '[') {
		p->pos++;
		ws(p);
		if (p->pos < p->len && p->s[p->pos] == ']') {
			p->pos++;
			return VG_OK;
		}
		for (;;) {
			if ((e = jvalue(p, depth + 1, fid, node)))
				return e;
			ws(p);
			if (p->pos < p->len && p->s[p->pos] == ',') {
				p->pos++;
				continue;
			}
			if (p->pos < p->len && p->s[p->pos] == ']') {
				p->pos++;
				return VG_OK;
			}
			return jfail(p, "expected ',' or ']'");
		}
	}
	bool skip = fid < 0 && p->skip_unused;
	if (c == '"') {
		if (skip)
			return jskip_string(p);
		/* decoded straight into the value buffer and its lowered twin, in
		 * one pass (the raw length bounds the decoded one) */
		vg_event *ev = p->ev;
		size_t vlen, endpos;
		/* room: vg_event_from_json reserved the event's length + 32 in both;
		 * the values stored so far never outgrow the text read (a string
		 * loses its quotes, a number or literal gains a '\n' where the text
		 * has a separator), and the decoder writes at most 16 bytes past
		 * the text left */
		if (ev->hay.len > p->pos || ev->low.len != ev->hay.len)
			return VG_ERR_INTERNAL;
		char *dst = ev->hay.data + ev->hay.len;
		vg_jstr_err je = vg_jstr_decode(p->s, p->len, p->pos, dst, ev->low.data + ev->hay.len, &vlen, &endpos);
		p->pos = endpos;
		if (je)
			return jstr_fail(p, je);
		return jleaf(p, node, dst, vlen, FT_STR, fid, true);
	}
	size_t start = p->pos;
	if (c == 't' && p->len - p->pos >= 4 && memcmp(p->s + p->pos, "true", 4) == 0) {
		p->pos += 4;
		return skip ? VG_OK : jleaf(p, node, "true", 4, FT_BOOL, fid, false);
	}
	if (c == 'f' && p->len - p->pos >= 5 && memcmp(p->s + p->pos, "false", 5) == 0) {
		p->pos += 5;
		return skip ? VG_OK : jleaf(p, node, "false", 5, FT_BOOL, fid, false);
	}
	if (c == 'n' && p->len - p->pos >= 4 && memcmp(p->s + p->pos, "null", 4) == 0) {
		p->pos += 4;
		return skip ? VG_OK : jleaf(p, node, "", 0, FT_NULL, fid, false);
	}
	while (p->pos < p->len && num_char[(unsigned char)p->s[p->pos]])
		p->pos++;
	if (p->pos == start)
		return jfail(p, "unexpected character");
	return skip ? VG_OK : jleaf(p, node, p->s + start, p->pos - start, FT_NUM, fid, false);
}

vg_err vg_event_from_json(vg_event *ev, const vg_ruleset *rs, const char *json, size_t len, vg_diag *d)
{
	jparser p; /* not zeroed whole: the path buffer is written before it is read */
	p.ev = ev;
	p.rs = rs;
	p.s = json;
	p.pos = 0;
	p.len = len;
	p.plen = 0;
	p.pvalid = 0;
	p.skip_unused = !rs->keywords;
	p.d = d;
	vg_err e;
	vg_event_reset(ev);
	if (len > VG_EVENT_SIZE_MAX)
		return vg_diag_set(d, VG_ERR_LIMIT, NULL, "event larger than %d bytes", VG_EVENT_SIZE_MAX);
	/* the values and their '\n' fit in the text's length (see jvalue) */
	if ((e = reserve(&ev->hay, len + VG_EVENT_JSON_SLACK)) || (e = reserve(&ev->low, len + VG_EVENT_JSON_SLACK)))
		return e == VG_ERR_LIMIT ? vg_diag_set(d, e, NULL, "event too large") : e;
	ws(&p);
	if (p.pos >= len || json[p.pos] != '{')
		return jfail(&p, "an event must be a JSON object");
	if ((e = jobject(&p, 0, 0)))
		return e;
	ws(&p);
	if (p.pos != len)
		return jfail(&p, "trailing data");
	return VG_OK;
}
