/* vigie serve: the HTTP API (and later the web console) on one port. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/app.h"
#include "auth/throttle.h"
#include "cases/cases.h"
#include "notify/notify.h"
#include "cli/cli.h"
#include "core/clock.h"
#include "core/log.h"
#include "registry/index.h"

int vg_cmd_serve(vg_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"listen", required_argument, NULL, 'l'},  {"tls-cert", required_argument, NULL, 'c'},
		{"tls-key", required_argument, NULL, 'k'}, {"threads", required_argument, NULL, 't'},
		{0, 0, 0, 0},
	};
	vg_app *app = calloc(1, sizeof *app);
	vg_server *srv = NULL;
	vg_outbox_flusher *flusher = NULL;
	vg_notify_config ncfg;
	vg_server_options so;
	vg_db_options dbo;
	vg_diag d;
	vg_err e = VG_OK;
	sigset_t set;
	int c, sig = 0, rc = VG_EXIT_OK;

	vg_diag_clear(&d);
	if (!app)
		return VG_EXIT_FAIL;
	app->cfg = cli->cfg;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		const char *key = c == 'l' ? "listen" : c == 'c' ? "tls_cert" : c == 'k' ? "tls_key" : c == 't' ? "threads" : NULL;
		if (!key) {
			free(app);
			return vg_cli_usage(cli, NULL, "serve");
		}
		e = vg_config_set(&app->cfg, key, optarg, &d);
		if (e) {
			free(app);
			return vg_cli_fail(cli, e, &d);
		}
	}
	if (optind < argc) {
		free(app);
		return vg_cli_usage(cli, NULL, "serve");
	}
	if ((app->cfg.tls_cert[0] != '\0') != (app->cfg.tls_key[0] != '\0')) {
		free(app);
		vg_diag_set(&d, VG_ERR_INVALID, "tls_key", "--tls-cert and --tls-key go together");
		return vg_cli_fail(cli, VG_ERR_INVALID, &d);
	}

	/* Block the stop signals in every thread; the main thread waits for them. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* module configuration is checked before anything starts */
	e = vg_cases_configure_from(&app->cfg, &d);
	if (!e)
		e = vg_notify_config_from(&app->cfg, &ncfg, &d);
	if (e) {
		free(app);
		return vg_cli_fail(cli, e, &d);
	}

	dbo = (vg_db_options){.sync_full = app->cfg.db_sync_full != 0,
			      .busy_timeout_ms = (int)app->cfg.db_busy_timeout_ms};
	/* one connection per worker thread, plus one for the metrics/health path */
	e = vg_db_pool_new(app->cfg.db, &dbo, (int)app->cfg.threads + 1, &app->pool, &d);
	if (e)
		goto out;
	e = vg_registry_new(&app->registry);
	if (e) {
		vg_diag_set(&d, e, NULL, "cannot create the registry index");
		goto out;
	}
	app->throttle = vg_throttle_new((int)app->cfg.login_max_failures, app->cfg.login_window_s);
	if (!app->throttle) {
		e = vg_diag_set(&d, VG_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	/* outgoing mail queued by requests is delivered (and retried) in the background */
	e = vg_outbox_flusher_start(app->pool, &ncfg, 60, &flusher, &d);
	if (e)
		goto out;
	app->started_ms = vg_time_now_ms();
	so = (vg_server_options){
		.listen = app->cfg.listen,
		.threads = (int)app->cfg.threads,
		.tls_cert = app->cfg.tls_cert,
		.tls_key = app->cfg.tls_key,
		.trusted_proxies = app->cfg.trusted_proxies,
		.request_timeout_s = (unsigned)app->cfg.request_timeout_s,
		.default_max_body = (size_t)app->cfg.max_body,
	};
	e = vg_server_start(app, vg_api_routes, &so, &srv, &d);
	if (e)
		goto out;
	{
		char host[128];
		unsigned port;
		vg_parse_hostport(app->cfg.listen, host, sizeof host, &port);
		printf("vigie: listening on %s://%s%s%s:%u (database %s)\n", app->cfg.tls_cert[0] ? "https" : "http",
		       strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "", vg_server_port(srv), app->cfg.db);
		fflush(stdout);
	}
	VG_INFO("vigie serving with %lld threads", (long long)app->cfg.threads);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			break;
		if (sig == SIGHUP) {
			VG_INFO("SIGHUP: nothing to reload yet (configuration is read at start)");
			continue;
		}
		break;
	}
	VG_INFO("signal %d: shutting down", sig);
out:
	vg_server_stop(srv);
	vg_outbox_flusher_stop(flusher);
	vg_throttle_free(app->throttle);
	vg_registry_free(app->registry);
	vg_db_pool_free(app->pool);
	free(app);
	if (e)
		rc = vg_cli_fail(cli, e, &d);
	return rc;
}
