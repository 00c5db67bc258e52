/* SPDX-License-Identifier: Apache-2.0 */
/* cli_scenario: `concord scenario run FILE --federation DIR` and
 * `concord scenario check FILE`. A run makes the federation if DIR holds
 * none (from the scenario's [federation] section), starts it if it is
 * not running (and stops it again at the end unless --keep-running),
 * then hands the steps to scenario_run. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "clock.h"
#include "federation.h"
#include "launch.h"
#include "scenario.h"
#include "scenario_run.h"

/* `federation init` from the scenario's [federation] section. */
static int s_init(const scenario_t *s, const char *dir)
{
    const scenario_section_t *sec = scenario_find(s, SCENARIO_FEDERATION);
    static const char *const scopes[] = {"area", "stp", "county"};
    char *argv[16];
    char flag[16];
    int n = 0;
    if (!sec) {
        return cli_fail("%s holds no federation and %s has no [federation] section to make one",
                        dir, scenario_path(s));
    }
    argv[n++] = "federation";
    argv[n++] = "init";
    argv[n++] = "--out";
    argv[n++] = (char *)dir;
    for (size_t i = 0; i < sizeof scopes / sizeof scopes[0]; i++) {
        if (scenario_get(sec, scopes[i])) {
            snprintf(flag, sizeof flag, "--%s", scopes[i]);
            argv[n++] = flag;
            argv[n++] = (char *)scenario_get(sec, scopes[i]);
        }
    }
    if (n == 4) {
        argv[n++] = "--england";
    }
    if (scenario_get(sec, "vintage")) {
        argv[n++] = "--vintage"; /* the geography the scenario was written for */
        argv[n++] = (char *)scenario_get(sec, "vintage");
    }
    if (scenario_get(sec, "name")) {
        argv[n++] = "--name";
        argv[n++] = (char *)scenario_get(sec, "name");
    }
    if (scenario_get(sec, "port")) {
        argv[n++] = "--port";
        argv[n++] = (char *)scenario_get(sec, "port");
    }
    argv[n] = NULL;
    return cli_federation(n, argv, -1);
}

typedef struct {
    const char *file, *dir, *out;
    int keep, parallel;
} s_opts_t;

static int s_parse(int argc, char **argv, s_opts_t *o)
{
    static const struct option opts[] = {{"federation", required_argument, NULL, 'f'},
                                         {"keep-running", no_argument, NULL, 'k'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"parallel", required_argument, NULL, 'p'},
                                         {NULL, 0, NULL, 0}};
    int opt;
    memset(o, 0, sizeof *o);
    o->parallel = 16;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "f:ko:p:", opts, NULL)) != -1) {
        switch (opt) {
        case 'f':
            o->dir = optarg;
            break;
        case 'k':
            o->keep = 1;
            break;
        case 'o':
            o->out = optarg;
            break;
        case 'p':
            o->parallel = atoi(optarg);
            break;
        default:
            return CLI_USAGE;
        }
    }
    if (optind + 1 != argc || !o->dir || o->parallel < 1) {
        return cli_usage("scenario run needs FILE and --federation DIR (--parallel at least 1)");
    }
    o->file = argv[optind];
    return CLI_OK;
}

/* Starts the federation if any of it is down; *started says whether
 * this run did. */
static int s_up(const char *dir, const federation_t *f, int parallel, int json, int *started)
{
    cc_err_t err;
    launch_opts_t lo = {.parallel = parallel, .timeout_s = 120, .quiet = json};
    FILE *to = json ? stderr : stdout;
    *started = 0;
    if (launch_running(dir, f) == (int)f->n_orgs + 1) {
        fprintf(to, "federation %s already running in %s\n", f->name, dir);
        return CLI_OK;
    }
    uint64_t t = clock_mono_ms();
    if (launch_start(dir, f, &lo, &err) < 0) {
        return cli_fail("federation start: %s", err.msg);
    }
    *started = 1;
    fprintf(to, "federation %s: broker and %zu nodes healthy in %.1f s\n", f->name, f->n_orgs,
            (double)(clock_mono_ms() - t) / 1000.0);
    return CLI_OK;
}

static int s_run(int argc, char **argv, int json)
{
    s_opts_t o;
    cc_err_t err;
    federation_t f;
    char fini[PATH_MAX], certs[PATH_MAX];
    int rc = s_parse(argc, argv, &o), started = 0;
    if (rc != CLI_OK) {
        return rc;
    }
    scenario_t *s = scenario_load(o.file, &err);
    if (!s) {
        return cli_fail("%s", err.msg);
    }
    memset(&f, 0, sizeof f);
    snprintf(fini, sizeof fini, "%s/federation.ini", o.dir);
    if (access(fini, F_OK) != 0 && (rc = s_init(s, o.dir)) != CLI_OK) {
        goto out;
    }
    if (federation_load(o.dir, &f, &err) < 0) {
        rc = cli_fail("%s", err.msg);
        goto out;
    }
    if ((rc = s_up(o.dir, &f, o.parallel, json, &started)) != CLI_OK) {
        goto out;
    }
    snprintf(certs, sizeof certs, "%s", o.out ? o.out : "");
    if (!o.out) {
        snprintf(certs, sizeof certs, "%s/certificates", o.dir);
    }
    fprintf(json ? stderr : stdout, "scenario %s: %s\n", o.file,
            scenario_get(scenario_find(s, SCENARIO_META), "name"));
    int r = scenario_run(s, o.dir, &f, certs, json, &err);
    rc = r == 0 ? CLI_OK : CLI_FAIL;
    if (r < 0) {
        cli_fail("scenario stopped: %s", err.msg);
    }
    if (started && !o.keep && launch_stop(o.dir, &f, json, &err) < 0) {
        rc = cli_fail("%s", err.msg);
    }
out:
    federation_free(&f);
    scenario_destroy(&s);
    return rc;
}

int cli_scenario(int argc, char **argv, int json)
{
    const char *sub = argc > 1 ? argv[1] : "";
    if (strcmp(sub, "run") == 0) {
        return s_run(argc - 1, argv + 1, json);
    }
    if (strcmp(sub, "check") == 0 && argc == 3) {
        cc_err_t err;
        scenario_t *s = scenario_load(argv[2], &err);
        if (!s) {
            return cli_fail("%s", err.msg);
        }
        if (json) {
            json_t *doc = json_pack("{s:s,s:I,s:b}", "file", argv[2], "sections",
                                    (json_int_t)scenario_count(s), "well_formed", 1);
            if (doc) {
                json_dumpf(doc, stdout, JSON_COMPACT);
                json_decref(doc);
            }
            fputc('\n', stdout);
        } else {
            printf("%s: %zu sections, well formed\n", argv[2], scenario_count(s));
        }
        scenario_destroy(&s);
        return CLI_OK;
    }
    FILE *to = strcmp(sub, "--help") == 0 ? stdout : stderr;
    fprintf(to, "usage: concord scenario run FILE --federation DIR [--keep-running]"
                " [--out CERT-DIR] [--parallel N]\n"
                "       concord scenario check FILE\n"
                "The file format and what the runner does: docs/SCENARIOS.md.\n");
    return to == stdout ? CLI_OK : CLI_USAGE;
}
