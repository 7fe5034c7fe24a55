/* Attachments: stored once by SHA-256 under <data_dir>/attachments/ab/cd/<hex>
 * (written to a temporary file, fsynced, renamed), size-limited, never
 * executed or served inline. Scanned with the YARA rules of yara_rules_dir
 * (compiled once and cached); hits become tags "yara:<rule>" on the
 * attachment and the file's SHA-256 becomes an observable of the incident,
 * tagged with the same hits. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yara.h>

#include "cases/cases.h"
#include "cases/internal.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/limits.h"
#include "core/log.h"
#include "observe/observe.h"

/* ---------------------------------------------------------------- YARA */

static pthread_mutex_t yara_lock = PTHREAD_MUTEX_INITIALIZER;
static YR_RULES *yara_rules;
static char yara_dir[512];
static bool yara_ready;

static bool has_rule_ext(const char *n)
{
	size_t l = strlen(n);
	return (l > 4 && strcmp(n + l - 4, ".yar") == 0) || (l > 5 && strcmp(n + l - 5, ".yara") == 0);
}

/* Does one file compile on its own? (A compiler is unusable after an error.) */
static bool rule_file_ok(const char *path)
{
	YR_COMPILER *c = NULL;
	FILE *f;
	int errs;
	if (yr_compiler_create(&c) != ERROR_SUCCESS)
		return false;
	if (!(f = fopen(path, "r"))) {
		yr_compiler_destroy(c);
		return false;
	}
	errs = yr_compiler_add_file(c, f, NULL, path);
	fclose(f);
	yr_compiler_destroy(c);
	return errs == 0;
}

static void add_dir(YR_COMPILER *c, const char *dir, int depth, int *files)
{
	DIR *dh;
	struct dirent *de;
	if (depth > VG_YARA_DIR_DEPTH_MAX || !(dh = opendir(dir)))
		return;
	while ((de = readdir(dh)) && *files < VG_YARA_FILES_MAX) {
		char path[1024];
		struct stat sb;
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (stat(path, &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			add_dir(c, path, depth + 1, files);
		} else if (S_ISREG(sb.st_mode) && has_rule_ext(de->d_name)) {
			FILE *f;
			if (!rule_file_ok(path)) {
				vg_log(VG_LOG_WARN, "yara: %s does not compile; skipped", path);
				continue;
			}
			if ((f = fopen(path, "r"))) {
				yr_compiler_add_file(c, f, NULL, path);
				fclose(f);
				(*files)++;
			}
		}
	}
	closedir(dh);
}

/* The compiled rules for dir (NULL when none); caller holds yara_lock. */
static YR_RULES *rules_for(const char *dir)
{
	YR_COMPILER *c = NULL;
	int files = 0;
	if (yara_ready && strcmp(dir, yara_dir) == 0)
		return yara_rules;
	if (!yara_ready && yr_initialize() != ERROR_SUCCESS)
		return NULL;
	if (yara_rules) {
		yr_rules_destroy(yara_rules);
		yara_rules = NULL;
	}
	yara_ready = true;
	snprintf(yara_dir, sizeof yara_dir, "%s", dir);
	if (yr_compiler_create(&c) != ERROR_SUCCESS)
		return NULL;
	add_dir(c, dir, 0, &files);
	if (files > 0 && yr_compiler_get_rules(c, &yara_rules) != ERROR_SUCCESS)
		yara_rules = NULL;
	yr_compiler_destroy(c);
	vg_log(VG_LOG_INFO, "yara: %d rule files compiled from %s", files, dir);
	return yara_rules;
}

typedef struct scan_ctx {
	json_t *tags;
} scan_ctx;

static int on_match(YR_SCAN_CONTEXT *ctx, int msg, void *data, void *user)
{
	scan_ctx *s = user;
	(void)ctx;
	if (msg == CALLBACK_MSG_RULE_MATCHING && json_array_size(s->tags) < VG_ATTACHMENT_TAGS_MAX) {
		YR_RULE *r = data;
		char tag[160];
		snprintf(tag, sizeof tag, "yara:%s", r->identifier);
		json_array_append_new(s->tags, json_string(tag));
	}
	return CALLBACK_CONTINUE;
}

/* Scan; *tags a new array (possibly empty); *scanned false when not scanned. */
static void yara_scan(const void *data, size_t size, json_t **tags, bool *scanned)
{
	const vg_cases_config *c = vg_cases_cfg();
	scan_ctx s = {json_array()};
	*scanned = false;
	*tags = s.tags;
	if (!c->yara_rules_dir[0] || (int64_t)size > c->yara_scan_max || !s.tags)
		return;
	pthread_mutex_lock(&yara_lock);
	YR_RULES *rules = rules_for(c->yara_rules_dir);
	if (rules) {
		if (yr_rules_scan_mem(rules, data, size, SCAN_FLAGS_FAST_MODE, on_match, &s, 10) == ERROR_SUCCESS)
			*scanned = true;
	}
	pthread_mutex_unlock(&yara_lock);
}

/* ---------------------------------------------------------------- storage */

static void hex(const unsigned char *in, size_t n, char *out)
{
	static const char h[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = h[in[i] >> 4];
		out[2 * i + 1] = h[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static void blob_path(const char *sha, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s/attachments/%.2s/%.2s/%s", vg_cases_cfg()->data_dir, sha, sha + 2, sha);
}

static int mkdirs(const char *path)
{
	char tmp[1024];
	snprintf(tmp, sizeof tmp, "%s", path);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0750) != 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	return mkdir(tmp, 0750) != 0 && errno != EEXIST ? -1 : 0;
}

static vg_err write_blob(const char *sha, const void *data, size_t size, vg_diag *d)
{
	char path[1024], dir[1024], tmp[1100];
	struct stat sb;
	const char *p = data;
	size_t left = size;
	int fd;
	blob_path(sha, path, sizeof path);
	if (stat(path, &sb) == 0 && (size_t)sb.st_size == size)
		return VG_OK; /* already stored: content-addressed */
	snprintf(dir, sizeof dir, "%s", path);
	*strrchr(dir, '/') = '\0';
	if (mkdirs(dir) != 0)
		return vg_diag_set(d, VG_ERR_IO, NULL, "cannot create %s: %s", dir, strerror(errno));
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)) < 0)
		return vg_diag_set(d, VG_ERR_IO, NULL, "cannot write attachment: %s", strerror(errno));
	while (left > 0) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			unlink(tmp);
			return vg_diag_set(d, VG_ERR_IO, NULL, "cannot write attachment: %s", strerror(errno));
		}
		p += w;
		left -= (size_t)w;
	}
	if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return vg_diag_set(d, VG_ERR_IO, NULL, "cannot store attachment: %s", strerror(errno));
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	return VG_OK;
}

/* A file name safe to show and to put in Content-Disposition: base name,
 * printable, no quotes or separators. */
static void clean_name(const char *in, char *out, size_t outsz)
{
	const char *b = in ? in : "";
	size_t n = 0;
	for (const char *p = b; *p; p++)
		if (*p == '/' || *p == '\\')
			b = p + 1;
	for (const unsigned char *p = (const unsigned char *)b; *p && n + 1 < outsz; p++)
		out[n++] = (*p < 0x20 || *p == 0x7f || *p == '"' || *p == ';') ? '_' : (char)*p;
	out[n] = '\0';
	if (!n || strcmp(out, ".") == 0 || strcmp(out, "..") == 0)
		snprintf(out, outsz, "attachment");
}

/* Organisation of a report (intake's table), for the observable's link. */
static vg_err report_org(vg_db *db, int64_t id, int64_t *org, vg_diag *d)
{
	vg_stmt *st;
	vg_err e;
	int rc;
	if ((e = vg_db_prepare(db, "SELECT coalesce(org_id, 0) FROM reports WHERE id = ?", &st, d)))
		return e;
	vg_stmt_bind_int(st, 1, id);
	rc = vg_stmt_step(st, d);
	*org = rc == VG_ROW ? vg_stmt_int(st, 0) : 0;
	vg_stmt_done(st);
	if (rc < 0)
		return VG_ERR_DB;
	return rc == VG_ROW ? VG_OK : vg_diag_set(d, VG_ERR_NOT_FOUND, NULL, "no such report");
}

/* YARA hits: the file's SHA-256 becomes an observable of the incident or
 * report, tagged with the rules that matched. */
static vg_err link_observable(vg_db *db, const char *sha, json_t *tags, const char *link_kind, int64_t link_id,
			      vg_diag *d)
{
	int64_t org = 0, obs = 0;
	bool report = strcmp(link_kind, "report") == 0;
	char *txt;
	vg_err e;
	if ((strcmp(link_kind, "incident") != 0 && !report) || json_array_size(tags) == 0)
		return VG_OK;
	if ((e = report ? report_org(db, link_id, &org, d) : vg_incident_org(db, link_id, &org, d)))
		return e;
	if ((e = vg_obs_link_value(db, VG_OBS_SHA256, sha, strlen(sha), report ? VG_OBS_OBJ_REPORT : VG_OBS_OBJ_INCIDENT,
				   link_id, org, "yara", NULL, vg_cases_cfg()->obs_common_cap, &obs, NULL, d)))
		return e;
	txt = json_dumps(tags, JSON_COMPACT);
	e = txt ? vg_obs_set_tags(db, obs, txt, d) : VG_ERR_NOMEM;
	free(txt);
	return e;
}

vg_err vg_attachment_store(vg_db *db, const char *filename, const char *content_type, const void *data,
			   size_t size, const char *link_kind, int64_t link_id, bool visible, int64_t uploader_id,
			   int64_t *att_id, vg_diag *d)
{
	unsigned char dig[crypto_hash_sha256_BYTES];
	char sha[65], name[VG_ATTACHMENT_NAME_MAX + 1], ctype[128], body[512];
	json_t *tags = NULL;
	int64_t id = 0, now = vg_time_now_ms();
	bool scanned;
	vg_stmt *st;
	char *tags_txt = NULL;
	vg_err e;
	int rc;

	if (!link_kind || (strcmp(link_kind, "incident") && strcmp(link_kind, "report") && strcmp(link_kind, "journal")))
		return vg_diag_set(d, VG_ERR_INVALID, "kind", "attachments link to an incident, report or journal entry");
	if ((int64_t)size > vg_cases_cfg()->attachment_max)
		return vg_diag_set(d, VG_ERR_LIMIT, "body", "attachment larger than %lld bytes",
				   (long long)vg_cases_cfg()->attachment_max);
	clean_name(filename, name, sizeof name);
	/* a media type "type/subtype" (parameters dropped), lower-case, of token
	 * characters only; anything else is application/octet-stream */
	snprintf(ctype, sizeof ctype, "%.*s", (int)strcspn(content_type ? content_type : "", "; \t"),
		 content_type ? content_type : "");
	for (char *p = ctype; *p; p++) {
		*p = (char)tolower((unsigned char)*p);
		if (!isalnum((unsigned char)*p) && !strchr("/.+-_", *p))
			ctype[0] = '\0';
	}
	if (!strchr(ctype, '/') || ctype[0] == '/' || strchr(ctype, '/') != strrchr(ctype, '/'))
		snprintf(ctype, sizeof ctype, "application/octet-stream");
	crypto_hash_sha256(dig, data, size);
	hex(dig, sizeof dig, sha);
	if ((e = write_blob(sha, data, size, d)))
		return e;
	yara_scan(data, size, &tags, &scanned);
	tags_txt = json_dumps(tags ? tags : json_array(), JSON_COMPACT);
	if ((e = vg_cases_begin(db, d)))
		goto out;
	if ((e = vg_db_prepare(db, "SELECT id FROM attachments WHERE sha256 = ?", &st, d)))
		goto end;
	vg_stmt_bind_text(st, 1, sha, -1);
	rc = vg_stmt_step(st, d);
	if (rc == VG_ROW)
		id = vg_stmt_int(st, 0);
	vg_stmt_done(st);
	if (rc < 0) {
		e = VG_ERR_DB;
		goto end;
	}
	if (!id) {
		e = vg_cases_exec(db, "INSERT INTO attachments(sha256, size, content_type, created_at) VALUES (?, ?, ?, ?)",
				  d, "titi", sha, (int64_t)size, ctype, now);
		id = vg_db_last_id(db);
	}
	if (!e && scanned)
		e = vg_cases_exec(db, "UPDATE attachments SET tags = ?, scanned_at = ? WHERE id = ?", d, "tii",
				  tags_txt ? tags_txt : "[]", now, id);
	if (!e && uploader_id > 0)
		e = vg_cases_exec(db,
				  "INSERT OR IGNORE INTO attachment_links(attachment_id, kind, object_id, filename, uploader_id, "
				  "visible, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
				  d, "ititiii", id, link_kind, link_id, name, uploader_id, (int64_t)visible, now);
	else if (!e)
		e = vg_cases_exec(db,
				  "INSERT OR IGNORE INTO attachment_links(attachment_id, kind, object_id, filename, uploader_id, "
				  "visible, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
				  d, "ititnii", id, link_kind, link_id, name, (int64_t)visible, now);
	if (!e && !strcmp(link_kind, "incident")) {
		snprintf(body, sizeof body, "Attachment added: %s (%zu bytes, SHA-256 %s)%s", name, size, sha,
			 json_array_size(tags) ? "; YARA hits recorded" : "");
		e = vg_incident_journal_add(db, link_id, "attachment", visible, uploader_id, body,
					    json_pack("{sIsssO}", "attachment_id", (json_int_t)id, "sha256", sha, "tags",
						      tags ? tags : json_array()),
					    NULL, d);
	}
	if (!e)
		e = link_observable(db, sha, tags, link_kind, link_id, d);
end:
	e = vg_db_end(db, e, d);
	if (!e && att_id)
		*att_id = id;
out:
	json_decref(tags);
	free(tags_txt);
	return e;
}

vg_err vg_attachments_json(vg_db *db, const char *link_kind, int64_t link_id, bool visible_only, json_t **out,
			   vg_diag *d)
{
	static const char *sql = "SELECT a.id, l.filename, a.size, a.content_type, a.sha256, a.tags, a.scanned_at, "
				 "l.visible, l.uploader_id, l.created_at FROM attachment_links l "
				 "JOIN attachments a ON a.id = l.attachment_id WHERE l.kind = ? AND l.object_id = ? "
				 "AND (? = 0 OR l.visible = 1) ORDER BY l.id LIMIT ?";
	json_t *arr = json_array();
	vg_stmt *st;
	vg_err e;
	int rc;
	if (!arr)
		return VG_ERR_NOMEM;
	if ((e = vg_db_prepare(db, sql, &st, d))) {
		json_decref(arr);
		return e;
	}
	vg_stmt_bind_text(st, 1, link_kind, -1);
	vg_stmt_bind_int(st, 2, link_id);
	vg_stmt_bind_int(st, 3, visible_only);
	vg_stmt_bind_int(st, 4, VG_PAGE_MAX);
	while ((rc = vg_stmt_step(st, d)) == VG_ROW) {
		json_t *tags = json_loads(vg_stmt_text(st, 5), 0, NULL);
		json_array_append_new(
			arr, json_pack("{sIsssIsssssosbsbsoso}", "id", (json_int_t)vg_stmt_int(st, 0), "filename",
				       vg_stmt_text(st, 1), "size", (json_int_t)vg_stmt_int(st, 2), "content_type",
				       vg_stmt_text(st, 3), "sha256", vg_stmt_text(st, 4), "tags",
				       tags ? tags : json_array(), "scanned", !vg_stmt_is_null(st, 6), "visible",
				       vg_stmt_int(st, 7) != 0, "uploader_id",
				       vg_stmt_is_null(st, 8) ? json_null() : json_integer(vg_stmt_int(st, 8)),
				       "created_at", vg_json_time(vg_stmt_int(st, 9))));
	}
	vg_stmt_done(st);
	if (rc < 0) {
		json_decref(arr);
		return VG_ERR_DB;
	}
	*out = arr;
	return VG_OK;
}

vg_err vg_attachment_path(vg_db *db, int64_t att_id, const char *link_kind, int64_t link_id, bool visible_only,
			  char *path, size_t pathsz, char *filename, size_t fnsz, int64_t *size, vg_diag *d)
{
	static const char *sql = "SELECT a.sha256, l.filename, a.size FROM attachment_links l "
				 "JOIN attachments a ON a.id = l.attachment_id WHERE a.id = ? AND l.kind = ? "
				 "AND l.object_id = ? AND (? = 0 OR l.visible = 1)";
	vg_stmt *st;
	vg_err e;
	int rc;
	if ((e = vg_db_prepare(db, sql, &st, d)))
		return e;
	vg_stmt_bind_int(st, 1, att_id);
	vg_stmt_bind_text(st, 2, link_kind, -1);
	vg_stmt_bind_int(st, 3, link_id);
	vg_stmt_bind_int(st, 4, visible_only);
	rc = vg_stmt_step(st, d);
	if (rc == VG_ROW) {
		blob_path(vg_stmt_text(st, 0), path, pathsz);
		snprintf(filename, fnsz, "%s", vg_stmt_text(st, 1));
		*size = vg_stmt_int(st, 2);
	}
	vg_stmt_done(st);
	if (rc < 0)
		return VG_ERR_DB;
	return rc == VG_ROW ? VG_OK : vg_diag_set(d, VG_ERR_NOT_FOUND, NULL, "no such attachment");
}

vg_err vg_attachments_follow(vg_db *db, int64_t report_id, int64_t incident_id, int64_t author_user_id, int *moved,
			     vg_diag *d)
{
	/* a constituent's own upload stays visible to its organisation when that
	 * organisation is concerned by the incident; anything else is internal */
	static const char *sel =
		"SELECT a.id, l.filename, a.size, a.sha256, a.tags, l.uploader_id, "
		"EXISTS (SELECT 1 FROM users u JOIN incident_orgs x ON x.org_id = u.org_id WHERE u.id = l.uploader_id "
		"AND u.role = 'constituent' AND x.incident_id = ?) FROM attachment_links l JOIN attachments a "
		"ON a.id = l.attachment_id WHERE l.kind = 'report' AND l.object_id = ? AND NOT EXISTS (SELECT 1 FROM "
		"attachment_links y WHERE y.attachment_id = l.attachment_id AND y.kind = 'incident' AND y.object_id = ?) "
		"ORDER BY l.id LIMIT ?";
	typedef struct fa {
		int64_t id, size, uploader;
		bool visible;
		char name[VG_ATTACHMENT_NAME_MAX + 1], sha[65];
		json_t *tags;
	} fa;
	fa *v = NULL;
	int n = 0, rc;
	int64_t now = vg_time_now_ms();
	vg_stmt *st;
	vg_err e;
	*moved = 0;
	if ((e = vg_cases_begin(db, d)))
		return e;
	if (!(v = calloc(VG_PAGE_MAX, sizeof *v))) {
		e = vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	if ((e = vg_db_prepare(db, sel, &st, d)))
		goto out;
	vg_stmt_bind_int(st, 1, incident_id);
	vg_stmt_bind_int(st, 2, report_id);
	vg_stmt_bind_int(st, 3, incident_id);
	vg_stmt_bind_int(st, 4, VG_PAGE_MAX);
	while ((rc = vg_stmt_step(st, d)) == VG_ROW) {
		fa *x = &v[n++];
		x->id = vg_stmt_int(st, 0);
		snprintf(x->name, sizeof x->name, "%s", vg_stmt_text(st, 1));
		x->size = vg_stmt_int(st, 2);
		snprintf(x->sha, sizeof x->sha, "%s", vg_stmt_text(st, 3));
		x->tags = json_loads(vg_stmt_text(st, 4), 0, NULL);
		x->uploader = vg_stmt_is_null(st, 5) ? 0 : vg_stmt_int(st, 5);
		x->visible = vg_stmt_int(st, 6) != 0;
	}
	vg_stmt_done(st);
	if (rc < 0) {
		e = VG_ERR_DB;
		goto out;
	}
	for (int i = 0; i < n && !e; i++) {
		char body[512];
		e = vg_cases_exec(db,
				  "INSERT INTO attachment_links(attachment_id, kind, object_id, filename, uploader_id, visible, "
				  "created_at) VALUES (?, 'incident', ?, ?, nullif(?, 0), ?, ?)",
				  d, "iitiii", v[i].id, incident_id, v[i].name, v[i].uploader, (int64_t)v[i].visible, now);
		snprintf(body, sizeof body, "Attachment of the report: %s (%lld bytes, SHA-256 %s)%s", v[i].name,
			 (long long)v[i].size, v[i].sha, json_array_size(v[i].tags) ? "; YARA hits recorded" : "");
		if (!e)
			e = vg_incident_journal_add(db, incident_id, "attachment", v[i].visible, author_user_id, body,
						    json_pack("{sIssso}", "attachment_id", (json_int_t)v[i].id, "sha256",
							      v[i].sha, "tags", v[i].tags ? json_incref(v[i].tags) : json_array()),
						    NULL, d);
		if (!e)
			e = link_observable(db, v[i].sha, v[i].tags, "incident", incident_id, d);
	}
	if (!e)
		*moved = n;
out:
	for (int i = 0; i < n; i++)
		json_decref(v[i].tags);
	free(v);
	return vg_db_end(db, e, d);
}
