/* Warning lists: values that are everywhere (resolvers, CDNs, private and
 * documentation ranges, example domains) and therefore correlate nothing.
 * The shipped lists (the .txt files of etc/warninglists) are compiled in by vg-embed. */
#include "observe/internal.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/ip.h"
#include "core/limits.h"
#include "http/assets.h" /* the vg_asset type only (header, no link dependency) */
#include "registry/names.h"

extern const vg_asset vg_obs_warnlist_assets[];

typedef struct wl_net {
	vg_cidr cidr;
	const char *name;
} wl_net;

struct vg_obs_warnlist {
	wl_net *nets;
	size_t nnets, capnets;
	vg_map domains; /* name -> list name; key prefixed '=' for exact entries */
	vg_vec names;   /* owned list names */
};

vg_err vg_obs_warnlist_new(vg_obs_warnlist **out)
{
	vg_obs_warnlist *wl = calloc(1, sizeof *wl);
	if (!wl)
		return VG_ERR_NOMEM;
	vg_map_init(&wl->domains);
	vg_vec_init(&wl->names);
	*out = wl;
	return VG_OK;
}

void vg_obs_warnlist_free(vg_obs_warnlist *wl)
{
	if (!wl)
		return;
	free(wl->nets);
	vg_map_fini(&wl->domains);
	for (size_t i = 0; i < wl->names.len; i++)
		free(wl->names.items[i]);
	vg_vec_fini(&wl->names);
	free(wl);
}

size_t vg_obs_warnlist_size(const vg_obs_warnlist *wl)
{
	return wl ? wl->nnets + wl->domains.len : 0;
}

static vg_err add_net(vg_obs_warnlist *wl, const vg_cidr *c, const char *name)
{
	if (wl->nnets == wl->capnets) {
		size_t nc = wl->capnets ? wl->capnets * 2 : 64;
		wl_net *nn = realloc(wl->nets, nc * sizeof *nn);
		if (!nn)
			return VG_ERR_NOMEM;
		wl->nets = nn;
		wl->capnets = nc;
	}
	wl->nets[wl->nnets].cidr = *c;
	wl->nets[wl->nnets].name = name;
	wl->nnets++;
	return VG_OK;
}

vg_err vg_obs_warnlist_add_text(vg_obs_warnlist *wl, const char *text, size_t len, const char *file, vg_diag *d)
{
	const char *name = "warning-list";
	size_t pos = 0;
	unsigned line = 0;
	vg_err e = VG_OK;
	while (pos < len && !e) {
		const char *ls = text + pos, *le = memchr(ls, '\n', len - pos), *kw, *arg;
		size_t ll, kl, al;
		if (!le)
			le = text + len;
		pos = (size_t)(le - text) + 1;
		if (++line > VG_OBS_WARNLIST_LINES_MAX) {
			e = vg_diag_set(d, VG_ERR_LIMIT, NULL, "more than %d lines", VG_OBS_WARNLIST_LINES_MAX);
			break;
		}
		ll = (size_t)(le - ls);
		vg_obs_trim(&ls, &ll);
		if (ll == 0 || ls[0] == '#')
			continue;
		kw = ls;
		kl = 0;
		while (kl < ll && !isspace((unsigned char)kw[kl]))
			kl++;
		arg = kw + kl;
		al = ll - kl;
		vg_obs_trim(&arg, &al);
		if (al == 0) {
			e = vg_diag_set(d, VG_ERR_INVALID, NULL, "missing value after '%.*s'", (int)(kl > 16 ? 16 : kl), kw);
		} else if (kl == 4 && memcmp(kw, "name", 4) == 0) {
			char *n = strndup(arg, al);
			if (!n || vg_vec_push(&wl->names, n)) {
				free(n);
				e = VG_ERR_NOMEM;
			} else {
				name = n;
			}
		} else if (kl == 4 && memcmp(kw, "cidr", 4) == 0) {
			vg_cidr c;
			e = vg_cidr_parse(arg, al, true, &c, d);
			if (!e)
				e = add_net(wl, &c, name);
		} else if ((kl == 6 && memcmp(kw, "domain", 6) == 0) || (kl == 5 && memcmp(kw, "exact", 5) == 0)) {
			char dom[VG_DOMAIN_BUF + 1];
			dom[0] = '=';
			e = vg_domain_normalize(arg, al, true, dom + 1, sizeof dom - 1, "domain", d);
			if (!e) {
				bool exact = kl == 5;
				e = vg_map_put(&wl->domains, exact ? dom : dom + 1, strlen(dom + 1) + exact, (void *)name,
					       NULL);
			}
		} else {
			e = vg_diag_set(d, VG_ERR_INVALID, NULL, "unknown directive '%.*s'", (int)(kl > 16 ? 16 : kl),
					kw);
		}
		if (e)
			vg_diag_at(d, file, line);
	}
	return e;
}

static const char *match_domain(const vg_obs_warnlist *wl, const char *dom)
{
	char key[VG_DOMAIN_BUF + 1];
	const char *p = dom;
	size_t n = strlen(dom);
	const char *hit;
	if (n + 1 < sizeof key) {
		key[0] = '=';
		memcpy(key + 1, dom, n);
		if ((hit = vg_map_get(&wl->domains, key, n + 1)) != NULL)
			return hit;
	}
	while (p && *p) {
		if ((hit = vg_map_get(&wl->domains, p, strlen(p))) != NULL)
			return hit;
		p = strchr(p, '.');
		if (p)
			p++;
	}
	return NULL;
}

static const char *match_ip_text(const vg_obs_warnlist *wl, const char *s, bool cidr)
{
	vg_cidr c;
	if (cidr) {
		if (vg_cidr_parse(s, 0, false, &c, NULL))
			return NULL;
	} else {
		if (vg_ip_parse(s, 0, &c.addr, NULL))
			return NULL;
		c.prefix = (uint8_t)vg_ip_bits(&c.addr);
	}
	for (size_t i = 0; i < wl->nnets; i++)
		if (vg_cidr_covers(&wl->nets[i].cidr, &c))
			return wl->nets[i].name;
	return NULL;
}

const char *vg_obs_warnlist_match(const vg_obs_warnlist *wl, vg_obs_type t, const char *v)
{
	char host[VG_DOMAIN_BUF + 2];
	if (!wl || !v)
		return NULL;
	switch (t) {
	case VG_OBS_IPV4:
	case VG_OBS_IPV6:
		return match_ip_text(wl, v, false);
	case VG_OBS_CIDR:
		return match_ip_text(wl, v, true);
	case VG_OBS_DOMAIN:
		return match_domain(wl, v);
	case VG_OBS_EMAIL: {
		const char *at = strrchr(v, '@');
		return at ? match_domain(wl, at + 1) : NULL;
	}
	case VG_OBS_URL:
		if (!vg_obs_url_host(v, host, sizeof host))
			return NULL;
		if (isdigit((unsigned char)host[0]) || strchr(host, ':'))
			return match_ip_text(wl, host, false);
		return match_domain(wl, host);
	default:
		return NULL;
	}
}

static pthread_once_t default_once = PTHREAD_ONCE_INIT;
static vg_obs_warnlist *default_wl;

static void load_default(void)
{
	vg_obs_warnlist *wl;
	if (vg_obs_warnlist_new(&wl))
		return;
	for (const vg_asset *a = vg_obs_warnlist_assets; a->path; a++) {
		size_t n = strlen(a->path);
		if (n < 4 || strcmp(a->path + n - 4, ".txt") != 0)
			continue;
		if (vg_obs_warnlist_add_text(wl, a->data, a->len, a->path, NULL)) {
			/* a shipped list that does not parse is a bug caught by the unit test */
			continue;
		}
	}
	default_wl = wl;
}

const vg_obs_warnlist *vg_obs_warnlist_default(void)
{
	pthread_once(&default_once, load_default);
	return default_wl;
}
