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
/* Nesting our own JSON output may reach (documents we build are shallow; this
 * only stops a runaway structure). */
#define VG_JSON_OUT_DEPTH_MAX 64
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
/* A source address may be shared (NAT, proxy, a ministry's egress): its budget
 * of failed logins is this many times an account's. */
#define VG_LOGIN_ADDR_FACTOR 4
/* Addresses/accounts tracked by the login throttle (bounded memory). */
#define VG_THROTTLE_ENTRIES_MAX 65536

/* ---- audit ---- */
/* Size of an audit entry's detail JSON. */
#define VG_AUDIT_DETAIL_MAX (16 * 1024)

/* ---- accounts: sessions and API tokens (auth module) ---- */
/* A token's name ("ci-export", "misp-sync"): a label, not a document. */
#define VG_TOKEN_NAME_MAX 128
/* Active API tokens per user: automation needs a handful; bounds the table. */
#define VG_TOKENS_PER_USER_MAX 100
/* Tokens listed for one user (revoked and expired included). */
#define VG_TOKENS_LIST_MAX 1000
/* Longest token lifetime: 5 years (1826 days); every token expires. */
#define VG_TOKEN_TTL_MAX_S (1826LL * 86400)
/* User-Agent kept with a session (truncated beyond). */
#define VG_USER_AGENT_MAX 256
/* Audit verification reads the chain in chunks of this many entries. */
#define VG_AUDIT_VERIFY_CHUNK 1000
/* Problems one audit verification reports (the walk itself always covers the whole chain). */
#define VG_AUDIT_PROBLEMS_MAX 100

/* ---- HTTP layer (src/http) ---- */
/* Incoming X-Request-Id accepted as is up to this length ([A-Za-z0-9._-]);
 * longer or odd values are replaced by a fresh random id. */
#define VG_REQUEST_ID_MAX 64
/* An oversized body is read and dropped up to this many bytes past the
 * route's limit, so that a client that does not wait for "100 Continue"
 * (most scripts) reads its 413 instead of a reset connection; bigger (or
 * announced with Expect: 100-continue) is refused at once and the connection
 * closed. Costs bandwidth only, never memory. */
#define VG_HTTP_DISCARD_MAX (16 * 1024 * 1024)
/* TLS certificate chain / key file read into memory at start. */
#define VG_TLS_FILE_MAX (1024 * 1024)
/* Trusted reverse proxies (CIDRs) and X-Forwarded-For hops examined. */
#define VG_TRUSTED_PROXIES_MAX 64
#define VG_XFF_HOPS_MAX 32
/* Prometheus text rendered by the server (routes x status codes x histograms). */
#define VG_METRICS_TEXT_MAX (4 * 1024 * 1024)

/* Parent chain of an organisation (ministry > directorate > service ...): real
 * hierarchies are a handful deep; the cap bounds the cycle check. (registry) */
#define VG_ORG_DEPTH_MAX 32
/* Errors kept in an import report (all are counted): enough to fix a file in
 * one pass without a pathological file producing a huge report. (registry) */
#define VG_IMPORT_ERRORS_MAX 1000

/* ---- detection engine (src/detect) ---- */
/* A Sigma rule file: SigmaHQ's largest (vulnerable driver hashes) is 295 KB. */
#define VG_SIGMA_FILE_MAX (4 * 1024 * 1024)
/* YAML documents in one rule file (a rule plus a few correlation/filter docs). */
#define VG_SIGMA_DOCS_MAX 256
/* Values of one field after modifier expansion (windash, base64offset, placeholders
 * multiply them); the driver-hash rules have about 2,000. */
#define VG_SIGMA_VALUES_MAX 16384
/* Modifiers chained on one field ("|base64offset|contains|all" is 3). */
#define VG_SIGMA_MODIFIERS_MAX 8
/* Flags expanded by windash in one value: 5^n variants each. */
#define VG_SIGMA_WINDASH_MAX 4
/* Selections (search identifiers) and items per selection in one rule. */
#define VG_SIGMA_SELECTIONS_MAX 256
#define VG_SIGMA_ITEMS_MAX 1024
/* Condition text, nesting of parentheses/not, and terms in one and/or chain. */
#define VG_SIGMA_CONDITION_MAX 4096
#define VG_SIGMA_COND_DEPTH_MAX 32
#define VG_SIGMA_COND_TERMS_MAX 128
/* Memory one rule may take while it is parsed (bounds hostile YAML). */
#define VG_SIGMA_RULE_MEMORY_MAX (64 * 1024 * 1024)
/* Rules in one ruleset and folder depth when loading rule folders. */
#define VG_DETECT_RULES_MAX 1000000
#define VG_DETECT_DIR_DEPTH_MAX 32
/* One event (a JSON object or an EVTX record rendered as XML): Windows events
 * are a few KB; PowerShell script blocks reach ~32 KB per record. */
#define VG_EVENT_SIZE_MAX (4 * 1024 * 1024)
/* Leaf fields in one event, nesting depth and flattened path length. */
#define VG_EVENT_FIELDS_MAX 8192
#define VG_EVENT_DEPTH_MAX 64
#define VG_EVENT_PATH_MAX 1024
/* Per-thread cache of event paths already mapped to rule fields. */
#define VG_EVENT_PATH_CACHE_MAX 65536
/* Per-thread cache of the routes an event takes, keyed by the values of the
 * fields routes test (Channel, EventID, ...): a log has a few dozen distinct
 * combinations; beyond this many the routes are computed per event. The key
 * (those values) is bounded too: longer ones are not cached. */
#define VG_DETECT_ROUTE_CACHE_MAX 4096
#define VG_DETECT_ROUTE_KEY_MAX 512
/* vigie detect --threads: records matched per round of the threads (a round
 * starts a thread per share, ~20 us, against ~5 us per event: 1,024 records
 * keep that under 1 %), bytes of records held for a round, and threads. */
#define VG_DETECT_PAR_RECORDS 1024
#define VG_DETECT_PAR_BYTES (16 * 1024 * 1024)
#define VG_DETECT_THREADS_MAX 64
/* Backtracking steps one regex match may take (PCRE2 match limit): bounds a
 * catastrophic pattern from a hostile rule to milliseconds per event. */
#define VG_SIGMA_REGEX_MATCH_LIMIT 1000000
/* Mapping file (field renames, logsource routes). */
#define VG_MAPPING_FILE_MAX (1024 * 1024)
/* Correlation rules (sigma_corr.c). Rules one correlation references (the
 * spec's examples list 1 to 3; a 64-bit mask tracks them), group-by fields
 * and condition fields, and chains of correlations over correlations. */
#define VG_CORR_REFS_MAX 64
#define VG_CORR_GROUP_BY_MAX 16
#define VG_CORR_CHAIN_DEPTH_MAX 8
/* Longest timespan: pySigma accepts weeks; a year of events in one window
 * is not a correlation any more (memory is bounded below in any case). */
#define VG_CORR_TIMESPAN_MAX_S (366LL * 86400)
/* Live windows per correlation rule (one per group-by value tuple): beyond,
 * the least recently updated group is dropped (counted as evicted). 100,000
 * users or hosts covers a large estate; each empty group is ~150 bytes. */
#define VG_CORR_GROUPS_MAX 100000
/* Events kept in one group's window: a threshold above it can never be
 * reached (compile warns); beyond it the oldest events go (counted). */
#define VG_CORR_GROUP_EVENTS_MAX 10000
/* Events kept across all windows of one state (~40 bytes each): 2 million
 * is ~80 MB; beyond, least recently updated groups are dropped. */
#define VG_CORR_ENTRIES_MAX 2000000
/* Bytes of a group-by or value_count value that count (longer values are
 * cut: two values equal on their first 512 bytes are the same). */
#define VG_CORR_VALUE_MAX 512

/* ---- observables and correlation (src/observe) ---- */
/* One observable value: URLs are the longest; browsers cope with ~2 KB URLs and
 * longer ones in reports are tracking noise. (observe) */
#define VG_OBS_VALUE_MAX 2048
/* Text given to extraction: a long report or an attachment's text; larger text
 * should be split by the caller. (observe) */
#define VG_OBS_TEXT_MAX (4 * 1024 * 1024)
/* Distinct candidates returned by one extraction: an analyst cannot review more. (observe) */
#define VG_OBS_EXTRACT_MAX 2000
/* Related objects returned for one incident, and observables of one object
 * used for correlation (a case with more is a dump, not a case). (observe) */
#define VG_OBS_RELATED_MAX 200
#define VG_OBS_PER_OBJECT_MAX 5000
/* IPs inside one CIDR followed for containment (a /8 must not fan out). (observe) */
#define VG_OBS_CIDR_FANOUT_MAX 1000
/* Tags on one observable and bytes of one tag. (observe) */
#define VG_OBS_TAGS_MAX 32
#define VG_OBS_TAG_MAX 64
/* Warning list file: lines and bytes. (observe) */
#define VG_OBS_WARNLIST_LINES_MAX 100000

/* ---- e-mail intake and outbound mail (src/intake, src/notify) ---- */
/* Largest message mailgate reads: the usual MTA limit (Postfix default 10 MB,
 * large providers 25-35 MB once base64 is counted). (intake) */
#define VG_MAIL_SIZE_MAX (40 * 1024 * 1024)
/* Header fields in one message: real mail has tens (long relay chains a few
 * hundred); more is an attack on the parser. (intake) */
#define VG_MAIL_HEADERS_MAX 1000
/* One header field, folded lines included (long References chains). (intake) */
#define VG_MAIL_HEADER_LEN_MAX (64 * 1024)
/* MIME nesting: forwarded-in-forwarded-in-signed is about 6 deep. (intake) */
#define VG_MAIL_MIME_DEPTH_MAX 16
/* MIME parts walked in one message. (intake) */
#define VG_MAIL_PARTS_MAX 1000
/* Attachments recorded from one message (the rest are counted, not stored). (intake) */
#define VG_MAIL_ATTACHMENTS_MAX 100
/* Default attachment size stored from mail when not configured. (intake) */
#define VG_MAIL_ATTACHMENT_DEFAULT (32 * 1024 * 1024)
/* Report body text kept (text parts + HTML reduced + forwards). (intake) */
#define VG_REPORT_BODY_MAX (1024 * 1024)
/* Subject of a report or message. (intake) */
#define VG_REPORT_SUBJECT_MAX 998
/* Recipients of one e-mail sent from an incident: the organisation's contacts,
 * not a mailing list (campaigns are the notification module's job). */
#define VG_INCIDENT_MAIL_RCPT_MAX 20
/* Client idempotency key (a UUID is 36). (intake) */
#define VG_IDEMPOTENCY_KEY_MAX 128
/* Reports decided in one bulk triage request. (intake) */
#define VG_TRIAGE_BULK_MAX 500
/* Delivery attempts before an outgoing message is marked failed; with the
 * exponential backoff (1 min doubling, capped at 6 h) this covers ~2 days. (notify) */
#define VG_MAIL_SEND_ATTEMPTS_MAX 15
/* Messages delivered by one outbox flush. (notify) */
#define VG_MAIL_FLUSH_BATCH 200
/* Outgoing body (acknowledgement, referral, forward with the report quoted). (notify) */
#define VG_MAIL_OUT_MAX (2 * 1024 * 1024)

/* ---- incidents (src/cases) ---- */
/* Organisations concerned by one incident (a campaign hitting a sector). */
#define VG_INCIDENT_ORGS_MAX 256
/* A journal entry's Markdown body: an e-mail with its quoted thread fits. */
#define VG_JOURNAL_BODY_MAX (1024 * 1024)
/* Reason of a manual link between incidents. */
#define VG_LINK_REASON_MAX 1024
/* A playbook file (front matter + Markdown advice) and its CERT tasks. */
#define VG_PLAYBOOK_FILE_MAX (256 * 1024)
#define VG_PLAYBOOK_TASKS_MAX 64
/* Open incidents examined when listing what is due next (bounds one request). */
#define VG_DEADLINES_SCAN_MAX 100000
/* Full-text query: length and words (each word is quoted, all must match). */
#define VG_SEARCH_QUERY_MAX 512
#define VG_SEARCH_TERMS_MAX 16
/* Journal entries in one export for the victim (a long case has a few hundred). */
#define VG_EXPORT_JOURNAL_MAX 10000
/* YARA rule files compiled from yara_rules_dir, and the folder depth walked. */
#define VG_YARA_FILES_MAX 10000
#define VG_YARA_DIR_DEPTH_MAX 8
/* Tags (YARA hits) recorded per attachment. */
#define VG_ATTACHMENT_TAGS_MAX 64
/* File name kept for an attachment (bytes). */
#define VG_ATTACHMENT_NAME_MAX 255

/* Incident creations committed together by one API worker (group commit:
 * one fsync acknowledges the batch); bounds the time a batch holds the lock. */
#define VG_INCIDENT_BATCH_MAX 128

/* ---- indicator sets (src/detect/ioc.c, stix.c) ---- */
/* A STIX pattern: the simple subset is a few comparisons; real feeds stay far below. */
#define VG_STIX_PATTERN_MAX (64 * 1024)
/* Comparisons in one pattern (a term of the normal form is a 64-bit mask of them). */
#define VG_STIX_COMPARISONS_MAX 64
/* Terms of the disjunctive normal form ([a OR b] AND [c OR d] expands to 4). */
#define VG_STIX_TERMS_MAX 64
/* Object type / property path of one comparison (file:hashes.'SHA-256'). */
#define VG_STIX_NAME_MAX 128
/* One indicator value (a long URL; longer ones are refused, not truncated). */
#define VG_IOC_VALUE_MAX 4096
/* One line of a plain list or CSV file, and CSV columns. */
#define VG_IOC_LINE_MAX (16 * 1024)
#define VG_IOC_CSV_COLUMNS_MAX 64
/* An indicator file read at once (MISP/STIX JSON; lists are streamed from memory too). */
#define VG_IOC_FILE_MAX (2ull * 1024 * 1024 * 1024)
/* Indicators in one ruleset (32-bit indices). */
#define VG_IOC_MAX 100000000u
/* Fields in the IOC field map, and source files (16-bit index in each entry). */
#define VG_IOC_FIELDS_MAX 1024
#define VG_IOC_SOURCES_MAX 65535
/* IOC hits reported for one event (a log line listing thousands of hashes). */
#define VG_IOC_EVENT_HITS_MAX 256
/* Keys of an event looked up together so that their memory misses overlap
 * (detect/ioc_match.c); a fuller batch is run and emptied, so these bound
 * memory, not what is matched. The batch must hold one IPv6 address with
 * every prefix length (1 + 128 keys) and one name's labels; the key bytes
 * two normalised values of VG_IOC_VALUE_MAX (a URL and its host). */
#define VG_IOC_PROBE_BATCH 512
/* Events matched together by a vg_ioc_batch: enough keys (6 to 10 per EVE
 * event) for their memory misses to overlap, few enough that the events'
 * buffers stay in cache. */
#define VG_IOC_BATCH_EVENTS 16
#define VG_IOC_PROBE_KEY_BYTES (4 * VG_IOC_VALUE_MAX)
/* Labels of a DNS name of 253 bytes at most (RFC 1035): each one or more
 * bytes plus a dot. */
#define VG_IOC_NAME_LABELS_MAX 127

/* ---- syslog input (src/detect/syslog.c, syslog_net.c) ---- */
/* One syslog message: RFC 5424 asks receivers for 2,048 bytes and allows more;
 * a UDP datagram cannot exceed 64 KB, rsyslog's default is 8 KB. */
#define VG_SYSLOG_MSG_MAX (64 * 1024)
/* STRUCTURED-DATA elements and parameters (all elements together) of one
 * message: real senders use one or two elements with a few parameters. */
#define VG_SYSLOG_SD_MAX 32
#define VG_SYSLOG_SD_PARAMS_MAX 128
/* Concurrent TCP senders on one listener (each holds one message buffer). */
#define VG_SYSLOG_TCP_CLIENTS_MAX 256
/* When every TCP slot is taken, a new sender replaces the client idle the
 * longest if it has sent nothing for this long (seconds): dead connections
 * cannot keep live senders out, and a quiet rsyslog simply reconnects. */
#define VG_SYSLOG_TCP_IDLE_EVICT_S 60
/* Listening sockets of one vigie detect (--syslog-udp / --syslog-tcp). */
#define VG_SYSLOG_LISTENERS_MAX 16

/* Structured fields of a report (the constituent form): "systems affected" is
 * a short free-text answer (names, addresses, services), not a document. */
#define VG_REPORT_SYSTEMS_MAX 4096
/* Observable candidates of a report: its text attachments are read when at
 * most this large (logs, X-ARF, headers), and at most this many of them, so
 * one request reads a bounded amount of disk; the rest are files to analyse. */
#define VG_REPORT_OBS_ATTACHMENT_MAX (256 * 1024)
#define VG_REPORT_OBS_ATTACHMENTS_MAX 16
/* Values confirmed in one POST /reports/{id}/observables (the candidates of
 * one report are at most VG_OBS_EXTRACT_MAX). */
#define VG_REPORT_OBS_KEEP_MAX VG_OBS_EXTRACT_MAX

#endif
