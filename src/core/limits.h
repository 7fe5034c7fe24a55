/* Every limit of the platform in one place, each with its reason.
 * Parsers and handlers refer to these names; a limit is never a literal. */
#ifndef VG_CORE_LIMITS_H
#define VG_CORE_LIMITS_H

/* ---- configuration ---- */
/* A config file is a few hundred lines; 1 MiB catches pointing --config at a log. */
#define VG_CONFIG_FILE_MAX (1024 * 1024)
/* Longest line in a config file (paths and proxy lists fit comfortably). */
#define VG_CONFIG_LINE_MAX 4096
/* Longest configuration value. */
#define VG_CONFIG_VALUE_MAX 1024

/* ---- HTTP ---- */
/* Default request body for JSON API calls: an organisation with its children. */
#define VG_HTTP_BODY_DEFAULT (256 * 1024)
/* Largest body any route may accept (bulk import). */
#define VG_HTTP_BODY_MAX (64 * 1024 * 1024)
/* Seconds a client may take to send a request before it is cut off. */
#define VG_HTTP_TIMEOUT_S 30
/* Path segments captured as route parameters. */
#define VG_ROUTE_PARAMS_MAX 4
/* Longest request path we route; longer is a 414. */
#define VG_HTTP_PATH_MAX 2048
/* Memory one request may use in its arena (JSON responses of a full page). */
#define VG_REQUEST_ARENA_MAX (32 * 1024 * 1024)
/* Concurrent connections the server accepts. */
#define VG_HTTP_CONNECTIONS_MAX 1024

/* ---- JSON ---- */
/* Nesting depth accepted in JSON bodies: our documents are shallow. */
#define VG_JSON_DEPTH_MAX 32
/* Longest string value accepted in an API field unless the field says otherwise. */
#define VG_FIELD_TEXT_MAX 256
/* Long free text (notes, descriptions). */
#define VG_FIELD_NOTES_MAX (64 * 1024)

/* ---- lists ---- */
/* Default and maximum page sizes: nothing returns unbounded data. */
#define VG_PAGE_DEFAULT 50
#define VG_PAGE_MAX 500

/* ---- registry ---- */
/* Children per organisation in one request (networks of a large ISP fit). */
#define VG_ORG_CHILDREN_MAX 20000
/* Rows in one bulk import file. */
#define VG_IMPORT_ROWS_MAX 2000000
/* Bulk import file size. */
#define VG_IMPORT_FILE_MAX (512 * 1024 * 1024)
/* DNS: 253 characters in a name, 63 per label (RFC 1035). */
#define VG_DOMAIN_MAX 253
#define VG_DOMAIN_LABEL_MAX 63
/* E-mail address (RFC 5321: 64 local part + @ + 255 domain). */
#define VG_EMAIL_MAX 320
/* CPE 2.3 formatted string: NVD's longest names are under 300 characters. */
#define VG_CPE_MAX 512
/* Organisations one lookup can return (many orgs may share an ISP prefix). */
#define VG_LOOKUP_RESULTS_MAX 64

/* ---- accounts ---- */
/* Passwords: long passphrases allowed; the cap bounds Argon2id input work. */
#define VG_PASSWORD_MIN 12
#define VG_PASSWORD_MAX 1024
#define VG_USERNAME_MAX 64
/* Failed logins before an account or address is slowed down, and the window. */
#define VG_LOGIN_FAILURES_MAX 5
#define VG_LOGIN_WINDOW_S 900
/* Addresses/accounts tracked by the login throttle (bounded memory). */
#define VG_THROTTLE_ENTRIES_MAX 65536

/* ---- audit ---- */
/* Size of an audit entry's detail JSON. */
#define VG_AUDIT_DETAIL_MAX (16 * 1024)

#endif
