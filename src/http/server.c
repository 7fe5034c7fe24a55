/* The daemon: libmicrohttpd with its own polling thread and a pool of worker
 * threads (epoll where available), one route table, TLS when a certificate is
 * configured. The request pipeline itself is in pipeline.c. */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "core/config.h"
#include "core/log.h"
#include "http/http.h"
#include "http/internal.h"

#ifndef VIGIE_VERSION
#define VIGIE_VERSION "0.0.0"
#endif

const char *vg_version(void)
{
	return VIGIE_VERSION;
}

static vg_err read_pem(const char *path, char **out, vg_diag *d)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n;
	*out = NULL;
	if (!f)
		return vg_diag_set(d, VG_ERR_IO, "tls", "cannot open %s", path);
	buf = malloc(VG_TLS_FILE_MAX + 1);
	if (!buf) {
		fclose(f);
		return vg_diag_set(d, VG_ERR_NOMEM, "tls", "out of memory");
	}
	n = fread(buf, 1, VG_TLS_FILE_MAX + 1, f);
	fclose(f);
	if (n == 0 || n > VG_TLS_FILE_MAX) {
		free(buf);
		return vg_diag_set(d, VG_ERR_INVALID, "tls", "%s is empty or larger than %d bytes", path,
				   VG_TLS_FILE_MAX);
	}
	buf[n] = '\0';
	*out = buf;
	return VG_OK;
}

static vg_err parse_proxies(vg_server *s, const char *list, vg_diag *d)
{
	char tmp[VG_CONFIG_VALUE_MAX], *save = NULL, *tok;
	if (!list || !*list)
		return VG_OK;
	if (strlen(list) >= sizeof tmp)
		return vg_diag_set(d, VG_ERR_LIMIT, "trusted_proxies", "list too long");
	snprintf(tmp, sizeof tmp, "%s", list);
	for (tok = strtok_r(tmp, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		if (s->nproxies >= VG_TRUSTED_PROXIES_MAX)
			return vg_diag_set(d, VG_ERR_LIMIT, "trusted_proxies", "more than %d prefixes",
					   VG_TRUSTED_PROXIES_MAX);
		if (vg_cidr_parse(tok, 0, false, &s->proxies[s->nproxies], NULL))
			return vg_diag_set(d, VG_ERR_INVALID, "trusted_proxies", "not a CIDR prefix: \"%.64s\"", tok);
		s->nproxies++;
	}
	return VG_OK;
}

bool vg_http_trusted(const vg_server *s, const vg_ip *ip)
{
	for (int i = 0; s && i < s->nproxies; i++)
		if (vg_cidr_contains(&s->proxies[i], ip))
			return true;
	return false;
}

/* An IPv4-mapped IPv6 address (dual-stack socket) is treated as IPv4. */
static void unmap(vg_ip *ip)
{
	static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (ip->family == 6 && memcmp(ip->bytes, prefix, 12) == 0) {
		uint8_t v4[4];
		memcpy(v4, ip->bytes + 12, 4);
		memset(ip->bytes, 0, sizeof ip->bytes);
		memcpy(ip->bytes, v4, 4);
		ip->family = 4;
	}
}

static bool parse_hop(const char *s, size_t n, vg_ip *out)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= VG_IP_STRLEN)
		return false;
	if (vg_ip_parse(s, n, out, NULL))
		return false;
	unmap(out);
	return true;
}

void vg_http_xff_pick(const vg_server *s, const vg_ip *peer, const char *xff, vg_ip *out)
{
	size_t end;
	*out = *peer;
	if (!xff || !vg_http_trusted(s, peer))
		return;
	end = strlen(xff);
	for (int hops = 0; hops < VG_XFF_HOPS_MAX; hops++) {
		size_t start = end;
		vg_ip ip;
		while (start > 0 && xff[start - 1] != ',')
			start--;
		if (!parse_hop(xff + start, end - start, &ip))
			return;
		*out = ip;
		if (!vg_http_trusted(s, &ip) || start == 0)
			return;
		end = start - 1;
	}
}

typedef struct xff_acc {
	char buf[1024];
	size_t len;
	bool overflow;
} xff_acc;

static enum MHD_Result xff_collect(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	xff_acc *a = cls;
	size_t vl;
	(void)kind;
	if (!key || !value || strcasecmp(key, "X-Forwarded-For") != 0)
		return MHD_YES;
	vl = strlen(value);
	if (a->len + vl + 2 >= sizeof a->buf) {
		a->overflow = true;
		return MHD_NO;
	}
	if (a->len)
		a->buf[a->len++] = ',';
	memcpy(a->buf + a->len, value, vl);
	a->len += vl;
	a->buf[a->len] = '\0';
	return MHD_YES;
}

void vg_http_client_ip(const vg_server *s, struct MHD_Connection *conn, char *out, size_t outsz)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	vg_ip peer = {0}, client;
	snprintf(out, outsz, "%s", "-");
	if (!sa)
		return;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
		peer.family = 4;
		memcpy(peer.bytes, &in->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
		peer.family = 6;
		memcpy(peer.bytes, &in6->sin6_addr, 16);
		unmap(&peer);
	} else {
		return;
	}
	client = peer;
	if (s->nproxies && vg_http_trusted(s, &peer)) {
		xff_acc acc = {.len = 0, .overflow = false};
		acc.buf[0] = '\0';
		MHD_get_connection_values(conn, MHD_HEADER_KIND, xff_collect, &acc);
		/* an oversized list cannot be trusted to end with our proxies' hops */
		if (!acc.overflow && acc.len)
			vg_http_xff_pick(s, &peer, acc.buf, &client);
	}
	vg_ip_format(&client, out, outsz);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;
	(void)cls;
	vsnprintf(msg, sizeof msg, fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	/* connection-level noise (clients closing early, malformed requests
	 * answered 400 by libmicrohttpd): visible at debug level */
	VG_DEBUG("microhttpd: %s", msg);
}

/* Keep the URL and its arguments raw: the router decodes each path segment
 * on its own and vg_req_query decodes values (see router.c). */
static size_t no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

static vg_err resolve(const char *listen, struct sockaddr_storage *ss, bool *v6, vg_diag *d)
{
	char host[128];
	unsigned port;
	struct addrinfo hints, *res = NULL;
	int rc;
	if (vg_parse_hostport(listen, host, sizeof host, &port))
		return vg_diag_set(d, VG_ERR_INVALID, "listen", "expected HOST:PORT, got \"%.64s\"", listen);
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0 || !res)
		return vg_diag_set(d, VG_ERR_INVALID, "listen", "cannot resolve %s: %s", host, gai_strerror(rc));
	memset(ss, 0, sizeof *ss);
	memcpy(ss, res->ai_addr, res->ai_addrlen <= sizeof *ss ? res->ai_addrlen : sizeof *ss);
	*v6 = res->ai_family == AF_INET6;
	if (*v6)
		((struct sockaddr_in6 *)(void *)ss)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)(void *)ss)->sin_port = htons((uint16_t)port);
	freeaddrinfo(res);
	return VG_OK;
}

vg_err vg_server_start(vg_app *app, const vg_route *routes, const vg_server_options *o, vg_server **out,
		       vg_diag *d)
{
	vg_server *s = NULL;
	struct sockaddr_storage ss;
	struct MHD_OptionItem ops[16];
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	unsigned threads, timeout;
	int n = 0;
	bool v6 = false;
	const union MHD_DaemonInfo *di;
	vg_err e;

	*out = NULL;
	if (!app || !routes || !o)
		return vg_diag_set(d, VG_ERR_INVALID, NULL, "server: missing application, routes or options");
	s = calloc(1, sizeof *s);
	if (!s)
		return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
	s->app = app;
	s->routes = routes;
	s->default_max_body = o->default_max_body ? o->default_max_body : VG_HTTP_BODY_DEFAULT;
	e = parse_proxies(s, o->trusted_proxies, d);
	if (e)
		goto fail;
	e = resolve(o->listen ? o->listen : "127.0.0.1:8080", &ss, &v6, d);
	if (e)
		goto fail;
	s->metrics = vg_metrics_new(routes);
	if (!s->metrics) {
		e = vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
		goto fail;
	}
	if (o->tls_cert && *o->tls_cert) {
		if (!o->tls_key || !*o->tls_key) {
			e = vg_diag_set(d, VG_ERR_INVALID, "tls_key", "a TLS certificate needs its key");
			goto fail;
		}
		if ((e = read_pem(o->tls_cert, &s->cert_pem, d)) || (e = read_pem(o->tls_key, &s->key_pem, d)))
			goto fail;
		s->tls = true;
		flags |= MHD_USE_TLS;
	}
	if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
		flags |= MHD_USE_EPOLL;
	else
		flags |= MHD_USE_POLL;
	if (v6)
		flags |= MHD_USE_IPv6;
	threads = o->threads > 0 ? (unsigned)o->threads : 1;
	timeout = o->request_timeout_s ? o->request_timeout_s : VG_HTTP_TIMEOUT_S;

	ops[n++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &ss};
	if (threads > 1)
		ops[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)threads, NULL};
	ops[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, VG_HTTP_CONNECTIONS_MAX, NULL};
	ops[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)timeout, NULL};
	ops[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)vg_http_on_completed, s};
	ops[n++] = (struct MHD_OptionItem){MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)no_unescape, NULL};
	if (s->tls) {
		ops[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, s->cert_pem};
		ops[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, s->key_pem};
	}
	ops[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};

	s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, vg_http_on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				     MHD_OPTION_ARRAY, ops,
				     MHD_OPTION_END);
	if (!s->daemon) {
		e = vg_diag_set(d, VG_ERR_IO, "listen", "cannot listen on %s (address in use, bad TLS files or no permission)",
				o->listen ? o->listen : "127.0.0.1:8080");
		goto fail;
	}
	di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : 0;
	*out = s;
	return VG_OK;
fail:
	vg_server_stop(s);
	return e;
}

unsigned vg_server_port(const vg_server *s)
{
	return s ? s->port : 0;
}

void vg_server_stop(vg_server *s)
{
	if (!s)
		return;
	if (s->daemon)
		MHD_stop_daemon(s->daemon);
	vg_metrics_free(s->metrics);
	free(s->cert_pem);
	if (s->key_pem)
		explicit_bzero(s->key_pem, strlen(s->key_pem));
	free(s->key_pem);
	free(s);
}

char *vg_server_metrics_text(vg_server *s, vg_arena *a)
{
	vg_buf b;
	char *out = NULL;
	if (!s || !a)
		return NULL;
	vg_buf_init(&b, VG_METRICS_TEXT_MAX);
	if (vg_metrics_render(s->metrics, &b) == VG_OK)
		out = vg_arena_strndup(a, vg_buf_cstr(&b), b.len);
	vg_buf_fini(&b);
	return out;
}
