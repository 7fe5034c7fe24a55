/* Incidents (src/cases): references, RSIT classification, TLP/PAP, the status
 * lifecycle, journal, tasks, links, merges, deadlines (SLA and NIS2 clocks),
 * playbooks, attachments, full-text search and export for the victim.
 *
 * Every function that writes opens its own write transaction unless the caller
 * already has one open (store transactions nest), and appends its audit entry
 * in the same transaction when given an audit context (ac != NULL). HTTP
 * handlers pass ac = NULL and audit with vg_req_audit inside their own
 * transaction. Times are milliseconds since the epoch from vg_time_now_ms(). */
#ifndef VG_CASES_CASES_H
#define VG_CASES_CASES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/audit.h"
#include "core/config.h"
#include "core/err.h"
#include "store/store.h"

/* ------------------------------------------------------------ vocabularies */

/* TLP 2.0, ordered from least to most restrictive ("strictest label wins" = max). */
typedef enum vg_tlp {
	VG_TLP_CLEAR = 0,
	VG_TLP_GREEN = 1,
	VG_TLP_AMBER = 2,
	VG_TLP_AMBER_STRICT = 3,
	VG_TLP_RED = 4,
} vg_tlp;
/* "clear", "green", "amber", "amber+strict", "red" (NULL-terminated list). */
extern const char *const vg_tlp_names[];
/* Parse a TLP name (case-insensitive, "TLP:" prefix accepted); -1 when unknown. */
int vg_tlp_parse(const char *s);
const char *vg_tlp_name(int tlp);

/* PAP: "clear", "green", "amber", "red". */
extern const char *const vg_pap_names[];
/* Severities, ordered: "low", "medium", "high", "critical". */
extern const char *const vg_severity_names[];
/* Impact levels for C/I/A: "none", "low", "medium", "high". */
extern const char *const vg_impact_levels[];

/* Status lifecycle. The allowed transitions are a table in lifecycle.c. */
typedef enum vg_inc_status {
	VG_INC_NEW = 0,
	VG_INC_TRIAGE,
	VG_INC_ANALYSIS,
	VG_INC_CONTAINMENT,
	VG_INC_ERADICATION,
	VG_INC_RECOVERY,
	VG_INC_WAITING,   /* waiting on a third party: pauses the clocks */
	VG_INC_CLOSED,
	VG_INC__COUNT
} vg_inc_status;
extern const char *const vg_inc_status_names[]; /* NULL-terminated, by enum value */
int vg_inc_status_parse(const char *s);        /* -1 when unknown */
/* May an incident go from one status to the other? */
bool vg_inc_transition_allowed(vg_inc_status from, vg_inc_status to);

/* RSIT (Reference Security Incident Taxonomy, version 1003: 11 taxonomies, 39
 * types) plus IntelMQ's 5 extra types, which map to taxonomy "other".
 * Canonicalises legacy spellings ("c&c" -> c2-server). taxonomy may be NULL or
 * "" (derived from the type). On success *tax_out and *type_out point to
 * static strings. A type that does not belong to the given taxonomy is an
 * error. */
vg_err vg_rsit_check(const char *taxonomy, const char *type, const char **tax_out, const char **type_out,
		     vg_diag *d);
/* Whole table as a JSON array [{taxonomy, type, label, in_rsit}] (for clients). */
json_t *vg_rsit_table_json(void);

/* Journal entry kinds. */
extern const char *const vg_journal_kinds[]; /* "note", "status", "email_in", "email_out",
						"merge", "task", "playbook", "advice", "attachment",
						"report", "link", "reply" */

/* ------------------------------------------------------------- references */

/* Next reference for kind in year: "<PREFIX>-<year>-<NNNNNN>" (prefix from
 * vg_cases_config.ref_prefix, default "VIGIE"). Counters are per (kind, year)
 * in table ref_counters. Incidents use kind VG_REF_KIND_SHARED; reports should
 * use it too, so that a reference quoted in an e-mail subject names exactly one
 * object (look it up in both tables). Opens a write transaction if none is open. */
#define VG_REF_KIND_SHARED "ref"
#define VG_REF_MAX 48
vg_err vg_ref_next(vg_db *db, const char *kind, int year, char out[VG_REF_MAX], vg_diag *d);

/* --------------------------------------------------------- configuration */

typedef struct vg_cases_config {
	char ref_prefix[24];       /* "VIGIE" */
	/* SLA per severity (low, medium, high, critical), in ms. */
	int64_t sla_ack_ms[4];
	int64_t sla_advice_ms[4];
	char data_dir[512];        /* attachments under <data_dir>/attachments/ab/cd/<sha256> */
	int64_t attachment_max;    /* bytes */
	char yara_rules_dir[512];  /* "" = no scanning */
	int64_t yara_scan_max;     /* bytes scanned per file */
	int64_t obs_common_cap;    /* correlation_common_cap, for observables linked here */
} vg_cases_config;

/* Defaults: ack critical 1h, high 4h, medium 1d, low 3d; advice critical 4h,
 * high 1d, medium 3d, low 7d. */
void vg_cases_config_defaults(vg_cases_config *c);
/* Process-wide configuration (set once at start by serve/CLI; read by the module).
 * vg_cases_configure_from reads the vg_config keys ref_prefix, sla_ack,
 * sla_advice, data_dir, attachment_max, yara_rules_dir, yara_scan_max;
 * a malformed SLA value is VG_ERR_INVALID naming the key. Before any call,
 * the defaults apply. */
vg_err vg_cases_configure_from(const vg_config *cfg, vg_diag *d);
void vg_cases_configure(const vg_cases_config *c);
const vg_cases_config *vg_cases_cfg(void);
/* "critical:1h,high:4h,medium:1d,low:3d" (any subset; others keep their value). */
vg_err vg_cases_parse_sla(const char *s, int64_t ms[4], vg_diag *d);

/* ---------------------------------------------------------------- incidents */

/* Create from a JSON document:
 *   {"title" (required), "description", "org_id", "org_ids":[...], "taxonomy",
 *    "type", "severity", "impact":{"confidentiality","integrity","availability",
 *    "systems_affected","users_affected"}, "tlp", "pap", "assignee_id",
 *    "detected_at", "awareness_at" (RFC 3339; awareness defaults to now)}
 * Writes the incident, its organisations, the search index entry and a
 * "status" journal entry; audits "incident.create" when ac != NULL. */
vg_err vg_incident_create(vg_db *db, json_t *doc, const vg_audit_ctx *ac, int64_t *id, vg_diag *d);

/* Change attributes (same keys as create, all optional, plus "acknowledged":true
 * and "first_advice":true to stamp those dates). */
vg_err vg_incident_update(vg_db *db, int64_t id, json_t *doc, const vg_audit_ctx *ac, vg_diag *d);

/* Status transition, checked against the lifecycle table; journals a "status"
 * entry (with the optional note) and maintains the paused-time accounting. */
vg_err vg_incident_set_status(vg_db *db, int64_t id, const char *status, int64_t author_user_id,
			      const char *note, const vg_audit_ctx *ac, vg_diag *d);

/* Primary organisation of an incident (0 when none), for scoping.
 * VG_ERR_NOT_FOUND when the incident does not exist. */
vg_err vg_incident_org(vg_db *db, int64_t id, int64_t *org_id, vg_diag *d);

/* The organisation an incident counts as for a viewer, to hand to the
 * policy (vg_object.org_id): viewer_org is vg_policy_org_scope() of the actor;
 * when it is > 0 and the incident concerns it (primary organisation or one of
 * incident_orgs), *org_id = viewer_org, so the policy's organisation rule
 * admits a constituent of any organisation concerned; otherwise the primary
 * organisation (0 when none). VG_ERR_NOT_FOUND when the incident is missing. */
vg_err vg_incident_scope_org(vg_db *db, int64_t id, int64_t viewer_org, int64_t *org_id, vg_diag *d);

/* Incident by reference ("VIGIE-2026-000123"), for threading. */
vg_err vg_incident_by_ref(vg_db *db, const char *ref, int64_t *id, vg_diag *d);

/* The incident as JSON. visible_only: for constituents (journal restricted to
 * visible entries; internal fields such as assignee kept). with_journal adds
 * "journal" (up to VG_PAGE_MAX newest entries) and "tasks". Includes
 * "description_html" (cmark, safe mode) and "deadlines". */
vg_err vg_incident_get_json(vg_db *db, int64_t id, bool visible_only, bool with_journal, json_t **out,
			    vg_diag *d);

/* The same for a viewer: with visible_only and viewer_org > 0 (a constituent
 * of an organisation concerned), "organisations" and "org_id" show only the
 * viewer's own organisation (never the other victims). */
vg_err vg_incident_view_json(vg_db *db, int64_t id, int64_t viewer_org, bool visible_only, bool with_journal,
			     json_t **out, vg_diag *d);

/* Journal. kind from vg_journal_kinds; visible = shown to the constituent;
 * author_user_id 0 = system; meta may be NULL, else a JSON object whose
 * reference is STOLEN (pass json_pack(...) directly). Also indexes the body for
 * full-text search and bumps updated_at. A visible note/email_out/advice stamps
 * acknowledged_at; a visible advice stamps first_advice_at. */
vg_err vg_incident_journal_add(vg_db *db, int64_t incident_id, const char *kind, bool visible,
			       int64_t author_user_id, const char *body_md, json_t *meta, int64_t *entry_id,
			       vg_diag *d);
/* Journal page, oldest first; after_id 0 = from the start. */
vg_err vg_incident_journal_list(vg_db *db, int64_t incident_id, bool visible_only, int64_t after_id, int limit,
				json_t **out, vg_diag *d);
/* Make an entry visible (e.g. a draft advice once sent). */
vg_err vg_incident_journal_set_visible(vg_db *db, int64_t incident_id, int64_t entry_id, bool visible,
				       vg_diag *d);

/* Merge src into dst: journal entries, tasks, links, organisations and
 * attachments move; src is closed with merged_into = dst; both journals record it. */
vg_err vg_incident_merge(vg_db *db, int64_t src, int64_t dst, int64_t author_user_id, const vg_audit_ctx *ac,
			 vg_diag *d);
/* Manual link with a reason (symmetric; stored once). */
vg_err vg_incident_link(vg_db *db, int64_t a, int64_t b, const char *reason, int64_t author_user_id,
			int64_t *link_id, vg_diag *d);
vg_err vg_incident_links_json(vg_db *db, int64_t id, json_t **out, vg_diag *d);

/* ------------------------------------------------------------------ search */

typedef struct vg_incident_filter {
	const char *status;       /* one status, or "open" (= not closed) */
	int64_t org_id;           /* incidents concerning this organisation */
	const char *org_kind;
	const char *org_sector;
	const char *taxonomy;
	const char *type;
	const char *severity;
	int64_t assignee_id;      /* -1 = unassigned, 0 = any */
	const char *tlp;
	int64_t created_from, created_to;   /* ms, 0 = unbounded; "to" exclusive */
	int64_t updated_from, updated_to;
	const char *q;            /* full-text (FTS5 syntax-safe: words are quoted) */
	int64_t scope_org_id;     /* vg_policy_org_scope(): 0 = all, >0 = only this org, <0 = none */
	const char *cursor;       /* opaque, from the previous page */
	int limit;                /* 1..VG_PAGE_MAX, 0 = VG_PAGE_DEFAULT */
} vg_incident_filter;
void vg_incident_filter_init(vg_incident_filter *f);
/* {"items":[...summary...], "next_cursor": "..." | null} */
vg_err vg_incident_list_json(vg_db *db, const vg_incident_filter *f, json_t **out, vg_diag *d);

/* Full-text index: one document per (kind, id): kind "incident", "journal",
 * "report" (the intake engineer indexes report bodies with this). org_id is
 * the owning organisation (for scoping; 0 = none). Replaces an existing
 * document of the same (kind, id). */
vg_err vg_search_index(vg_db *db, const char *kind, int64_t id, int64_t org_id, const char *title,
		       const char *body, vg_diag *d);
/* The same with the incident the document belongs to (incident_id > 0: a
 * report merged into an incident is then found by GET /api/v1/incidents?q=)
 * and its visibility to the constituent (false: staff only). */
vg_err vg_search_index_doc(vg_db *db, const char *kind, int64_t id, int64_t org_id, int64_t incident_id,
			   bool visible, const char *title, const char *body, vg_diag *d);
vg_err vg_search_unindex(vg_db *db, const char *kind, int64_t id, vg_diag *d);
/* Raw search: up to limit hits [{"kind","id","org_id","snippet"}], best first. */
vg_err vg_search_json(vg_db *db, const char *q, const char *kind, int64_t scope_org_id, int limit, json_t **out,
		      vg_diag *d);

/* --------------------------------------------------------------- deadlines */

typedef struct vg_deadline {
	const char *name;     /* "ack", "first_advice", "nis2_early_warning", "nis2_notification", "nis2_final_report" */
	int64_t due_ms;       /* due date including paused time */
	int64_t done_ms;      /* 0 = not met yet */
	int64_t left_ms;      /* due - now (negative when overdue); 0 when done */
	bool overdue;
} vg_deadline;
#define VG_DEADLINES_MAX 5
/* Deadlines of an incident now. n = how many apply. */
vg_err vg_incident_deadlines(vg_db *db, int64_t id, vg_deadline out[VG_DEADLINES_MAX], int *n, vg_diag *d);
/* What is due next across open incidents (scoped), soonest first:
 * {"items":[{"incident_id","reference","title","org_id","deadline","due_at","left_ms","overdue"}]} */
vg_err vg_deadlines_due_json(vg_db *db, int64_t scope_org_id, int64_t horizon_ms, int limit, json_t **out,
			     vg_diag *d);

/* Deadline computation from an incident's row, without database access
 * (the dashboard's aggregates read the same columns). Returns how many
 * deadlines apply (at most VG_DEADLINES_MAX). */
typedef struct vg_clock_input {
	const char *severity;
	const char *status;
	const char *nis2;          /* "", "essential", "important" */
	int64_t created_at, awareness_at;
	int64_t acknowledged_at, first_advice_at;
	int64_t nis2_early_warning_at, nis2_notification_at, nis2_final_report_at;
	int64_t paused_ms, paused_since, closed_at;
} vg_clock_input;
int vg_clocks_compute(const vg_clock_input *in, int64_t now, vg_deadline out[VG_DEADLINES_MAX]);

/* A NIS2 notification declared by the entity (a report's nis2_stage:
 * "early_warning", "notification" or "final_report") stamps the incident's
 * matching clock at `at` (ms) unless it is already stamped, in the caller's
 * transaction. *stamped tells whether it changed. VG_ERR_INVALID on "nis2_stage". */
vg_err vg_incident_nis2_declared(vg_db *db, int64_t id, const char *stage, int64_t at, bool *stamped, vg_diag *d);

/* ----------------------------------------------------------------- tasks */

/* {"title" (req), "assignee_id", "due_at", "state"} */
vg_err vg_task_add(vg_db *db, int64_t incident_id, json_t *doc, int64_t playbook_id, int64_t *task_id, vg_diag *d);
/* {"title","assignee_id","due_at","state":"open|done|cancelled"} */
vg_err vg_task_update(vg_db *db, int64_t incident_id, int64_t task_id, json_t *doc, vg_diag *d);
vg_err vg_tasks_json(vg_db *db, int64_t incident_id, json_t **out, vg_diag *d);

/* --------------------------------------------------------------- playbooks */

/* Seed the shipped playbooks (etc/playbooks, embedded) when absent. Idempotent. */
vg_err vg_playbooks_seed(vg_db *db, vg_diag *d);
/* Latest version of each playbook: [{"id","slug","version","title","types":[...]}],
 * only those for an RSIT type when type is not NULL. */
vg_err vg_playbooks_list_json(vg_db *db, const char *type, json_t **out, vg_diag *d);
/* Parse a playbook file: a front matter between "---" lines (slug:, title:,
 * types: comma-separated RSIT types, one "task: <offset> | <title>" line per
 * task, offsets such as 1h or 3d) followed by the victim advice in Markdown.
 * *doc is the JSON accepted by vg_playbook_create_version. */
vg_err vg_playbook_parse(const char *text, size_t len, const char *name, json_t **doc, vg_diag *d);
/* One playbook version (by id) with its tasks and advice. */
vg_err vg_playbook_get_json(vg_db *db, int64_t id, json_t **out, vg_diag *d);
/* New version of slug (a new slug starts at version 1):
 * {"slug","title","types":[RSIT types],"tasks":[{"title","due_offset":"4h"}],"advice_md"} */
vg_err vg_playbook_create_version(vg_db *db, json_t *doc, int64_t *id, vg_diag *d);
/* Apply to an incident: creates the tasks (due = now + offset) and an internal
 * "advice" journal entry with the victim advice (draft until made visible). */
vg_err vg_playbook_apply(vg_db *db, int64_t playbook_id, int64_t incident_id, int64_t author_user_id,
			 int64_t *advice_entry_id, vg_diag *d);

/* ------------------------------------------------------------- attachments */

/* Store bytes under data_dir by SHA-256 (deduplicated), record metadata and link
 * it to the object (kind "incident", "report", "journal"). Scans with YARA when
 * configured; hits become tags. size > attachment_max is VG_ERR_LIMIT. */
vg_err vg_attachment_store(vg_db *db, const char *filename, const char *content_type, const void *data,
			   size_t size, const char *link_kind, int64_t link_id, bool visible, int64_t uploader_id,
			   int64_t *att_id, vg_diag *d);
/* visible_only: constituents see only visible links. */
vg_err vg_attachments_json(vg_db *db, const char *link_kind, int64_t link_id, bool visible_only, json_t **out,
			   vg_diag *d);
/* A report's attachments follow it into the incident it became or was merged
 * into: each is linked to the incident (visible when its uploader is a
 * constituent of an organisation the incident concerns, else internal),
 * journalled, and its YARA hits become observables of the incident. Already
 * linked ones are skipped (idempotent). *moved = how many were linked. */
vg_err vg_attachments_follow(vg_db *db, int64_t report_id, int64_t incident_id, int64_t author_user_id, int *moved,
			     vg_diag *d);
/* Metadata and on-disk path of an attachment linked to the object
 * (VG_ERR_NOT_FOUND when not linked, or not visible and visible_only). */
vg_err vg_attachment_path(vg_db *db, int64_t att_id, const char *link_kind, int64_t link_id, bool visible_only,
			  char *path, size_t pathsz, char *filename, size_t fnsz, int64_t *size, vg_diag *d);

/* ------------------------------------------------------------------ export */

typedef enum vg_export_format { VG_EXPORT_MD, VG_EXPORT_HTML, VG_EXPORT_JSON } vg_export_format;
/* Export for the victim: visible journal entries only, TLP label on the
 * document. recipient_named must be true to export a RED incident (named
 * recipients only); otherwise VG_ERR_FORBIDDEN. *out is malloc'd. */
vg_err vg_incident_export(vg_db *db, int64_t id, vg_export_format fmt, bool recipient_named, char **out,
			  size_t *len, vg_diag *d);
/* The same for a viewer (viewer_org > 0: the JSON names only that organisation). */
vg_err vg_incident_export_for(vg_db *db, int64_t id, vg_export_format fmt, bool recipient_named, int64_t viewer_org,
			      char **out, size_t *len, vg_diag *d);

/* ------------------------------------------------------------ group commit */

/* Durable writes at more than one per fsync: concurrent callers (API worker
 * threads, each with its own connection) queue a job; the first caller that
 * finds no batch running becomes the leader and runs every queued job (up to
 * VG_INCIDENT_BATCH_MAX) in one write transaction on its connection, commits
 * once and wakes the others. Nobody returns before the commit that holds its
 * job returned. When a job of a batch fails, the batch is rolled back and the
 * jobs run again one per transaction, so one failure never fails another.
 * fn runs a job inside the open transaction (in_batch tells which pass); it
 * is called once more with db NULL when its job finally failed, to undo
 * side effects on the job (job->e and job->d hold the error). */
typedef struct vg_gc_job {
	void *arg;            /* the caller's */
	int64_t id, org;      /* results, set by fn */
	vg_err e;             /* outcome */
	vg_diag d;
	bool done;
	void *wake;           /* batch.c: the waiting caller's own condition variable */
	struct vg_gc_job *next;
} vg_gc_job;
typedef vg_err (*vg_gc_fn)(vg_db *db, vg_gc_job *job, bool in_batch);
void vg_group_commit_run(vg_db *db, vg_gc_job *job, vg_gc_fn fn);
/* The connection every batch should run on (pass it as db above), opened on
 * the first call for target and kept for the life of the process, so its
 * page cache stays warm from one batch to the next; NULL when it cannot be
 * opened (or for another target): use your own connection. */
vg_db *vg_group_commit_writer(const char *target, const vg_db_options *opts);

/* Markdown to HTML with cmark in safe mode (raw HTML and dangerous URLs removed). malloc'd. */
char *vg_markdown_html(const char *md);

#endif
