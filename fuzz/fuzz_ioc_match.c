/* Fuzz the indicator matcher: the bytes are an event (JSON) matched against
 * a fixed set holding every indicator type (addresses and CIDR prefixes of
 * both families, one-label and deeper domains, URLs, hashes, e-mail
 * addresses, strings) through a field map of every field kind, so that
 * normalising, key building, batching and lookups see hostile values. The
 * input is also split into lines, matched one line at a time and as one
 * batch of events (vg_ioc_batch): both must find the same number of hits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect/ioc.h"
#include "detect/sigma.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fields[] = "src_ip: ip\ndest_ip: ip\ndns.rrname: domain\nhttp.hostname: domain\n"
			     "http.url: url@http.hostname\nurl: url\nfileinfo.sha256: hash\nmd5: hash\nHashes: hashes\n"
			     "from: email\nTargetFilename: string\n";
static const char iocs[] = "192.0.2.1\n198.51.100.0/24\n198.51.0.0/16\n10.0.0.0/8\n0.0.0.0/0\n2001:db8::1\n"
			   "2001:db8::/32\n2001:db8:1::/48\nevil.example\nlocal\nbad.example.org\n"
			   "url:http://bad.example/gate.php\nurl:https://x.example/a?b=c\n"
			   "d41d8cd98f00b204e9800998ecf8427e\nda39a3ee5e6b4b0d3255bfef95601890afd80709\n"
			   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
			   "email:phish@sender.example\nstring:c:\\temp\\evil.exe\n";

static void on_hit(void *ctx, const vg_ioc_hit *h)
{
	*(size_t *)ctx += strlen(h->ioc->value) + strlen(h->field) + h->value_len;
}

static void on_batch_hit(void *ctx, size_t event, const vg_ioc_hit *h)
{
	(void)event;
	on_hit(ctx, h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static vg_ruleset *rs;
	static vg_detect_scratch *sc;
	static vg_ioc_batch *batch;
	size_t sum = 0, one = 0, many = 0;
	vg_diag d;
	if (!rs) {
		rs = vg_ruleset_new();
		if (!rs || vg_ioc_load_fields_string(rs, "fields", fields, sizeof(fields) - 1, &d) ||
		    vg_ioc_load_string(rs, "iocs", iocs, sizeof(iocs) - 1, VG_IOC_FMT_LIST, VG_IOC_NONE, NULL) ||
		    vg_ruleset_compile(rs, &d) || !(sc = vg_detect_scratch_new(rs)) || !(batch = vg_ioc_batch_new(rs)))
			abort();
		vg_detect_scratch_set_ioc(sc, on_hit, &sum);
	}
	vg_detect_scratch_set_ioc(sc, on_hit, &sum);
	vg_detect_json(sc, (const char *)data, size, NULL, NULL, &d);
	/* line by line, one at a time and in batches */
	vg_detect_scratch_set_ioc(sc, on_hit, &one);
	for (size_t off = 0; off < size;) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t n = nl ? (size_t)(nl - data) - off : size - off;
		vg_detect_json(sc, (const char *)data + off, n, NULL, NULL, &d);
		if (vg_ioc_batch_full(batch))
			vg_ioc_batch_run(batch, on_batch_hit, &many);
		vg_ioc_batch_add_json(batch, (const char *)data + off, n, &d);
		off += n + 1;
	}
	vg_ioc_batch_run(batch, on_batch_hit, &many);
	if (one != many)
		abort(); /* batching changed what is found */
	return 0;
}
