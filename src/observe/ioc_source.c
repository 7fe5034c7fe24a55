/* Observables flagged as IOCs for vigie detect (see ioc_source.h). */
#include "observe/ioc_source.h"

#include <string.h>

vg_err vg_obs_ioc_generation(vg_db *db, vg_obs_ioc_gen *out, vg_diag *d)
{
	static const char *const sql = "SELECT count(*), coalesce(sum(id), 0), coalesce(max(id), 0) FROM observables "
				       "WHERE ioc = 1 AND common = 0";
	vg_stmt *st = NULL;
	vg_err e;
	int rc;
	memset(out, 0, sizeof *out);
	if ((e = vg_db_prepare(db, sql, &st, d)))
		return e;
	rc = vg_stmt_step(st, d);
	if (rc == VG_ROW) {
		out->count = vg_stmt_int(st, 0);
		out->id_sum = vg_stmt_int(st, 1);
		out->id_max = vg_stmt_int(st, 2);
	}
	vg_stmt_done(st);
	return rc < 0 ? (vg_err)-rc : VG_OK;
}

/* Our observable type names to the engine's IOC type names (NULL: not matched). */
static const char *ioc_type(const char *t)
{
	static const char *const map[][2] = {
		{"ipv4", "ip"},	      {"ipv6", "ip"},	    {"cidr", "ip"},	    {"domain", "domain"},
		{"url", "url"},	      {"email", "email"},   {"md5", "md5"},	    {"sha1", "sha1"},
		{"sha256", "sha256"}, {"sha512", "sha512"}, {"filename", "string"}, {"user_agent", "string"},
		{"string", "string"},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(t, map[i][0]))
			return map[i][1];
	return NULL;
}

/* RFC 4180 field: quoted when it holds a comma, a quote or a line break. */
static void csv_field(vg_buf *b, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		vg_buf_puts(b, s);
		return;
	}
	vg_buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			vg_buf_putc(b, '"');
		vg_buf_putc(b, *s == '\r' || *s == '\n' ? ' ' : *s);
	}
	vg_buf_putc(b, '"');
}

vg_err vg_obs_ioc_export_csv(vg_db *db, vg_buf *out, size_t *n, size_t *skipped, vg_diag *d)
{
	static const char *const sql =
		"SELECT id, type, value FROM observables WHERE ioc = 1 AND common = 0 ORDER BY id";
	vg_stmt *st = NULL;
	vg_err e;
	int rc;
	*n = *skipped = 0;
	if ((e = vg_db_prepare(db, sql, &st, d)))
		return e;
	if ((e = vg_buf_puts(out, "value,type,id\n")))
		goto out;
	while ((rc = vg_stmt_step(st, d)) == VG_ROW) {
		const char *t = ioc_type(vg_stmt_text(st, 1));
		if (!t) {
			(*skipped)++;
			continue;
		}
		csv_field(out, vg_stmt_text(st, 2));
		if ((e = vg_buf_printf(out, ",%s,%lld\n", t, (long long)vg_stmt_int(st, 0))))
			goto out;
		(*n)++;
	}
	if (rc < 0)
		e = (vg_err)-rc;
out:
	vg_stmt_done(st);
	return e;
}
