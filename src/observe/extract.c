/* Extraction of observable candidates from free text. The text is refanged
 * first (with a map back to the original offsets), then scanned once: URLs
 * by their scheme, everything else as "tokens" (runs of characters that can
 * make up an address, a name or a hash) classified by shape and validated by
 * the type's normaliser. Nothing is written: the analyst confirms. */
#include "observe/internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/hash.h"
#include "core/ip.h"
#include "core/limits.h"
#include "registry/names.h"

/* Generic top-level domains accepted in prose (every two-letter ccTLD and
 * every xn-- TLD is accepted too). A word.word pair with another ending is
 * more often a typo than a domain. */
static const char *const gtlds[] = {
	"com", "net", "org", "info", "biz", "gov", "edu", "mil", "int", "arpa", "name", "pro", "mobi", "asia",
	"aero", "coop", "museum", "jobs", "travel", "tel", "cat", "post", "xxx", "app", "dev", "page", "cloud",
	"online", "site", "website", "space", "store", "shop", "tech", "top", "xyz", "club", "live", "life",
	"world", "today", "news", "email", "link", "click", "help", "support", "services", "solutions", "network",
	"digital", "agency", "company", "business", "center", "group", "zone", "run", "fun", "icu", "vip", "win",
	"bid", "loan", "work", "men", "date", "party", "trade", "review", "racing", "download", "stream", "science",
	"cricket", "faith", "accountant", "gdn", "rest", "bar", "buzz", "guru", "ninja", "rocks", "social", "media",
	"blog", "host", "hosting", "server", "systems", "software", "security", "cyber", "bank", "finance",
	"money", "capital", "credit", "insure", "legal", "law", "health", "care", "clinic", "city", "paris",
	"bzh", "alsace", "corsica", "berlin", "london", "nyc", "tokyo", "moscow", "eus", "gal", "quebec", "swiss",
	"africa", "lat", "mov", "zip", "google", "microsoft", "amazon", "apple", "goog", "azure", "office", "windows",
	"ovh", "sbs", "cfd", "cyou", "monster", "quest", "beauty", "hair", "skin", "makeup", "lol", "pics", "photo",
	"photos", "pictures", "gallery", "game", "games", "casino", "bet", "poker", "porn", "sex", "adult", "wiki",
	"one", "ltd", "llc", "inc", "gmbh", "global", "international", "ventures", "institute", "university",
	"school", "academy", "education", "events", "foundation", "fund", "gives", "charity", "ngo", "ong",
	"energy", "green", "solar", "travel", "tours", "holiday", "express", "delivery", "direct", "market",
	"markets", "exchange", "trading", "tax", "vote", "voto", "gouv", "eco", "red", "blue", "pink", "black",
	NULL,
};

/* Endings that make a dotted word a file name rather than a domain. Endings
 * that are also country codes (.pl, .py, .sh, .rs, .md, ...) stay domains. */
static const char *const file_exts[] = {
	"exe", "dll", "scr", "bat", "cmd", "ps1", "psm1", "vbs", "vbe", "js", "jse", "wsf", "wsh", "hta", "lnk",
	"jar", "msi", "msp", "msix", "appx", "iso", "img", "vhd", "vhdx", "zip", "rar", "7z", "gz", "tgz", "bz2",
	"xz", "tar", "cab", "doc", "docx", "docm", "dot", "dotm", "xls", "xlsx", "xlsm", "xlsb", "xlam", "ppt",
	"pptx", "pptm", "pdf", "rtf", "txt", "csv", "eml", "msg", "html", "htm", "svg", "png", "jpg", "jpeg", "gif",
	"bmp", "apk", "dmg", "pkg", "elf", "bin", "dat", "tmp", "log", "one", "chm", "reg", "iqy", "slk", "xll",
	"wll", "sys", "drv", "ocx", "cpl", "php", "asp", "aspx", "jsp", "jspx", "cgi", "json", "xml", "yml",
	"yaml", "conf", "cfg", "ini", "db", "sqlite", "bak", "old", "mov", "mp4", "mp3", "wav", "ova", "vmdk",
	"py", "sh", "pl", "ps", "rs", "so", "dylib", "deb", "rpm",
	NULL,
};
/* Of those, the ones that are also country-code TLDs: a file name only when
 * the word has a single dot and no path around it would not help, so they are
 * domains when they have three labels or more. */
static const char *const ambiguous_exts[] = {"py", "sh", "pl", "ps", "rs", "so", NULL};

static bool in_list(const char *const *list, const char *s, size_t n)
{
	for (size_t i = 0; list[i]; i++)
		if (strlen(list[i]) == n && strncasecmp(list[i], s, n) == 0)
			return true;
	return false;
}

typedef struct ex {
	const char *orig;     /* the caller's text */
	const char *txt;      /* refanged */
	const uint32_t *off;  /* refanged byte -> original offset */
	size_t n;             /* refanged length */
	size_t origlen;
	const vg_obs_warnlist *wl;
	vg_arena *a;
	vg_map seen;
	vg_obs_candidate *items;
	size_t len, cap;
	bool truncated;
	vg_err err;
} ex;

static bool tok_char(unsigned char c)
{
	return isalnum(c) || c == '.' || c == '-' || c == '_' || c == ':' || c == '/' || c == '@' || c == '%' ||
	       c == '+' || c == '\\' || c >= 0x80;
}

static void add(ex *x, vg_obs_type t, const char *norm, size_t start, size_t end)
{
	char key[VG_OBS_VALUE_BUF + 2];
	size_t kl = strlen(norm), o0, o1;
	vg_obs_candidate *c;
	if (x->err || kl + 2 > sizeof key)
		return;
	key[0] = (char)('a' + t);
	memcpy(key + 1, norm, kl);
	if (vg_map_has(&x->seen, key, kl + 1))
		return;
	if (x->len >= VG_OBS_EXTRACT_MAX) {
		x->truncated = true;
		return;
	}
	if (vg_map_put(&x->seen, key, kl + 1, NULL, NULL)) {
		x->err = VG_ERR_NOMEM;
		return;
	}
	if (x->len == x->cap) {
		size_t nc = x->cap ? x->cap * 2 : 32;
		vg_obs_candidate *ni = realloc(x->items, nc * sizeof *ni);
		if (!ni) {
			x->err = VG_ERR_NOMEM;
			return;
		}
		x->items = ni;
		x->cap = nc;
	}
	o0 = x->off[start];
	o1 = end < x->n ? x->off[end] : x->origlen;
	if (o1 <= o0)
		o1 = x->off[end - 1] + 1;
	c = &x->items[x->len];
	c->type = t;
	c->offset = o0;
	c->length = o1 - o0;
	c->value = vg_arena_strndup(x->a, x->orig + o0, o1 - o0);
	c->normalized = vg_arena_strdup(x->a, norm);
	c->defanged = (o1 - o0 != end - start) || memcmp(x->orig + o0, x->txt + start, end - start) != 0;
	c->common = x->wl ? vg_obs_warnlist_match(x->wl, t, norm) : NULL;
	if (!c->value || !c->normalized) {
		x->err = VG_ERR_NOMEM;
		return;
	}
	x->len++;
}

static bool try_add(ex *x, vg_obs_type t, const char *s, size_t n, size_t start, size_t end)
{
	char norm[VG_OBS_VALUE_BUF];
	if (n == 0 || vg_obs_normalize(t, s, n, norm, sizeof norm, NULL, NULL) != VG_OK)
		return false;
	add(x, t, norm, start, end);
	return true;
}

static const char *const url_schemes[] = {"https://", "http://", "ftps://", "ftp://", "sftp://", "wss://", "ws://", NULL};

static size_t url_at(ex *x, size_t i)
{
	const char *t = x->txt;
	size_t e, limit;
	bool ok = false;
	for (size_t k = 0; url_schemes[k]; k++) {
		size_t l = strlen(url_schemes[k]);
		if (i + l < x->n && strncasecmp(t + i, url_schemes[k], l) == 0) {
			ok = true;
			e = i + l;
			break;
		}
	}
	if (!ok)
		return 0;
	limit = i + VG_OBS_VALUE_MAX < x->n ? i + VG_OBS_VALUE_MAX : x->n;
	while (e < limit) {
		unsigned char c = (unsigned char)t[e];
		if (c <= ' ' || c == 0x7f || strchr("<>\"'`|^{}\\", c))
			break;
		e++;
	}
	/* trailing punctuation belongs to the sentence; a ')' or ']' only when unbalanced */
	while (e > i) {
		unsigned char c = (unsigned char)t[e - 1];
		if (strchr(".,;:!?*", c)) {
			e--;
		} else if (c == ')' || c == ']') {
			char open = c == ')' ? '(' : '[';
			int bal = 0;
			for (size_t k = i; k < e; k++)
				bal += t[k] == open ? 1 : t[k] == (char)c ? -1 : 0;
			if (bal < 0)
				e--;
			else
				break;
		} else {
			break;
		}
	}
	return e;
}

static bool tld_ok(const char *s, size_t n)
{
	const char *dot = NULL;
	size_t tl;
	for (size_t i = n; i > 0; i--)
		if (s[i - 1] == '.') {
			dot = s + i;
			break;
		}
	if (!dot)
		return false;
	tl = (size_t)(s + n - dot);
	if (tl >= 4 && strncasecmp(dot, "xn--", 4) == 0)
		return true;
	for (size_t i = 0; i < tl; i++)
		if (!isalpha((unsigned char)dot[i]))
			return (unsigned char)dot[i] >= 0x80; /* IDN TLD */
	return tl == 2 || in_list(gtlds, dot, tl);
}

static bool is_fileish(const char *s, size_t n)
{
	const char *dot = memrchr(s, '.', n);
	size_t el, labels = 1;
	if (!dot || dot == s)
		return false;
	el = (size_t)(s + n - dot - 1);
	if (!in_list(file_exts, dot + 1, el))
		return false;
	for (size_t i = 0; i < n; i++)
		labels += s[i] == '.';
	return !(in_list(ambiguous_exts, dot + 1, el) && labels >= 3);
}

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (vg_obs_hexval((unsigned char)s[i]) < 0)
			return false;
	return true;
}

static void host_like(ex *x, const char *s, size_t n, size_t start, size_t end)
{
	vg_ip ip;
	if (n > 0 && s[0] >= '0' && s[0] <= '9' && vg_ip_parse(s, n, &ip, NULL) == VG_OK) {
		try_add(x, ip.family == 4 ? VG_OBS_IPV4 : VG_OBS_IPV6, s, n, start, end);
		return;
	}
	if (!memchr(s, '.', n))
		return;
	if (is_fileish(s, n))
		try_add(x, VG_OBS_FILENAME, s, n, start, end);
	else if (tld_ok(s, n))
		try_add(x, VG_OBS_DOMAIN, s, n, start, end);
}

static void classify(ex *x, size_t start, size_t end)
{
	const char *s = x->txt + start;
	size_t n = end - start;
	const char *p;
	size_t colons = 0;

	if (n >= 13 && strncasecmp(s, "CVE-", 4) == 0) {
		try_add(x, VG_OBS_CVE, s, n, start, end);
		return;
	}
	if ((p = memrchr(s, '\\', n)) != NULL) {
		size_t bl = (size_t)(s + n - p - 1);
		if (bl > 0 && is_fileish(p + 1, bl))
			try_add(x, VG_OBS_FILENAME, p + 1, bl, start + (size_t)(p + 1 - s), end);
		return;
	}
	if ((p = memchr(s, '@', n)) != NULL) {
		size_t ls = 0;
		if (n > 7 && strncasecmp(s, "mailto:", 7) == 0)
			ls = 7;
		if (p > s + ls && tld_ok(p + 1, (size_t)(s + n - p - 1)) &&
		    try_add(x, VG_OBS_EMAIL, s + ls, n - ls, start + ls, end)) {
			size_t ds = (size_t)(p + 1 - s);
			try_add(x, VG_OBS_DOMAIN, p + 1, n - ds, start + ds, end);
		}
		return;
	}
	for (size_t i = 0; i < n; i++)
		colons += s[i] == ':';
	if ((p = memchr(s, '/', n)) != NULL) {
		size_t hl = (size_t)(p - s);
		bool digits = n - hl - 1 > 0 && n - hl - 1 <= 3;
		for (size_t i = hl + 1; i < n && digits; i++)
			digits = isdigit((unsigned char)s[i]) != 0;
		if (digits && try_add(x, VG_OBS_CIDR, s, n, start, end))
			return;
		if (colons == 0)
			host_like(x, s, hl, start, start + hl);
		return;
	}
	if (colons >= 2) {
		try_add(x, VG_OBS_IPV6, s, n, start, end);
		return;
	}
	if (colons == 1) {
		size_t hl;
		p = memchr(s, ':', n);
		hl = (size_t)(s + n - p - 1);
		if ((hl == 32 || hl == 40 || hl == 64 || hl == 128) && all_hex(p + 1, hl)) { /* "sha256:<hex>" */
			size_t hs = (size_t)(p + 1 - s);
			vg_obs_type t = hl == 32 ? VG_OBS_MD5 : hl == 40 ? VG_OBS_SHA1 : hl == 64 ? VG_OBS_SHA256 : VG_OBS_SHA512;
			try_add(x, t, p + 1, hl, start + hs, end);
			return;
		}
		host_like(x, s, (size_t)(p - s), start, start + (size_t)(p - s));
		return;
	}
	if ((n == 32 || n == 40 || n == 64 || n == 128) && all_hex(s, n)) {
		vg_obs_type t = n == 32 ? VG_OBS_MD5 : n == 40 ? VG_OBS_SHA1 : n == 64 ? VG_OBS_SHA256 : VG_OBS_SHA512;
		try_add(x, t, s, n, start, end);
		return;
	}
	if (n >= 3 && n <= 12 && s[0] == 'A' && s[1] == 'S' && isdigit((unsigned char)s[2])) {
		try_add(x, VG_OBS_ASN, s, n, start, end);
		return;
	}
	host_like(x, s, n, start, end);
}

/* "AS 64500" / "ASN 64500" / "ASN: 64500" across a space. */
static size_t asn_spaced(ex *x, size_t i, size_t e)
{
	const char *t = x->txt;
	size_t j = e, k;
	if (!((e - i == 2 && t[i] == 'A' && t[i + 1] == 'S') || (e - i == 3 && strncmp(t + i, "ASN", 3) == 0) ||
	      (e - i == 4 && strncmp(t + i, "ASN:", 4) == 0)))
		return 0;
	while (j < x->n && j - e < 3 && (t[j] == ' ' || t[j] == ':'))
		j++;
	if (j == e)
		return 0;
	k = j;
	while (k < x->n && k - j < 11 && isdigit((unsigned char)t[k]))
		k++;
	if (k == j || (k < x->n && tok_char((unsigned char)t[k]) && t[k] != '.' && t[k] != ':'))
		return 0;
	return try_add(x, VG_OBS_ASN, t + j, k - j, i, k) ? k : 0;
}

vg_err vg_obs_extract(const char *text, size_t len, const vg_obs_warnlist *wl, vg_arena *a,
		      vg_obs_candidates *out, vg_diag *d)
{
	ex x;
	char *buf = NULL;
	uint32_t *off = NULL;
	size_t i = 0;
	vg_err e = VG_OK;

	memset(out, 0, sizeof *out);
	if (len > VG_OBS_TEXT_MAX)
		return vg_diag_set(d, VG_ERR_LIMIT, "text", "text longer than %d bytes", VG_OBS_TEXT_MAX);
	memset(&x, 0, sizeof x);
	vg_map_init(&x.seen);
	buf = malloc(len + 1);
	off = malloc((len + 1) * sizeof *off);
	if (!buf || !off) {
		e = vg_diag_set(d, VG_ERR_NOMEM, "text", "out of memory");
		goto out;
	}
	x.orig = text;
	x.origlen = len;
	x.n = vg_obs_refang(text, len, buf, len + 1, off);
	x.txt = buf;
	x.off = off;
	x.wl = wl;
	x.a = a;
	while (i < x.n && !x.err) {
		unsigned char c = (unsigned char)buf[i];
		size_t e2, s2;
		if (!tok_char(c) || (i > 0 && tok_char((unsigned char)buf[i - 1]) && buf[i - 1] != '/' &&
				     buf[i - 1] != ':' && buf[i - 1] != '\\')) {
			i++;
			continue;
		}
		if ((c == 'h' || c == 'H' || c == 'f' || c == 'F' || c == 's' || c == 'S' || c == 'w' || c == 'W') &&
		    (e2 = url_at(&x, i)) > i) {
			if (!try_add(&x, VG_OBS_URL, buf + i, e2 - i, i, e2)) {
				/* not a valid URL: still look at its host */
				i += strcspn(buf + i, ":") + 3;
				continue;
			}
			i = e2;
			continue;
		}
		e2 = i;
		while (e2 < x.n && tok_char((unsigned char)buf[e2]) && e2 - i < VG_OBS_VALUE_MAX)
			e2++;
		if ((s2 = asn_spaced(&x, i, e2)) > 0) {
			i = s2;
			continue;
		}
		{
			size_t s0 = i, e0 = e2;
			while (s0 < e0 && !isalnum((unsigned char)buf[s0]) && (unsigned char)buf[s0] < 0x80 &&
			       buf[s0] != '\\' && !(buf[s0] == ':' && s0 + 1 < e0 && buf[s0 + 1] == ':'))
				s0++;
			while (e0 > s0 && strchr(".:-_/@%+\\", buf[e0 - 1]) && !(e0 - s0 >= 2 && buf[e0 - 1] == ':' && buf[e0 - 2] == ':'))
				e0--;
			if (e0 > s0)
				classify(&x, s0, e0);
		}
		i = e2;
	}
	if (x.err) {
		e = vg_diag_set(d, x.err, "text", "out of memory");
		goto out;
	}
	out->len = x.len;
	out->truncated = x.truncated;
	if (x.len) {
		out->items = vg_arena_alloc(a, x.len * sizeof *out->items);
		if (!out->items) {
			e = vg_diag_set(d, VG_ERR_NOMEM, "text", "out of memory");
			out->len = 0;
			goto out;
		}
		memcpy(out->items, x.items, x.len * sizeof *out->items);
	}
out:
	free(buf);
	free(off);
	free(x.items);
	vg_map_fini(&x.seen);
	return e;
}
