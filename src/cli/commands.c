/* The command table: every vigie command, its usage and help. */
#include <stddef.h>

#include "cli/cli.h"
#include "cli/commands_reports.h"
#include "cli/commands_incidents.h"
#include "cli/commands_observables.h"

const vg_cli_cmd vg_cli_commands[] = {
	{NULL, "serve", vg_cmd_serve, "[--listen HOST:PORT] [--tls-cert FILE --tls-key FILE] [--threads N]",
	 "Run the HTTP server (API and web console)",
	 "  --listen HOST:PORT  address to listen on (config: listen; default 127.0.0.1:8080)\n"
	 "  --tls-cert FILE     PEM certificate chain: serve HTTPS\n"
	 "  --tls-key FILE      PEM private key of --tls-cert\n"
	 "  --threads N         worker threads (config: threads)\n"},
	{NULL, "setup", vg_cmd_setup, "",
	 "Create or migrate the database and the first admin account if there is none",
	 "  The admin password is VIGIE_ADMIN_PASSWORD if set, else generated and printed once.\n"},
	{NULL, "routes", vg_cmd_routes, "", "List the HTTP routes with their permission and body limit", ""},
	{"config", "show", vg_cmd_config_show, "", "Show the effective configuration (file, environment, flags)", ""},

	{"db", "migrate", vg_cmd_db_migrate, "[--to VERSION]", "Apply pending schema migrations",
	 "  --to VERSION  stop at this schema version (migrations only go forward)\n"},
	{"db", "status", vg_cmd_db_status, "", "Show the schema version and the applied and pending migrations", ""},
	{"db", "backup", vg_cmd_db_backup, "FILE", "Write a consistent online copy of the database to FILE", ""},
	{"db", "check", vg_cmd_db_check, "", "Verify integrity, foreign keys and schema version (exit 5 on problems)", ""},

	{"org", "add", vg_cmd_org_add, "NAME --kind KIND [options]", "Add an organisation",
	 "  --kind KIND        cert, ministry, public_body, local_authority, court,\n"
	 "                     independent_authority, oiv, oes, partner_cert, isp, other\n"
	 "  --sector SECTOR    NIS2 sector (energy, health, public_administration, ...)\n"
	 "  --nis2 CLASS       essential or important\n"
	 "  --parent ID        parent organisation id\n"
	 "  --out-of-scope     not part of the constituency\n"
	 "  --network CIDR     a network (repeatable)\n"
	 "  --asn ASN          an AS number (repeatable)\n"
	 "  --domain DOMAIN    a domain, covering its subdomains (repeatable)\n"
	 "  --contact EMAIL    a contact address (repeatable)\n"
	 "  --product CPE      a CPE 2.3 name (repeatable)\n"
	 "  --notes TEXT\n"},
	{"org", "list", vg_cmd_org_list, "[--kind KIND] [--sector S] [--query TEXT] [--limit N]", "List organisations", ""},
	{"org", "show", vg_cmd_org_show, "ID|NAME", "Show an organisation with its networks, domains, contacts, ...", ""},
	{"org", "import", vg_cmd_org_import, "FILE [--format json|csv] [--dry-run] [--strict]",
	 "Import organisations (idempotent); every bad row is reported with its line",
	 "  --format FMT  json or csv (default: from the file name or content)\n"
	 "  --dry-run     check and count, change nothing\n"
	 "  --strict      any bad row aborts the whole import\n"},
	{"org", "export", vg_cmd_org_export, "[--format json|csv] [--output FILE]", "Export the registry", ""},
	{"org", "lookup", vg_cmd_org_lookup, "IP|DOMAIN|ASN|EMAIL...", "Which organisations does a value concern?", ""},

	{"user", "add", vg_cmd_user_add, "USERNAME --role ROLE --org ID|NAME [--email E] [--name N]",
	 "Add a user; the password is VIGIE_PASSWORD if set, else generated and printed once",
	 "  --role ROLE   admin, analyst, constituent or partner\n"
	 "  --org ORG     organisation id or name\n"},
	{"user", "list", vg_cmd_user_list, "[--org ID] [--role ROLE]", "List users", ""},
	{"user", "passwd", vg_cmd_user_passwd, "USERNAME", "Set a user's password (VIGIE_PASSWORD or prompt)", ""},
	{"user", "disable", vg_cmd_user_disable, "USERNAME", "Disable a user: ends their sessions and revokes their tokens", ""},

	{"token", "create", vg_cmd_token_create, "USERNAME [--name NAME] [--days N] [--read-only]",
	 "Create an API token for a user; the secret is printed once", ""},
	{"token", "revoke", vg_cmd_token_revoke, "ID", "Revoke an API token", ""},

	{NULL, "hunt", vg_cmd_hunt, "-r RULES... [-i IOCS...] [--mapping FILE] [--threads N] [--format table|jsonl|csv] [INPUT...]",
	 "Run Sigma rules over log files, folders or standard input",
	 "  -r, --rules PATH   rule file or folder (repeatable)\n"
	 "  -i, --iocs PATH    indicator set: plain list, CSV, MISP event/feed or STIX 2.1 bundle (repeatable)\n"
	 "  --ioc-fields FILE  which event fields hold which indicator type (default: the installed detect/ioc/ioc-fields.yml)\n"
	 "  --ioc-type TYPE    type of the values of plain lists whose type cannot be guessed\n"
	 "  --mapping FILE     field mapping and logsource routes (repeatable; default: $VIGIE_DETECT_MAPPINGS,\n"
	 "                     /etc/vigie/detect or /usr/local/etc/vigie/detect)\n"
	 "  --threads N        worker threads (default: number of CPUs)\n"
	 "  --format FMT       table (default on a terminal), jsonl (default otherwise) or csv\n"
	 "  -v, --verbose      also show rule warnings\n"
	 "  INPUT: JSON lines, concatenated JSON, EVTX, gzip/zstd; folders recursively; '-' or none: stdin\n"},
	{NULL, "detect", vg_cmd_detect,
	 "-r RULES... [-i IOCS...] [--platform-iocs] [--mapping FILE] [--follow FILE]... [--syslog-udp ADDR:PORT] "
	 "[--syslog-tcp ADDR:PORT] [--fingerprint RULE=FIELDS]... [--threads N] [INPUT...|-]",
	 "Run Sigma rules and indicators continuously and write the hits into the platform as alerts",
	 "  -r, --rules PATH        rule file or folder (repeatable)\n"
	 "  -i, --iocs PATH         indicator set (list, CSV, MISP, STIX; repeatable)\n"
	 "  --ioc-fields FILE       which event fields hold which indicator type (default: detect/ioc/ioc-fields.yml)\n"
	 "  --platform-iocs         match the platform's observables flagged as IOCs (not common); reloaded on change\n"
	 "  --ioc-poll SECONDS      how often to look for changed platform IOCs (default 10)\n"
	 "  --mapping FILE          field mapping and logsource routes (repeatable; none: no routing)\n"
	 "  --format FMT            input text format: auto (default: from the first line), json or syslog\n"
	 "  --syslog-udp ADDR:PORT  receive syslog (RFC 3164/5424) over UDP; a port alone binds 127.0.0.1 (repeatable)\n"
	 "  --syslog-tcp ADDR:PORT  receive syslog over TCP (octet counting or newline framing; repeatable)\n"
	 "  --follow FILE           follow a file like tail -F (reopened when rotated; gzip/zstd/EVTX: read again\n"
	 "                          when changed, new records only; repeatable)\n"
	 "  --from-start            read followed files from their start (default: from their end)\n"
	 "  --fingerprint R=F,F     fingerprint fields for rule R (id or title); default: alert_fingerprint_fields\n"
	 "  --batch N               hits per transaction (default 500)\n"
	 "  --flush-ms N            longest wait before a batch is written (default 1000)\n"
	 "  --threads N             match on N threads (default 1), up to 1,024 events at a time; alerts and\n"
	 "                          correlations see events in the order they were read\n"
	 "  INPUT: files read once first; '-', or no input, --follow or listener: standard input until it ends\n"
	 "  Dedup window: alert_dedup_window (default 1h). SIGINT/SIGTERM: writes the pending batch and exits.\n"
	 "  SIGHUP: reloads rules, mappings and indicators (a failed reload keeps the old ones).\n"},
	{"rules", "check", vg_cmd_rules_check, "[--mapping FILE] RULES...",
	 "Lint Sigma rules: list what cannot run and why (exit 5 if a rule is refused)",
	 "  --mapping FILE  also list rules the mappings do not route\n"},

	{"audit", "verify", vg_cmd_audit_verify, "", "Verify the audit log's hash chain (exit 5 if broken)", ""},
#include "cli/commands_reports.inc"
#include "cli/commands_incidents.inc"
#include "cli/commands_observables.inc"
	{NULL, NULL, NULL, NULL, NULL, NULL},
};
