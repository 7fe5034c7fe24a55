/* HTML reduced to safe plain text, and reference detection in subjects.
 * The converter is a small state machine, not an HTML parser: it only has to
 * keep the words a human wrote and drop everything that could run or hide
 * (script, style, head, comments, tags, attributes other than link targets). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "intake/intake.h"

static const struct {
	const char *name;
	const char *text;
} entities[] = {
	{"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}, {"nbsp", " "},
	{"eacute", "\xc3\xa9"}, {"egrave", "\xc3\xa8"}, {"ecirc", "\xc3\xaa"}, {"agrave", "\xc3\xa0"},
	{"acirc", "\xc3\xa2"}, {"ccedil", "\xc3\xa7"}, {"ocirc", "\xc3\xb4"}, {"ucirc", "\xc3\xbb"},
	{"ugrave", "\xc3\xb9"}, {"icirc", "\xc3\xae"}, {"euml", "\xc3\xab"}, {"iuml", "\xc3\xaf"},
	{"Eacute", "\xc3\x89"}, {"laquo", "\xc2\xab"}, {"raquo", "\xc2\xbb"}, {"euro", "\xe2\x82\xac"},
	{"copy", "\xc2\xa9"}, {"hellip", "\xe2\x80\xa6"}, {"rsquo", "\xe2\x80\x99"}, {"lsquo", "\xe2\x80\x98"},
	{"ndash", "\xe2\x80\x93"}, {"mdash", "\xe2\x80\x94"}, {"ldquo", "\xe2\x80\x9c"}, {"rdquo", "\xe2\x80\x9d"},
};

static const char *const blocks[] = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6",
				     "table", "ul", "ol", "blockquote", "pre", "hr", "section", "article",
				     "header", "footer", "dl", "dt", "dd", "title", NULL};
/* elements whose content is dropped entirely */
static const char *const hidden[] = {"script", "style", "head", "template", "noscript", "object", "iframe",
				     "svg", "math", NULL};

static void put_utf8(vg_buf *b, unsigned long cp)
{
	char u[5];
	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || (cp < 0x20 && cp != '\n' && cp != '\t'))
		cp = 0xfffd;
	if (cp < 0x80) {
		u[0] = (char)cp;
		vg_buf_append(b, u, 1);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		vg_buf_append(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		vg_buf_append(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		vg_buf_append(b, u, 4);
	}
}

/* Decode an entity at s (after '&'); returns bytes consumed (0: not an entity). */
static size_t entity(const char *s, const char *end, vg_buf *b)
{
	const char *semi = memchr(s, ';', (size_t)(end - s) < 12 ? (size_t)(end - s) : 12);
	size_t n;
	if (!semi)
		return 0;
	n = (size_t)(semi - s);
	if (n >= 2 && s[0] == '#') {
		unsigned long cp;
		char tmp[12];
		char *e;
		memcpy(tmp, s + 1, n - 1);
		tmp[n - 1] = '\0';
		cp = (tmp[0] == 'x' || tmp[0] == 'X') ? strtoul(tmp + 1, &e, 16) : strtoul(tmp, &e, 10);
		if (*e || e == tmp)
			return 0;
		put_utf8(b, cp);
		return n + 1;
	}
	for (size_t i = 0; i < sizeof entities / sizeof entities[0]; i++)
		if (strlen(entities[i].name) == n && memcmp(entities[i].name, s, n) == 0) {
			vg_buf_puts(b, entities[i].text);
			return n + 1;
		}
	return 0;
}

static bool in_list(const char *const *l, const char *name)
{
	for (; *l; l++)
		if (!strcasecmp(*l, name))
			return true;
	return false;
}

/* href="..." value of an <a> tag into out. */
static void tag_href(const char *t, size_t len, char *out, size_t outsz)
{
	out[0] = '\0';
	for (size_t i = 0; i + 5 < len; i++) {
		if (strncasecmp(t + i, "href", 4) == 0 && (i == 0 || isspace((unsigned char)t[i - 1]))) {
			size_t j = i + 4, k = 0;
			char q;
			while (j < len && isspace((unsigned char)t[j]))
				j++;
			if (j >= len || t[j] != '=')
				continue;
			j++;
			while (j < len && isspace((unsigned char)t[j]))
				j++;
			q = (j < len && (t[j] == '"' || t[j] == '\'')) ? t[j++] : 0;
			while (j < len && k + 1 < outsz && (q ? t[j] != q : !isspace((unsigned char)t[j]) && t[j] != '>')) {
				if ((unsigned char)t[j] >= 0x20)
					out[k++] = t[j];
				j++;
			}
			out[k] = '\0';
			return;
		}
	}
}

char *vg_html_to_text(const char *html, size_t len, size_t max)
{
	vg_buf b;
	const char *p = html, *end = html + len;
	char skip_until[16] = "", href[512] = "";
	bool space = false;
	vg_buf_init(&b, max + 8);
	while (p < end && b.len < max) {
		if (*p == '<') {
			const char *gt;
			char name[16];
			size_t k = 0;
			bool closing = false;
			if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
				const char *c = memmem(p + 4, (size_t)(end - p - 4), "-->", 3);
				p = c ? c + 3 : end;
				continue;
			}
			gt = memchr(p, '>', (size_t)(end - p));
			if (!gt)
				break;
			const char *t = p + 1;
			if (t < gt && *t == '/') {
				closing = true;
				t++;
			}
			while (t < gt && k < sizeof name - 1 && (isalnum((unsigned char)*t)))
				name[k++] = (char)tolower((unsigned char)*t++);
			name[k] = '\0';
			if (skip_until[0]) {
				if (closing && !strcmp(name, skip_until))
					skip_until[0] = '\0';
				p = gt + 1;
				continue;
			}
			if (!closing && in_list(hidden, name) && gt[-1] != '/')
				snprintf(skip_until, sizeof skip_until, "%s", name);
			else if (in_list(blocks, name)) {
				if (b.len && b.data[b.len - 1] != '\n')
					vg_buf_putc(&b, '\n');
				space = false;
			} else if (!strcmp(name, "td") || !strcmp(name, "th"))
				space = true;
			else if (!strcmp(name, "a")) {
				if (!closing)
					tag_href(p + 1, (size_t)(gt - p - 1), href, sizeof href);
				else if (href[0]) {
					if (strncasecmp(href, "http", 4) == 0 || strncasecmp(href, "mailto:", 7) == 0)
						vg_buf_printf(&b, " <%s>", href);
					href[0] = '\0';
				}
			}
			p = gt + 1;
			continue;
		}
		if (skip_until[0]) {
			p++;
			continue;
		}
		if (isspace((unsigned char)*p)) {
			space = true;
			p++;
			continue;
		}
		if (space && b.len && b.data[b.len - 1] != '\n')
			vg_buf_putc(&b, ' ');
		space = false;
		if (*p == '&') {
			size_t n = entity(p + 1, end, &b);
			if (n) {
				p += n + 1;
				continue;
			}
		}
		if ((unsigned char)*p >= 0x20 || *p == '\t')
			vg_buf_putc(&b, *p);
		p++;
	}
	/* trim trailing blank lines */
	while (b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == ' '))
		b.data[--b.len] = '\0';
	if (!b.data)
		return strdup("");
	return vg_buf_steal(&b);
}

bool vg_ref_find(const char *text, const char *prefix, char *out, size_t outsz)
{
	size_t pl = strlen(prefix);
	if (!text || !pl)
		return false;
	for (const char *p = text; (p = strcasestr(p, prefix)) != NULL; p++) {
		const char *q = p + pl;
		size_t digits = 0;
		if (p > text && (isalnum((unsigned char)p[-1])))
			continue;
		if (*q != '-')
			continue;
		q++;
		for (int i = 0; i < 4; i++)
			if (!isdigit((unsigned char)q[i]))
				goto next;
		if (q[4] != '-')
			continue;
		q += 5;
		while (isdigit((unsigned char)q[digits]))
			digits++;
		if (digits < 1 || digits > 12 || isalnum((unsigned char)q[digits]))
			continue;
		if ((size_t)(q + digits - p) + 1 > outsz)
			return false;
		memcpy(out, p, (size_t)(q + digits - p));
		out[q + digits - p] = '\0';
		/* canonical upper-case prefix */
		for (size_t i = 0; i < pl; i++)
			out[i] = (char)toupper((unsigned char)out[i]);
		return true;
	next:;
	}
	return false;
}
