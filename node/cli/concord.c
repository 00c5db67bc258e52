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
#include "cli_render.h"
#include "config.h"
#include "control_client.h"
#include "err.h"
#include "wire.h"


static void s_usage(FILE *to)
{
    fprintf(to,
            "Usage: concord [--config node.ini] [--json] COMMAND [ARGS]\n"
            "\n"
            "Keys and roster (offline):\n"
            "  keygen --code CODE --name NAME [--kind KIND] [--out DIR]\n"
            "  keygen --broker [--name NAME] [--out DIR]\n"
            "  roster init --federation NAME --broker broker.pub --out roster.bin ORG.pub...\n"
            "  roster sign --roster roster.bin --key ORG.key\n"
            "  roster show --roster roster.bin\n"
            "  roster show                   (with --config) the roster as the node folded it:\n"
            "                                genesis plus key rotations and mergers, with history\n"
            "  roster export --out FILE      (with --config) every board's history, signed, for\n"
            "                                a node of an organisation admitted after genesis\n"
            "\n"
            "Talking to the local node (needs --config or CONCORD_CONFIG):\n"
            "  status                        connection, ledger and traffic counters\n"
            "  ping CODE [--count N] [--timeout MS]\n"
            "                                signed round trip to another organisation\n"
            "  ledger [--limit N]            the newest entries of this node's ledger\n"
            "  log verify                    check the broker's hash chain end to end\n"
            "\n"
            "Boards (through the local node):\n"
            "  board create --id ID --name NAME --member CODE[:CONSTITUENCY[:WEIGHT]]... |\n"
            "               --member all [--rule RULE] [--qualified N/D] [--quorum N/D]\n"
            "               [--each-constituency] [--reserved AREA:CODE]...\n"
            "               [--no-default-reserved] [--accountable-to TEXT] [--closes-in 7d]\n"
            "  board create --file BOARD.ini   the same from a charter file (docs/BOARDS.md)\n"
            "  board list | board show ID\n"
            "  propose --board ID --title TEXT [--text TEXT] [--area AREA] [--amount POUNDS]\n"
            "          [--effective YYYY-MM-DD] [--closes-in 7d] [--delegates DUTY]\n"
            "          [--admit CODE[:CONSTITUENCY] | --remove CODE]\n"
            "          [--admit NEW.pub[:CONSTITUENCY]: a newcomer to the roster and board]\n"
            "          [--rotate-key NEW.pub: this organisation's new keys]\n"
            "          [--merge SUCCESSOR.pub|CODE --predecessor CODE...]\n"
            "          [--realign ORG=FOOTPRINT: set a primary footprint]\n"
            "          [--rule RULE | --quorum N/D ...: a charter amendment]\n"
            "  vote PROPOSAL for|against|abstain [--reason TEXT]\n"
            "  proposal list [BOARD] | proposal show PROPOSAL\n"
            "  decision export PROPOSAL --out FILE\n"
            "  auto-vote [on|off] [--abstain AREAS] [--against AREAS] [--against-above POUNDS]\n"
            "            [--for-below POUNDS]   this node's automatic voting, until it stops\n"
            "  verify CERTIFICATE --roster ROSTER   check a decision certificate offline\n"
            "  RULE: majority, absolute-majority, qualified-majority, unanimity, consensus,\n"
            "        double-majority, weighted. AREA: acute, specialised, primary-care,\n"
            "        community, mental-health, social-care, public-health, health-education,\n"
            "        research-and-development.\n"
            "\n"
            "Pooled funds (s75; through the local node; YEAR 2017 = 2017/18):\n"
            "  pool propose --file AGREEMENT.ini [--board ID] [--closes-in 7d]\n"
            "                                         (a board proposal; format: docs/POOLS.md)\n"
            "  pool pledge ID --year YEAR --amount POUNDS [--partner CODE]\n"
            "  pool vary ID --change CODE:YEAR:POUNDS... [--reason TEXT] [--closes-in 7d]\n"
            "  pool outturn ID --year YEAR --spent POUNDS [--note TEXT]\n"
            "  pool sign-statement ID --year YEAR     (the host signs the year's statement)\n"
            "  pool list | pool show ID | pool rejections\n"
            "  pool statement ID --year YEAR [--csv] [--export FILE]\n"
            "  pool verify STATEMENT-FILE --roster ROSTER   check a signed statement offline\n"
            "  bcf plan --file PLAN.ini               (format: docs/POOLS.md)\n"
            "  bcf sign PLAN-ID --act hwb|council|ccg|nhse [--version V] [--note TEXT]\n"
            "  bcf approve PLAN-ID | bcf status PLAN-ID\n"
            "\n"
            "Federations on one machine (docs/FEDERATIONS.md):\n"
            "  federation init --out DIR (--area E47... | --stp E54... | --county CODE |\n"
            "                  --england) [--port N] [--name TEXT] [--data-dir DIR]\n"
            "  federation start DIR [--parallel N] [--timeout S] | status DIR | stop DIR\n"
            "  federation exec DIR CODE -- COMMAND [ARGS]   act as one organisation\n"
            "  scenario run FILE --federation DIR [--keep-running] [--out DIR]\n"
            "  scenario check FILE                 parse a scenario without running it\n"
            "\n"
            "STP footprints (offline, over the shipped ONS lookups):\n"
            "  footprint show FOOTPRINT | org CODE | splits | report\n"
            "          [--csv] [--layer STP|NHSER|CAUTH|...] [--data-dir DIR] [--lookup FILE]...\n"
            "\n"
            "  --json   print results as JSON (every command that prints data)\n"
            "Exit status: 0 success, 1 failure, 2 usage error.\n");
}

static int s_parse_u32(const char *s, const char *what, uint32_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || errno || v == 0 || v > 86400000UL) {
        cli_fail("%s must be a whole number from 1 to 86400000, not '%s'", what, s);
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
        return cli_fail("usage: concord ping CODE [--count N] [--timeout MS]");
    }
    Concord__V1__PingRequest in = CONCORD__V1__PING_REQUEST__INIT;
    in.target = argv[optind];
    in.timeout_ms = timeout;
    int rc = CLI_OK;
    for (uint32_t i = 0; i < count && rc == CLI_OK; i++) {
        rc = cli_node_call(cfg, "Ping", &in.base, timeout, json, NULL);
    }
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

/* Commands that need the node: load its config first. */
static int s_node_command(const char *config_path, int argc, char **argv, int json)
{
    static const char *const known[] = {"status", "ping",     "ledger", "board",
                                        "propose", "vote",     "proposal", "decision",
                                        "pool",   "bcf",      "log",      "auto-vote",
                                        "roster"};
    config_node_t cfg;
    cc_err_t err;
    size_t k = 0;
    while (k < sizeof known / sizeof known[0] && strcmp(argv[0], known[k]) != 0) {
        k++;
    }
    if (k == sizeof known / sizeof known[0]) {
        /* Named before the usage text, which would otherwise hide it. */
        fprintf(stderr, "concord: unknown command '%s'\n", argv[0]);
        s_usage(stderr);
        return CLI_USAGE;
    }
    if (!config_path) {
        return cli_fail("%s needs the node's config: --config node.ini or CONCORD_CONFIG",
                        argv[0]);
    }
    if (config_load_node(config_path, &cfg, &err) < 0) {
        return cli_fail("%s", err.msg);
    }
    if (strcmp(argv[0], "status") == 0 && argc == 1) {
        Concord__V1__StatusRequest in = CONCORD__V1__STATUS_REQUEST__INIT;
        return cli_node_call(&cfg, "Status", &in.base, 0, json, NULL);
    }
    if (strcmp(argv[0], "ping") == 0) {
        return s_ping(&cfg, argc, argv, json);
    }
    if (strcmp(argv[0], "ledger") == 0) {
        return s_ledger(&cfg, argc, argv, json);
    }
    if (strcmp(argv[0], "board") == 0 || strcmp(argv[0], "propose") == 0 ||
        strcmp(argv[0], "vote") == 0 || strcmp(argv[0], "proposal") == 0 ||
        strcmp(argv[0], "decision") == 0 || strcmp(argv[0], "auto-vote") == 0) {
        return cli_board(&cfg, argc, argv, json);
    }
    if (strcmp(argv[0], "pool") == 0) {
        return cli_pool(&cfg, argc, argv, json);
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
    if (strcmp(argv[0], "log") == 0 && argc == 2 && strcmp(argv[1], "verify") == 0) {
        /* Reading a long log takes many calls; give it room. */
        Concord__V1__LogVerifyRequest in = CONCORD__V1__LOG_VERIFY_REQUEST__INIT;
        return cli_node_call(&cfg, "LogVerify", &in.base, 10 * cfg.call_timeout_ms, json, NULL);
    }
    s_usage(stderr);
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

int main(int argc, char **argv)
{
    const char *config_path = getenv("CONCORD_CONFIG");
    int json = 0;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if ((strcmp(argv[i], "--config") == 0 || strcmp(argv[i], "-c") == 0) &&
                   i + 1 < argc) {
            config_path = argv[++i];
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            s_usage(stdout);
            return CLI_OK;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("concord 0.1.0\n");
            return CLI_OK;
        } else {
            fprintf(stderr, "concord: unknown option '%s'\n", argv[i]);
            s_usage(stderr);
            return CLI_USAGE;
        }
    }
    if (i >= argc) {
        s_usage(stderr);
        return CLI_USAGE;
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
    int rc;
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
    free(rest);
    return rc;
}
