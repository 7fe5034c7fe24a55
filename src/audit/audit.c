/* Hash-chained audit log.
 *
 * hash(entry) = hex(SHA-256(prev_hash "\n" canonical(entry))) where
 * canonical(entry) is "vigie-audit-v1\n" followed by the fields seq, ts,
 * actor_id, actor, action, object_type, object_id, org_id, outcome, ip,
 * request_id, detail, each written as "<decimal byte length>:<bytes>\n"
 * (integers in decimal; a NULL integer column counts as 0). Length prefixes
 * make the encoding unambiguous whatever the fields contain. */
#include "audit/audit.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/json.h"
#include "core/limits.h"

static const char ZERO_HASH[] = "0000000000000000000000000000000000000000000000000000000000000000";
static const char TRUNCATED_DETAIL[] = "{\"truncated\":true}";

static void put_field(crypto_hash_sha256_state *st, const char *s, size_t n)
{
	char len[24];
	int k = snprintf(len, sizeof len, "%zu:", n);
	crypto_hash_sha256_update(st, (const unsigned char *)len, (unsigned long long)k);
	crypto_hash_sha256_update(st, (const unsigned char *)s, n);
	crypto_hash_sha256_update(st, (const unsigned char *)"\n", 1);
}

static void put_str(crypto_hash_sha256_state *st, const char *s)
{
	if (!s)
		s = "";
	put_field(st, s, strlen(s));
}

static void put_int(crypto_hash_sha256_state *st, int64_t v)
{
	char b[24];
	int k = snprintf(b, sizeof b, "%" PRId64, v);
	put_field(st, b, (size_t)k);
}

void vg_audit_hash(const char *prev_hash, int64_t seq, int64_t ts, const vg_audit_entry *e,
		   char out[VG_AUDIT_HASH_SIZE])
{
	crypto_hash_sha256_state st;
	unsigned char h[crypto_hash_sha256_BYTES];
	static const char tag[] = "vigie-audit-v1\n";
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)prev_hash, strlen(prev_hash));
	crypto_hash_sha256_update(&st, (const unsigned char *)"\n", 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)tag, sizeof tag - 1);
	put_int(&st, seq);
	put_int(&st, ts);
	put_int(&st, e->actor_id);
	put_str(&st, e->actor);
	put_str(&st, e->action);
	put_str(&st, e->object_type);
	put_str(&st, e->object_id);
	put_int(&st, e->org_id);
	put_str(&st, e->outcome);
	put_str(&st, e->ip);
	put_str(&st, e->request_id);
	put_str(&st, e->detail_json);
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(out, VG_AUDIT_HASH_SIZE, h, sizeof h);
}

static bool valid_outcome(const char *o)
{
	return o && (!strcmp(o, "ok") || !strcmp(o, "denied") || !strcmp(o, "failed"));
}

/* The detail must be one JSON object of bounded size; anything else is
 * replaced by {"truncated":true} rather than losing the entry. */
static const char *checked_detail(const char *detail)
{
	json_t *j = NULL;
	size_t n;
	if (!detail)
		return "{}";
	n = strlen(detail);
	if (n > VG_AUDIT_DETAIL_MAX)
		return TRUNCATED_DETAIL;
	if (vg_json_parse_object(detail, n, VG_JSON_DEPTH_MAX, &j, NULL) != VG_OK)
		return TRUNCATED_DETAIL;
	json_decref(j);
	return detail;
}

vg_err vg_audit_append(vg_db *db, const vg_audit_entry *in, int64_t *seq_out, vg_diag *d)
{
	vg_audit_entry e = *in;
	vg_stmt *st = NULL;
	vg_err err;
	int rc;
	int64_t seq = 1, ts;
	char prev[VG_AUDIT_HASH_SIZE], hash[VG_AUDIT_HASH_SIZE];

	if (!e.action || !*e.action)
		return vg_diag_set(d, VG_ERR_INVALID, "action", "audit entry without an action");
	if (!e.outcome)
		e.outcome = "ok";
	if (!valid_outcome(e.outcome))
		return vg_diag_set(d, VG_ERR_INVALID, "outcome", "outcome must be ok, denied or failed");
	if (!e.actor || !*e.actor)
		e.actor = "anonymous";
	if (!e.object_type)
		e.object_type = "";
	if (!e.object_id)
		e.object_id = "";
	if (!e.ip)
		e.ip = "";
	if (!e.request_id)
		e.request_id = "";
	e.detail_json = checked_detail(e.detail_json);
	if (sodium_init() < 0)
		return vg_diag_set(d, VG_ERR_INTERNAL, NULL, "libsodium initialisation failed");

	err = vg_db_begin(db, true, d);
	if (err)
		return err;
	/* read the chain head inside the write transaction: no concurrent append */
	memcpy(prev, ZERO_HASH, sizeof ZERO_HASH);
	err = vg_db_prepare(db, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", &st, d);
	if (err)
		goto out;
	rc = vg_stmt_step(st, d);
	if (rc < 0) {
		err = (vg_err)-rc;
		goto out;
	}
	if (rc == VG_ROW) {
		seq = vg_stmt_int(st, 0) + 1;
		snprintf(prev, sizeof prev, "%s", vg_stmt_text(st, 1));
	}
	vg_stmt_done(st);
	st = NULL;

	ts = vg_time_now_ms();
	vg_audit_hash(prev, seq, ts, &e, hash);
	err = vg_db_prepare(db,
			    "INSERT INTO audit_log(seq, ts, actor_id, actor, action, object_type, object_id, org_id,"
			    " outcome, ip, request_id, detail, prev_hash, hash)"
			    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			    &st, d);
	if (err)
		goto out;
	vg_stmt_bind_int(st, 1, seq);
	vg_stmt_bind_int(st, 2, ts);
	if (e.actor_id)
		vg_stmt_bind_int(st, 3, e.actor_id);
	else
		vg_stmt_bind_null(st, 3);
	vg_stmt_bind_text(st, 4, e.actor, -1);
	vg_stmt_bind_text(st, 5, e.action, -1);
	vg_stmt_bind_text(st, 6, e.object_type, -1);
	vg_stmt_bind_text(st, 7, e.object_id, -1);
	if (e.org_id)
		vg_stmt_bind_int(st, 8, e.org_id);
	else
		vg_stmt_bind_null(st, 8);
	vg_stmt_bind_text(st, 9, e.outcome, -1);
	vg_stmt_bind_text(st, 10, e.ip, -1);
	vg_stmt_bind_text(st, 11, e.request_id, -1);
	vg_stmt_bind_text(st, 12, e.detail_json, -1);
	vg_stmt_bind_text(st, 13, prev, -1);
	vg_stmt_bind_text(st, 14, hash, -1);
	err = vg_stmt_exec(st, d);
out:
	vg_stmt_done(st);
	if (err) {
		vg_db_rollback(db);
		return err;
	}
	err = vg_db_commit(db, d);
	if (!err && seq_out)
		*seq_out = seq;
	return err;
}

vg_err vg_audit_record(vg_db *db, const vg_audit_ctx *ac, const char *action, const char *object_type,
		       int64_t object_id, int64_t org_id, const char *outcome, const char *detail_json,
		       vg_diag *d)
{
	char oid[24] = "";
	vg_audit_entry e = {0};
	if (object_id)
		snprintf(oid, sizeof oid, "%" PRId64, object_id);
	e.actor_id = ac ? ac->actor_id : 0;
	e.actor = ac && ac->actor ? ac->actor : "anonymous";
	e.action = action;
	e.object_type = object_type;
	e.object_id = oid;
	e.org_id = org_id;
	e.outcome = outcome;
	e.ip = ac ? ac->ip : NULL;
	e.request_id = ac ? ac->request_id : NULL;
	e.detail_json = detail_json;
	return vg_audit_append(db, &e, NULL, d);
}

/* ---- verification ---- */

#define SQL_ROW_COLS                                                                                   \
	"seq, ts, actor_id, actor, action, object_type, object_id, org_id, outcome, ip, request_id, detail," \
	" prev_hash, hash"

static void add_problem(vg_audit_problem *probs, int max, int *np, int64_t seq, const char *what)
{
	if (*np < max && probs) {
		probs[*np].seq = seq;
		snprintf(probs[*np].what, sizeof probs[*np].what, "entry %" PRId64 ": %s", seq, what);
	}
	(*np)++;
}

/* The seq of another entry whose hash is h, 0 when none (a full scan, run
 * only where the chain is already broken). */
static int64_t find_by_hash(vg_db *db, const char *h, int64_t not_seq)
{
	vg_stmt *st;
	int64_t found = 0;
	if (vg_db_prepare(db, "SELECT seq FROM audit_log WHERE hash = ? AND seq <> ? LIMIT 1", &st, NULL))
		return 0;
	vg_stmt_bind_text(st, 1, h, -1);
	vg_stmt_bind_int(st, 2, not_seq);
	if (vg_stmt_step(st, NULL) == VG_ROW)
		found = vg_stmt_int(st, 0);
	vg_stmt_done(st);
	return found;
}

vg_err vg_audit_verify(vg_db *db, vg_audit_problem *probs, int max, int *nprobs, int64_t *checked,
		       vg_diag *d)
{
	char expect[VG_AUDIT_HASH_SIZE], calc[VG_AUDIT_HASH_SIZE];
	char stored_prev[VG_AUDIT_HASH_SIZE], stored_hash[VG_AUDIT_HASH_SIZE];
	int64_t last_seq = 0, n = 0;
	int np = 0, rows = VG_AUDIT_VERIFY_CHUNK;
	vg_err err = VG_OK;

	if (sodium_init() < 0)
		return vg_diag_set(d, VG_ERR_INTERNAL, NULL, "libsodium initialisation failed");
	memcpy(expect, ZERO_HASH, sizeof ZERO_HASH);
	/* chunks of VG_AUDIT_VERIFY_CHUNK entries by seq: never the whole log in memory */
	while (rows == VG_AUDIT_VERIFY_CHUNK) {
		vg_stmt *st;
		int rc;
		rows = 0;
		err = vg_db_prepare(db, "SELECT " SQL_ROW_COLS " FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?",
				    &st, d);
		if (err)
			break;
		vg_stmt_bind_int(st, 1, last_seq);
		vg_stmt_bind_int(st, 2, VG_AUDIT_VERIFY_CHUNK);
		while ((rc = vg_stmt_step(st, d)) == VG_ROW) {
			vg_audit_entry e = {0};
			int64_t seq = vg_stmt_int(st, 0), ts = vg_stmt_int(st, 1);
			e.actor_id = vg_stmt_int(st, 2);
			e.actor = vg_stmt_text(st, 3);
			e.action = vg_stmt_text(st, 4);
			e.object_type = vg_stmt_text(st, 5);
			e.object_id = vg_stmt_text(st, 6);
			e.org_id = vg_stmt_int(st, 7);
			e.outcome = vg_stmt_text(st, 8);
			e.ip = vg_stmt_text(st, 9);
			e.request_id = vg_stmt_text(st, 10);
			e.detail_json = vg_stmt_text(st, 11);
			snprintf(stored_prev, sizeof stored_prev, "%s", vg_stmt_text(st, 12));
			snprintf(stored_hash, sizeof stored_hash, "%s", vg_stmt_text(st, 13));
			vg_audit_hash(stored_prev, seq, ts, &e, calc);
			if (strcmp(calc, stored_hash) != 0)
				add_problem(probs, max, &np, seq, "content does not match its hash (edited)");
			if (seq != last_seq + 1 || strcmp(stored_prev, expect) != 0) {
				/* which entry does this one claim to follow? */
				int64_t other = strcmp(stored_prev, ZERO_HASH) == 0 ? 0
						: find_by_hash(db, stored_prev, seq);
				char what[128];
				if (other)
					snprintf(what, sizeof what,
						 "follows entry %" PRId64 ", not the previous one (reordered)", other);
				else
					snprintf(what, sizeof what, "previous entry missing (removed)");
				add_problem(probs, max, &np, seq, what);
			}
			/* continue from what this entry says, so one fault is reported once */
			memcpy(expect, stored_hash, sizeof expect);
			last_seq = seq;
			rows++;
			n++;
		}
		vg_stmt_done(st);
		if (rc < 0) {
			err = (vg_err)-rc;
			break;
		}
	}
	if (nprobs)
		*nprobs = np < max ? np : max;
	if (checked)
		*checked = n;
	if (err)
		return err;
	if (np)
		return vg_diag_set(d, VG_ERR_INVALID, NULL, "audit chain broken: %d problem(s)", np);
	return VG_OK;
}

/* ---- listing ---- */

vg_err vg_audit_list(vg_db *db, const vg_audit_filter *f, json_t **items, int64_t *next_cursor, vg_diag *d)
{
	vg_stmt *st = NULL;
	vg_err err;
	int rc, limit = f->limit > 0 ? f->limit : VG_PAGE_DEFAULT, i = 1, count = 0;
	json_t *arr = json_array();
	int64_t last = 0;

	*items = NULL;
	*next_cursor = 0;
	if (!arr)
		return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
	if (limit > VG_PAGE_MAX)
		limit = VG_PAGE_MAX;
	err = vg_db_prepare(db,
			    "SELECT " SQL_ROW_COLS " FROM audit_log"
			    " WHERE (? = 0 OR seq < ?) AND (? IS NULL OR actor = ?) AND (? IS NULL OR action = ?)"
			    " AND (? IS NULL OR object_type = ?) AND (? = 0 OR ts >= ?) AND (? = 0 OR ts < ?)"
			    " ORDER BY seq DESC LIMIT ?",
			    &st, d);
	if (err)
		goto out;
	vg_stmt_bind_int(st, i++, f->before_seq);
	vg_stmt_bind_int(st, i++, f->before_seq);
	vg_stmt_bind_text(st, i++, f->actor, -1);
	vg_stmt_bind_text(st, i++, f->actor, -1);
	vg_stmt_bind_text(st, i++, f->action, -1);
	vg_stmt_bind_text(st, i++, f->action, -1);
	vg_stmt_bind_text(st, i++, f->object_type, -1);
	vg_stmt_bind_text(st, i++, f->object_type, -1);
	vg_stmt_bind_int(st, i++, f->since);
	vg_stmt_bind_int(st, i++, f->since);
	vg_stmt_bind_int(st, i++, f->until);
	vg_stmt_bind_int(st, i++, f->until);
	vg_stmt_bind_int(st, i++, limit + 1);
	while ((rc = vg_stmt_step(st, d)) == VG_ROW) {
		json_t *o, *detail;
		const char *dt = vg_stmt_text(st, 11);
		if (count == limit) {
			*next_cursor = last;
			break;
		}
		detail = json_loads(dt, 0, NULL);
		if (!detail)
			detail = json_string(dt);
		o = json_pack("{sI so so ss ss ss ss so ss ss ss so ss ss}", "seq", (json_int_t)vg_stmt_int(st, 0),
			      "ts", vg_json_time(vg_stmt_int(st, 1)),
			      "actor_id", vg_stmt_is_null(st, 2) ? json_null() : json_integer(vg_stmt_int(st, 2)),
			      "actor", vg_stmt_text(st, 3), "action", vg_stmt_text(st, 4), "object_type",
			      vg_stmt_text(st, 5), "object_id", vg_stmt_text(st, 6), "org_id",
			      vg_stmt_is_null(st, 7) ? json_null() : json_integer(vg_stmt_int(st, 7)), "outcome",
			      vg_stmt_text(st, 8), "ip", vg_stmt_text(st, 9), "request_id", vg_stmt_text(st, 10),
			      "detail", detail, "prev_hash", vg_stmt_text(st, 12), "hash", vg_stmt_text(st, 13));
		if (!o || json_array_append_new(arr, o)) {
			err = vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
			goto out;
		}
		last = vg_stmt_int(st, 0);
		count++;
	}
	if (rc < 0)
		err = (vg_err)-rc;
out:
	vg_stmt_done(st);
	if (err) {
		json_decref(arr);
		*next_cursor = 0;
		return err;
	}
	*items = arr;
	return VG_OK;
}
