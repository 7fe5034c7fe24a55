/* Syslog listeners for vigie detect (see input.h): UDP (one message per
 * datagram) and TCP (RFC 6587 octet counting or newline framing, several
 * clients served through the caller's poll). Every socket is non-blocking;
 * each TCP client has one bounded receive buffer (VG_SYSLOG_MSG_MAX plus the
 * frame header); a malformed message is counted, reported and dropped. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "detect/input.h"

#define CLIENT_BUF (VG_SYSLOG_MSG_MAX + 16) /* a whole counted frame: "65536 " + message */
#define UDP_BURST 256                       /* datagrams read per call: other sockets get their turn */
#define UDP_RCVBUF (4 * 1024 * 1024)        /* kernel buffer asked for bursts (the kernel may cap it) */

typedef struct listener {
	int fd;
	bool tcp;
	char name[80]; /* "udp:127.0.0.1:5514" */
	uint64_t recno;
} listener;

typedef struct client {
	int fd;
	size_t lst;
	char peer[INET6_ADDRSTRLEN];
	char *buf;
	size_t len;
	int64_t last; /* when it last sent something (s) */
} client;

struct vg_syslog_server {
	listener l[VG_SYSLOG_LISTENERS_MAX];
	size_t nl;
	client c[VG_SYSLOG_TCP_CLIENTS_MAX];
	size_t nc;
	char *dgram; /* UDP receive buffer */
	vg_syslog_msg msg;
	vg_buf json;
};

vg_err vg_syslog_server_new(vg_syslog_server **out)
{
	vg_syslog_server *s = calloc(1, sizeof *s);
	*out = NULL;
	if (!s || !(s->dgram = malloc(VG_SYSLOG_MSG_MAX + 1))) {
		free(s);
		return VG_ERR_NOMEM;
	}
	vg_buf_init(&s->json, 0);
	*out = s;
	return VG_OK;
}

static void client_close(vg_syslog_server *s, size_t i)
{
	close(s->c[i].fd);
	free(s->c[i].buf);
	s->c[i] = s->c[--s->nc];
}

void vg_syslog_server_free(vg_syslog_server *s)
{
	if (!s)
		return;
	while (s->nc)
		client_close(s, s->nc - 1);
	for (size_t i = 0; i < s->nl; i++)
		close(s->l[i].fd);
	vg_buf_fini(&s->json);
	free(s->dgram);
	free(s);
}

size_t vg_syslog_server_count(const vg_syslog_server *s)
{
	return s ? s->nl : 0;
}

/* "PORT", "ADDR:PORT", "[ADDR6]:PORT" into host and port strings. */
static vg_err split_spec(const char *spec, char *host, size_t hsz, char *port, size_t psz, vg_diag *d)
{
	const char *colon, *p;
	size_t hl;
	if (!spec || !*spec || strlen(spec) >= 128)
		return vg_diag_set(d, VG_ERR_INVALID, "listen", "expected PORT, ADDR:PORT or [ADDR6]:PORT");
	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');
		if (!close || close[1] != ':')
			return vg_diag_set(d, VG_ERR_INVALID, "listen", "%s: expected [ADDR6]:PORT", spec);
		hl = (size_t)(close - spec - 1);
		p = close + 2;
		memcpy(host, spec + 1, hl < hsz ? hl : hsz - 1);
		host[hl < hsz ? hl : hsz - 1] = '\0';
	} else if ((colon = strrchr(spec, ':'))) {
		if (strchr(spec, ':') != colon)
			return vg_diag_set(d, VG_ERR_INVALID, "listen", "%s: write IPv6 addresses as [ADDR6]:PORT", spec);
		hl = (size_t)(colon - spec);
		p = colon + 1;
		memcpy(host, spec, hl < hsz ? hl : hsz - 1);
		host[hl < hsz ? hl : hsz - 1] = '\0';
	} else {
		snprintf(host, hsz, "127.0.0.1"); /* a port alone: loopback */
		p = spec;
	}
	char *end;
	long v = strtol(p, &end, 10);
	if (!*p || *end || v < 1 || v > 65535)
		return vg_diag_set(d, VG_ERR_INVALID, "listen", "%s: port must be 1 to 65535", spec);
	snprintf(port, psz, "%ld", v);
	return VG_OK;
}

vg_err vg_syslog_server_listen(vg_syslog_server *s, bool tcp, const char *spec, vg_diag *d)
{
	char host[64], port[8];
	struct addrinfo hints, *ai = NULL;
	int fd = -1, one = 1, rc;
	vg_err e;
	listener *l;
	if (s->nl == VG_SYSLOG_LISTENERS_MAX)
		return vg_diag_set(d, VG_ERR_LIMIT, "listen", "at most %d listeners", VG_SYSLOG_LISTENERS_MAX);
	if ((e = split_spec(spec, host, sizeof host, port, sizeof port, d)))
		return e;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0 || !ai)
		return vg_diag_set(d, VG_ERR_INVALID, "listen", "%s: not a numeric address (%s)", spec, gai_strerror(rc));
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		e = vg_diag_set(d, VG_ERR_IO, "listen", "%s: socket: %s", spec, strerror(errno));
		goto out;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (!tcp) {
		int sz = UDP_RCVBUF;
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
	}
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || (tcp && listen(fd, 64) != 0)) {
		e = vg_diag_set(d, VG_ERR_IO, "listen", "%s %s: %s", tcp ? "tcp" : "udp", spec, strerror(errno));
		goto out;
	}
	l = &s->l[s->nl++];
	l->fd = fd;
	l->tcp = tcp;
	l->recno = 0;
	snprintf(l->name, sizeof l->name, ai->ai_family == AF_INET6 ? "%s:[%s]:%s" : "%s:%s:%s", tcp ? "tcp" : "udp",
		 host, port);
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return e;
}

size_t vg_syslog_server_pollfds(const vg_syslog_server *s, struct pollfd *pfd, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; s && i < s->nl && n < max; i++)
		pfd[n++] = (struct pollfd){.fd = s->l[i].fd, .events = POLLIN};
	for (size_t i = 0; s && i < s->nc && n < max; i++)
		pfd[n++] = (struct pollfd){.fd = s->c[i].fd, .events = POLLIN};
	return n;
}

static void peer_text(const struct sockaddr_storage *ss, char *out, size_t outsz)
{
	out[0] = '\0';
	if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, out, (socklen_t)outsz);
	else if (ss->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, out, (socklen_t)outsz);
}

static void report(const vg_input_opts *o, vg_diag *d, const char *source, uint64_t recno, const char *peer)
{
	char msg[VG_DIAG_MESSAGE_MAX];
	if (peer && *peer) {
		snprintf(msg, sizeof msg, "%s (from %s)", d->message, peer);
		snprintf(d->message, sizeof d->message, "%s", msg);
	}
	d->line = 0; /* callers' diagnostics come from vg_diag_set, which leaves the place alone */
	vg_diag_at(d, source, (unsigned)recno);
	if (o->problem)
		o->problem(o->ctx, d);
}

/* One message: parse, render, hand on; a malformed one is counted and reported. */
static void deliver(vg_syslog_server *s, const char *p, size_t n, const char *source, uint64_t *recno,
		    const char *peer, int64_t now_s, const vg_input_opts *o, vg_syslog_net_stats *st)
{
	vg_syslog_msg *m = &s->msg;
	vg_diag d;
	(*recno)++;
	vg_diag_clear(&d);
	if (vg_syslog_parse(p, n, now_s, m, NULL, &d) != VG_OK) {
		st->malformed++;
		report(o, &d, source, *recno, peer);
		return;
	}
	vg_buf_reset(&s->json);
	if (vg_syslog_to_json(m, peer && *peer ? peer : NULL, &s->json) != VG_OK)
		return;
	st->messages++;
	vg_record rec = {VG_RECORD_JSON, s->json.data, s->json.len, source, *recno};
	o->record(o->ctx, &rec);
}

static void serve_udp(vg_syslog_server *s, listener *l, int64_t now_s, const vg_input_opts *o,
		      vg_syslog_net_stats *st)
{
	for (int k = 0; k < UDP_BURST; k++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		char peer[INET6_ADDRSTRLEN];
		ssize_t n = recvfrom(l->fd, s->dgram, VG_SYSLOG_MSG_MAX + 1, MSG_TRUNC, (struct sockaddr *)&ss, &sl);
		if (n < 0)
			return; /* EAGAIN: all read */
		st->datagrams++;
		peer_text(&ss, peer, sizeof peer);
		if ((size_t)n > VG_SYSLOG_MSG_MAX) {
			vg_diag d;
			l->recno++;
			st->malformed++;
			vg_diag_set(&d, VG_ERR_LIMIT, "message", "datagram of %zd bytes, above the limit of %d", n,
				    VG_SYSLOG_MSG_MAX);
			report(o, &d, l->name, l->recno, peer);
			continue;
		}
		deliver(s, s->dgram, (size_t)n, l->name, &l->recno, peer, now_s, o, st);
	}
}

/* All client slots taken: close the client idle the longest if it has been
 * quiet for VG_SYSLOG_TCP_IDLE_EVICT_S, so that dead or idle connections
 * cannot keep live senders out; false when every client is active. */
static bool evict_idle(vg_syslog_server *s, int64_t now_s, vg_syslog_net_stats *st)
{
	size_t oldest = 0;
	for (size_t i = 1; i < s->nc; i++)
		if (s->c[i].last < s->c[oldest].last)
			oldest = i;
	if (!s->nc || now_s - s->c[oldest].last < VG_SYSLOG_TCP_IDLE_EVICT_S)
		return false;
	client_close(s, oldest);
	st->evicted++;
	return true;
}

static void serve_accept(vg_syslog_server *s, size_t li, int64_t now_s, const vg_input_opts *o,
			 vg_syslog_net_stats *st)
{
	listener *l = &s->l[li];
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		int fd = accept4(l->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		client *c;
		if (fd < 0)
			return;
		st->connections++;
		if (s->nc == VG_SYSLOG_TCP_CLIENTS_MAX && !evict_idle(s, now_s, st)) {
			vg_diag d;
			char peer[INET6_ADDRSTRLEN];
			peer_text(&ss, peer, sizeof peer);
			close(fd);
			st->dropped++;
			vg_diag_set(&d, VG_ERR_LIMIT, "connection", "%d TCP clients already: connection refused",
				    VG_SYSLOG_TCP_CLIENTS_MAX);
			report(o, &d, l->name, l->recno, peer);
			continue;
		}
		c = &s->c[s->nc];
		memset(c, 0, sizeof *c);
		if (!(c->buf = malloc(CLIENT_BUF))) {
			close(fd);
			st->dropped++;
			continue;
		}
		c->fd = fd;
		c->lst = li;
		c->last = now_s;
		peer_text(&ss, c->peer, sizeof c->peer);
		s->nc++;
	}
}

/* Read what a client sent and deliver its complete frames; false when it is
 * gone (closed by the peer or on error: the caller removes it). */
static bool serve_client(vg_syslog_server *s, client *c, int64_t now_s, const vg_input_opts *o,
			 vg_syslog_net_stats *st)
{
	listener *l = &s->l[c->lst];
	bool eof = false;
	ssize_t n;
	if (c->len == CLIENT_BUF) /* cannot happen with the framing's limits; never spin on it */
		c->len = 0;
	n = read(c->fd, c->buf + c->len, CLIENT_BUF - c->len);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		eof = true;
	else if (n > 0) {
		c->len += (size_t)n;
		c->last = now_s;
	}
	size_t pos = 0;
	while (pos < c->len) {
		vg_syslog_str msg;
		size_t used;
		vg_diag d;
		int r = vg_syslog_frame(c->buf + pos, c->len - pos, eof, &msg, &used, &d);
		pos += used;
		if (r == 1) {
			deliver(s, msg.p, msg.n, l->name, &l->recno, c->peer, now_s, o, st);
		} else if (r < 0) {
			l->recno++;
			st->malformed++;
			st->dropped++;
			report(o, &d, l->name, l->recno, c->peer);
		} else {
			break;
		}
		if (used == 0)
			break;
	}
	memmove(c->buf, c->buf + pos, c->len - pos);
	c->len -= pos;
	return !eof;
}

void vg_syslog_server_serve(vg_syslog_server *s, const struct pollfd *pfd, size_t n, int64_t now_s,
			    const vg_input_opts *o, vg_syslog_net_stats *st)
{
	for (size_t k = 0; s && k < n; k++) {
		if (!(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		for (size_t i = 0; i < s->nl; i++)
			if (s->l[i].fd == pfd[k].fd) {
				if (s->l[i].tcp)
					serve_accept(s, i, now_s, o, st);
				else
					serve_udp(s, &s->l[i], now_s, o, st);
			}
		for (size_t i = 0; i < s->nc; i++)
			if (s->c[i].fd == pfd[k].fd && !serve_client(s, &s->c[i], now_s, o, st)) {
				client_close(s, i);
				break;
			}
	}
}
