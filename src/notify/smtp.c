/* SMTP delivery through libcurl (which also dot-stuffs the data). */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "notify/notify.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

typedef struct reader {
	const char *data;
	size_t len, off;
} reader;

static size_t read_cb(char *buf, size_t size, size_t nitems, void *ud)
{
	reader *r = ud;
	size_t n = size * nitems;
	if (n > r->len - r->off)
		n = r->len - r->off;
	memcpy(buf, r->data + r->off, n);
	r->off += n;
	return n;
}

vg_err vg_smtp_send(const vg_notify_config *c, const char *from, const char *const *rcpt, size_t nrcpt,
		    const char *data, size_t len, vg_diag *d)
{
	CURL *h = NULL;
	struct curl_slist *to = NULL;
	char errbuf[CURL_ERROR_SIZE] = "", envfrom[VG_EMAIL_MAX + 3];
	reader rd = {data, len, 0};
	vg_err e = VG_OK;
	CURLcode rc;

	if (!c->smtp_url[0])
		return vg_diag_set(d, VG_ERR_UNSUPPORTED, "smtp_url", "no SMTP server configured");
	if (nrcpt == 0)
		return vg_diag_set(d, VG_ERR_INVALID, "to", "no recipient");
	pthread_once(&curl_once, curl_init_once);
	h = curl_easy_init();
	if (!h)
		return vg_diag_set(d, VG_ERR_NOMEM, NULL, "curl_easy_init failed");
	for (size_t i = 0; i < nrcpt; i++) {
		char a[VG_EMAIL_MAX + 3];
		struct curl_slist *n;
		snprintf(a, sizeof a, "<%s>", rcpt[i]);
		n = curl_slist_append(to, a);
		if (!n) {
			e = vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
			goto out;
		}
		to = n;
	}
	snprintf(envfrom, sizeof envfrom, "<%s>", from);
	curl_easy_setopt(h, CURLOPT_URL, c->smtp_url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, envfrom);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, to);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(h, CURLOPT_READDATA, &rd);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(c->timeout_ms > 0 ? c->timeout_ms : 20000));
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	if (c->tls == VG_SMTP_TLS_STARTTLS)
		curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (c->smtp_user[0]) {
		curl_easy_setopt(h, CURLOPT_USERNAME, c->smtp_user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, c->smtp_password);
	}
	rc = curl_easy_perform(h);
	if (rc != CURLE_OK) {
		long code = 0;
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		e = vg_diag_set(d, rc == CURLE_OPERATION_TIMEDOUT ? VG_ERR_TIMEOUT : VG_ERR_IO, "smtp_url",
				"SMTP delivery failed (%ld): %s", code, errbuf[0] ? errbuf : curl_easy_strerror(rc));
	}
out:
	curl_slist_free_all(to);
	curl_easy_cleanup(h);
	return e;
}
