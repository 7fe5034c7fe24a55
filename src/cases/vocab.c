/* Vocabularies of incidents: TLP 2.0, PAP, severities, impact levels, the
 * status lifecycle (a transition table) and the RSIT taxonomy (embedded). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cases/cases.h"
#include "cases/internal.h"

const char *const vg_tlp_names[] = {"clear", "green", "amber", "amber+strict", "red", NULL};
const char *const vg_pap_names[] = {"clear", "green", "amber", "red", NULL};
const char *const vg_severity_names[] = {"low", "medium", "high", "critical", NULL};
const char *const vg_impact_levels[] = {"none", "low", "medium", "high", NULL};
const char *const vg_journal_kinds[] = {"note",	  "status",	"email_in", "email_out", "merge", "task",
					"playbook", "advice", "attachment", "report",    "link",  "reply",
					NULL};
const char *const vg_inc_status_names[] = {"new",	  "triage",   "analysis", "containment", "eradication",
					   "recovery", "waiting", "closed",   NULL};

int vg_tlp_parse(const char *s)
{
	if (!s)
		return -1;
	if (strncasecmp(s, "tlp:", 4) == 0)
		s += 4;
	for (int i = 0; vg_tlp_names[i]; i++)
		if (strcasecmp(s, vg_tlp_names[i]) == 0)
			return i;
	if (strcasecmp(s, "white") == 0) /* TLP 1.0 name of CLEAR */
		return VG_TLP_CLEAR;
	return -1;
}

const char *vg_tlp_name(int tlp)
{
	return tlp >= 0 && tlp <= VG_TLP_RED ? vg_tlp_names[tlp] : "amber";
}

int vg_inc_status_parse(const char *s)
{
	for (int i = 0; s && vg_inc_status_names[i]; i++)
		if (strcmp(s, vg_inc_status_names[i]) == 0)
			return i;
	return -1;
}

int vg_cases_index_of(const char *const *names, const char *s)
{
	for (int i = 0; s && names[i]; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

/* The lifecycle: from (row) may go to the statuses in the bit set. Any active
 * status may wait on a third party or close; waiting resumes to any active
 * status; a closed incident reopens into analysis. */
#define B(s) (1u << (s))
#define ACTIVE_EXITS (B(VG_INC_WAITING) | B(VG_INC_CLOSED))
static const unsigned transitions[VG_INC__COUNT] = {
	[VG_INC_NEW] = B(VG_INC_TRIAGE) | B(VG_INC_ANALYSIS) | ACTIVE_EXITS,
	[VG_INC_TRIAGE] = B(VG_INC_ANALYSIS) | B(VG_INC_CONTAINMENT) | ACTIVE_EXITS,
	[VG_INC_ANALYSIS] = B(VG_INC_CONTAINMENT) | B(VG_INC_ERADICATION) | B(VG_INC_RECOVERY) | ACTIVE_EXITS,
	[VG_INC_CONTAINMENT] = B(VG_INC_ANALYSIS) | B(VG_INC_ERADICATION) | B(VG_INC_RECOVERY) | ACTIVE_EXITS,
	[VG_INC_ERADICATION] = B(VG_INC_ANALYSIS) | B(VG_INC_CONTAINMENT) | B(VG_INC_RECOVERY) | ACTIVE_EXITS,
	[VG_INC_RECOVERY] = B(VG_INC_ANALYSIS) | B(VG_INC_CONTAINMENT) | B(VG_INC_ERADICATION) | ACTIVE_EXITS,
	[VG_INC_WAITING] = B(VG_INC_TRIAGE) | B(VG_INC_ANALYSIS) | B(VG_INC_CONTAINMENT) | B(VG_INC_ERADICATION) |
			   B(VG_INC_RECOVERY) | B(VG_INC_CLOSED),
	[VG_INC_CLOSED] = B(VG_INC_ANALYSIS),
};

bool vg_inc_transition_allowed(vg_inc_status from, vg_inc_status to)
{
	if ((unsigned)from >= VG_INC__COUNT || (unsigned)to >= VG_INC__COUNT)
		return false;
	return (transitions[from] & B(to)) != 0;
}

/* ---- RSIT 1003 (EU CSIRTs Network) + IntelMQ extensions -> "other" ---- */
typedef struct rsit_row {
	const char *taxonomy, *type, *label;
	bool in_rsit;
} rsit_row;

static const rsit_row rsit[] = {
	{"abusive-content", "spam", "Spam", true},
	{"abusive-content", "harmful-speech", "Harmful Speech", true},
	{"abusive-content", "violence", "(Child) Sexual Exploitation/Sexual/Violent Content", true},
	{"malicious-code", "infected-system", "Infected System", true},
	{"malicious-code", "c2-server", "C2 Server", true},
	{"malicious-code", "malware-distribution", "Malware Distribution", true},
	{"malicious-code", "malware-configuration", "Malware Configuration", true},
	{"information-gathering", "scanner", "Scanning", true},
	{"information-gathering", "sniffing", "Sniffing", true},
	{"information-gathering", "social-engineering", "Social Engineering", true},
	{"intrusion-attempts", "ids-alert", "Exploitation of Known Vulnerabilities", true},
	{"intrusion-attempts", "brute-force", "Login Attempts", true},
	{"intrusion-attempts", "exploit", "New Attack Signature", true},
	{"intrusions", "privileged-account-compromise", "Privileged Account Compromise", true},
	{"intrusions", "unprivileged-account-compromise", "Unprivileged Account Compromise", true},
	{"intrusions", "application-compromise", "Application Compromise", true},
	{"intrusions", "system-compromise", "System Compromise", true},
	{"intrusions", "burglary", "Burglary", true},
	{"availability", "dos", "Denial of Service", true},
	{"availability", "ddos", "Distributed Denial of Service", true},
	{"availability", "misconfiguration", "Misconfiguration", true},
	{"availability", "sabotage", "Sabotage", true},
	{"availability", "outage", "Outage", true},
	{"information-content-security", "unauthorised-information-access", "Unauthorised Access to Information", true},
	{"information-content-security", "unauthorised-information-modification",
	 "Unauthorised Modification of Information", true},
	{"information-content-security", "data-loss", "Data Loss", true},
	{"information-content-security", "data-leak", "Leak of Confidential Information", true},
	{"fraud", "unauthorised-use-of-resources", "Unauthorised Use of Resources", true},
	{"fraud", "copyright", "Copyright", true},
	{"fraud", "masquerade", "Masquerade", true},
	{"fraud", "phishing", "Phishing", true},
	{"vulnerable", "weak-crypto", "Weak Cryptography", true},
	{"vulnerable", "ddos-amplifier", "DDoS Amplifier", true},
	{"vulnerable", "potentially-unwanted-accessible", "Potentially Unwanted Accessible Services", true},
	{"vulnerable", "information-disclosure", "Information Disclosure", true},
	{"vulnerable", "vulnerable-system", "Vulnerable System", true},
	{"other", "other", "Uncategorised", true},
	{"other", "undetermined", "Undetermined", true},
	{"test", "test", "Test", true},
	/* IntelMQ's extra types: accepted, classified under "other" */
	{"other", "blacklist", "Blacklist (IntelMQ)", false},
	{"other", "dga-domain", "DGA domain (IntelMQ)", false},
	{"other", "malware", "Malware (IntelMQ)", false},
	{"other", "proxy", "Proxy (IntelMQ)", false},
	{"other", "tor", "Tor (IntelMQ)", false},
};
#define RSIT_N (sizeof rsit / sizeof rsit[0])

/* Old spellings IntelMQ sanitises to current values. */
static const struct {
	const char *from, *to;
} type_alias[] = {
	{"botnet drone", "infected-system"}, {"ids alert", "ids-alert"}, {"c&c", "c2-server"},
	{"c2server", "c2-server"}, {"infected system", "infected-system"},
	{"malware configuration", "malware-configuration"}, {"vulnerable client", "vulnerable-system"},
	{"vulnerable service", "vulnerable-system"}, {"leak", "data-leak"}, {"ransomware", "infected-system"},
	{"unknown", "undetermined"}, {"dga domain", "dga-domain"}, {"unauthorized-login", "system-compromise"},
	{"unauthorized-command", "system-compromise"}, {"compromised", "system-compromise"},
	{"defacement", "unauthorised-information-modification"}, {"backdoor", "system-compromise"},
	{"dropzone", "other"}, {"unauthorized-use-of-resources", "unauthorised-use-of-resources"},
}, tax_alias[] = {
	{"abusive content", "abusive-content"}, {"information gathering", "information-gathering"},
	{"intrusion attempts", "intrusion-attempts"}, {"malicious code", "malicious-code"},
};

vg_err vg_rsit_check(const char *taxonomy, const char *type, const char **tax_out, const char **type_out,
		     vg_diag *d)
{
	const rsit_row *row = NULL;
	bool tax_known = false;
	if (taxonomy && !*taxonomy)
		taxonomy = NULL;
	if (!type || !*type) {
		/* taxonomy only: RSIT says type "undetermined" under it; we keep the
		 * pair valid by classifying as other/undetermined unless the taxonomy is other. */
		type = "undetermined";
	}
	for (size_t i = 0; i < sizeof type_alias / sizeof type_alias[0]; i++)
		if (strcasecmp(type, type_alias[i].from) == 0) {
			type = type_alias[i].to;
			break;
		}
	for (size_t i = 0; taxonomy && i < sizeof tax_alias / sizeof tax_alias[0]; i++)
		if (strcasecmp(taxonomy, tax_alias[i].from) == 0) {
			taxonomy = tax_alias[i].to;
			break;
		}
	for (size_t i = 0; i < RSIT_N; i++) {
		if (taxonomy && strcasecmp(taxonomy, rsit[i].taxonomy) == 0)
			tax_known = true;
		if (!row && strcasecmp(type, rsit[i].type) == 0)
			row = &rsit[i];
	}
	if (taxonomy && !tax_known)
		return vg_diag_set(d, VG_ERR_INVALID, "taxonomy", "unknown RSIT taxonomy '%.64s'", taxonomy);
	if (!row)
		return vg_diag_set(d, VG_ERR_INVALID, "type", "unknown RSIT type '%.64s'", type);
	if (taxonomy && strcasecmp(taxonomy, row->taxonomy) != 0) {
		/* "undetermined" is allowed under any taxonomy (RSIT default when only
		 * the taxonomy is known); it is stored under its own taxonomy then. */
		if (strcmp(row->type, "undetermined") != 0)
			return vg_diag_set(d, VG_ERR_INVALID, "type", "RSIT type '%s' belongs to taxonomy '%s', not '%.64s'",
					   row->type, row->taxonomy, taxonomy);
		for (size_t i = 0; i < RSIT_N; i++)
			if (strcasecmp(taxonomy, rsit[i].taxonomy) == 0) {
				*tax_out = rsit[i].taxonomy;
				*type_out = row->type;
				return VG_OK;
			}
	}
	*tax_out = row->taxonomy;
	*type_out = row->type;
	return VG_OK;
}

json_t *vg_rsit_table_json(void)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < RSIT_N; i++)
		json_array_append_new(a, json_pack("{sssssssb}", "taxonomy", rsit[i].taxonomy, "type", rsit[i].type,
						   "label", rsit[i].label, "in_rsit", rsit[i].in_rsit));
	return a;
}
