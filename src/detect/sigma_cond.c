/* The Sigma condition grammar (precedence from loosest to tightest):
 *   expr   := and ("or" and)*
 *   and    := unary ("and" unary)*
 *   unary  := "not" unary | primary
 *   primary:= "(" expr ")" | quant | IDENT
 *   quant  := (NUMBER | "all" | "any") "of" (PATTERN | "them")
 * PATTERN may hold * wildcards; "them" is every selection not starting with
 * an underscore. The old aggregation syntax ("| count() ...", "| near") is
 * refused with a message that says so. */
#include <ctype.h>
#include <string.h>

#include "core/limits.h"
#include "detect/internal.h"

typedef enum { T_END, T_LP, T_RP, T_WORD, T_PIPE, T_BAD } tok_kind;

typedef struct parser {
	vg_arena *a;
	const char *s;
	size_t pos, len;
	tok_kind kind;
	const char *tok;
	size_t toklen;
	const char *const *names;
	size_t nnames;
	unsigned depth;
	vg_diag *d;
} parser;

static bool word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '*' || c == '-' || c == '.' || c == '?';
}

static void next(parser *p)
{
	while (p->pos < p->len && isspace((unsigned char)p->s[p->pos]))
		p->pos++;
	p->tok = p->s + p->pos;
	p->toklen = 0;
	if (p->pos >= p->len) {
		p->kind = T_END;
		return;
	}
	char c = p->s[p->pos];
	if (c == '(' || c == ')') {
		p->kind = c == '(' ? T_LP : T_RP;
		p->toklen = 1;
		p->pos++;
		return;
	}
	if (c == '|') {
		p->kind = T_PIPE;
		p->toklen = 1;
		p->pos++;
		return;
	}
	if (!word_char(c)) {
		p->kind = T_BAD;
		p->toklen = 1;
		return;
	}
	while (p->pos < p->len && word_char(p->s[p->pos]))
		p->pos++;
	p->kind = T_WORD;
	p->toklen = (size_t)(p->s + p->pos - p->tok);
}

static bool is_kw(const parser *p, const char *kw)
{
	size_t n = strlen(kw);
	if (p->kind != T_WORD || p->toklen != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (tolower((unsigned char)p->tok[i]) != kw[i])
			return false;
	return true;
}

static vg_err fail(parser *p, const char *what)
{
	if (p->kind == T_PIPE)
		return vg_diag_set(p->d, VG_ERR_UNSUPPORTED, "condition",
				   "old aggregation syntax ('| count()', '| near') is not supported: "
				   "write it as a Sigma correlation rule");
	if (p->kind == T_END)
		return vg_diag_set(p->d, VG_ERR_INVALID, "condition", "%s at end of condition", what);
	return vg_diag_set(p->d, VG_ERR_INVALID, "condition", "%s at '%.*s' (offset %zu)", what,
			   (int)(p->toklen ? p->toklen : 1), p->tok, (size_t)(p->tok - p->s));
}

/* Glob with '*' only, case-sensitive (selection names). */
static bool name_match(const char *pat, size_t pn, const char *s, size_t sn)
{
	size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;
	while (si < sn) {
		if (pi < pn && pat[pi] != '*' && pat[pi] == s[si]) {
			pi++;
			si++;
		} else if (pi < pn && pat[pi] == '*') {
			star = pi++;
			mark = si;
		} else if (star != (size_t)-1) {
			pi = star + 1;
			si = ++mark;
		} else {
			return false;
		}
	}
	while (pi < pn && pat[pi] == '*')
		pi++;
	return pi == pn;
}

static vg_cnode *node(parser *p, vg_cop op)
{
	vg_cnode *n = vg_arena_calloc(p->a, 1, sizeof(*n));
	if (n)
		n->op = (uint8_t)op;
	return n;
}

static vg_err parse_or(parser *p, vg_cnode **out);

static vg_err parse_quant(parser *p, uint32_t need, vg_cnode **out)
{
	vg_cnode *n;
	next(p); /* past the count */
	if (!is_kw(p, "of"))
		return fail(p, "expected 'of'");
	next(p);
	if (p->kind != T_WORD)
		return fail(p, "expected a selection pattern or 'them'");
	bool them = is_kw(p, "them");
	if (!(n = node(p, CO_OF)))
		return VG_ERR_NOMEM;
	n->need = need;
	n->sels = vg_arena_calloc(p->a, p->nnames ? p->nnames : 1, sizeof(uint32_t));
	if (!n->sels)
		return VG_ERR_NOMEM;
	for (size_t i = 0; i < p->nnames; i++) {
		const char *nm = p->names[i];
		bool ok = them ? nm[0] != '_' : name_match(p->tok, p->toklen, nm, strlen(nm));
		if (ok)
			n->sels[n->nsels++] = (uint32_t)i;
	}
	if (n->nsels == 0)
		return vg_diag_set(p->d, VG_ERR_INVALID, "condition", "'%.*s' matches no selection", (int)p->toklen,
				   p->tok);
	next(p);
	*out = n;
	return VG_OK;
}

static vg_err parse_primary(parser *p, vg_cnode **out)
{
	vg_err e;
	if (p->kind == T_LP) {
		if (++p->depth > VG_SIGMA_COND_DEPTH_MAX)
			return vg_diag_set(p->d, VG_ERR_LIMIT, "condition", "nested deeper than %d",
					   VG_SIGMA_COND_DEPTH_MAX);
		next(p);
		if ((e = parse_or(p, out)))
			return e;
		if (p->kind != T_RP)
			return fail(p, "expected ')'");
		p->depth--;
		next(p);
		return VG_OK;
	}
	if (p->kind != T_WORD)
		return fail(p, "expected a selection");
	if (is_kw(p, "all") || is_kw(p, "any"))
		return parse_quant(p, is_kw(p, "all") ? 0 : 1, out);
	if (isdigit((unsigned char)p->tok[0])) {
		uint32_t need = 0;
		for (size_t i = 0; i < p->toklen; i++) {
			if (!isdigit((unsigned char)p->tok[i]) || need > 100000)
				return fail(p, "bad count");
			need = need * 10 + (uint32_t)(p->tok[i] - '0');
		}
		if (need == 0)
			return fail(p, "'0 of' is not valid");
		return parse_quant(p, need, out);
	}
	if (is_kw(p, "and") || is_kw(p, "or") || is_kw(p, "of") || is_kw(p, "them"))
		return fail(p, "unexpected keyword");
	for (size_t i = 0; i < p->nnames; i++) {
		if (strlen(p->names[i]) == p->toklen && memcmp(p->names[i], p->tok, p->toklen) == 0) {
			vg_cnode *n = node(p, CO_SEL);
			if (!n)
				return VG_ERR_NOMEM;
			n->sel = (uint32_t)i;
			next(p);
			*out = n;
			return VG_OK;
		}
	}
	return vg_diag_set(p->d, VG_ERR_INVALID, "condition", "unknown selection '%.*s'", (int)p->toklen, p->tok);
}

static vg_err parse_unary(parser *p, vg_cnode **out)
{
	if (is_kw(p, "not")) {
		vg_cnode *n = node(p, CO_NOT);
		vg_err e;
		if (!n)
			return VG_ERR_NOMEM;
		if (++p->depth > VG_SIGMA_COND_DEPTH_MAX)
			return vg_diag_set(p->d, VG_ERR_LIMIT, "condition", "nested deeper than %d",
					   VG_SIGMA_COND_DEPTH_MAX);
		next(p);
		n->kids = vg_arena_calloc(p->a, 1, sizeof(vg_cnode *));
		if (!n->kids)
			return VG_ERR_NOMEM;
		if ((e = parse_unary(p, &n->kids[0])))
			return e;
		p->depth--;
		n->nkids = 1;
		*out = n;
		return VG_OK;
	}
	return parse_primary(p, out);
}

/* Binary level: op AND over parse_unary or op OR over parse_and. */
static vg_err parse_chain(parser *p, vg_cop op, vg_cnode **out)
{
	vg_cnode *kids[VG_SIGMA_COND_TERMS_MAX];
	uint32_t nk = 0;
	vg_err e;
	const char *kw = op == CO_AND ? "and" : "or";
	for (;;) {
		if (nk == VG_SIGMA_COND_TERMS_MAX)
			return vg_diag_set(p->d, VG_ERR_LIMIT, "condition", "more than %d terms",
					   VG_SIGMA_COND_TERMS_MAX);
		e = op == CO_AND ? parse_unary(p, &kids[nk]) : parse_chain(p, CO_AND, &kids[nk]);
		if (e)
			return e;
		nk++;
		if (!is_kw(p, kw))
			break;
		next(p);
	}
	if (nk == 1) {
		*out = kids[0];
		return VG_OK;
	}
	vg_cnode *n = node(p, op);
	if (!n || !(n->kids = vg_arena_calloc(p->a, nk, sizeof(vg_cnode *))))
		return VG_ERR_NOMEM;
	memcpy(n->kids, kids, nk * sizeof(vg_cnode *));
	n->nkids = nk;
	*out = n;
	return VG_OK;
}

static vg_err parse_or(parser *p, vg_cnode **out)
{
	return parse_chain(p, CO_OR, out);
}

vg_err vg_cond_parse(vg_arena *a, const char *cond, const char *const *names, size_t nnames, vg_cnode **out,
		     vg_diag *d)
{
	parser p = {.a = a, .s = cond, .len = strlen(cond), .names = names, .nnames = nnames, .d = d};
	vg_err e;
	if (p.len > VG_SIGMA_CONDITION_MAX)
		return vg_diag_set(d, VG_ERR_LIMIT, "condition", "longer than %d bytes", VG_SIGMA_CONDITION_MAX);
	if (strstr(cond, "->") || strncmp(cond, "write ", 6) == 0)
		return vg_diag_set(d, VG_ERR_UNSUPPORTED, "condition",
				   "old 'write ... then ... -> alert' syntax is not supported: write a correlation rule");
	next(&p);
	if (p.kind == T_END)
		return vg_diag_set(d, VG_ERR_INVALID, "condition", "empty condition");
	if ((e = parse_or(&p, out)))
		return e;
	if (p.kind != T_END)
		return fail(&p, "unexpected text");
	return VG_OK;
}

vg_err vg_sigma_condition_check(const char *cond, const char *const *names, size_t nnames, vg_diag *d)
{
	vg_arena *a = vg_arena_new(0);
	vg_cnode *root;
	vg_err e;
	if (!a)
		return VG_ERR_NOMEM;
	vg_arena_set_cap(a, VG_SIGMA_RULE_MEMORY_MAX);
	e = vg_cond_parse(a, cond, names, nnames, &root, d);
	vg_arena_free(a);
	return e;
}
