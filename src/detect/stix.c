/* STIX 2.1 patterns, the simple subset: observation expressions
 * `[object:path = 'value']` whose comparisons are joined by AND/OR, joined
 * themselves by AND/OR, with an optional WITHIN qualifier (accepted; the
 * engine matches an AND of observations within one event, which is
 * narrower). AND binds tighter than OR. Parentheses, NOT, other operators
 * (!=, LIKE, MATCHES, IN, ...) and the REPEATS/START-STOP qualifiers are
 * refused with a reason. The result is the disjunctive normal form: each
 * term is a 64-bit mask of comparisons. Bounded: VG_STIX_* in core/limits.h. */
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "detect/ioc.h"

typedef struct cmp {
	char object[VG_STIX_NAME_MAX], property[VG_STIX_NAME_MAX];
	size_t voff, vlen;
} cmp;

typedef struct dnf {
	uint64_t t[VG_STIX_TERMS_MAX];
	size_t n;
} dnf;

typedef struct parser {
	const char *s;
	size_t len, pos;
	cmp cmps[VG_STIX_COMPARISONS_MAX];
	size_t ncmps;
	char *vals; /* decoded values, back to back */
	size_t nvals;
	vg_diag *d;
} parser;

static vg_err fail(parser *p, const char *what)
{
	return vg_diag_set(p->d, VG_ERR_INVALID, "pattern", "%s at offset %zu", what, p->pos);
}

static void skip_ws(parser *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' ||
				   p->s[p->pos] == '\r'))
		p->pos++;
}

static bool is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Keyword at the current position (whole word)? Consumes it. */
static bool keyword(parser *p, const char *kw)
{
	size_t n = strlen(kw);
	skip_ws(p);
	if (p->len - p->pos < n || memcmp(p->s + p->pos, kw, n) != 0)
		return false;
	if (p->pos + n < p->len && is_word(p->s[p->pos + n]))
		return false;
	p->pos += n;
	return true;
}

/* 'quoted' with \' and \\ escapes, appended to p->vals. */
static vg_err quoted(parser *p, size_t *off, size_t *n)
{
	if (p->pos >= p->len || p->s[p->pos] != '\'')
		return fail(p, "expected a quoted string");
	p->pos++;
	*off = p->nvals;
	for (;;) {
		if (p->pos >= p->len)
			return fail(p, "unterminated string");
		char c = p->s[p->pos++];
		if (c == '\'')
			break;
		if (c == '\\') {
			if (p->pos >= p->len || (p->s[p->pos] != '\'' && p->s[p->pos] != '\\'))
				return fail(p, "bad escape in string");
			c = p->s[p->pos++];
		}
		p->vals[p->nvals++] = c;
	}
	*n = p->nvals - *off;
	p->vals[p->nvals++] = 0;
	return VG_OK;
}

/* object-type ':' path, path = word ('.' (word | 'quoted'))* */
static vg_err comparison(parser *p, uint64_t *mask)
{
	cmp *c;
	size_t n = 0, off, vn;
	vg_err e;
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == '(')
		return fail(p, "parentheses are not supported");
	if (keyword(p, "NOT"))
		return fail(p, "NOT is not supported");
	if (p->ncmps == VG_STIX_COMPARISONS_MAX)
		return fail(p, "too many comparisons");
	c = &p->cmps[p->ncmps];
	while (p->pos < p->len && is_word(p->s[p->pos]) && n + 1 < sizeof(c->object))
		c->object[n++] = p->s[p->pos++];
	c->object[n] = 0;
	if (!n || p->pos >= p->len || p->s[p->pos] != ':')
		return fail(p, "expected object-type:property");
	p->pos++;
	n = 0;
	for (;;) {
		if (p->pos < p->len && p->s[p->pos] == '\'') {
			if ((e = quoted(p, &off, &vn)))
				return e;
			p->nvals = off; /* the name part is not a value */
			if (n + vn + 1 >= sizeof(c->property))
				return fail(p, "property path too long");
			memcpy(c->property + n, p->vals + off, vn);
			n += vn;
		} else {
			size_t start = n;
			while (p->pos < p->len && is_word(p->s[p->pos]) && n + 1 < sizeof(c->property))
				c->property[n++] = p->s[p->pos++];
			if (n == start)
				return fail(p, "expected a property name");
		}
		if (p->pos < p->len && p->s[p->pos] == '.' && n + 1 < sizeof(c->property)) {
			c->property[n++] = '.';
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == '[')
			return fail(p, "list indexes in paths are not supported");
		break;
	}
	c->property[n] = 0;
	skip_ws(p);
	if (p->pos >= p->len || p->s[p->pos] != '=')
		return fail(p, "only the = operator is supported");
	p->pos++;
	skip_ws(p);
	if ((e = quoted(p, &c->voff, &c->vlen)))
		return e;
	*mask = 1ull << p->ncmps;
	p->ncmps++;
	return VG_OK;
}

static vg_err dnf_and(parser *p, dnf *a, const dnf *b)
{
	dnf r = {.n = 0};
	for (size_t i = 0; i < a->n; i++)
		for (size_t j = 0; j < b->n; j++) {
			if (r.n == VG_STIX_TERMS_MAX)
				return fail(p, "pattern expands to too many terms");
			r.t[r.n++] = a->t[i] | b->t[j];
		}
	*a = r;
	return VG_OK;
}

static vg_err dnf_or(parser *p, dnf *a, const dnf *b)
{
	if (a->n + b->n > VG_STIX_TERMS_MAX)
		return fail(p, "pattern expands to too many terms");
	memcpy(a->t + a->n, b->t, b->n * sizeof(uint64_t));
	a->n += b->n;
	return VG_OK;
}

/* A list of items joined by AND/OR, AND first; item() parses one into a dnf. */
typedef vg_err (*item_fn)(parser *p, dnf *out);

static vg_err expr(parser *p, item_fn item, dnf *out)
{
	dnf term, x;
	vg_err e;
	out->n = 0;
	if ((e = item(p, &term)))
		return e;
	for (;;) {
		if (keyword(p, "AND")) {
			if ((e = item(p, &x)) || (e = dnf_and(p, &term, &x)))
				return e;
		} else if (keyword(p, "OR")) {
			if ((e = dnf_or(p, out, &term)) || (e = item(p, &term)))
				return e;
		} else {
			break;
		}
	}
	return dnf_or(p, out, &term);
}

static vg_err cmp_item(parser *p, dnf *out)
{
	out->n = 1;
	return comparison(p, &out->t[0]);
}

static vg_err qualifiers(parser *p)
{
	for (;;) {
		if (keyword(p, "WITHIN")) {
			skip_ws(p);
			size_t digits = 0;
			while (p->pos < p->len && ((p->s[p->pos] >= '0' && p->s[p->pos] <= '9') || p->s[p->pos] == '.'))
				p->pos++, digits++;
			if (!digits || !keyword(p, "SECONDS"))
				return fail(p, "expected WITHIN <number> SECONDS");
		} else if (keyword(p, "REPEATS") || keyword(p, "START") || keyword(p, "FOLLOWEDBY")) {
			return fail(p, "only the WITHIN qualifier is supported");
		} else {
			return VG_OK;
		}
	}
}

static vg_err obs_item(parser *p, dnf *out)
{
	vg_err e;
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == '(')
		return fail(p, "parentheses are not supported");
	if (p->pos >= p->len || p->s[p->pos] != '[')
		return fail(p, "expected [");
	p->pos++;
	if ((e = expr(p, cmp_item, out)))
		return e;
	skip_ws(p);
	if (p->pos >= p->len || p->s[p->pos] != ']')
		return fail(p, "expected ]");
	p->pos++;
	return qualifiers(p);
}

int vg_stix_pattern_parse(const char *pattern, size_t len, vg_stix_cmp_fn fn, void *ctx, vg_diag *d)
{
	parser *p = NULL;
	dnf *top = NULL;
	vg_err e;
	int rc;
	if (len > VG_STIX_PATTERN_MAX)
		return -(int)vg_diag_set(d, VG_ERR_LIMIT, "pattern", "pattern longer than %d bytes", VG_STIX_PATTERN_MAX);
	p = calloc(1, sizeof(*p));
	top = calloc(1, sizeof(*top));
	if (!p || !top || !(p->vals = malloc(len + 1))) {
		rc = -(int)vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	p->s = pattern;
	p->len = len;
	p->d = d;
	if ((e = expr(p, obs_item, top))) {
		rc = -(int)e;
		goto out;
	}
	skip_ws(p);
	if (p->pos != p->len) {
		rc = -(int)fail(p, "unexpected text after the pattern");
		goto out;
	}
	for (size_t t = 0; t < top->n; t++)
		for (size_t i = 0; i < p->ncmps; i++)
			if (top->t[t] & (1ull << i) && fn) {
				const cmp *c = &p->cmps[i];
				if ((e = fn(ctx, t, c->object, c->property, p->vals + c->voff, c->vlen))) {
					rc = -(int)e;
					goto out;
				}
			}
	rc = (int)top->n;
out:
	if (p)
		free(p->vals);
	free(p);
	free(top);
	return rc;
}
