/* SPDX-License-Identifier: Apache-2.0 */
/* concord: the command-line tool. Offline commands work on files; the
 * others talk to the local concordd over its control socket. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "cli_commands.h"
#include "cli_render.h"
#include "config.h"
#include "control_client.h"
#include "err.h"
#include "keys.h"
#include "wire.h"


static int s_parse_u32(const char *s, const char *what, uint32_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || errno || v == 0 || v > 86400000UL) {
        cli_usage("%s must be a whole number from 1 to 86400000, not '%s'", what, s);
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

static int s_ping(const config_node_t *cfg, int argc, char **argv, int json)
{
    static const struct option opts[] = {{"count", required_argument, NULL, 'n'},
                                         {"timeout", required_argument, NULL, 't'},
                                         {NULL, 0, NULL, 0}};
    uint32_t count = 1, timeout = cfg->call_timeout_ms;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "n:t:", opts, NULL)) != -1) {
        if ((c == 'n' && s_parse_u32(optarg, "--count", &count) < 0) ||
            (c == 't' && s_parse_u32(optarg, "--timeout", &timeout) < 0)) {
            return CLI_USAGE;
        }
        if (c != 'n' && c != 't') {
            return CLI_USAGE;
        }
    }
    if (optind + 1 != argc) {
        return cli_usage("usage: concord ping CODE [--count N] [--timeout MS]");
    }
    Concord__V1__PingRequest in = CONCORD__V1__PING_REQUEST__INIT;
    in.target = argv[optind];
    in.timeout_ms = timeout;
    int rc = CLI_OK;
    if (json != CLI_RENDER_JSON || count == 1) {
        for (uint32_t i = 0; i < count && rc == CLI_OK; i++) {
            rc = cli_node_call(cfg, "Ping", &in.base, timeout, json, NULL);
        }
        return rc;
    }
    /* With --json, one document: an array of the round trips. */
    ProtobufCMessage **replies = calloc(count, sizeof *replies);
    if (!replies) {
        return cli_fail("out of memory");
    }
    uint32_t got = 0;
    for (; got < count && rc == CLI_OK; got++) {
        rc = cli_node_call(cfg, "Ping", &in.base, timeout, -1, &replies[got]);
    }
    if (rc == CLI_OK) {
        fputs("[", stdout);
        for (uint32_t i = 0; i < count && rc == CLI_OK; i++) {
            fputs(i ? "," : "", stdout);
            if (cli_render(replies[i], CLI_RENDER_JSON, stdout) < 0) {
                rc = cli_fail("cannot show the node's answer to Ping");
            }
        }
        fputs("]\n", stdout);
    }
    for (uint32_t i = 0; i < got; i++) {
        if (replies[i]) {
            wire_free(replies[i]);
        }
    }
    free(replies);
    return rc;
}

static int s_ledger(const config_node_t *cfg, int argc, char **argv, int json)
{
    static const struct option opts[] = {{"limit", required_argument, NULL, 'n'},
                                         {NULL, 0, NULL, 0}};
    Concord__V1__LedgerRequest in = CONCORD__V1__LEDGER_REQUEST__INIT;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "n:", opts, NULL)) != -1) {
        if (c != 'n' || s_parse_u32(optarg, "--limit", &in.limit) < 0) {
            return CLI_USAGE;
        }
    }
    return cli_node_call(cfg, "Ledger", &in.base, 0, json, NULL);
}

/* `concord status`: the node's counters, and as the exit status whether it
 * is healthy, as pg_isready reports (docs/DEPLOYMENT.md): CLI_OK connected
 * and serving, S_STATUS_DISCONNECTED running but not connected to the
 * broker (or its ledger failed, or the broker handed its deliveries to
 * another instance), S_STATUS_NO_ANSWER no node answering. */
enum { S_STATUS_DISCONNECTED = 3, S_STATUS_NO_ANSWER = 4 };

static int s_status(const config_node_t *cfg, int json)
{
    Concord__V1__StatusRequest in = CONCORD__V1__STATUS_REQUEST__INIT;
    Concord__V1__StatusReply *r = NULL;
    if (cli_node_call(cfg, "Status", &in.base, 0, json, (ProtobufCMessage **)&r) != CLI_OK) {
        return S_STATUS_NO_ANSWER; /* it said why */
    }
    int rc = CLI_OK;
    if (!r->connected || !r->serving || r->delivery_lost || r->log_missing) {
        rc = S_STATUS_DISCONNECTED;
        if (json != CLI_RENDER_JSON) {
            fprintf(stderr, "concord: %s is %s\n", cfg->code,
                    !r->serving && r->holding && *r->holding
                        ? "not serving: holding deliveries (see `concord status`)"
                    : !r->serving ? "not serving (its ledger failed)"
                    : r->delivery_lost
                        ? "receiving nothing: the broker handed its deliveries to another "
                          "instance of this organisation (DELIVERY_LOST); stop the other and "
                          "restart this one"
                    : r->connected ? "missing log entries acknowledged by another instance of "
                                     "this organisation; run `concord log fetch`"
                        : "not connected to the broker");
        }
    }
    wire_free(&r->base);
    return rc;
}

/* `concord broker status [--timeout MS]`: a Health check of the broker
 * through the local node, with status's exit codes: CLI_OK serving,
 * S_STATUS_DISCONNECTED the node answered but the broker did not (or does
 * not serve), S_STATUS_NO_ANSWER no node answering. */
static int s_broker_status(const config_node_t *cfg, int argc, char **argv, int json)
{
    static const struct option opts[] = {{"timeout", required_argument, NULL, 't'},
                                         {NULL, 0, NULL, 0}};
    uint32_t timeout = cfg->call_timeout_ms;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "t:", opts, NULL)) != -1) {
        if (c != 't' || s_parse_u32(optarg, "--timeout", &timeout) < 0) {
            return CLI_USAGE;
        }
    }
    if (optind != argc) {
        return cli_usage("usage: concord broker status [--timeout MS]");
    }
    Concord__V1__PingRequest in = CONCORD__V1__PING_REQUEST__INIT;
    in.target = KEYS_BROKER_CODE;
    in.timeout_ms = timeout;
    cc_err_t err;
    int refused = 0;
    ProtobufCMessage *r = control_client_call(cfg->control, "Ping", &in.base,
                                              (int)(timeout + CONTROL_CLIENT_SLACK_MS), &refused,
                                              &err);
    if (!r && refused) {
        return cli_fail_code(S_STATUS_DISCONNECTED, err_code_name(err.code),
                             "the broker did not answer %s: %s", cfg->code, err.msg);
    }
    if (!r) {
        return cli_fail_code(S_STATUS_NO_ANSWER, "no-node", "%s: is concordd running for %s?",
                             err.msg, cfg->code);
    }
    int rc = CLI_OK;
    if (cli_render(r, json, stdout) < 0) {
        rc = cli_fail("cannot show the node's answer to Ping");
    } else if (!((Concord__V1__PingReply *)r)->serving) {
        rc = S_STATUS_DISCONNECTED;
        if (json != CLI_RENDER_JSON) {
            fprintf(stderr, "concord: the broker answers but does not serve\n");
        }
    }
    wire_free(r);
    return rc;
}

/* Commands that need the node: load its config first. */
static int s_node_command(const char *config_path, int argc, char **argv, int json)
{
    config_node_t cfg;
    cc_err_t err;
    if (!config_path) {
        return cli_usage("%s needs the node's config: --config node.ini or CONCORD_CONFIG",
                        argv[0]);
    }
    if (config_load_node(config_path, &cfg, &err) < 0) {
        return cli_fail("%s", err.msg);
    }
    if (strcmp(argv[0], "status") == 0 && argc == 1) {
        return s_status(&cfg, json);
    }
    if (strcmp(argv[0], "broker") == 0) {
        return s_broker_status(&cfg, argc - 1, argv + 1, json);
    }
    if (strcmp(argv[0], "ping") == 0) {
        return s_ping(&cfg, argc, argv, json);
    }
    if (strcmp(argv[0], "ledger") == 0) {
        return s_ledger(&cfg, argc, argv, json);
    }
    if (strcmp(argv[0], "board") == 0 || strcmp(argv[0], "propose") == 0 ||
        strcmp(argv[0], "vote") == 0 || strcmp(argv[0], "proposal") == 0 ||
        strcmp(argv[0], "decision") == 0 || strcmp(argv[0], "auto-vote") == 0 ||
        strcmp(argv[0], "delegation") == 0) {
        return cli_board(&cfg, argc, argv, json);
    }
    if (strcmp(argv[0], "person") == 0 || strcmp(argv[0], "interests") == 0 ||
        strcmp(argv[0], "declare") == 0) {
        return cli_people(&cfg, argc, argv, json);
    }
    if (strcmp(argv[0], "pool") == 0) {
        return cli_pool(&cfg, argc, argv, json);
    }
    if (strcmp(argv[0], "meeting") == 0 || strcmp(argv[0], "forward-plan") == 0) {
        return cli_meeting(&cfg, argc, argv, json);
    }
    if (strcmp(argv[0], "bcf") == 0) {
        return cli_bcf(&cfg, argc, argv, json);
    }
    if (strcmp(argv[0], "roster") == 0 && argc == 2 && strcmp(argv[1], "show") == 0) {
        Concord__V1__RosterShowRequest in = CONCORD__V1__ROSTER_SHOW_REQUEST__INIT;
        return cli_node_call(&cfg, "RosterShow", &in.base, 0, json, NULL);
    }
    if (strcmp(argv[0], "roster") == 0 && argc >= 2 && strcmp(argv[1], "export") == 0) {
        return cli_board(&cfg, argc, argv, json);
    }
    if (strcmp(argv[0], "log") == 0 && argc == 2 &&
        (strcmp(argv[1], "verify") == 0 || strcmp(argv[1], "fetch") == 0)) {
        /* Reading a long log takes many calls; give it room. */
        Concord__V1__LogVerifyRequest in = CONCORD__V1__LOG_VERIFY_REQUEST__INIT;
        in.fetch = strcmp(argv[1], "fetch") == 0;
        return cli_node_call(&cfg, "LogVerify", &in.base, 10 * cfg.call_timeout_ms, json, NULL);
    }
    return CLI_USAGE;
}

/* Footprint reports are offline; with a node's config they also show the
 * primary footprints its boards have decided. */
static int s_footprint(const char *config_path, int argc, char **argv, int json)
{
    config_node_t cfg;
    cc_err_t err;
    if (!config_path) {
        return cli_footprint(argc, argv, json, NULL);
    }
    if (config_load_node(config_path, &cfg, &err) < 0) {
        return cli_fail("%s", err.msg);
    }
    Concord__V1__RealignmentsRequest in = CONCORD__V1__REALIGNMENTS_REQUEST__INIT;
    Concord__V1__RealignmentsReply *r = NULL;
    if (cli_node_call(&cfg, "Realignments", &in.base, 0, -1, (ProtobufCMessage **)&r) !=
        CLI_OK) {
        return cli_fail("cannot read the node's realignment decisions (run without --config"
                        " for geography alone)");
    }
    /* "ORG=FOOTPRINT" lines, as cli_footprint takes them. */
    size_t len = 0;
    for (size_t i = 0; i < r->n_realignments; i++) {
        len += strlen(r->realignments[i]->organisation) +
               strlen(r->realignments[i]->footprint) + 2;
    }
    char *text = malloc(len + 1);
    if (!text) {
        wire_free(&r->base);
        return cli_fail("out of memory");
    }
    text[0] = '\0';
    for (size_t i = 0, at = 0; i < r->n_realignments; i++) {
        at += (size_t)snprintf(text + at, len + 1 - at, "%s=%s\n",
                               r->realignments[i]->organisation, r->realignments[i]->footprint);
    }
    wire_free(&r->base);
    int rc = cli_footprint(argc, argv, json, text);
    free(text);
    return rc;
}

/* After a usage error: the hint to the command's help, with its synopsis
 * when nothing said what was wrong (getopt's own complaint, when it made
 * one, is the line before). With --json (getopt silenced) one JSON error
 * document instead, unless one was printed. */
static int s_usage_hint(const cli_commands_entry_t *e, int json)
{
    const char *path = e ? e->path : "";
    const char *syn = e ? e->synopsis : "COMMAND [ARGS]";
    const char *nl = strchr(syn, '\n');
    int syn_len = nl ? (int)(nl - syn) : (int)strlen(syn);
    if (json) {
        if (!cli_said()) {
            cli_usage("wrong arguments; usage: concord %s%s%.*s", path, *path ? " " : "",
                      syn_len, syn);
        }
    } else if (!cli_said()) {
        fprintf(stderr, "concord: usage: concord %s%s%.*s; try 'concord %s%s--help'.\n", path,
                *path ? " " : "", syn_len, syn, path, *path ? " " : "");
    } else {
        fprintf(stderr, "Try 'concord %s%s--help'.\n", path, *path ? " " : "");
    }
    return CLI_USAGE;
}

/* `concord help [COMMAND [SUBCOMMAND]] | --commands`. */
static int s_help(char **words, int n, int json)
{
    int used = 0;
    if (n == 0) {
        cli_commands_overview(stdout);
        return CLI_OK;
    }
    if (strcmp(words[0], "--help") == 0 || strcmp(words[0], "-h") == 0) {
        words[0] = "help";
    }
    if (n == 1 && strcmp(words[0], "--commands") == 0) {
        cli_commands_list(stdout);
        return CLI_OK;
    }
    const cli_commands_entry_t *e = cli_commands_find(words, n, &used);
    if (!e || used != n) {
        cli_usage("no command '%s%s%s'", words[0], n > 1 ? " " : "", n > 1 ? words[1] : "");
        return s_usage_hint(NULL, json);
    }
    cli_commands_help(e, stdout);
    return CLI_OK;
}

int main(int argc, char **argv)
{
    const char *config_path = getenv("CONCORD_CONFIG");
    int json = 0;
    int i = 1;
    for (int k = 1; k < argc && strcmp(argv[k], "--") != 0; k++) {
        if (strcmp(argv[k], "--json") == 0) {
            json = 1;
        }
    }
    cli_json_errors(json);
    if (json) {
        opterr = 0; /* getopt's complaints are not JSON: s_usage_hint says what was wrong */
    }
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--config") == 0 || strcmp(argv[i], "-c") == 0) {
            if (i + 1 == argc) {
                cli_usage("%s needs a file: --config node.ini", argv[i]);
                return s_usage_hint(NULL, json);
            }
            config_path = argv[++i];
        } else if (strncmp(argv[i], "--config=", 9) == 0) {
            config_path = argv[i] + 9;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            cli_commands_overview(stdout);
            return CLI_OK;
        } else if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-V") == 0) {
            printf("concord %s\n", CONCORD_VERSION);
            return CLI_OK;
        } else {
            cli_usage("unknown option '%s'", argv[i]);
            return s_usage_hint(NULL, json);
        }
    }
    if (config_path && !*config_path) {
        cli_usage("--config needs a file name");
        return s_usage_hint(NULL, json);
    }
    if (i >= argc) {
        cli_usage("no command given");
        return s_usage_hint(NULL, json);
    }
    if (sodium_init() < 0) {
        return cli_fail("libsodium failed to initialise");
    }
    /* --json may also follow the command. */
    int n = 0;
    char **rest = calloc((size_t)(argc - i) + 1, sizeof *rest);
    if (!rest) {
        return cli_fail("out of memory");
    }
    for (int k = i; k < argc; k++) {
        if (strcmp(argv[k], "--json") == 0) {
            json = 1;
        } else {
            rest[n++] = argv[k];
        }
    }
    int rc = CLI_USAGE;
    int used = 0;
    const cli_commands_entry_t *e = NULL;
    if (strcmp(rest[0], "help") == 0) {
        rc = s_help(rest + 1, n - 1, json);
        goto out;
    }
    e = cli_commands_find(rest, n, &used);
    if (!e) {
        cli_usage("unknown command '%s'", rest[0]);
        rc = s_usage_hint(NULL, json);
        goto out;
    }
    /* --help or -h anywhere before "--" (federation exec's own command):
     * this command's usage, no config needed. */
    for (int k = 1; k < n && strcmp(rest[k], "--") != 0; k++) {
        if (strcmp(rest[k], "--help") == 0 || strcmp(rest[k], "-h") == 0) {
            cli_commands_help(e, stdout);
            rc = CLI_OK;
            goto out;
        }
    }
    /* A group needs a known subcommand; footprint also takes options first. */
    if (cli_commands_is_group(e) && used == 1 && (n == 1 || rest[1][0] != '-')) {
        if (n == 1) {
            cli_usage("%s needs a subcommand", rest[0]);
        } else {
            cli_usage("unknown %s subcommand '%s'", rest[0], rest[1]);
        }
        rc = s_usage_hint(e, json);
        goto out;
    }
    if (strcmp(rest[0], "keygen") == 0) {
        rc = cli_roster_keygen(n, rest, json);
    } else if (strcmp(rest[0], "roster") == 0 &&
               !(config_path && n >= 2 &&
                 ((n == 2 && strcmp(rest[1], "show") == 0) || strcmp(rest[1], "export") == 0))) {
        rc = cli_roster(n, rest, json);
    } else if (strcmp(rest[0], "federation") == 0) {
        rc = cli_federation(n, rest, json);
    } else if (strcmp(rest[0], "scenario") == 0) {
        rc = cli_scenario(n, rest, json);
    } else if (strcmp(rest[0], "verify") == 0) {
        rc = cli_board_verify(n, rest, json);
    } else if (n >= 2 && strcmp(rest[0], "pool") == 0 && strcmp(rest[1], "verify") == 0) {
        rc = cli_pool_verify(n - 1, rest + 1, json);
    } else if (strcmp(rest[0], "footprint") == 0) {
        rc = s_footprint(config_path, n, rest, json);
    } else {
        rc = s_node_command(config_path, n, rest, json);
    }
    if (rc == CLI_USAGE) {
        s_usage_hint(e, json);
    }
out:
    free(rest);
    return rc;
}
