/* The literal prefilter. For each rule, compile finds a set of lowered
 * literals such that, if the rule fires, one of them occurs in the event's
 * values; all the literals form one Vectorscan database scanned once per
 * event. A literal seen marks its rules as candidates; a value whose required
 * literal was not seen is false without looking at any field. Rules without
 * such a set are evaluated on every event their routes admit. */
#include <hs/hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/limits.h"
#include "detect/internal.h"


typedef struct litref {
	const char *s;
	size_t len;
	int fid; /* the field the literal must occur in; -1: any (keywords) */
} litref;

typedef struct litset {
	bool top; /* no literal is required */
	size_t n, cap;
	litref *v;
} litset;

static void ls_fini(litset *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void ls_add(litset *l, const char *s, size_t len, int fid)
{
	if (l->top)
		return;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 8;
		litref *nv = realloc(l->v, nc * sizeof(*nv));
		if (!nv) {
			l->top = true; /* degrade to "always evaluate": still correct */
			return;
		}
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n].s = s;
	l->v[l->n].fid = fid;
	l->v[l->n++].len = len;
}

static void ls_merge(litset *dst, litset *src)
{
	if (src->top)
		dst->top = true;
	for (size_t i = 0; i < src->n && !dst->top; i++)
		ls_add(dst, src->v[i].s, src->v[i].len, src->v[i].fid);
	ls_fini(src);
}

/* Text found in most Windows events: a literal inside one of these selects
 * almost nothing, so an AND prefers another child's literals. */
static const char *const common_text[] = {
	"c:\\windows\\system32\\", "c:\\windows\\syswow64\\", "c:\\program files (x86)\\",
	"c:\\programdata\\", "\\appdata\\local\\temp\\", "\\appdata\\roaming\\", "c:\\users\\",
	"microsoft-windows-sysmon/operational", "nt authority\\system", ".exe", ".dll", "microsoft corporation",
	"microsoft windows", "hklm\\software\\microsoft\\windows\\currentversion\\",
	"hklm\\system\\currentcontrolset\\services\\", "\\software\\microsoft\\", "\\powershell.exe",
	"\\cmd.exe", "\\svchost.exe", "\\rundll32.exe", "\\explorer.exe", "\\conhost.exe", "\\pwsh.exe",
	"\\msiexec.exe", "\\wmiprvse.exe", "\\windows\\temp\\",
};

/* How many of the common texts hold the literal (0 for long ones). */
static size_t literal_commonness(const char *s, size_t n)
{
	char low[64];
	size_t k = 0;
	if (n >= sizeof(low))
		return 0;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	for (size_t i = 0; i < sizeof(common_text) / sizeof(common_text[0]); i++)
		k += memmem(common_text[i], strlen(common_text[i]), low, n) != NULL;
	return k;
}

static size_t literal_score(const char *s, size_t n)
{
	return literal_commonness(s, n) ? 1 : n;
}

/* Between two sets of common literals: the one found in fewer common texts
 * ('system' is in three, 'authori' in one: the first would be reported
 * several times in most events). */
static size_t ls_commonness(const litset *l)
{
	size_t k = 0;
	for (size_t i = 0; i < l->n; i++)
		k += literal_commonness(l->v[i].s, l->v[i].len);
	return k;
}

static size_t ls_score(const litset *l)
{
	size_t m = (size_t)-1;
	if (l->top || l->n == 0)
		return 0;
	for (size_t i = 0; i < l->n; i++) {
		size_t sc = literal_score(l->v[i].s, l->v[i].len);
		if (sc < m)
			m = sc;
	}
	return m;
}

/* The key of a literal in one field: the field id, then the lowered bytes. */
static size_t implied_key(char *key, int fid, const char *s, size_t n)
{
	memcpy(key, &fid, sizeof(fid));
	for (size_t i = 0; i < n; i++)
		key[sizeof(fid) + i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	return sizeof(fid) + n;
}

/* Is a substring of v[i] (its field's, or any field's) another alternative of
 * the set (an equal one only if earlier)? lens: the set's distinct lengths. */
static bool implied(const litset *l, size_t i, const vg_map *m, const size_t *lens, size_t nlens)
{
	const litref *big = &l->v[i];
	char key[sizeof(int) + 256];
	for (size_t d = 0; d < nlens && lens[d] <= big->len; d++)
		for (size_t at = 0; at + lens[d] <= big->len; at++)
			for (int pass = 0; pass < 2; pass++) {
				int fid = pass ? -1 : big->fid;
				if (pass && big->fid < 0)
					break;
				void *j = vg_map_get(m, key, implied_key(key, fid, big->s + at, lens[d]));
				if (j && (size_t)(uintptr_t)j - 1 != i && (lens[d] < big->len || pass || (size_t)(uintptr_t)j - 1 < i))
					return true;
			}
	return false;
}

/* A rule's alternatives: one that holds another (in the same field, or
 * that one in any) is found whenever it is, so it only adds work to the
 * scan ('c:\\windows\\system32\\cmd.exe' next to '\\cmd.exe'). Literals
 * longer than 255 bytes are kept as they are. */
static vg_err ls_drop_implied(litset *l)
{
	vg_map m;
	vg_err e = VG_OK;
	size_t *lens = malloc((l->n ? l->n : 1) * sizeof(size_t)), nlens = 0, n = 0;
	char key[sizeof(int) + 256];
	if (!lens)
		return VG_ERR_NOMEM;
	vg_map_init(&m);
	for (size_t i = 0; i < l->n && !e; i++) {
		size_t k = 0, len = l->v[i].len;
		if (len > 255)
			continue;
		if (!vg_map_get(&m, key, implied_key(key, l->v[i].fid, l->v[i].s, len)))
			e = vg_map_put(&m, key, implied_key(key, l->v[i].fid, l->v[i].s, len), (void *)(i + 1), NULL);
		while (k < nlens && lens[k] < len)
			k++;
		if (k == nlens || lens[k] != len) {
			memmove(lens + k + 1, lens + k, (nlens - k) * sizeof(size_t));
			lens[k] = len;
			nlens++;
		}
	}
	for (size_t i = 0; i < l->n && !e; i++)
		if (l->v[i].len > 255 || !implied(l, i, &m, lens, nlens))
			l->v[n++] = l->v[i];
	if (!e)
		l->n = n;
	vg_map_fini(&m);
	free(lens);
	return e;
}

/* Keep the better of best and cand (AND: one required set suffices). */
static void ls_pick(litset *best, litset *cand)
{
	size_t sb = ls_score(best), sc = ls_score(cand), kb = 0, kc = 0;
	if (sc == sb && sc == 1) {
		kb = ls_commonness(best);
		kc = ls_commonness(cand);
	}
	if (sc > sb || (sc == sb && sc && (kc < kb || (kc == kb && cand->n < best->n)))) {
		ls_fini(best);
		*best = *cand;
		memset(cand, 0, sizeof(*cand));
	} else {
		ls_fini(cand);
	}
}

#define PREFILTER_MIN_LITERAL 3

/* Long enough to be selective: 3 bytes, or 2 if not plain ASCII (one
 * Cyrillic or accented letter: rare in logs, and homoglyph rules use them)
 * or two of the punctuation marks Windows values almost never hold (cmd.exe
 * escapes such as '^^' in obfuscation rules). */
static bool literal_usable(const char *s, size_t n)
{
	if (n >= PREFILTER_MIN_LITERAL)
		return true;
	if (n == 2 && s[0] && s[1] && strchr("^`~|{}", s[0]) && strchr("^`~|{}", s[1]))
		return true;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return n >= 2;
	return false;
}

/* Inline option groups that change what a plain character means ((?x):
 * whitespace and # become syntax) make the literal extraction unsafe. */
static bool regex_has_extended_flag(const char *re)
{
	for (const char *p = strstr(re, "(?"); p; p = strstr(p + 2, "(?")) {
		for (const char *q = p + 2; (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || *q == '-' || *q == '^'; q++)
			if (*q == 'x')
				return true;
	}
	return false;
}

/* The literal a pattern value cannot match without (NULL when too short). */
static const char *required_literal(const vg_sval *v, size_t *len)
{
	const char *s = v->lit;
	size_t n = v->litlen, bs = 0, bl = 0;
	if (v->shape == PS_GLOB) {
		for (size_t i = 0; i < n;) {
			size_t j = i;
			while (j < n && v->lit[j] != VG_GLOB_STAR && v->lit[j] != VG_GLOB_ONE)
				j++;
			if (j - i > bl) {
				bs = i;
				bl = j - i;
			}
			i = j + 1;
		}
		s = v->lit + bs;
		n = bl;
	}
	*len = n;
	return literal_usable(s, n) ? s : NULL;
}

static void value_lits(const vg_sval *v, int fid, litset *out)
{
	size_t n;
	const char *s = v->kind == VK_PATTERN ? required_literal(v, &n) : NULL;
	if (v->kind == VK_REGEX && v->lit) { /* literal a match must contain */
		ls_add(out, v->lit, v->litlen, fid);
		return;
	}
	if (!s) {
		out->top = true;
		return;
	}
	ls_add(out, s, n, fid);
}

static void item_lits(const vg_sitem *it, litset *out)
{
	if (it->neq) {
		out->top = true;
		return;
	}
	if (it->all) {
		for (size_t i = 0; i < it->nvals; i++) {
			litset c = {0};
			value_lits(&it->vals[i], it->fid, &c);
			ls_pick(out, &c);
		}
		if (!out->n)
			out->top = true;
		return;
	}
	for (size_t i = 0; i < it->nvals && !out->top; i++)
		value_lits(&it->vals[i], it->fid, out);
}

static void sel_lits(const vg_selection *sel, litset *out)
{
	for (size_t g = 0; g < sel->ngroups && !out->top; g++) {
		litset best = {0};
		best.top = true;
		for (size_t i = 0; i < sel->groups[g].nitems; i++) {
			litset c = {0};
			item_lits(&sel->groups[g].items[i], &c);
			if (best.top && !c.top) {
				ls_fini(&best);
				best = c;
			} else if (!c.top) {
				ls_pick(&best, &c);
			} else {
				ls_fini(&c);
			}
		}
		ls_merge(out, &best);
	}
}

static void cond_lits(const vg_srule *r, const vg_cnode *n, litset *out)
{
	switch (n->op) {
	case CO_SEL: sel_lits(&r->sels[n->sel], out); return;
	case CO_NOT: out->top = true; return;
	case CO_OR:
		for (uint32_t i = 0; i < n->nkids && !out->top; i++) {
			litset c = {0};
			cond_lits(r, n->kids[i], &c);
			ls_merge(out, &c);
		}
		return;
	case CO_OF:
		if (n->need != 0) { /* at least one of them */
			for (uint32_t i = 0; i < n->nsels && !out->top; i++)
				sel_lits(&r->sels[n->sels[i]], out);
			return;
		}
		/* all of: like AND */
		/* fallthrough */
	case CO_AND: {
		litset best = {0};
		best.top = true;
		uint32_t cnt = n->op == CO_AND ? n->nkids : n->nsels;
		for (uint32_t i = 0; i < cnt; i++) {
			litset c = {0};
			if (n->op == CO_AND)
				cond_lits(r, n->kids[i], &c);
			else
				sel_lits(&r->sels[n->sels[i]], &c);
			if (c.top) {
				ls_fini(&c);
			} else if (best.top) {
				ls_fini(&best);
				best = c;
			} else {
				ls_pick(&best, &c);
			}
		}
		ls_merge(out, &best);
		return;
	}
	}
}

/* Literal id of s (lowered), interning it. */
static vg_err intern_literal(vg_ruleset *rs, vg_map *ids, vg_vec *lits, const char *s, size_t n, uintptr_t *id)
{
	char buf[256], *low = n < sizeof(buf) ? buf : malloc(n + 1);
	vg_err e = VG_OK;
	if (!low)
		return VG_ERR_NOMEM;
	for (size_t j = 0; j < n; j++)
		low[j] = (char)(s[j] >= 'A' && s[j] <= 'Z' ? s[j] + 32 : s[j]);
	void *idp = vg_map_get(ids, low, n);
	if (idp) {
		*id = (uintptr_t)idp - 1;
	} else {
		char *copy = vg_arena_strndup(rs->arena, low, n);
		*id = lits->len;
		if (!copy)
			e = VG_ERR_NOMEM;
		else if (!(e = vg_vec_push(lits, copy)))
			e = vg_map_put(ids, low, n, (void *)(*id + 1), NULL);
	}
	if (low != buf)
		free(low);
	return e;
}

/* Give every pattern value of r the id of its required literal. */
static vg_err tag_values(vg_ruleset *rs, vg_srule *r, vg_map *ids, vg_vec *lits, bool only_known)
{
	for (size_t s = 0; s < r->nsels; s++)
		for (size_t g = 0; g < r->sels[s].ngroups; g++)
			for (size_t i = 0; i < r->sels[s].groups[g].nitems; i++) {
				vg_sitem *it = &r->sels[s].groups[g].items[i];
				for (size_t k = 0; k < it->nvals; k++) {
					vg_sval *v = &it->vals[k];
					size_t n;
					const char *req = v->kind == VK_PATTERN ? required_literal(v, &n) : NULL;
					if (v->kind == VK_REGEX && v->lit) {
						req = v->lit;
						n = v->litlen;
					}
					uintptr_t id;
					vg_err e;
					if (!req)
						continue;
					if (only_known) {
						void *idp = vg_map_get(ids, req, n); /* lowered: values are lowered unless cased */
						if (idp && (!it->cased || v->kind == VK_REGEX)) {
							v->lit_id = (int32_t)((uintptr_t)idp - 1);
							v->lit_whole = v->kind == VK_PATTERN && v->shape == PS_CONTAINS && !it->cased &&
								       req == v->lit && n == v->litlen && !memchr(req, '\n', n);
						}
						continue;
					}
					if ((e = intern_literal(rs, ids, lits, req, n, &id)))
						return e;
					v->lit_id = (int32_t)id;
				}
			}
	return VG_OK;
}

/* The longest literal every match of a regex must contain, from the
 * top-level sequence only (groups, classes, alternations and optional atoms
 * end a run; a top-level '|' means no literal). Lowered into out. */
static size_t regex_literal(const char *re, char *out, size_t outsz)
{
	char run[256];
	size_t rl = 0, best = 0;
	int depth = 0;
	for (size_t i = 0; re[i]; i++) {
		char c = re[i], lit = 0;
		bool brk = false;
		if (depth > 0) {
			if (c == '\\' && re[i + 1])
				i++;
			else if (c == '(')
				depth++;
			else if (c == ')')
				depth--;
			continue;
		}
		switch (c) {
		case '|': return 0;
		case '(':
			depth++;
			brk = true;
			break;
		case '[':
			/* skip the class */
			i++;
			if (re[i] == '^')
				i++;
			if (re[i] == ']')
				i++;
			while (re[i] && re[i] != ']') {
				if (re[i] == '\\' && re[i + 1])
					i++;
				i++;
			}
			if (!re[i])
				return 0;
			brk = true;
			break;
		case '*':
		case '?':
		case '{':
			if (rl) /* the previous atom is optional */
				rl--;
			if (c == '{')
				while (re[i] && re[i] != '}')
					i++;
			if (!re[i])
				return 0;
			brk = true;
			break;
		case '+': brk = true; break;
		case '.':
		case '^':
		case '$': brk = true; break;
		case '\\':
			if (!re[i + 1])
				return 0;
			i++;
			if ((re[i] >= 'a' && re[i] <= 'z') || (re[i] >= 'A' && re[i] <= 'Z') || (re[i] >= '0' && re[i] <= '9'))
				brk = true; /* \w \d \x41 \Q ... : not a plain byte */
			else
				lit = re[i];
			break;
		default: lit = c;
		}
		if (!brk && lit && rl < sizeof(run)) {
			run[rl++] = (char)(lit >= 'A' && lit <= 'Z' ? lit + 32 : lit);
		} else if (brk) {
			/* a quantifier may follow a group or class: handled on the next char */
			if (rl > best && rl <= outsz) {
				memcpy(out, run, rl);
				best = rl;
			}
			rl = 0;
		}
		/* a quantifier right after this literal makes it optional: look ahead */
		if (!brk && lit && (re[i + 1] == '*' || re[i + 1] == '?' || re[i + 1] == '{')) {
			if (rl)
				rl--;
			if (rl > best && rl <= outsz) {
				memcpy(out, run, rl);
				best = rl;
			}
			rl = 0;
		}
	}
	if (depth != 0)
		return 0;
	if (rl > best && rl <= outsz) {
		memcpy(out, run, rl);
		best = rl;
	}
	return best;
}

/* Store in each regex value of r the literal its matches must contain. */
static vg_err regex_literals(vg_ruleset *rs, vg_srule *r)
{
	for (size_t s = 0; s < r->nsels; s++)
		for (size_t g = 0; g < r->sels[s].ngroups; g++)
			for (size_t i = 0; i < r->sels[s].groups[g].nitems; i++) {
				vg_sitem *it = &r->sels[s].groups[g].items[i];
				for (size_t k = 0; k < it->nvals; k++) {
					vg_sval *v = &it->vals[k];
					char buf[256];
					size_t n;
					if (v->kind != VK_REGEX || v->re_key)
						continue;
					v->re_key = "";
					/* inline options other than (?i) at the start could change meaning: skip */
					const char *src = v->re_src;
					if (strncmp(src, "(?i)", 4) == 0)
						src += 4;
					if (regex_has_extended_flag(src) ||
					    (v->re_flags & ~(uint32_t)(PCRE2_CASELESS | PCRE2_MULTILINE | PCRE2_DOTALL)))
						continue;
					n = regex_literal(src, buf, sizeof(buf));
					if (n && !(v->re_need = vg_arena_strndup(rs->arena, buf, n)))
						return VG_ERR_NOMEM;
					v->re_needlen = n; /* even one byte spares PCRE2 most values */
					if (!literal_usable(buf, n))
						continue;
					if (!(v->lit = vg_arena_strndup(rs->arena, buf, n)))
						return VG_ERR_NOMEM;
					v->litlen = n;
				}
			}
	return VG_OK;
}

/* ---- route groups ---- */

static bool cond_star(const vg_route_cond *c)
{
	for (size_t k = 0; k < c->nvals; k++)
		if (c->lens[k] == 1 && c->vals[k][0] == '*')
			return true;
	return false;
}

/* Whenever route a holds, b holds: each condition of b is implied by one of a
 * on the same field (b's '*' by any; otherwise a's values are among b's). */
static bool route_implies(const vg_route *a, const vg_route *b)
{
	for (size_t i = 0; i < b->nconds; i++) {
		const vg_route_cond *cb = &b->conds[i];
		bool ok = false, star = cond_star(cb);
		for (size_t j = 0; j < a->nconds && !ok; j++) {
			const vg_route_cond *ca = &a->conds[j];
			if (ca->fid < 0 || ca->fid != cb->fid)
				continue;
			if (star) {
				ok = true;
				continue;
			}
			if (cond_star(ca))
				continue;
			ok = true;
			for (size_t x = 0; x < ca->nvals && ok; x++) {
				bool in = false;
				for (size_t y = 0; y < cb->nvals && !in; y++)
					in = ca->lens[x] == cb->lens[y] && !memcmp(ca->vals[x], cb->vals[y], ca->lens[x]);
				ok = in;
			}
		}
		if (!ok)
			return false;
	}
	return true;
}

/* Every route of a is one of b's or implied by one of b's (impl[r * n + q]:
 * route r implies route q): whenever b's routes hold, a's hold. */
static bool routes_covered(const int *a, size_t na, const int *b, size_t nb, const uint8_t *impl, size_t n)
{
	for (size_t i = 0; i < na; i++) {
		bool in = false;
		for (size_t j = 0; j < nb && !in; j++)
			in = b[j] == a[i] || impl[(size_t)b[j] * n + (size_t)a[i]];
		if (!in)
			return false;
	}
	return true;
}

static bool item_has_keywords(const vg_srule *r)
{
	for (size_t s = 0; s < r->nsels; s++)
		for (size_t g = 0; g < r->sels[s].ngroups; g++)
			for (size_t i = 0; i < r->sels[s].groups[g].nitems; i++)
				if (r->sels[s].groups[g].items[i].fid < 0)
					return true;
	return false;
}

/* Add to a group's literal list the literals the values of r are tagged with. */
static size_t group_value_lits(const vg_srule *r, uint32_t gmark, uint32_t *mark, const vg_vec *lits, const size_t *lens,
			       const unsigned *hsflags, const char **gl, size_t *gll, unsigned *gid, unsigned *gfl, size_t n)
{
	for (size_t s = 0; s < r->nsels; s++)
		for (size_t g = 0; g < r->sels[s].ngroups; g++)
			for (size_t i = 0; i < r->sels[s].groups[g].nitems; i++) {
				const vg_sitem *it = &r->sels[s].groups[g].items[i];
				for (size_t k = 0; k < it->nvals; k++) {
					int32_t l = it->vals[k].lit_id;
					if (l < 0 || (size_t)l >= lits->len || mark[l] == gmark)
						continue;
					mark[l] = gmark;
					gl[n] = lits->items[l];
					gll[n] = lens[l];
					gid[n] = (unsigned)l;
					gfl[n++] = hsflags[l];
				}
			}
	return n;
}

void vg_prefilter_free(vg_ruleset *rs)
{
	for (size_t g = 0; g < rs->nlit_groups; g++) {
		if (rs->lit_groups[g].db)
			hs_free_database(rs->lit_groups[g].db);
		free(rs->lit_groups[g].supers);
	}
	free(rs->lit_groups);
	rs->lit_groups = NULL;
	for (size_t i = 0; rs->lit_fids && i < rs->nliterals; i++)
		free(rs->lit_fids[i]);
	free(rs->lit_fids);
	rs->lit_fids = NULL;
	rs->nlit_groups = 0;
}

/* h is a larger group than g: g's routes hold whenever h's do (two groups
 * that cover each other: the lower index is the larger, so one is scanned). */
#define IS_SUPER(g, h) ((h) != (g) && sub[(g) * ng + (h)] && (!sub[(h) * ng + (g)] || (h) < (g)))

/* One group per distinct route list of the active rules; each group's
 * database holds the literals of the rules of every group whose routes hold
 * whenever its own do: a subset of its routes, or routes they imply (the
 * process_creation route, Channel Sysmon and EventID 1, implies the Sysmon
 * service route, Channel Sysmon), so one database per event usually suffices
 * (pairs: rule << 32 | literal). */
static vg_err build_groups(vg_ruleset *rs, const vg_vec *pairs, const vg_vec *lits, const size_t *lens,
			   const unsigned *hsflags, vg_diag *d)
{
	vg_err e = VG_OK;
	size_t nr = rs->rules.len, ng = 0;
	int *rgroup = malloc((nr ? nr : 1) * sizeof(int));
	uint8_t *sub = NULL; /* sub[a * ng + b]: a's routes hold whenever b's do */
	size_t nrt = rs->routes.len;
	uint8_t *impl = calloc(nrt * nrt + 1, 1);
	uint32_t *mark = calloc(lits->len ? lits->len : 1, sizeof(uint32_t));
	const char **gl = malloc((lits->len ? lits->len : 1) * sizeof(char *));
	size_t *gll = malloc((lits->len ? lits->len : 1) * sizeof(size_t));
	unsigned *gid = malloc((lits->len ? lits->len : 1) * sizeof(unsigned)), *gfl = malloc((lits->len ? lits->len : 1) * sizeof(unsigned));
	vg_lit_group *groups = calloc(nr ? nr : 1, sizeof(*groups));
	if (!rgroup || !mark || !gl || !gll || !gid || !gfl || !groups || !impl) {
		e = VG_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < nr; i++) {
		const vg_srule *r = rs->rules.items[i];
		size_t g = 0;
		rgroup[i] = -1;
		if (!r->info.active)
			continue;
		while (g < ng && !(groups[g].nroutes == r->nroutes &&
				   !memcmp(groups[g].routes, r->routes, r->nroutes * sizeof(int))))
			g++;
		if (g == ng) {
			memcpy(groups[g].routes, r->routes, sizeof(r->routes));
			groups[g].nroutes = r->nroutes;
			ng++;
		}
		rgroup[i] = (int)g;
	}
	rs->lit_groups = groups;
	rs->nlit_groups = ng;
	if (!(sub = calloc(ng * ng + 1, 1))) {
		e = VG_ERR_NOMEM;
		goto out;
	}
	for (size_t a = 0; a < nrt; a++)
		for (size_t b = 0; b < nrt; b++)
			impl[a * nrt + b] = a != b && route_implies(rs->routes.items[a], rs->routes.items[b]);
	for (size_t a = 0; a < ng; a++)
		for (size_t b = 0; b < ng; b++)
			sub[a * ng + b] = routes_covered(groups[a].routes, groups[a].nroutes, groups[b].routes, groups[b].nroutes,
							 impl, nrt);
	for (size_t g = 0; g < ng && !e; g++) {
		size_t n = 0;
		vg_lit_group *G = &groups[g];
		for (size_t h = 0; h < ng; h++)
			G->nsupers += IS_SUPER(g, h);
		if (G->nsupers && !(G->supers = malloc(G->nsupers * sizeof(uint32_t)))) {
			e = VG_ERR_NOMEM;
			break;
		}
		G->nsupers = 0;
		for (size_t h = 0; h < ng; h++)
			if (IS_SUPER(g, h))
				G->supers[G->nsupers++] = (uint32_t)h;
		for (size_t p = 0; p < pairs->len; p++) {
			uintptr_t v = (uintptr_t)pairs->items[p];
			uint32_t l = (uint32_t)(v & 0xffffffffu), r = (uint32_t)(v >> 32);
			if (rgroup[r] < 0 || !sub[(size_t)rgroup[r] * ng + g] || mark[l] == g + 1)
				continue;
			mark[l] = (uint32_t)g + 1;
			gl[n] = lits->items[l];
			gll[n] = lens[l];
			gid[n] = l;
			gfl[n++] = hsflags[l];
		}
		/* and every literal a value of these rules is refuted by (tag_values) */
		for (size_t i = 0; i < nr; i++) {
			const vg_srule *r = rs->rules.items[i];
			if (rgroup[i] < 0 || !sub[(size_t)rgroup[i] * ng + g])
				continue;
			for (size_t f = 0; f <= r->nfilters; f++)
				n = group_value_lits(f ? r->filters[f - 1] : r, (uint32_t)g + 1, mark, lits, lens, hsflags, gl, gll,
						     gid, gfl, n);
		}
		if (!n)
			continue;
		hs_database_t *db = NULL;
		hs_compile_error_t *ce = NULL;
		if (hs_compile_lit_multi(gl, gfl, gid, gll, (unsigned)n, HS_MODE_BLOCK, NULL, &db, &ce) != HS_SUCCESS) {
			e = vg_diag_set(d, VG_ERR_INTERNAL, NULL, "prefilter: %s", ce && ce->message ? ce->message : "?");
			hs_free_compile_error(ce);
			break;
		}
		G->db = db;
	}
out:
	if (!rs->lit_groups)
		free(groups);
	free(rgroup);
	free(sub);
	free(impl);
	free(mark);
	free(gl);
	free(gll);
	free(gid);
	free(gfl);
	return e;
}

vg_err vg_prefilter_build(vg_ruleset *rs, vg_diag *d)
{
	vg_map ids;
	vg_vec lits; /* char* lowered, arena */
	vg_err e = VG_OK;
	size_t *lens = NULL;
	unsigned *hsflags = NULL;
	uint32_t *counts = NULL;
	vg_map_init(&ids);
	vg_vec_init(&lits);
	rs->always_rules = calloc(rs->rules.len ? rs->rules.len : 1, sizeof(uint32_t));
	if (!rs->always_rules)
		return VG_ERR_NOMEM;
	/* pass 1: literal sets per rule; remember (rule, literal id) pairs */
	vg_vec pairs, pfids; /* packed as (uintptr_t)(rule << 32 | lit); the field + 2 */
	vg_vec_init(&pairs);
	vg_vec_init(&pfids);
	for (size_t i = 0; i < rs->rules.len && !e; i++) {
		vg_srule *r = rs->rules.items[i];
		if (!r->info.active)
			continue;
		rs->keywords |= item_has_keywords(r);
		for (size_t f = 0; f < r->nfilters; f++)
			rs->keywords |= item_has_keywords(r->filters[f]);
		e = regex_literals(rs, r);
		for (size_t f = 0; f < r->nfilters && !e; f++)
			e = regex_literals(rs, r->filters[f]);
	}
	if (e)
		goto out;
	for (size_t i = 0; i < rs->rules.len; i++) {
		vg_srule *r = rs->rules.items[i];
		litset ls = {0};
		if (!r->info.active)
			continue;
		cond_lits(r, r->cond, &ls);
		if (ls.top || ls.n == 0) {
			r->always = true;
			rs->always_rules[rs->nalways++] = (uint32_t)i;
			ls_fini(&ls);
			continue;
		}
		e = ls_drop_implied(&ls);
		for (size_t k = 0; k < ls.n && !e; k++) {
			uintptr_t id;
			if (!(e = intern_literal(rs, &ids, &lits, ls.v[k].s, ls.v[k].len, &id)) &&
			    !(e = vg_vec_push(&pairs, (void *)(((uintptr_t)i << 32) | id))))
				e = vg_vec_push(&pfids, (void *)(uintptr_t)(ls.v[k].fid + 2));
		}
		ls_fini(&ls);
		if (e)
			goto out;
	}
	/* values whose literal the scan already looks for can be refuted by it */
	for (size_t i = 0; i < rs->rules.len && !e; i++) {
		vg_srule *r = rs->rules.items[i];
		if (!r->info.active)
			continue;
		e = tag_values(rs, r, &ids, &lits, true);
		for (size_t f = 0; f < r->nfilters && !e; f++)
			e = tag_values(rs, r->filters[f], &ids, &lits, true);
	}
	if (e)
		goto out;
	rs->nliterals = lits.len;
	if (!lits.len)
		goto out;
	rs->lit_rules = calloc(lits.len, sizeof(uint32_t *));
	rs->lit_nrules = calloc(lits.len, sizeof(uint32_t));
	rs->lit_fids = calloc(lits.len, sizeof(int32_t *));
	counts = calloc(lits.len, sizeof(uint32_t));
	lens = calloc(lits.len, sizeof(size_t));
	hsflags = calloc(lits.len, sizeof(unsigned));
	if (!rs->lit_rules || !rs->lit_nrules || !rs->lit_fids || !counts || !lens || !hsflags) {
		e = VG_ERR_NOMEM;
		goto out;
	}
	for (size_t p = 0; p < pairs.len; p++)
		counts[(uintptr_t)pairs.items[p] & 0xffffffffu]++;
	for (size_t l = 0; l < lits.len; l++)
		if (!(rs->lit_rules[l] = malloc(counts[l] * sizeof(uint32_t))) ||
		    !(rs->lit_fids[l] = malloc(counts[l] * sizeof(int32_t)))) {
			e = VG_ERR_NOMEM;
			goto out;
		}
	for (size_t p = 0; p < pairs.len; p++) {
		uintptr_t v = (uintptr_t)pairs.items[p];
		uint32_t l = (uint32_t)(v & 0xffffffffu), r = (uint32_t)(v >> 32);
		uint32_t n = rs->lit_nrules[l];
		int32_t fid = (int32_t)(uintptr_t)pfids.items[p] - 2;
		if (n && rs->lit_rules[l][n - 1] == r) { /* the same literal twice in one rule */
			if (rs->lit_fids[l][n - 1] != fid)
				rs->lit_fids[l][n - 1] = -1; /* in two fields: either */
			continue;
		}
		rs->lit_fids[l][n] = fid;
		rs->lit_rules[l][rs->lit_nrules[l]++] = r;
	}
	for (size_t l = 0; l < lits.len; l++) {
		lens[l] = strlen(lits.items[l]);
		hsflags[l] = 0; /* every occurrence: the field of each tells which rules it serves */
	}
	e = build_groups(rs, &pairs, &lits, lens, hsflags, d);
out:
	free(counts);
	free(lens);
	free(hsflags);
	vg_vec_fini(&pairs);
	vg_vec_fini(&pfids);
	vg_vec_fini(&lits);
	vg_map_fini(&ids);
	return e;
}

