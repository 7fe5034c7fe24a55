/* Unit tests for src/observe storage and correlation: upsert once, links and
 * counters, flags, search, ranking by rarity, common-value suppression (cap
 * and warning list), CIDR containment both ways, organisation scoping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "observe/observe.h"

static char dir[64];
static char path[128];
static vg_db *db;
static vg_arena *arena;

#define ORG_A 1
#define ORG_B 2
#define CAP 10

static int setup(void **state)
{
	vg_db_options o = {.busy_timeout_ms = 2000};
	vg_diag d;
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/vg-obs-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof path, "%s/t.db", dir);
	if (vg_db_open(path, &o, &db, &d) != VG_OK)
		return -1;
	if (vg_db_exec(db,
		       "INSERT INTO organisations(id, name, kind, created_at, updated_at) VALUES"
		       " (1, 'Ministere A', 'ministry', 0, 0), (2, 'Operateur B', 'oiv', 0, 0)",
		       &d) != VG_OK)
		return -1;
	arena = vg_arena_new(0);
	return arena ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[160];
	(void)state;
	vg_arena_free(arena);
	vg_db_close(db);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd);
}

static int64_t link_v(vg_obs_type t, const char *v, int64_t inc, int64_t org)
{
	int64_t id = 0;
	bool created = false;
	vg_diag d;
	vg_diag_clear(&d);
	if (vg_obs_link_value(db, t, v, strlen(v), VG_OBS_OBJ_INCIDENT, inc, org, "test", vg_obs_warnlist_default(), CAP,
			      &id, &created, &d) != VG_OK)
		fail_msg("link %s %s: %s (%s)", vg_obs_type_name(t), v, d.message, d.field);
	return id;
}

static vg_obs_related_result related(int64_t inc, int64_t scope, int64_t cap)
{
	vg_obs_related_opts o = {.scope_org = scope, .common_cap = cap, .limit = 50};
	vg_obs_related_result r;
	vg_diag d;
	if (vg_obs_related_find(db, VG_OBS_OBJ_INCIDENT, inc, &o, arena, &r, &d) != VG_OK)
		fail_msg("related: %s", d.message);
	return r;
}

static const vg_obs_related *rel_of(const vg_obs_related_result *r, int64_t inc)
{
	for (size_t i = 0; i < r->len; i++)
		if (r->items[i].object_id == inc)
			return &r->items[i];
	return NULL;
}

static void test_store_basics(void **state)
{
	vg_observable o;
	vg_obs_linked *items;
	vg_obs_object_ref *refs;
	size_t n;
	bool trunc, created;
	int64_t id, id2;
	vg_diag d;
	(void)state;
	id = link_v(VG_OBS_IPV4, " 45.133.1.20 ", 100, ORG_A);
	id2 = link_v(VG_OBS__COUNT, "45.133.1[.]20", 101, ORG_B); /* guessed, refanged: same value */
	assert_int_equal(id, id2);
	assert_int_equal(vg_obs_get(db, id, arena, &o, &d), VG_OK);
	assert_string_equal(o.value, "45.133.1.20");
	assert_int_equal(o.type, VG_OBS_IPV4);
	assert_int_equal(o.link_count, 2);
	assert_false(o.common);
	/* linking twice is not an error and does not count twice */
	assert_int_equal(vg_obs_link(db, id, VG_OBS_OBJ_INCIDENT, 100, ORG_A, "again", CAP, &created, &d), VG_OK);
	assert_false(created);
	assert_int_equal(vg_obs_get(db, id, arena, &o, &d), VG_OK);
	assert_int_equal(o.link_count, 2);
	assert_int_equal(vg_obs_link(db, id, "ticket", 1, 0, "x", CAP, &created, &d), VG_ERR_INVALID);
	assert_string_equal(d.field, "object_type");
	/* warning-listed values are flagged common at once */
	id2 = link_v(VG_OBS_DOMAIN, "WWW.Example.COM", 100, ORG_A);
	assert_int_equal(vg_obs_get(db, id2, arena, &o, &d), VG_OK);
	assert_true(o.common);
	assert_string_equal(o.common_reason, "example-domains");
	assert_string_equal(o.common_by, "auto");
	/* bad values name the field */
	assert_int_equal(vg_obs_link_value(db, VG_OBS_MD5, "abc", 3, VG_OBS_OBJ_INCIDENT, 100, ORG_A, "t", NULL, CAP, NULL,
					   NULL, &d),
			 VG_ERR_INVALID);
	assert_string_equal(d.field, "value");
	/* list for an object, objects of a value (scoped and not) */
	assert_int_equal(vg_obs_list_for_object(db, VG_OBS_OBJ_INCIDENT, 100, 0, arena, &items, &n, &d), VG_OK);
	assert_int_equal(n, 2);
	assert_string_equal(items[0].obs.value, "45.133.1.20");
	assert_string_equal(items[0].source, "test");
	assert_int_equal(vg_obs_objects(db, id, 0, 0, arena, &refs, &n, &trunc, &d), VG_OK);
	assert_int_equal(n, 2);
	assert_int_equal(vg_obs_objects(db, id, ORG_B, 0, arena, &refs, &n, &trunc, &d), VG_OK);
	assert_int_equal(n, 1);
	assert_int_equal(refs[0].object_id, 101);
	assert_int_equal(refs[0].org_id, ORG_B);
	/* flags */
	assert_int_equal(vg_obs_set_ioc(db, id, true, &d), VG_OK);
	assert_int_equal(vg_obs_set_tags(db, id, "[\"c2\",\"ssh\"]", &d), VG_OK);
	assert_int_equal(vg_obs_set_common(db, id2, false, "template address used by the victim", &d), VG_OK);
	assert_int_equal(vg_obs_get(db, id2, arena, &o, &d), VG_OK);
	assert_false(o.common);
	assert_string_equal(o.common_by, "analyst");
	/* relinking an analyst-cleared listed value keeps the analyst's decision */
	link_v(VG_OBS_DOMAIN, "www.example.com", 102, ORG_A);
	assert_int_equal(vg_obs_get(db, id2, arena, &o, &d), VG_OK);
	assert_false(o.common);
	assert_int_equal(vg_obs_set_ioc(db, 999999, true, &d), VG_ERR_NOT_FOUND);
	/* search */
	{
		vg_obs_query q = {.ioc = 1, .limit = 10};
		vg_observable *res;
		int64_t next;
		assert_int_equal(vg_obs_search(db, &q, arena, &res, &n, &next, &d), VG_OK);
		assert_int_equal(n, 1);
		assert_string_equal(res[0].tags, "[\"c2\",\"ssh\"]");
		q.ioc = -1;
		q.limit = 1;
		assert_int_equal(vg_obs_search(db, &q, arena, &res, &n, &next, &d), VG_OK);
		assert_int_equal(n, 1);
		assert_int_equal(next, res[0].id);
		q.after_id = next;
		assert_int_equal(vg_obs_search(db, &q, arena, &res, &n, &next, &d), VG_OK);
		assert_int_equal(n, 1);
		assert_true(res[0].id > q.after_id);
		q.after_id = 0;
		q.limit = 10;
		q.has_type = 1;
		q.type = VG_OBS_DOMAIN;
		assert_int_equal(vg_obs_search(db, &q, arena, &res, &n, &next, &d), VG_OK);
		assert_int_equal(n, 1);
		q.has_type = 0;
		q.value = "45.133.";
		assert_int_equal(vg_obs_search(db, &q, arena, &res, &n, &next, &d), VG_OK);
		assert_int_equal(n, 1);
		/* exact, indexed lookup of one value, with the other filters */
		q.has_type = 1;
		q.type = VG_OBS_IPV4;
		q.value = "45.133.1.20";
		q.exact = 1;
		assert_int_equal(vg_obs_search(db, &q, arena, &res, &n, &next, &d), VG_OK);
		assert_int_equal(n, 1);
		assert_int_equal(res[0].id, id);
		q.ioc = 0; /* it is an IOC */
		assert_int_equal(vg_obs_search(db, &q, arena, &res, &n, &next, &d), VG_OK);
		assert_int_equal(n, 0);
		q.ioc = -1;
		q.value = "45.133.1.21";
		assert_int_equal(vg_obs_search(db, &q, arena, &res, &n, &next, &d), VG_OK);
		assert_int_equal(n, 0);
		q.has_type = 0;
		q.exact = 0;
		q.value = NULL;
		q.scope_org = ORG_B;
		assert_int_equal(vg_obs_search(db, &q, arena, &res, &n, &next, &d), VG_OK);
		assert_int_equal(n, 1); /* only the value linked to an ORG_B object */
	}
	/* unlink */
	assert_int_equal(vg_obs_unlink(db, id, VG_OBS_OBJ_INCIDENT, 101, &d), VG_OK);
	assert_int_equal(vg_obs_unlink(db, id, VG_OBS_OBJ_INCIDENT, 101, &d), VG_ERR_NOT_FOUND);
	assert_int_equal(vg_obs_get(db, id, arena, &o, &d), VG_OK);
	assert_int_equal(o.link_count, 1);
	/* merge: links move, duplicates collapse */
	link_v(VG_OBS_IPV4, "45.133.1.20", 103, ORG_A);
	link_v(VG_OBS_SHA1, "3395856ce81f2b7382dee72602f798b642f14140", 103, ORG_A);
	assert_int_equal(vg_obs_move_links(db, VG_OBS_OBJ_INCIDENT, 103, 100, ORG_A, &d), VG_OK);
	assert_int_equal(vg_obs_list_for_object(db, VG_OBS_OBJ_INCIDENT, 103, 0, arena, &items, &n, &d), VG_OK);
	assert_int_equal(n, 0);
	assert_int_equal(vg_obs_list_for_object(db, VG_OBS_OBJ_INCIDENT, 100, 0, arena, &items, &n, &d), VG_OK);
	assert_int_equal(n, 3);
	assert_int_equal(vg_obs_get(db, id, arena, &o, &d), VG_OK);
	assert_int_equal(o.link_count, 1);
	assert_int_equal(vg_obs_set_object_org(db, VG_OBS_OBJ_INCIDENT, 100, ORG_B, &d), VG_OK);
	assert_int_equal(vg_obs_objects(db, id, ORG_B, 0, arena, &refs, &n, &trunc, &d), VG_OK);
	assert_int_equal(n, 1);
	vg_arena_reset(arena);
}

static void test_correlation(void **state)
{
	vg_obs_related_result r;
	const vg_obs_related *x;
	const char *md5 = "44d88612fea8a8f36de82e1278abb02f";
	int64_t ip_id;
	vg_diag d;
	(void)state;
	/* inc 1 (A) */
	ip_id = link_v(VG_OBS_IPV4, "185.220.101.45", 1, ORG_A);
	link_v(VG_OBS_DOMAIN, "update-check.online", 1, ORG_A);
	link_v(VG_OBS_MD5, md5, 1, ORG_A);
	link_v(VG_OBS_IPV4, "8.8.8.8", 1, ORG_A);           /* warning list */
	link_v(VG_OBS_DOMAIN, "popular-portal.xyz", 1, ORG_A); /* over the cap below */
	/* inc 2 (A): shares the IP and the domain */
	link_v(VG_OBS_IPV4, "185.220.101.45", 2, ORG_A);
	link_v(VG_OBS_DOMAIN, "update-check.online", 2, ORG_A);
	/* inc 3 (B): shares the hash */
	link_v(VG_OBS_MD5, md5, 3, ORG_B);
	/* inc 4 (A): only the resolver */
	link_v(VG_OBS_IPV4, "8.8.8.8", 4, ORG_A);
	/* inc 5 (B): a prefix containing inc 1's IP */
	link_v(VG_OBS_CIDR, "185.220.100.0/22", 5, ORG_B);
	/* the popular domain on 12 incidents (20..31): more than CAP objects */
	for (int i = 20; i < 32; i++)
		link_v(VG_OBS_DOMAIN, "popular-portal.xyz", i, i % 2 ? ORG_A : ORG_B);

	r = related(1, 0, CAP);
	assert_int_equal(r.len, 3);
	assert_int_equal(r.values_used, 3);
	assert_int_equal(r.values_common, 2); /* 8.8.8.8 (list) and popular-portal.xyz (cap) */
	/* ranking: two shared values beat one; a value held by fewer objects weighs more */
	assert_int_equal(r.items[0].object_id, 2);
	assert_int_equal(r.items[0].nshared, 2);
	assert_true(fabs(r.items[0].score - 2 * log(1.0 + CAP / 2.0)) < 1e-9);
	assert_int_equal(r.items[1].object_id, 5);
	assert_string_equal(r.items[1].shared[0].via, "cidr");
	assert_string_equal(r.items[1].shared[0].value, "185.220.101.45");
	assert_string_equal(r.items[1].shared[0].other_value, "185.220.100.0/22");
	assert_int_equal(r.items[1].shared[0].df, 1);
	assert_int_equal(r.items[2].object_id, 3);
	assert_string_equal(r.items[2].shared[0].value, md5);
	assert_null(rel_of(&r, 4));  /* only a warning-listed value in common */
	assert_null(rel_of(&r, 20)); /* only a value over the cap in common */
	assert_null(rel_of(&r, 1));  /* never itself */

	/* a larger cap makes the popular domain count, with a small weight */
	r = related(1, 0, 1000);
	assert_int_equal(r.values_common, 1);
	assert_non_null(x = rel_of(&r, 20));
	assert_true(x->score < r.items[0].score);
	assert_int_equal(r.items[0].object_id, 2);

	/* CIDR -> IPs inside it */
	r = related(5, 0, CAP);
	assert_int_equal(r.len, 2);
	assert_non_null(rel_of(&r, 1));
	assert_non_null(rel_of(&r, 2));
	assert_string_equal(rel_of(&r, 2)->shared[0].other_value, "185.220.101.45");

	/* scoping: a constituent of A sees only A's incidents, and weights come
	 * from what it can see */
	r = related(1, ORG_A, CAP);
	assert_int_equal(r.len, 1);
	assert_int_equal(r.items[0].object_id, 2);
	for (size_t i = 0; i < r.items[0].nshared; i++)
		assert_int_equal(r.items[0].shared[i].df, 2);
	r = related(3, ORG_B, CAP);
	assert_int_equal(r.len, 0);

	/* an analyst marks the IP common: inc 2 keeps only the domain, inc 5 goes */
	assert_int_equal(vg_obs_set_common(db, ip_id, true, "sinkhole", &d), VG_OK);
	r = related(1, 0, CAP);
	assert_int_equal(r.len, 2);
	assert_int_equal(rel_of(&r, 2)->nshared, 1);
	assert_null(rel_of(&r, 5));

	/* an object without observables relates to nothing */
	r = related(424242, 0, CAP);
	assert_int_equal(r.len, 0);
	vg_arena_reset(arena);
}

static void test_cidr_fanout_and_ipv6(void **state)
{
	vg_obs_related_result r;
	char ip[64];
	(void)state;
	/* 150 IPs inside one /16 on 150 incidents, and an IPv6 host in a /48 */
	for (int i = 0; i < 150; i++) {
		snprintf(ip, sizeof ip, "91.92.%d.%d", i / 100, 1 + i % 100);
		link_v(VG_OBS_IPV4, ip, 1000 + i, ORG_A);
	}
	link_v(VG_OBS_CIDR, "91.92.0.0/16", 2000, ORG_A);
	r = related(2000, 0, CAP);
	assert_int_equal(r.len, 50); /* limit */
	link_v(VG_OBS_IPV6, "2a0e:1c80:3::17", 3000, ORG_B);
	link_v(VG_OBS_CIDR, "2a0e:1c80::/32", 3001, ORG_B);
	link_v(VG_OBS_CIDR, "2a0e:1c80:3::/48", 3002, ORG_B);
	r = related(3000, 0, CAP);
	assert_int_equal(r.len, 2);
	r = related(3001, 0, CAP); /* the host and the narrower prefix are inside */
	assert_int_equal(r.len, 2);
	r = related(3002, 0, CAP); /* the host inside, the wider prefix contains it */
	assert_int_equal(r.len, 2);
	vg_arena_reset(arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_basics),
		cmocka_unit_test(test_correlation),
		cmocka_unit_test(test_cidr_fanout_and_ipv6),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
