/* Incident benchmark: N incidents (default 1,000,000) created through the
 * library (vg_incident_create: row, organisations, FTS index, journal entry)
 * into a temporary database, then full-text searches as GET
 * /api/v1/incidents?q= runs them (vg_incident_list_json, first page of 50),
 * reporting p50/p95/p99 per query shape, and a constituent's plain list
 * (no words). One incident in ten also concerns a second organisation.
 *   bench_incidents [N] [QUERIES]
 * API creation throughput is measured by bench/incidents-api.sh (wrk). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cases/cases.h"
#include "core/clock.h"
#include "core/json.h"

static const char *const words[] = {
	"rançongiciel", "hameçonnage", "serveur", "messagerie", "compte", "administrateur", "chiffrement",
	"exfiltration", "sauvegarde", "réseau", "pare-feu", "vulnérabilité", "correctif", "webshell", "botnet",
	"phishing", "ransomware", "outage", "défiguration", "fuite", "données", "hôpital", "mairie", "ministère",
	"préfecture", "VPN", "Exchange", "Citrix", "Fortinet", "Ivanti", "LockBit", "Akira", "BlackCat", "Emotet",
	"Qakbot", "credential", "stuffing", "brute", "force", "scan", "exposé", "RDP", "SMB", "LDAP", "Kerberos",
	"mot", "passe", "usurpation", "identité", "déni", "service", "DDoS", "amplification", "DNS", "NTP", "site",
	"web", "intranet", "poste", "travail", "utilisateur", "agents", "hôte", "Linux", "Windows", "domaine",
	"contrôleur", "GPO", "persistance", "mouvement", "latéral", "C2", "beacon", "Cobalt", "Strike", "Mimikatz",
	"dump", "LSASS", "courriel", "pièce", "jointe", "macro", "document", "facture", "livraison", "colis",
};
#define NWORDS (sizeof words / sizeof words[0])
static const char *const types[] = {"infected-system", "phishing", "ddos", "system-compromise", "data-leak",
				    "vulnerable-system", "unauthorised-information-modification", "brute-force"};
static const char *const sevs[] = {"low", "medium", "high", "critical"};

static uint64_t rng = 88172645463325252ULL;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Zipf-ish pick: low indices far more frequent, as in real text. */
static const char *word(void)
{
	uint64_t r = next_rand() % (NWORDS * NWORDS);
	size_t i = 0;
	while (i + 1 < NWORDS && r >= (NWORDS - i) * 2)
		r -= (NWORDS - i) * 2, i++;
	return words[(i + next_rand() % 3) % NWORDS];
}

static int cmp64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static void run_queries(vg_db *db, const char *label, int nq, int nterms, bool scoped, int64_t norgs)
{
	uint64_t *lat = calloc((size_t)nq, sizeof *lat);
	int64_t hits = 0;
	for (int i = 0; i < nq; i++) {
		char q[256] = "";
		vg_incident_filter f;
		json_t *out = NULL;
		vg_diag d;
		uint64_t t0;
		for (int k = 0; k < nterms; k++) {
			strcat(q, k ? " " : "");
			strcat(q, word());
		}
		vg_incident_filter_init(&f);
		f.q = nterms ? q : NULL; /* 0 words: the plain list, newest first */
		f.scope_org_id = scoped ? 1 + (int64_t)(next_rand() % (uint64_t)norgs) : 0;
		t0 = vg_time_mono_ns();
		if (vg_incident_list_json(db, &f, &out, &d) != VG_OK) {
			fprintf(stderr, "query %s: %s\n", q, d.message);
			exit(1);
		}
		lat[i] = vg_time_mono_ns() - t0;
		hits += (int64_t)json_array_size(json_object_get(out, "items"));
		json_decref(out);
	}
	qsort(lat, (size_t)nq, sizeof *lat, cmp64);
	printf("search %-28s n=%d p50=%.2fms p95=%.2fms p99=%.2fms max=%.2fms (avg %.1f hits/page)\n", label, nq,
	       lat[nq / 2] / 1e6, lat[nq * 95 / 100] / 1e6, lat[nq * 99 / 100] / 1e6, lat[nq - 1] / 1e6,
	       (double)hits / nq);
	free(lat);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	int nq = argc > 2 ? atoi(argv[2]) : 1000;
	const int64_t norgs = 2000;
	char dir[] = "/tmp/vg-bench-inc-XXXXXX", path[128];
	vg_db_options o = {.busy_timeout_ms = 5000, .sync_full = false};
	vg_db *db = NULL;
	vg_diag d;
	uint64_t t0;

	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof path, "%s/bench.db", dir);
	if (vg_db_open(path, &o, &db, &d)) {
		fprintf(stderr, "open: %s\n", d.message);
		return 1;
	}
	vg_db_begin(db, true, &d);
	for (int64_t i = 1; i <= norgs; i++) {
		vg_stmt *st;
		vg_db_prepare(db, "INSERT INTO organisations(name, kind, sector, nis2, created_at, updated_at) VALUES (?, 'oes', 'energy', ?, 0, 0)", &st, &d);
		char name[64];
		snprintf(name, sizeof name, "Org %05lld", (long long)i);
		vg_stmt_bind_text(st, 1, name, -1);
		vg_stmt_bind_text(st, 2, i % 3 ? "" : "essential", -1);
		vg_stmt_exec(st, &d);
		vg_stmt_done(st);
	}
	vg_db_commit(db, &d);

	t0 = vg_time_mono_ns();
	for (long i = 0; i < n; i++) {
		char title[256], desc[1024];
		int64_t id;
		json_t *doc;
		if (i % 5000 == 0 && vg_db_begin(db, true, &d)) {
			fprintf(stderr, "begin: %s\n", d.message);
			return 1;
		}
		snprintf(title, sizeof title, "%s %s %s %s", word(), word(), word(), word());
		size_t off = 0;
		for (int k = 0; k < 24; k++)
			off += (size_t)snprintf(desc + off, sizeof desc - off, "%s ", word());
		doc = json_pack("{sssssIssss}", "title", title, "description", desc, "org_id",
				(json_int_t)(1 + next_rand() % (uint64_t)norgs), "type", types[next_rand() % 8], "severity",
				sevs[next_rand() % 4]);
		if (i % 10 == 9) /* one in ten concerns a second organisation (incident_orgs) */
			json_object_set_new(doc, "org_ids", json_pack("[I]", (json_int_t)(1 + next_rand() % (uint64_t)norgs)));
		if (vg_incident_create(db, doc, NULL, &id, &d)) {
			fprintf(stderr, "create: %s\n", d.message);
			return 1;
		}
		json_decref(doc);
		if (i % 5000 == 4999 || i == n - 1) {
			if (vg_db_commit(db, &d)) {
				fprintf(stderr, "commit: %s\n", d.message);
				return 1;
			}
		}
		if (i % 100000 == 99999)
			fprintf(stderr, "  %ld incidents, %.0f/s\n", i + 1, (i + 1) / ((vg_time_mono_ns() - t0) / 1e9));
	}
	double secs = (vg_time_mono_ns() - t0) / 1e9;
	printf("generated %ld incidents in %.1fs (%.0f/s, library, batched transactions); database %.0f MB\n", n, secs,
	       n / secs, vg_db_size(db) / 1e6);
	vg_db_exec(db, "PRAGMA optimize; ANALYZE;", &d);

	run_queries(db, "1 word (staff)", nq, 1, false, norgs);
	run_queries(db, "2 words (staff)", nq, 2, false, norgs);
	run_queries(db, "3 words (staff)", nq, 3, false, norgs);
	run_queries(db, "2 words (constituent)", nq, 2, true, norgs);
	run_queries(db, "list, no words (constituent)", nq, 0, true, norgs);
	vg_db_close(db);
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : 1;
}
