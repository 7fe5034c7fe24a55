/* Recovery playbooks, versioned per slug and tied to RSIT types. The shipped
 * ones live in etc/playbooks/ (one .md file each) and are compiled in (vg-embed); they are
 * seeded on first use. Editing a playbook makes a new version; applying one
 * to an incident creates its tasks and an internal draft advice entry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"
#include "cases/internal.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/json.h"
#include "core/limits.h"
#include "http/assets.h"

extern const vg_asset vg_playbook_assets[];

static const char *const pb_keys[] = {"slug", "title", "types", "tasks", "advice_md", NULL};
static const char *const task_keys[] = {"title", "due_offset", NULL};

/* Copy line [s, e) trimmed into out. */
static void trim_copy(const char *s, const char *e, char *out, size_t outsz)
{
	size_t n;
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	n = (size_t)(e - s);
	if (n >= outsz)
		n = outsz - 1;
	memmove(out, s, n);
	out[n] = '\0';
}

vg_err vg_playbook_parse(const char *text, size_t len, const char *name, json_t **doc, vg_diag *d)
{
	const char *p = text, *end = text + len;
	json_t *o = NULL, *types = NULL, *tasks = NULL;
	unsigned line = 0;
	bool closed = false;
	vg_err e = VG_OK;

	if (d)
		vg_diag_clear(d);
	if (len > VG_PLAYBOOK_FILE_MAX)
		return vg_diag_set(d, VG_ERR_LIMIT, NULL, "%s: playbook larger than %d bytes", name, VG_PLAYBOOK_FILE_MAX);
	if (memchr(text, '\0', len))
		return vg_diag_set(d, VG_ERR_INVALID, NULL, "%s: NUL byte in playbook", name);
	o = json_object();
	types = json_array();
	tasks = json_array();
	if (!o || !types || !tasks) {
		e = VG_ERR_NOMEM;
		goto out;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end, *colon;
		char key[32], val[1024];
		line++;
		if (line == 1) {
			trim_copy(p, le, val, sizeof val);
			if (strcmp(val, "---") != 0) {
				e = vg_diag_set(d, VG_ERR_INVALID, NULL, "playbook must start with a '---' front matter");
				goto out;
			}
			p = nl ? nl + 1 : end;
			continue;
		}
		trim_copy(p, le, val, sizeof val);
		p = nl ? nl + 1 : end;
		if (strcmp(val, "---") == 0) {
			closed = true;
			break;
		}
		if (!val[0] || val[0] == '#')
			continue;
		if (!(colon = strchr(val, ':'))) {
			e = vg_diag_set(d, VG_ERR_INVALID, NULL, "expected 'key: value'");
			goto out;
		}
		trim_copy(val, colon, key, sizeof key);
		memmove(val, colon + 1, strlen(colon + 1) + 1);
		trim_copy(val, val + strlen(val), val, sizeof val);
		if (!strcmp(key, "slug") || !strcmp(key, "title")) {
			json_object_set_new(o, key, json_string(val));
		} else if (!strcmp(key, "types")) {
			char *save = NULL;
			for (char *t = strtok_r(val, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
				char ty[128];
				trim_copy(t, t + strlen(t), ty, sizeof ty);
				if (ty[0])
					json_array_append_new(types, json_string(ty));
			}
		} else if (!strcmp(key, "task")) {
			char *bar = strchr(val, '|');
			char off[32], title[600];
			if (!bar) {
				e = vg_diag_set(d, VG_ERR_INVALID, "task", "expected 'task: <offset> | <title>'");
				goto out;
			}
			trim_copy(val, bar, off, sizeof off);
			trim_copy(bar + 1, bar + 1 + strlen(bar + 1), title, sizeof title);
			if (json_array_size(tasks) >= VG_PLAYBOOK_TASKS_MAX) {
				e = vg_diag_set(d, VG_ERR_LIMIT, "task", "more than %d tasks", VG_PLAYBOOK_TASKS_MAX);
				goto out;
			}
			json_array_append_new(tasks, json_pack("{ssss}", "title", title, "due_offset", off));
		} else {
			e = vg_diag_set(d, VG_ERR_INVALID, key, "unknown front matter key");
			goto out;
		}
		if (json_object_size(o) > 8) {
			e = vg_diag_set(d, VG_ERR_INVALID, NULL, "front matter too large");
			goto out;
		}
	}
	if (!closed) {
		e = vg_diag_set(d, VG_ERR_INVALID, NULL, "front matter not closed by '---'");
		goto out;
	}
	json_object_set_new(o, "types", types);
	json_object_set_new(o, "tasks", tasks);
	types = tasks = NULL;
	json_object_set_new(o, "advice_md", json_stringn(p, (size_t)(end - p)));
	if (!json_object_get(o, "advice_md"))
		e = vg_diag_set(d, VG_ERR_INVALID, "advice_md", "advice is not valid UTF-8");
out:
	json_decref(types);
	json_decref(tasks);
	if (e) {
		vg_diag_at(d, name, line);
		json_decref(o);
		return e;
	}
	*doc = o;
	return VG_OK;
}

typedef struct pb_in {
	const char *slug, *title, *advice;
	char types[1024];       /* ",a,b," */
	json_t *tasks;          /* [{"title","due_offset_s"}] (owned) */
} pb_in;

static vg_err pb_decode(json_t *doc, pb_in *pb, vg_diag *d)
{
	json_t *arr, *v;
	size_t i;
	vg_err e;
	memset(pb, 0, sizeof *pb);
	if (!json_is_object(doc))
		return vg_diag_set(d, VG_ERR_INVALID, NULL, "a playbook must be a JSON object");
	if ((e = vg_json_only_keys(doc, pb_keys, d)) || (e = vg_json_str(doc, "slug", 1, 64, &pb->slug, NULL, d)) ||
	    (e = vg_json_str(doc, "title", 1, 256, &pb->title, NULL, d)) ||
	    (e = vg_json_str(doc, "advice_md", 0, VG_FIELD_NOTES_MAX, &pb->advice, NULL, d)))
		return e;
	for (const char *c = pb->slug; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-'))
			return vg_diag_set(d, VG_ERR_INVALID, "slug", "use lower-case letters, digits and '-'");
	if ((e = vg_json_array(doc, "types", 32, &arr, NULL, d)))
		return e;
	snprintf(pb->types, sizeof pb->types, ",");
	json_array_foreach(arr, i, v) {
		const char *tax, *type;
		char f[32];
		snprintf(f, sizeof f, "types[%zu]", i);
		if (!json_is_string(v) || vg_rsit_check(NULL, json_string_value(v), &tax, &type, d))
			return vg_diag_set(d, VG_ERR_INVALID, f, "unknown RSIT type");
		if (strlen(pb->types) + strlen(type) + 2 < sizeof pb->types)
			strcat(strcat(pb->types, type), ",");
	}
	if ((e = vg_json_array(doc, "tasks", VG_PLAYBOOK_TASKS_MAX, &arr, NULL, d)))
		return e;
	if (!(pb->tasks = json_array()))
		return VG_ERR_NOMEM;
	json_array_foreach(arr, i, v) {
		const char *title, *off;
		int64_t sec;
		char f[32];
		snprintf(f, sizeof f, "tasks[%zu]", i);
		if ((e = vg_json_only_keys(v, task_keys, d)) || (e = vg_json_str(v, "title", 1, 512, &title, NULL, d)) ||
		    (e = vg_json_str(v, "due_offset", 1, 16, &off, NULL, d))) {
			vg_diag_field_prefix(d, f);
			goto fail;
		}
		if (vg_parse_duration(off, &sec) || sec > 366LL * 86400) {
			e = vg_diag_set(d, VG_ERR_INVALID, f, "due_offset: expected a duration such as 4h or 3d");
			goto fail;
		}
		json_array_append_new(pb->tasks, json_pack("{sssI}", "title", title, "due_offset_s", (json_int_t)sec));
	}
	return VG_OK;
fail:
	json_decref(pb->tasks);
	pb->tasks = NULL;
	return e;
}

static vg_err pb_insert(vg_db *db, const pb_in *pb, bool builtin, int64_t *id, vg_diag *d)
{
	static const char *sql =
		"INSERT INTO playbooks(slug, version, title, types, tasks, advice_md, builtin, created_at) "
		"VALUES (?, (SELECT COALESCE(max(version), 0) + 1 FROM playbooks WHERE slug = ?), ?, ?, ?, ?, ?, ?)";
	char *tasks = json_dumps(pb->tasks, JSON_COMPACT);
	vg_stmt *st;
	vg_err e;
	if (!tasks)
		return VG_ERR_NOMEM;
	if (!(e = vg_db_prepare(db, sql, &st, d))) {
		vg_stmt_bind_text(st, 1, pb->slug, -1);
		vg_stmt_bind_text(st, 2, pb->slug, -1);
		vg_stmt_bind_text(st, 3, pb->title, -1);
		vg_stmt_bind_text(st, 4, pb->types, -1);
		vg_stmt_bind_text(st, 5, tasks, -1);
		vg_stmt_bind_text(st, 6, pb->advice, -1);
		vg_stmt_bind_int(st, 7, builtin);
		vg_stmt_bind_int(st, 8, vg_time_now_ms());
		e = vg_stmt_exec(st, d);
		vg_stmt_done(st);
		if (!e && id)
			*id = vg_db_last_id(db);
	}
	free(tasks);
	return e;
}

vg_err vg_playbook_create_version(vg_db *db, json_t *doc, int64_t *id, vg_diag *d)
{
	pb_in pb;
	vg_err e;
	if ((e = pb_decode(doc, &pb, d)))
		return e;
	if (!(e = vg_cases_begin(db, d))) {
		e = pb_insert(db, &pb, false, id, d);
		e = vg_db_end(db, e, d);
	}
	json_decref(pb.tasks);
	return e;
}

vg_err vg_playbooks_seed(vg_db *db, vg_diag *d)
{
	int64_t shipped = 0, present = -1;
	vg_err e;
	vg_stmt *st;
	int rc;
	/* Cheap read-only check first: nothing to do once every shipped slug exists. */
	for (const vg_asset *a = vg_playbook_assets; a->path; a++)
		shipped++;
	if ((e = vg_db_prepare(db, "SELECT count(DISTINCT slug) FROM playbooks WHERE builtin = 1", &st, d)))
		return e;
	rc = vg_stmt_step(st, d);
	if (rc == VG_ROW)
		present = vg_stmt_int(st, 0);
	vg_stmt_done(st);
	if (rc < 0)
		return VG_ERR_DB;
	if (present >= shipped)
		return VG_OK;
	if ((e = vg_cases_begin(db, d)))
		return e;
	for (const vg_asset *a = vg_playbook_assets; !e && a->path; a++) {
		json_t *doc = NULL;
		pb_in pb;
		if ((e = vg_playbook_parse(a->data, a->len, a->path, &doc, d)))
			break;
		if (!(e = pb_decode(doc, &pb, d))) {
			if (!(e = vg_db_prepare(db, "SELECT 1 FROM playbooks WHERE slug = ?", &st, d))) {
				vg_stmt_bind_text(st, 1, pb.slug, -1);
				rc = vg_stmt_step(st, d);
				vg_stmt_done(st);
				if (rc < 0)
					e = VG_ERR_DB;
				else if (rc == VG_DONE)
					e = pb_insert(db, &pb, true, NULL, d);
			}
			json_decref(pb.tasks);
		}
		json_decref(doc);
	}
	return vg_db_end(db, e, d);
}

static json_t *pb_row_json(vg_stmt *st, bool full)
{
	json_t *types = json_array();
	char buf[1024];
	char *save = NULL;
	json_t *o;
	snprintf(buf, sizeof buf, "%s", vg_stmt_text(st, 4));
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		json_array_append_new(types, json_string(t));
	o = json_pack("{sIsssIsssosbso}", "id", (json_int_t)vg_stmt_int(st, 0), "slug", vg_stmt_text(st, 1), "version",
		      (json_int_t)vg_stmt_int(st, 2), "title", vg_stmt_text(st, 3), "types", types, "builtin",
		      vg_stmt_int(st, 7) != 0, "created_at", vg_json_time(vg_stmt_int(st, 8)));
	if (o && full) {
		json_t *tasks = json_loads(vg_stmt_text(st, 5), 0, NULL);
		json_object_set_new(o, "tasks", tasks ? tasks : json_array());
		json_object_set_new(o, "advice_md", json_string(vg_stmt_text(st, 6)));
		char *html = vg_markdown_html(vg_stmt_text(st, 6));
		json_object_set_new(o, "advice_html", json_string(html ? html : ""));
		free(html);
	}
	return o;
}

#define PB_COLS "id, slug, version, title, types, tasks, advice_md, builtin, created_at"

vg_err vg_playbooks_list_json(vg_db *db, const char *type, json_t **out, vg_diag *d)
{
	static const char *sql = "SELECT " PB_COLS " FROM playbooks p WHERE version = "
				 "(SELECT max(version) FROM playbooks q WHERE q.slug = p.slug) "
				 "AND (? IS NULL OR types LIKE '%,' || ? || ',%') ORDER BY slug LIMIT ?";
	json_t *a = json_array();
	vg_stmt *st;
	vg_err e;
	int rc;
	if (!a)
		return VG_ERR_NOMEM;
	if ((e = vg_playbooks_seed(db, d)) || (e = vg_db_prepare(db, sql, &st, d))) {
		json_decref(a);
		return e;
	}
	vg_stmt_bind_text(st, 1, type, -1);
	vg_stmt_bind_text(st, 2, type, -1);
	vg_stmt_bind_int(st, 3, VG_PAGE_MAX);
	while ((rc = vg_stmt_step(st, d)) == VG_ROW)
		json_array_append_new(a, pb_row_json(st, false));
	vg_stmt_done(st);
	if (rc < 0) {
		json_decref(a);
		return VG_ERR_DB;
	}
	*out = a;
	return VG_OK;
}

vg_err vg_playbook_get_json(vg_db *db, int64_t id, json_t **out, vg_diag *d)
{
	vg_stmt *st;
	vg_err e;
	int rc;
	if ((e = vg_playbooks_seed(db, d)) ||
	    (e = vg_db_prepare(db, "SELECT " PB_COLS " FROM playbooks WHERE id = ?", &st, d)))
		return e;
	vg_stmt_bind_int(st, 1, id);
	rc = vg_stmt_step(st, d);
	if (rc == VG_ROW)
		*out = pb_row_json(st, true);
	vg_stmt_done(st);
	if (rc < 0)
		return VG_ERR_DB;
	if (rc != VG_ROW)
		return vg_diag_set(d, VG_ERR_NOT_FOUND, NULL, "no such playbook");
	return *out ? VG_OK : VG_ERR_NOMEM;
}

vg_err vg_playbook_apply(vg_db *db, int64_t playbook_id, int64_t incident_id, int64_t author_user_id,
			 int64_t *advice_entry_id, vg_diag *d)
{
	json_t *pb = NULL, *tasks, *t;
	int64_t now = vg_time_now_ms(), org;
	char body[512];
	size_t i;
	vg_err e;

	if ((e = vg_cases_begin(db, d)))
		return e;
	if ((e = vg_incident_org(db, incident_id, &org, d)) || (e = vg_playbook_get_json(db, playbook_id, &pb, d)))
		goto out;
	tasks = json_object_get(pb, "tasks");
	json_array_foreach(tasks, i, t) {
		char due[VG_TIME_STRLEN];
		json_t *doc;
		int64_t off = json_integer_value(json_object_get(t, "due_offset_s"));
		vg_time_format(now + off * 1000, due, sizeof due, false);
		doc = json_pack("{sOss}", "title", json_object_get(t, "title"), "due_at", due);
		e = doc ? vg_task_add(db, incident_id, doc, playbook_id, NULL, d) : VG_ERR_NOMEM;
		json_decref(doc);
		if (e)
			goto out;
	}
	snprintf(body, sizeof body, "Playbook \"%.200s\" (version %lld) applied: %zu tasks created, advice drafted.",
		 json_string_value(json_object_get(pb, "title")),
		 (long long)json_integer_value(json_object_get(pb, "version")), json_array_size(tasks));
	if ((e = vg_incident_journal_add(db, incident_id, "playbook", false, author_user_id, body,
					 json_pack("{sIsOsO}", "playbook_id", (json_int_t)playbook_id, "slug",
						   json_object_get(pb, "slug"), "version", json_object_get(pb, "version")),
					 NULL, d)))
		goto out;
	e = vg_incident_journal_add(db, incident_id, "advice", false, author_user_id,
				    json_string_value(json_object_get(pb, "advice_md")),
				    json_pack("{sIsb}", "playbook_id", (json_int_t)playbook_id, "draft", 1), advice_entry_id,
				    d);
out:
	json_decref(pb);
	return vg_db_end(db, e, d);
}
