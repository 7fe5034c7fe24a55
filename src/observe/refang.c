/* Refanging: undo the usual ways analysts "defang" indicators so that nobody
 * clicks them: hxxp://, example[.]com, user[at]example(.)org, 1.2.3[.]4,
 * https[:]//, "example [.] com". */
#include "observe/internal.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

typedef struct rf {
	char *out;
	size_t cap; /* bytes usable (outsz - 1) */
	size_t n;
	uint32_t *off;
} rf;

static void put(rf *r, char c, size_t src)
{
	if (r->n >= r->cap)
		return;
	if (r->off)
		r->off[r->n] = (uint32_t)src;
	r->out[r->n++] = c;
}

static void puts_at(rf *r, const char *s, size_t src)
{
	while (*s)
		put(r, *s++, src);
}

static bool word_char(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '_' || c >= 0x80;
}

/* Defanged schemes, replaced when followed by ':' or '[' (as in hxxp[:]//). */
static const struct {
	const char *from, *to;
} schemes[] = {
	{"hxxps", "https"}, {"hxxp", "http"}, {"hxtps", "https"}, {"hxtp", "http"}, {"htxps", "https"},
	{"htxp", "http"},   {"fxps", "ftps"}, {"fxp", "ftp"},     {"meows", "https"}, {"meow", "http"},
};

/* Bracketed separators: the text between the brackets (case-insensitive) and
 * what it stands for; dots and '@' absorb spaces around them. */
static const struct {
	const char *inner, *to;
	bool absorb_spaces;
} seps[] = {
	{".", ".", true},   {"dot", ".", true}, {"at", "@", true},   {"@", "@", true},
	{":", ":", false},  {"://", "://", false}, {"/", "/", false}, {":/", "://", false},
};

static size_t match_sep(const char *in, size_t len, size_t i, size_t *which)
{
	char open = in[i], close = open == '[' ? ']' : open == '(' ? ')' : open == '{' ? '}' : 0;
	if (!close)
		return 0;
	for (size_t k = 0; k < sizeof seps / sizeof seps[0]; k++) {
		size_t l = strlen(seps[k].inner);
		if (i + 1 + l < len && strncasecmp(in + i + 1, seps[k].inner, l) == 0 && in[i + 1 + l] == close) {
			*which = k;
			return l + 2;
		}
	}
	return 0;
}

size_t vg_obs_refang(const char *in, size_t len, char *out, size_t outsz, uint32_t *offsets)
{
	rf r = {out, outsz ? outsz - 1 : 0, 0, offsets};
	size_t i = 0;
	if (outsz == 0)
		return 0;
	while (i < len && r.n < r.cap) {
		unsigned char c = (unsigned char)in[i];
		size_t which, ml;
		if ((c == 'h' || c == 'H' || c == 'f' || c == 'F' || c == 'm' || c == 'M') &&
		    (i == 0 || !word_char((unsigned char)in[i - 1]))) {
			bool done = false;
			for (size_t k = 0; k < sizeof schemes / sizeof schemes[0]; k++) {
				size_t l = strlen(schemes[k].from);
				if (i + l < len && strncasecmp(in + i, schemes[k].from, l) == 0 &&
				    (in[i + l] == ':' || in[i + l] == '[' || in[i + l] == '(')) {
					puts_at(&r, schemes[k].to, i);
					i += l;
					done = true;
					break;
				}
			}
			if (done)
				continue;
		}
		if ((c == '[' || c == '(' || c == '{') && (ml = match_sep(in, len, i, &which)) > 0) {
			size_t j = i + ml;
			if (seps[which].absorb_spaces) {
				/* "example [.] com": drop the spaces on both sides when words
				 * stand on both sides. */
				size_t back = r.n, fwd = j;
				while (back > 0 && r.out[back - 1] == ' ')
					back--;
				while (fwd < len && in[fwd] == ' ')
					fwd++;
				if (back > 0 && word_char((unsigned char)r.out[back - 1]) && fwd < len &&
				    word_char((unsigned char)in[fwd]) && (back != r.n || fwd != j)) {
					r.n = back;
					j = fwd;
				}
			}
			puts_at(&r, seps[which].to, i);
			i = j;
			continue;
		}
		put(&r, (char)c, i);
		i++;
	}
	r.out[r.n] = '\0';
	return r.n;
}
