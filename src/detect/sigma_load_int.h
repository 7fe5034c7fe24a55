/* What the Sigma loaders (sigma_load.c, sigma_load_corr.c) share: YAML
 * helpers, the head of a rule document, the correlation loader. */
#ifndef VG_DETECT_SIGMA_LOAD_INT_H
#define VG_DETECT_SIGMA_LOAD_INT_H
#include <libfyaml.h>

#include "detect/internal.h"

/* 1-based line of a scalar node, 0 when unknown. */
unsigned vg_yaml_line(struct fy_node *n);
/* Scalar text of a node, or NULL when it is not a scalar. */
const char *vg_yaml_scalar(struct fy_node *n, size_t *len);
/* The scalar copied into the arena; NULL when not a scalar (or on exhaustion). */
char *vg_yaml_arena_scalar(vg_arena *a, struct fy_node *n);
/* Value of key in a map (NULL when absent or not a map); *line gets the key's line. */
struct fy_node *vg_yaml_get(struct fy_node *map, const char *key, unsigned *line);
/* A scalar with its plain-style type (string, number, boolean, null). */
vg_yval vg_yaml_value(struct fy_node *n);
/* The head every rule document has: title (required), id, name, status,
 * author, level, tags; file and line. The rule starts active. */
vg_err vg_load_info(vg_arena *a, struct fy_node *root, const char *file, unsigned doc_line, vg_rule_info *info,
		    vg_diag *d);

/* A correlation document (sigma_load_corr.c): root is the document, c its
 * 'correlation' map at line cline. */
vg_err vg_load_correlation(vg_ruleset *rs, struct fy_node *root, struct fy_node *c, unsigned cline, const char *file,
			   unsigned doc_line, vg_load_report *rep, vg_diag *d);

#endif
