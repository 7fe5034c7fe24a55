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
	pnodes_free(ev->pnodes);
	free(ev->fields);
	free(ev->slot);
	free(ev->touched);
	memset(ev, 0, sizeof(*ev));
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

/* Append one leaf whose field id is known (-1: no rule field). */
static vg_err event_add_fid(vg_event *ev, const char *path, size_t plen, const char *val, size_t vlen, vg_ftype type,
			    int fid)
{
	vg_efield *f;
	vg_err e;
	if (ev->nfields >= VG_EVENT_FIELDS_MAX)
		return VG_ERR_LIMIT;
	if (ev->nfields == ev->capfields) {
		size_t nc = ev->capfields ? ev->capfields * 2 : 64;
		vg_efield *nf = realloc(ev->fields, nc * sizeof(*nf));
		if (!nf)
			return VG_ERR_NOMEM;
		ev->fields = nf;
		ev->capfields = nc;
	}
	/* the JSON parser decodes strings in place, right after the buffer's end */
	bool in_place = ev->hay.data && val == ev->hay.data + ev->hay.len;
	if ((e = reserve(&ev->paths, plen + 1)) || (e = reserve(&ev->low, vlen + 1)) ||
	    (!in_place && (e = reserve(&ev->hay, vlen + 1))))
		return e;
	if (in_place && ev->hay.cap - ev->hay.len < vlen + 2) /* the parser reserved room for the value and '\n' */
		return VG_ERR_INTERNAL;
	f = &ev->fields[ev->nfields];
	f->path_off = (uint32_t)ev->paths.len;
	f->path_len = (uint32_t)plen;
	f->val_off = (uint32_t)ev->hay.len;
	f->val_len = (uint32_t)vlen;
	f->type = (uint8_t)type;
	memcpy(ev->paths.data + ev->paths.len, path, plen);
	ev->paths.len += plen;
	ev->paths.data[ev->paths.len++] = 0;
	if (!in_place)
		memcpy(ev->hay.data + ev->hay.len, val, vlen);
	ev->hay.len += vlen;
	ev->hay.data[ev->hay.len++] = '\n';
	ev->hay.data[ev->hay.len] = 0;
	{
		const char *src = ev->hay.data + f->val_off;
		char *dst = ev->low.data + ev->low.len;
		lower_copy(dst, src, vlen);
		dst[vlen] = '\n';
		ev->low.len += vlen + 1;
		ev->low.data[ev->low.len] = 0;
	}
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
	return event_add_fid(ev, path, plen, val, vlen, type, path_fid(ev, rs, path, plen));
}

/* ---- JSON ---- */

typedef struct jparser {
	vg_event *ev;
	const vg_ruleset *rs;
	const char *s;
	size_t pos, len;
	char path[VG_EVENT_PATH_MAX + 8]; /* 8 bytes of slack: keys are hashed eight bytes at a time */
	size_t plen;
	bool skip_unused; /* values of paths no rule uses are skipped, not kept */
	vg_diag *d;
} jparser;

static void ws(jparser *p)
{
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

static bool hex4(jparser *p, uint32_t *out)
{
	uint32_t v = 0;
	if (p->pos + 4 > p->len)
		return false;
	for (int i = 0; i < 4; i++) {
		int h = vg_ev_hexval(p->s[p->pos + i]);
		if (h < 0)
			return false;
		v = v << 4 | (uint32_t)h;
	}
	p->pos += 4;
	*out = v;
	return true;
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

/* Decode the string at p->pos (opening quote) into dst (capacity: the raw
 * length is an upper bound of the decoded length). */
static vg_err jstring(jparser *p, char *dst, size_t cap, size_t *outlen)
{
	size_t o = 0;
	const char *end = p->s + p->len, *quote = NULL;
	p->pos++;
	for (;;) {
		/* the next quote and the next backslash before it, with memchr (log
		 * values are long runs of plain text); raw control characters are
		 * accepted (lenient) */
		const char *start = p->s + p->pos;
		if (!quote || quote < start)
			quote = memchr(start, '"', (size_t)(end - start));
		const char *q = quote ? quote : end;
		const char *bs = memchr(start, '\\', (size_t)(q - start));
		if (bs)
			q = bs;
		if (o + (size_t)(q - start) + 4 > cap)
			return vg_diag_set(p->d, VG_ERR_LIMIT, NULL, "JSON string too long at offset %zu", p->pos);
		memcpy(dst + o, start, (size_t)(q - start));
		o += (size_t)(q - start);
		p->pos = (size_t)(q - p->s);
		if (q >= end)
			return jfail(p, "unterminated string");
		if (*q == '"') {
			p->pos++;
			*outlen = o;
			return VG_OK;
		}
		p->pos++;
		if (p->pos >= p->len)
			return jfail(p, "bad escape");
		char c = p->s[p->pos++];
		if (o + 4 > cap)
			return vg_diag_set(p->d, VG_ERR_LIMIT, NULL, "JSON string too long");
		switch (c) {
		case '"': dst[o++] = '"'; break;
		case '\\': dst[o++] = '\\'; break;
		case '/': dst[o++] = '/'; break;
		case 'b': dst[o++] = '\b'; break;
		case 'f': dst[o++] = '\f'; break;
		case 'n': dst[o++] = '\n'; break;
		case 'r': dst[o++] = '\r'; break;
		case 't': dst[o++] = '\t'; break;
		case 'u': {
			uint32_t cp, lo;
			if (!hex4(p, &cp))
				return jfail(p, "bad \\u escape");
			if (cp >= 0xD800 && cp < 0xDC00 && p->pos + 6 <= p->len && p->s[p->pos] == '\\' &&
			    p->s[p->pos + 1] == 'u') {
				p->pos += 2;
				if (!hex4(p, &lo))
					return jfail(p, "bad \\u escape");
				if (lo >= 0xDC00 && lo < 0xE000)
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				else
					cp = 0xFFFD;
			} else if (cp >= 0xD800 && cp < 0xE000) {
				cp = 0xFFFD;
			}
			if (o + 4 > cap)
				return vg_diag_set(p->d, VG_ERR_LIMIT, NULL, "JSON string too long");
			o += vg_ev_utf8_put(dst + o, cp);
			break;
		}
		default: return jfail(p, "bad escape");
		}
	}
}

static vg_err jvalue(jparser *p, unsigned depth, int fid, uint32_t node);

static vg_err jleaf(jparser *p, const char *val, size_t vlen, vg_ftype t, int fid)
{
	vg_err e = event_add_fid(p->ev, p->path, p->plen, val, vlen, t, fid);
	if (e == VG_ERR_LIMIT)
		return vg_diag_set(p->d, e, NULL, "event has more than %d fields or is too large", VG_EVENT_FIELDS_MAX);
	return e;
}

/* Skip the string at p->pos (opening quote) without decoding it; escapes are
 * checked as jstring checks them, so skipping accepts what decoding accepts. */
static vg_err jskip_string(jparser *p)
{
	const char *s = p->s, *end = p->s + p->len, *q = s + p->pos + 1;
	for (;;) {
		const char *quote = memchr(q, '"', (size_t)(end - q));
		const char *bs = quote ? memchr(q, '\\', (size_t)(quote - q)) : NULL;
		if (!quote) {
			p->pos = p->len;
			return jfail(p, "unterminated string");
		}
		if (!bs) {
			p->pos = (size_t)(quote - s) + 1;
			return VG_OK;
		}
		p->pos = (size_t)(bs - s) + 1;
		if (p->pos >= p->len)
			return jfail(p, "bad escape");
		char c = s[p->pos++];
		if (c == 'u') {
			uint32_t cp;
			if (!hex4(p, &cp))
				return jfail(p, "bad \\u escape");
		} else if (!strchr("\"\\/bfnrt", c) || !c) {
			return jfail(p, "bad escape");
		}
		q = s + p->pos;
	}
}

/* A key with escapes: decoded whole (rare: kept out of jkey's frame). */
static __attribute__((noinline)) vg_err jkey_escaped(jparser *p, size_t saved)
{
	size_t o;
	char key[VG_EVENT_PATH_MAX];
	size_t klen;
	vg_err e = jstring(p, key, sizeof(key), &klen);
	if (!e && saved + klen + 2 >= (size_t)VG_EVENT_PATH_MAX)
		e = vg_diag_set(p->d, VG_ERR_LIMIT, NULL, "JSON key path longer than %d", VG_EVENT_PATH_MAX);
	if (e)
		return e;
	o = saved;
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

static vg_err jobject(jparser *p, unsigned depth, uint32_t node)
{
	size_t saved = p->plen;
	vg_err e;
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
		if ((e = jkey(p, saved)))
			return e;
		ws(p);
		if (p->pos >= p->len || p->s[p->pos] != ':')
			return jfail(p, "expected ':'");
		p->pos++;
		/* the field id of the path, before the value: a scalar no rule uses is
		 * skipped without decoding when the ruleset has no keyword */
		int fid;
		size_t ks = saved ? saved + 1 : 0;
		uint32_t child = pnode_get(p->ev, p->rs, node, p->path + ks, p->plen - ks, p->path, p->plen, &fid);
		if ((e = jvalue(p, depth + 1, fid, child)))
			return e;
		p->plen = saved;
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

static vg_err jvalue(jparser *p, unsigned depth, int fid, uint32_t node)
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
		/* decode straight into the value buffer */
		const char *q = p->s + p->pos + 1;
		size_t bound = p->len - p->pos;
		size_t vlen;
		const char *close = memchr(q, '"', (size_t)(p->s + p->len - q));
		if (close && !memchr(q, '\\', (size_t)(close - q)))
			bound = (size_t)(close - q) + 1; /* no escapes: exact */
		if ((e = vg_buf_reserve(&p->ev->hay, bound + 8)))
			return e == VG_ERR_LIMIT ? vg_diag_set(p->d, e, NULL, "event too large") : e;
		char *dst = p->ev->hay.data + p->ev->hay.len;
		if (close && bound == (size_t)(close - q) + 1) { /* no escapes: copy */
			vlen = (size_t)(close - q);
			memcpy(dst, q, vlen);
			p->pos = (size_t)(close - p->s) + 1;
		} else if ((e = jstring(p, dst, bound + 8, &vlen))) {
			return e;
		}
		return jleaf(p, dst, vlen, FT_STR, fid);
	}
	size_t start = p->pos;
	if (c == 't' && p->len - p->pos >= 4 && memcmp(p->s + p->pos, "true", 4) == 0) {
		p->pos += 4;
		return skip ? VG_OK : jleaf(p, "true", 4, FT_BOOL, fid);
	}
	if (c == 'f' && p->len - p->pos >= 5 && memcmp(p->s + p->pos, "false", 5) == 0) {
		p->pos += 5;
		return skip ? VG_OK : jleaf(p, "false", 5, FT_BOOL, fid);
	}
	if (c == 'n' && p->len - p->pos >= 4 && memcmp(p->s + p->pos, "null", 4) == 0) {
		p->pos += 4;
		return skip ? VG_OK : jleaf(p, "", 0, FT_NULL, fid);
	}
	while (p->pos < p->len) {
		char d = p->s[p->pos];
		if (!((d >= '0' && d <= '9') || d == '-' || d == '+' || d == '.' || d == 'e' || d == 'E'))
			break;
		p->pos++;
	}
	if (p->pos == start)
		return jfail(p, "unexpected character");
	return skip ? VG_OK : jleaf(p, p->s + start, p->pos - start, FT_NUM, fid);
}

vg_err vg_event_from_json(vg_event *ev, const vg_ruleset *rs, const char *json, size_t len, vg_diag *d)
{
	jparser p = {.ev = ev, .rs = rs, .s = json, .len = len, .d = d, .skip_unused = !rs->keywords};
	vg_err e;
	vg_event_reset(ev);
	if (len > VG_EVENT_SIZE_MAX)
		return vg_diag_set(d, VG_ERR_LIMIT, NULL, "event larger than %d bytes", VG_EVENT_SIZE_MAX);
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
