/* Sigma values and modifiers: "field|mod1|mod2: values" compiled into a
 * vg_sitem. The modifiers are one table (vg_modifiers); each row says what
 * class of modifier it is and, for transformations, which function rewrites
 * the values. Values are kept in "glob encoding" while they are transformed:
 * literal bytes plus VG_GLOB_STAR / VG_GLOB_ONE markers for unescaped * and ?. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "detect/internal.h"

/* A growable list of byte strings (intermediate values). */
typedef struct strlist {
	char **s;
	size_t *len;
	size_t n, cap;
} strlist;

static void sl_fini(strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->s[i]);
	free(l->s);
	free(l->len);
	memset(l, 0, sizeof(*l));
}

static vg_err sl_push(strlist *l, const char *s, size_t len)
{
	if (l->n >= VG_SIGMA_VALUES_MAX)
		return VG_ERR_LIMIT;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 8;
		char **ns = realloc(l->s, nc * sizeof(*ns));
		if (!ns)
			return VG_ERR_NOMEM;
		l->s = ns;
		size_t *nl = realloc(l->len, nc * sizeof(*nl));
		if (!nl)
			return VG_ERR_NOMEM;
		l->len = nl;
		l->cap = nc;
	}
	char *c = malloc(len + 1);
	if (!c)
		return VG_ERR_NOMEM;
	memcpy(c, s, len);
	c[len] = 0;
	l->s[l->n] = c;
	l->len[l->n++] = len;
	return VG_OK;
}

static bool has_wildcard(const char *s, size_t n)
{
	return memchr(s, VG_GLOB_STAR, n) || memchr(s, VG_GLOB_ONE, n);
}

/* Sigma escaping: \* \? \\ are literal; a backslash before anything else is
 * itself literal. Unescaped * and ? become markers. */
static vg_err glob_encode(const char *s, size_t n, strlist *out)
{
	char *b = malloc(n + 1);
	size_t o = 0;
	vg_err e;
	if (!b)
		return VG_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\\' && i + 1 < n && (s[i + 1] == '*' || s[i + 1] == '?' || s[i + 1] == '\\')) {
			b[o++] = s[++i];
		} else if (c == '*') {
			b[o++] = VG_GLOB_STAR;
		} else if (c == '?') {
			b[o++] = VG_GLOB_ONE;
		} else {
			b[o++] = c;
		}
	}
	e = sl_push(out, b, o);
	free(b);
	return e;
}

/* ---- transformations ---- */

typedef vg_err (*xform_fn)(const char *s, size_t n, strlist *out, vg_diag *d);

static const char b64tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t b64_encode(const unsigned char *in, size_t n, char *out)
{
	size_t o = 0, i = 0;
	for (; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64tab[v >> 18 & 63];
		out[o++] = b64tab[v >> 12 & 63];
		out[o++] = b64tab[v >> 6 & 63];
		out[o++] = b64tab[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0);
		out[o++] = b64tab[v >> 18 & 63];
		out[o++] = b64tab[v >> 12 & 63];
		out[o++] = i + 1 < n ? b64tab[v >> 6 & 63] : '=';
		out[o++] = '=';
	}
	return o;
}

static vg_err no_wildcards(const char *s, size_t n, const char *mod, vg_diag *d)
{
	if (has_wildcard(s, n))
		return vg_diag_set(d, VG_ERR_UNSUPPORTED, NULL, "wildcards cannot be combined with the %s modifier",
				   mod);
	return VG_OK;
}

static vg_err xf_base64(const char *s, size_t n, strlist *out, vg_diag *d)
{
	vg_err e = no_wildcards(s, n, "base64", d);
	if (e)
		return e;
	char *b = malloc(n / 3 * 4 + 8);
	if (!b)
		return VG_ERR_NOMEM;
	size_t o = b64_encode((const unsigned char *)s, n, b);
	e = sl_push(out, b, o);
	free(b);
	return e;
}

/* The three shifted encodings of a value inside a longer base64 text, with
 * the characters that depend on the neighbouring bytes cut off. */
static vg_err xf_base64offset(const char *s, size_t n, strlist *out, vg_diag *d)
{
	static const size_t start[3] = {0, 2, 3};
	static const int end_cut[3] = {0, 3, 2}; /* indexed by (n + shift) % 3 */
	vg_err e = no_wildcards(s, n, "base64offset", d);
	if (e)
		return e;
	unsigned char *in = malloc(n + 2);
	char *b = malloc((n + 2) / 3 * 4 + 8);
	if (!in || !b) {
		e = VG_ERR_NOMEM;
		goto out;
	}
	for (size_t shift = 0; shift < 3; shift++) {
		memset(in, ' ', shift);
		memcpy(in + shift, s, n);
		size_t o = b64_encode(in, n + shift, b);
		size_t cut = (size_t)end_cut[(n + shift) % 3];
		if (o < start[shift] + cut)
			continue;
		if ((e = sl_push(out, b + start[shift], o - cut - start[shift])))
			goto out;
	}
out:
	free(in);
	free(b);
	return e;
}

/* UTF-8 to UTF-16 code units; invalid bytes are taken as Latin-1. */
static vg_err utf16(const char *s, size_t n, bool be, bool bom, strlist *out, vg_diag *d)
{
	vg_err e = no_wildcards(s, n, "utf16", d);
	if (e)
		return e;
	unsigned char *b = malloc(n * 4 + 4);
	size_t o = 0;
	if (!b)
		return VG_ERR_NOMEM;
	if (bom) {
		b[o++] = be ? 0xFE : 0xFF;
		b[o++] = be ? 0xFF : 0xFE;
	}
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		uint32_t cp = c;
		size_t k = 1;
		if (c >= 0xF0 && i + 3 < n) {
			cp = (uint32_t)(c & 7) << 18 | (uint32_t)(s[i + 1] & 63) << 12 | (uint32_t)(s[i + 2] & 63) << 6 |
			     (uint32_t)(s[i + 3] & 63);
			k = 4;
		} else if (c >= 0xE0 && i + 2 < n) {
			cp = (uint32_t)(c & 15) << 12 | (uint32_t)(s[i + 1] & 63) << 6 | (uint32_t)(s[i + 2] & 63);
			k = 3;
		} else if (c >= 0xC0 && i + 1 < n) {
			cp = (uint32_t)(c & 31) << 6 | (uint32_t)(s[i + 1] & 63);
			k = 2;
		}
		i += k;
		uint16_t units[2];
		size_t nu = 1;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			units[0] = (uint16_t)(0xD800 | (cp >> 10));
			units[1] = (uint16_t)(0xDC00 | (cp & 0x3FF));
			nu = 2;
		} else {
			units[0] = (uint16_t)cp;
		}
		for (size_t u = 0; u < nu; u++) {
			b[o++] = (unsigned char)(be ? units[u] >> 8 : units[u] & 0xFF);
			b[o++] = (unsigned char)(be ? units[u] & 0xFF : units[u] >> 8);
		}
	}
	e = sl_push(out, (const char *)b, o);
	free(b);
	return e;
}

static vg_err xf_utf16le(const char *s, size_t n, strlist *out, vg_diag *d)
{
	return utf16(s, n, false, false, out, d);
}
static vg_err xf_utf16be(const char *s, size_t n, strlist *out, vg_diag *d)
{
	return utf16(s, n, true, false, out, d);
}
static vg_err xf_utf16(const char *s, size_t n, strlist *out, vg_diag *d)
{
	return utf16(s, n, false, true, out, d);
}

static bool is_word(unsigned char c)
{
	return isalnum(c) || c == '_';
}

/* windash: every '-' or '/' that starts a command-line flag (pySigma's
 * \B[-/]\b: not preceded by a word character, followed by one) takes each of
 * the five dash forms; all combinations are produced. */
static vg_err xf_windash(const char *s, size_t n, strlist *out, vg_diag *d)
{
	static const char *const dashes[] = {"-", "/", "\xe2\x80\x93", "\xe2\x80\x94", "\xe2\x80\x95"};
	size_t pos[VG_SIGMA_WINDASH_MAX];
	size_t npos = 0, total = 1;
	vg_err e = VG_OK;
	for (size_t i = 0; i < n; i++) {
		if ((s[i] == '-' || s[i] == '/') && (i == 0 || !is_word((unsigned char)s[i - 1])) && i + 1 < n &&
		    is_word((unsigned char)s[i + 1])) {
			if (npos == VG_SIGMA_WINDASH_MAX)
				return vg_diag_set(d, VG_ERR_LIMIT, NULL, "more than %d flags in a windash value",
						   VG_SIGMA_WINDASH_MAX);
			pos[npos++] = i;
			total *= 5;
		}
	}
	char *b = malloc(n * 3 + 1);
	if (!b)
		return VG_ERR_NOMEM;
	for (size_t combo = 0; combo < total && !e; combo++) {
		size_t o = 0, p = 0, c = combo;
		for (size_t i = 0; i < n; i++) {
			if (p < npos && pos[p] == i) {
				const char *dash = dashes[c % 5];
				c /= 5;
				p++;
				size_t dl = strlen(dash);
				memcpy(b + o, dash, dl);
				o += dl;
			} else {
				b[o++] = s[i];
			}
		}
		e = sl_push(out, b, o);
	}
	free(b);
	return e;
}

/* ---- the modifier table ---- */

typedef enum vg_mod_class {
	MC_SHAPE,    /* contains / startswith / endswith */
	MC_ALL,      /* values joined with AND */
	MC_CASED,    /* case-sensitive */
	MC_NEQ,      /* negated */
	MC_EXISTS,   /* field presence */
	MC_RE,       /* regular expression */
	MC_REFLAG,   /* i / m / s after re */
	MC_XFORM,    /* value transformation */
	MC_CIDR,     /* network range */
	MC_EXPAND,   /* placeholders */
	MC_FIELDREF, /* compare with another field */
	MC_CMP,      /* numeric comparison */
	MC_TIME,     /* date component */
} vg_mod_class;

typedef struct vg_modifier {
	const char *name;
	vg_mod_class cls;
	uint32_t arg;
	xform_fn xform;
} vg_modifier;

static const vg_modifier vg_modifiers[] = {
	{"contains", MC_SHAPE, PS_CONTAINS, NULL},
	{"startswith", MC_SHAPE, PS_PREFIX, NULL},
	{"endswith", MC_SHAPE, PS_SUFFIX, NULL},
	{"all", MC_ALL, 0, NULL},
	{"cased", MC_CASED, 0, NULL},
	{"neq", MC_NEQ, 0, NULL},
	{"exists", MC_EXISTS, 0, NULL},
	{"re", MC_RE, 0, NULL},
	{"i", MC_REFLAG, PCRE2_CASELESS, NULL},
	{"m", MC_REFLAG, PCRE2_MULTILINE, NULL},
	{"s", MC_REFLAG, PCRE2_DOTALL, NULL},
	{"base64", MC_XFORM, 0, xf_base64},
	{"base64offset", MC_XFORM, 0, xf_base64offset},
	{"utf16le", MC_XFORM, 0, xf_utf16le},
	{"wide", MC_XFORM, 0, xf_utf16le},
	{"utf16be", MC_XFORM, 0, xf_utf16be},
	{"utf16", MC_XFORM, 0, xf_utf16},
	{"windash", MC_XFORM, 0, xf_windash},
	{"cidr", MC_CIDR, 0, NULL},
	{"expand", MC_EXPAND, 0, NULL},
	{"fieldref", MC_FIELDREF, 0, NULL},
	{"gt", MC_CMP, CMP_GT, NULL},
	{"gte", MC_CMP, CMP_GTE, NULL},
	{"lt", MC_CMP, CMP_LT, NULL},
	{"lte", MC_CMP, CMP_LTE, NULL},
	{"minute", MC_TIME, TP_MINUTE, NULL},
	{"hour", MC_TIME, TP_HOUR, NULL},
	{"day", MC_TIME, TP_DAY, NULL},
	{"week", MC_TIME, TP_WEEK, NULL},
	{"month", MC_TIME, TP_MONTH, NULL},
	{"year", MC_TIME, TP_YEAR, NULL},
};

static const vg_modifier *modifier_find(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(vg_modifiers) / sizeof(vg_modifiers[0]); i++)
		if (strlen(vg_modifiers[i].name) == len && memcmp(vg_modifiers[i].name, name, len) == 0)
			return &vg_modifiers[i];
	return NULL;
}

/* ---- placeholders ---- */

/* Expand %name% placeholders in s (escaped \% is literal) into out. */
static vg_err expand_placeholders(vg_ruleset *rs, const char *s, size_t n, strlist *out, vg_diag *d)
{
	strlist cur = {0}, next = {0};
	vg_buf lit;
	vg_err e;
	vg_buf_init(&lit, 0);
	if ((e = sl_push(&cur, "", 0)))
		goto out;
	for (size_t i = 0; i <= n;) {
		size_t j = i;
		vg_buf_reset(&lit);
		while (j < n && s[j] != '%') {
			if (s[j] == '\\' && j + 1 < n && s[j + 1] == '%') {
				/* keep the escape so glob_encode sees a plain \%: becomes "%" */
				if ((e = vg_buf_putc(&lit, '%')))
					goto out;
				j += 2;
				continue;
			}
			if ((e = vg_buf_putc(&lit, s[j++])))
				goto out;
		}
		const char *name = NULL;
		size_t namelen = 0;
		if (j < n) {
			const char *close = memchr(s + j + 1, '%', n - j - 1);
			if (!close) {
				if ((e = vg_buf_append(&lit, s + j, n - j)))
					goto out;
				j = n;
			} else {
				name = s + j + 1;
				namelen = (size_t)(close - name);
				j = (size_t)(close - s) + 1;
			}
		}
		const vg_placeholder *ph = NULL;
		if (name) {
			ph = vg_map_get(&rs->placeholders, name, namelen);
			if (!ph) {
				vg_diag_set(d, VG_OK, NULL, "placeholder %%%.*s%% has no value in the mappings: it matches nothing",
					    (int)namelen, name);
				sl_fini(&cur);
				e = VG_OK;
				goto out; /* out stays empty: the value matches nothing */
			}
		}
		for (size_t c = 0; c < cur.n; c++) {
			size_t nv = ph ? ph->nvals : 1;
			for (size_t v = 0; v < nv; v++) {
				vg_buf t;
				vg_buf_init(&t, 0);
				e = vg_buf_append(&t, cur.s[c], cur.len[c]);
				if (!e && lit.len)
					e = vg_buf_append(&t, lit.data, lit.len);
				if (!e && ph)
					e = vg_buf_puts(&t, ph->vals[v]);
				if (!e)
					e = sl_push(&next, t.data ? t.data : "", t.len);
				vg_buf_fini(&t);
				if (e)
					goto out;
			}
		}
		sl_fini(&cur);
		cur = next;
		memset(&next, 0, sizeof(next));
		if (j >= n)
			break;
		i = j;
	}
	for (size_t c = 0; c < cur.n; c++)
		if ((e = sl_push(out, cur.s[c], cur.len[c])))
			goto out;
	e = VG_OK;
out:
	sl_fini(&cur);
	sl_fini(&next);
	vg_buf_fini(&lit);
	return e;
}

/* ---- compiling an item ---- */

static void lower_ascii(char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] + 32);
}

/* Classify a glob-encoded value and store its pattern. */
static vg_err pattern_finish(vg_ruleset *rs, const char *s, size_t n, vg_pat_shape want, bool cased, vg_sval *v)
{
	size_t lead = 0, trail = 0;
	char *p;
	if (want == PS_CONTAINS || want == PS_SUFFIX)
		lead = 1;
	if (want == PS_CONTAINS || want == PS_PREFIX)
		trail = 1;
	while (n && s[0] == VG_GLOB_STAR) {
		lead = 1;
		s++;
		n--;
	}
	while (n && s[n - 1] == VG_GLOB_STAR) {
		trail = 1;
		n--;
	}
	p = vg_arena_alloc(rs->arena, n + 1);
	if (!p)
		return VG_ERR_NOMEM;
	memcpy(p, s, n);
	p[n] = 0;
	if (!cased)
		lower_ascii(p, n);
	v->kind = VK_PATTERN;
	v->lit_id = -1;
	if (has_wildcard(p, n)) {
		/* general glob: keep the stars at the ends explicitly */
		char *g = vg_arena_alloc(rs->arena, n + 3);
		size_t o = 0;
		if (!g)
			return VG_ERR_NOMEM;
		if (lead)
			g[o++] = VG_GLOB_STAR;
		memcpy(g + o, p, n);
		o += n;
		if (trail)
			g[o++] = VG_GLOB_STAR;
		g[o] = 0;
		v->shape = PS_GLOB;
		v->lit = g;
		v->litlen = o;
		return VG_OK;
	}
	v->shape = lead && trail ? PS_CONTAINS : lead ? PS_SUFFIX : trail ? PS_PREFIX : PS_EXACT;
	v->lit = p;
	v->litlen = n;
	return VG_OK;
}

static vg_err parse_number(const char *s, size_t n, double *out)
{
	char tmp[64], *end;
	if (n == 0 || n >= sizeof(tmp))
		return VG_ERR_INVALID;
	memcpy(tmp, s, n);
	tmp[n] = 0;
	errno = 0;
	*out = strtod(tmp, &end);
	if (errno || *end)
		return VG_ERR_INVALID;
	return VG_OK;
}

vg_err vg_item_compile(vg_ruleset *rs, const char *key, const vg_yval *vals, size_t nvals, vg_sitem *item,
		       vg_diag *d)
{
	const vg_modifier *mods[VG_SIGMA_MODIFIERS_MAX];
	size_t nmods = 0;
	const char *bar = strchr(key, '|');
	size_t flen = bar ? (size_t)(bar - key) : strlen(key);
	vg_pat_shape shape = PS_EXACT;
	bool re = false, cidr = false, expand = false, fieldref = false, exists = false, any_xform = false;
	uint32_t re_flags = 0;
	vg_cmp cmp = CMP_EQ;
	vg_timepart tp = TP_NONE;
	strlist cur = {0}, next = {0};
	vg_err e = VG_OK;
	bool warned = false;
	size_t cap;
	char warn[VG_DIAG_MESSAGE_MAX] = "";

	memset(item, 0, sizeof(*item));
	item->fid = -1;
	/* modifiers */
	while (bar) {
		const char *m = bar + 1;
		bar = strchr(m, '|');
		size_t mlen = bar ? (size_t)(bar - m) : strlen(m);
		const vg_modifier *mod = modifier_find(m, mlen);
		if (!mod)
			return vg_diag_set(d, VG_ERR_UNSUPPORTED, key, "unknown modifier '%.*s'", (int)mlen, m);
		if (nmods == VG_SIGMA_MODIFIERS_MAX)
			return vg_diag_set(d, VG_ERR_LIMIT, key, "too many modifiers");
		mods[nmods++] = mod;
		switch (mod->cls) {
		case MC_SHAPE: shape = (vg_pat_shape)mod->arg; break;
		case MC_ALL: item->all = true; break;
		case MC_CASED: item->cased = true; break;
		case MC_NEQ: item->neq = true; break;
		case MC_EXISTS: exists = true; break;
		case MC_RE: re = true; break;
		case MC_REFLAG:
			if (!re)
				return vg_diag_set(d, VG_ERR_INVALID, key, "modifier '%s' needs 're' before it", mod->name);
			re_flags |= mod->arg;
			break;
		case MC_XFORM: any_xform = true; break;
		case MC_CIDR: cidr = true; break;
		case MC_EXPAND: expand = true; break;
		case MC_FIELDREF: fieldref = true; break;
		case MC_CMP: cmp = (vg_cmp)mod->arg; break;
		case MC_TIME: tp = (vg_timepart)mod->arg; break;
		}
	}
	if (re && (any_xform || cidr || shape != PS_EXACT))
		return vg_diag_set(d, VG_ERR_INVALID, key, "'re' cannot be combined with string modifiers");
	/* field */
	if (flen) {
		char *fname = vg_arena_strndup(rs->arena, key, flen);
		if (!fname)
			return VG_ERR_NOMEM;
		item->field = vg_rs_map_field(rs, fname);
		item->fid = vg_rs_field_id(rs, item->field, strlen(item->field));
		if (item->fid < 0)
			return VG_ERR_NOMEM;
	} else {
		item->field = "";
		if (exists || fieldref || cidr || cmp != CMP_EQ || tp)
			return vg_diag_set(d, VG_ERR_INVALID, key, "this modifier needs a field name");
		if (shape == PS_EXACT)
			shape = PS_CONTAINS; /* keywords are searched anywhere in the event */
	}
	if (nvals > VG_SIGMA_VALUES_MAX)
		return vg_diag_set(d, VG_ERR_LIMIT, key, "more than %d values", VG_SIGMA_VALUES_MAX);
	cap = nvals ? nvals : 1;
	item->vals = vg_arena_calloc(rs->arena, cap, sizeof(vg_sval));
	if (!item->vals)
		return VG_ERR_NOMEM;

	/* special value types that do not go through the string pipeline */
	if (exists) {
		if (nvals != 1 || vals[0].type != YV_BOOL)
			return vg_diag_set(d, VG_ERR_INVALID, key, "'exists' takes one boolean value");
		item->vals[0].kind = VK_EXISTS;
		item->vals[0].exists = vals[0].len == 4; /* "true" */
		item->nvals = 1;
		return VG_OK;
	}
	for (size_t i = 0; i < nvals; i++) {
		const vg_yval *yv = &vals[i];
		if (yv->type == YV_NULL) {
			if (nvals > 1)
				return vg_diag_set(d, VG_ERR_INVALID, key, "null cannot be part of a list of values");
			item->vals[item->nvals++].kind = VK_NULL;
			continue;
		}
		if (re) {
			int errcode;
			PCRE2_SIZE erroff;
			vg_sval *v = &item->vals[item->nvals];
			v->kind = VK_REGEX;
			v->lit_id = -1;
			v->re_flags = re_flags;
			if (!(v->re_src = vg_arena_strndup(rs->arena, yv->s, yv->len)))
				return VG_ERR_NOMEM;
			v->re = pcre2_compile((PCRE2_SPTR)yv->s, yv->len, re_flags, &errcode, &erroff, NULL);
			if (!v->re) {
				PCRE2_UCHAR msg[120];
				pcre2_get_error_message(errcode, msg, sizeof(msg));
				return vg_diag_set(d, VG_ERR_INVALID, key, "regular expression: %s at offset %zu",
						   (const char *)msg, (size_t)erroff);
			}
			if ((e = vg_vec_push(&rs->regexes, v->re))) {
				pcre2_code_free(v->re);
				return e;
			}
			pcre2_jit_compile(v->re, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
			rs->nregexes++;
			item->nvals++;
			continue;
		}
		if (cidr) {
			vg_sval *v = &item->vals[item->nvals];
			vg_diag cd;
			v->kind = VK_CIDR;
			if (vg_cidr_parse(yv->s, yv->len, false, &v->cidr, &cd))
				return vg_diag_set(d, VG_ERR_INVALID, key, "cidr: %s", cd.message);
			item->nvals++;
			continue;
		}
		if (cmp != CMP_EQ || tp) {
			vg_sval *v = &item->vals[item->nvals];
			v->kind = tp ? VK_TIMEPART : VK_NUMCMP;
			v->cmp = (uint8_t)cmp;
			v->timepart = (uint8_t)tp;
			if (parse_number(yv->s, yv->len, &v->num))
				return vg_diag_set(d, VG_ERR_INVALID, key, "'%.*s' is not a number", (int)yv->len, yv->s);
			item->nvals++;
			continue;
		}
		if (fieldref) {
			vg_sval *v = &item->vals[item->nvals];
			char *ref = vg_arena_strndup(rs->arena, yv->s, yv->len);
			if (!ref)
				return VG_ERR_NOMEM;
			const char *mapped = vg_rs_map_field(rs, ref);
			v->kind = VK_FIELDREF;
			v->ref_fid = vg_rs_field_id(rs, mapped, strlen(mapped));
			if (v->ref_fid < 0)
				return VG_ERR_NOMEM;
			item->nvals++;
			continue;
		}
		/* string pipeline: escapes, placeholders, transformations in order, shape */
		sl_fini(&cur);
		if (expand) {
			strlist raw = {0};
			vg_diag ed;
			vg_diag_clear(&ed);
			e = expand_placeholders(rs, yv->s, yv->len, &raw, &ed);
			if (!e && ed.message[0] && !warned) {
				snprintf(warn, sizeof(warn), "%s", ed.message);
				warned = true;
			}
			for (size_t k = 0; !e && k < raw.n; k++)
				e = glob_encode(raw.s[k], raw.len[k], &cur);
			sl_fini(&raw);
		} else {
			e = glob_encode(yv->s, yv->len, &cur);
		}
		if (e)
			goto out;
		for (size_t m = 0; m < nmods; m++) {
			if (mods[m]->cls != MC_XFORM)
				continue;
			for (size_t k = 0; k < cur.n; k++)
				if ((e = mods[m]->xform(cur.s[k], cur.len[k], &next, d)))
					goto out;
			sl_fini(&cur);
			cur = next;
			memset(&next, 0, sizeof(next));
		}

		if (item->nvals + cur.n + (nvals - i - 1) > cap) { /* transformations multiply values */
			size_t total = item->nvals + cur.n + (nvals - i - 1);
			if (total > VG_SIGMA_VALUES_MAX) {
				e = vg_diag_set(d, VG_ERR_LIMIT, key, "more than %d values after expansion",
						VG_SIGMA_VALUES_MAX);
				goto out;
			}
			vg_sval *nv = vg_arena_calloc(rs->arena, total, sizeof(vg_sval));
			if (!nv) {
				e = VG_ERR_NOMEM;
				goto out;
			}
			memcpy(nv, item->vals, item->nvals * sizeof(vg_sval));
			item->vals = nv;
			cap = total;
		}
		for (size_t k = 0; k < cur.n; k++)
			if ((e = pattern_finish(rs, cur.s[k], cur.len[k], shape, item->cased, &item->vals[item->nvals++])))
				goto out;
		sl_fini(&cur); /* nothing held across iterations: early returns above stay leak-free */
	}
	if (item->nvals == 0) {
		item->vals[0].kind = VK_NEVER;
		item->nvals = 1;
	}
	if (warned)
		vg_diag_set(d, VG_OK, key, "%s", warn);
out:
	sl_fini(&cur);
	sl_fini(&next);
	if (e && d && d->code == VG_OK && !d->message[0])
		vg_diag_set(d, e, key, "%s", vg_err_name(e));
	return e;
}
