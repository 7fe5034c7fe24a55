/* Tasks of an incident: title, assignee, due date, state (open, done,
 * cancelled), and the playbook that created them. */
#include <stdio.h>
#include <string.h>

#include "cases/cases.h"
#include "cases/internal.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/limits.h"

static const char *const task_states[] = {"open", "done", "cancelled", NULL};
static const char *const task_keys[] = {"title", "assignee_id", "due_at", "state", NULL};

static vg_err check_assignee(vg_db *db, int64_t uid, vg_diag *d)
{
	vg_stmt *st;
	vg_err e;
	int rc;
	if ((e = vg_db_prepare(db, "SELECT 1 FROM users WHERE id = ? AND role IN ('admin', 'analyst')", &st, d)))
		return e;
	vg_stmt_bind_int(st, 1, uid);
	rc = vg_stmt_step(st, d);
	vg_stmt_done(st);
	if (rc < 0)
		return VG_ERR_DB;
	return rc == VG_ROW ? VG_OK : vg_diag_set(d, VG_ERR_INVALID, "assignee_id", "no CERT user %lld", (long long)uid);
}

typedef struct task_in {
	const char *title, *state;
	int64_t assignee_id, due_at;
	bool has_title, has_assignee, clear_assignee, has_due, has_state;
} task_in;

static vg_err decode(vg_db *db, json_t *doc, bool creating, task_in *t, vg_diag *d)
{
	json_t *v;
	vg_err e;
	memset(t, 0, sizeof *t);
	if (!json_is_object(doc))
		return vg_diag_set(d, VG_ERR_INVALID, NULL, "a task must be a JSON object");
	if ((e = vg_json_only_keys(doc, task_keys, d)) ||
	    (e = vg_json_str(doc, "title", 1, 512, &t->title, creating ? NULL : &t->has_title, d)) ||
	    (e = vg_json_enum(doc, "state", task_states, &t->state, &t->has_state, d)) ||
	    (e = vg_cases_json_time(doc, "due_at", &t->due_at, &t->has_due, d)))
		return e;
	if (creating)
		t->has_title = true;
	v = json_object_get(doc, "assignee_id");
	if (v && json_is_null(v)) {
		t->clear_assignee = true;
	} else {
		if ((e = vg_json_int(doc, "assignee_id", 1, INT64_MAX, &t->assignee_id, &t->has_assignee, d)))
			return e;
		if (t->has_assignee && (e = check_assignee(db, t->assignee_id, d)))
			return e;
	}
	return VG_OK;
}

vg_err vg_task_add(vg_db *db, int64_t incident_id, json_t *doc, int64_t playbook_id, int64_t *task_id, vg_diag *d)
{
	static const char *sql = "INSERT INTO tasks(incident_id, title, assignee_id, due_at, state, playbook_id, "
				 "created_at, updated_at, done_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
	int64_t now = vg_time_now_ms(), org;
	const char *state;
	task_in t;
	vg_stmt *st;
	vg_err e;
	char body[600];

	if ((e = vg_cases_begin(db, d)))
		return e;
	if ((e = vg_incident_org(db, incident_id, &org, d)) || (e = decode(db, doc, true, &t, d)) ||
	    (e = vg_db_prepare(db, sql, &st, d)))
		return vg_db_end(db, e, d);
	state = t.has_state ? t.state : "open";
	vg_stmt_bind_int(st, 1, incident_id);
	vg_stmt_bind_text(st, 2, t.title, -1);
	if (t.has_assignee)
		vg_stmt_bind_int(st, 3, t.assignee_id);
	else
		vg_stmt_bind_null(st, 3);
	if (t.has_due)
		vg_stmt_bind_int(st, 4, t.due_at);
	else
		vg_stmt_bind_null(st, 4);
	vg_stmt_bind_text(st, 5, state, -1);
	if (playbook_id > 0)
		vg_stmt_bind_int(st, 6, playbook_id);
	else
		vg_stmt_bind_null(st, 6);
	vg_stmt_bind_int(st, 7, now);
	vg_stmt_bind_int(st, 8, now);
	if (strcmp(state, "open") != 0)
		vg_stmt_bind_int(st, 9, now);
	else
		vg_stmt_bind_null(st, 9);
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	if (!e && task_id)
		*task_id = vg_db_last_id(db);
	if (!e && playbook_id <= 0) {
		snprintf(body, sizeof body, "Task added: %.500s", t.title);
		e = vg_incident_journal_add(db, incident_id, "task", false, 0, body,
					    json_pack("{sI}", "task_id", (json_int_t)vg_db_last_id(db)), NULL, d);
	}
	return vg_db_end(db, e, d);
}

vg_err vg_task_update(vg_db *db, int64_t incident_id, int64_t task_id, json_t *doc, vg_diag *d)
{
	static const char *sql =
		"UPDATE tasks SET title = CASE WHEN ? THEN ? ELSE title END, "
		"assignee_id = CASE WHEN ? THEN NULL WHEN ? THEN ? ELSE assignee_id END, "
		"due_at = CASE WHEN ? THEN ? ELSE due_at END, "
		"done_at = CASE WHEN ? THEN (CASE WHEN ? = 'open' THEN NULL WHEN state = ? THEN done_at ELSE ? END) ELSE done_at END, "
		"state = CASE WHEN ? THEN ? ELSE state END, updated_at = ? WHERE id = ? AND incident_id = ?";
	int64_t now = vg_time_now_ms();
	task_in t;
	vg_stmt *st;
	vg_err e;
	char body[128];
	int i = 1;

	if ((e = vg_cases_begin(db, d)))
		return e;
	if ((e = decode(db, doc, false, &t, d)) || (e = vg_db_prepare(db, sql, &st, d)))
		return vg_db_end(db, e, d);
	vg_stmt_bind_int(st, i++, t.has_title);
	vg_stmt_bind_text(st, i++, t.title, -1);
	vg_stmt_bind_int(st, i++, t.clear_assignee);
	vg_stmt_bind_int(st, i++, t.has_assignee);
	vg_stmt_bind_int(st, i++, t.assignee_id);
	vg_stmt_bind_int(st, i++, t.has_due);
	vg_stmt_bind_int(st, i++, t.due_at);
	vg_stmt_bind_int(st, i++, t.has_state);
	vg_stmt_bind_text(st, i++, t.state, -1);
	vg_stmt_bind_text(st, i++, t.state, -1);
	vg_stmt_bind_int(st, i++, now);
	vg_stmt_bind_int(st, i++, t.has_state);
	vg_stmt_bind_text(st, i++, t.state, -1);
	vg_stmt_bind_int(st, i++, now);
	vg_stmt_bind_int(st, i++, task_id);
	vg_stmt_bind_int(st, i++, incident_id);
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	if (!e && vg_db_changes(db) == 0)
		e = vg_diag_set(d, VG_ERR_NOT_FOUND, "task_id", "no such task");
	if (!e && t.has_state) {
		snprintf(body, sizeof body, "Task #%lld is now %s.", (long long)task_id, t.state);
		e = vg_incident_journal_add(db, incident_id, "task", false, 0, body,
					    json_pack("{sIss}", "task_id", (json_int_t)task_id, "state", t.state), NULL, d);
	}
	return vg_db_end(db, e, d);
}

vg_err vg_tasks_json(vg_db *db, int64_t incident_id, json_t **out, vg_diag *d)
{
	static const char *sql = "SELECT id, title, assignee_id, due_at, state, playbook_id, created_at, updated_at, "
				 "done_at FROM tasks WHERE incident_id = ? ORDER BY id LIMIT ?";
	json_t *a = json_array();
	int64_t now = vg_time_now_ms();
	vg_stmt *st;
	vg_err e;
	int rc;
	if (!a)
		return VG_ERR_NOMEM;
	if ((e = vg_db_prepare(db, sql, &st, d))) {
		json_decref(a);
		return e;
	}
	vg_stmt_bind_int(st, 1, incident_id);
	vg_stmt_bind_int(st, 2, VG_PAGE_MAX);
	while ((rc = vg_stmt_step(st, d)) == VG_ROW) {
		int64_t due = vg_stmt_is_null(st, 3) ? 0 : vg_stmt_int(st, 3);
		bool open = strcmp(vg_stmt_text(st, 4), "open") == 0;
		json_array_append_new(
			a, json_pack("{sIsssosossso sososo sb}", "id", (json_int_t)vg_stmt_int(st, 0), "title",
				     vg_stmt_text(st, 1), "assignee_id",
				     vg_stmt_is_null(st, 2) ? json_null() : json_integer(vg_stmt_int(st, 2)), "due_at",
				     vg_json_time(due), "state", vg_stmt_text(st, 4), "playbook_id",
				     vg_stmt_is_null(st, 5) ? json_null() : json_integer(vg_stmt_int(st, 5)),
				     "created_at", vg_json_time(vg_stmt_int(st, 6)), "updated_at",
				     vg_json_time(vg_stmt_int(st, 7)), "done_at",
				     vg_json_time(vg_stmt_is_null(st, 8) ? 0 : vg_stmt_int(st, 8)), "overdue",
				     open && due && now > due));
	}
	vg_stmt_done(st);
	if (rc < 0) {
		json_decref(a);
		return VG_ERR_DB;
	}
	*out = a;
	return VG_OK;
}
