/* SPDX-License-Identifier: Apache-2.0 */
/* cli_roster: `concord keygen` and `concord roster init|sign|show`. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "clock.h"
#include "geo.h"
#include "json.h"
#include "keys.h"
#include "roster.h"
#include "wire.h"

/* The kind an organisation code's GSS prefix implies as at a date
 * (YYYYMMDD), or NULL with *why set when the prefix alone cannot say. On
 * 1 July 2022 integrated care boards took the E54 codes of the STP
 * footprints and the CCGs' E38 codes became sub-ICB locations, so those
 * two prefixes mean different kinds before and after. */
static const char *s_kind_for(const char *code, uint32_t as_at, const char **why)
{
    static const struct {
        const char *prefix;
        const char *kind;
    } map[] = {{"E06", "COUNCIL_UPPER"}, {"E08", "COUNCIL_UPPER"},  {"E09", "COUNCIL_UPPER"},
               {"E10", "COUNCIL_UPPER"}, {"E07", "COUNCIL_DISTRICT"}, {"E40", "NHS_ENGLAND"},
               {"X24", "NHS_ENGLAND"},   {"E47", "COMBINED_AUTHORITY"}};
    int icbs = as_at >= 20220701;
    *why = NULL;
    if (strncmp(code, "E38", 3) == 0) {
        return icbs ? "SUB_ICB_LOCATION" : "CCG";
    }
    if (strncmp(code, "E54", 3) == 0) {
        if (icbs) {
            return "ICB";
        }
        *why = "before 1 July 2022 an E54 code is an STP footprint, not an organisation; give "
               "--as-at 2022-07-01 or later for its ICB, or --kind";
        return NULL;
    }
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (strncmp(code, map[i].prefix, 3) == 0) {
            return map[i].kind;
        }
    }
    return NULL;
}

/* An ODS code of an NHS trust: R or T, then two or four letters and digits. */
static int s_ods_trust(const char *code)
{
    size_t n = strlen(code);
    return (code[0] == 'R' || code[0] == 'T') && (n == 3 || n == 5);
}

static int s_list_kinds(int json)
{
    json_t j;
    if (!json) {
        for (size_t i = 0; i < keys_kind_count(); i++) {
            printf("%-22s %-6s %s\n", keys_kind_name(i),
                   keys_kind_constituency(keys_kind_name(i)), keys_kind_about(i));
        }
        return CLI_OK;
    }
    json_init(&j);
    json_arr_begin(&j, NULL);
    for (size_t i = 0; i < keys_kind_count(); i++) {
        json_obj_begin(&j, NULL);
        json_str(&j, "kind", keys_kind_name(i));
        json_str(&j, "constituency", keys_kind_constituency(keys_kind_name(i)));
        json_str(&j, "about", keys_kind_about(i));
        json_obj_end(&j);
    }
    json_arr_end(&j);
    char *js = json_take(&j);
    printf("%s\n", js ? js : "[]");
    free(js);
    return CLI_OK;
}

int cli_roster_keygen(int argc, char **argv, int json)
{
    static const struct option opts[] = {{"code", required_argument, NULL, 'c'},
                                         {"name", required_argument, NULL, 'n'},
                                         {"kind", required_argument, NULL, 'k'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"broker", no_argument, NULL, 'b'},
                                         {"as-at", required_argument, NULL, 'a'},
                                         {"kinds", no_argument, NULL, 'K'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *code = NULL, *name = NULL, *kind = NULL, *out = ".", *why = NULL;
    /* Codes are read as in the newest shipped geography (April 2020). */
    uint32_t as_at = 20200401;
    int broker = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:n:k:o:bh", opts, NULL)) != -1) {
        switch (c) {
        case 'c': code = optarg; break;
        case 'n': name = optarg; break;
        case 'k': kind = optarg; break;
        case 'o': out = optarg; break;
        case 'b': broker = 1; break;
        case 'K': return s_list_kinds(json);
        case 'a':
            if (!(as_at = geo_date_parse(optarg))) {
                return cli_fail("--as-at wants a date YYYY-MM-DD, not '%s'", optarg);
            }
            break;
        case 'h':
            printf("Usage: concord keygen --code CODE --name NAME [--kind KIND] [--as-at DATE]\n"
                   "                      [--out DIR]\n"
                   "       concord keygen --broker [--name NAME] [--out DIR]\n"
                   "       concord keygen --kinds   (or --kind list)\n"
                   "Writes DIR/CODE.key (secret, mode 0600) and DIR/CODE.pub. KIND is one of\n"
                   "`concord keygen --kinds`; by default it follows the code's GSS prefix as at\n"
                   "DATE (default 2020-04-01): E38 is a CCG until 30 June 2022 and a sub-ICB\n"
                   "location from 1 July 2022, when E54 (an STP footprint before) is an ICB.\n"
                   "NHS trusts and foundation trusts use their ODS codes (RW3); Healthwatch\n"
                   "has no GSS code, so give --kind.\n");
            return CLI_OK;
        default:
            return CLI_USAGE;
        }
    }
    if (kind && strcmp(kind, "list") == 0) {
        return s_list_kinds(json);
    }
    if (broker) {
        code = KEYS_BROKER_CODE;
        kind = "BROKER";
        name = name ? name : "Concord broker";
    }
    if (!code || !name) {
        return cli_fail("keygen needs --code and --name (or --broker)");
    }
    if (!kind && !(kind = s_kind_for(code, as_at, &why))) {
        return cli_fail("cannot tell the kind of %s from its code: %s", code,
                        why ? why : "give --kind (`concord keygen --kinds` lists them)");
    }
    if ((strcmp(kind, "NHS_TRUST") == 0 || strcmp(kind, "NHS_FOUNDATION_TRUST") == 0) &&
        !s_ods_trust(code)) {
        return cli_fail("%s is not an ODS code of an NHS trust (R or T and two or four more, "
                        "such as RW3)", code);
    }
    cc_err_t err;
    char sec[4096], pub[4096];
    /* --out DIR is made if missing, with its parents (private: it holds secret keys). */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", out);
    for (char *p = dir + 1;; p++) {
        if (*p == '/' || !*p) {
            char was = *p;
            *p = '\0';
            if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
                return cli_fail("keygen: cannot make directory %s: %s", dir, strerror(errno));
            }
            if (!(*p = was)) {
                break;
            }
        }
    }
    snprintf(sec, sizeof sec, "%s/%s.key", out, code);
    snprintf(pub, sizeof pub, "%s/%s.pub", out, code);
    keys_t *k = keys_generate(code, name, kind, &err);
    if (!k || keys_save(k, sec, pub, &err) < 0) {
        keys_destroy(&k);
        return cli_fail("keygen: %s", err.msg);
    }
    if (json) {
        json_t j;
        json_init(&j);
        json_obj_begin(&j, NULL);
        json_str(&j, "code", code);
        json_str(&j, "kind", kind);
        json_str(&j, "secret_key_file", sec);
        json_str(&j, "public_key_file", pub);
        json_obj_end(&j);
        char *js = json_take(&j);
        printf("%s\n", js ? js : "{}");
        free(js);
    } else {
        printf("wrote %s (secret, mode 0600) and %s\n", sec, pub);
    }
    keys_destroy(&k);
    return CLI_OK;
}

static int s_roster_init(int argc, char **argv, int json)
{
    static const struct option opts[] = {{"federation", required_argument, NULL, 'f'},
                                         {"broker", required_argument, NULL, 'b'},
                                         {"out", required_argument, NULL, 'o'},
                                         {NULL, 0, NULL, 0}};
    const char *fed = NULL, *broker = NULL, *out = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:b:o:", opts, NULL)) != -1) {
        switch (c) {
        case 'f': fed = optarg; break;
        case 'b': broker = optarg; break;
        case 'o': out = optarg; break;
        default: return CLI_USAGE;
        }
    }
    if (!fed || !broker || !out || optind >= argc) {
        return cli_usage("usage: concord roster init --federation NAME --broker broker.pub"
                        " --out roster.bin ORG.pub...");
    }
    cc_err_t err;
    keys_public_t bp, op;
    roster_t *r = NULL;
    int ret = CLI_FAIL;
    if (keys_load_public(broker, &bp, &err) < 0 || !(r = roster_new(fed, &bp, &err))) {
        cli_fail("roster init: %s", err.msg);
        goto out;
    }
    for (int i = optind; i < argc; i++) {
        if (keys_load_public(argv[i], &op, &err) < 0 || roster_add(r, &op, &err) < 0) {
            cli_fail("roster init: %s: %s", argv[i], err.msg);
            goto out;
        }
    }
    if (roster_save(r, out, &err) < 0) {
        cli_fail("roster init: %s", err.msg);
        goto out;
    }
    if (json) {
        json_t j;
        json_init(&j);
        json_obj_begin(&j, NULL);
        json_str(&j, "roster_file", out);
        json_str(&j, "federation", fed);
        json_u64(&j, "organisations", roster_count(r));
        json_u64(&j, "signatures", 0);
        json_obj_end(&j);
        char *js = json_take(&j);
        printf("%s\n", js ? js : "{}");
        free(js);
    } else {
        printf("wrote %s: %zu organisations, unsigned; each founding member now runs\n"
               "  concord roster sign --roster %s --key THEIR.key\n",
               out, roster_count(r), out);
    }
    ret = CLI_OK;
out:
    roster_destroy(&r);
    return ret;
}

static int s_roster_sign(int argc, char **argv, int json)
{
    static const struct option opts[] = {{"roster", required_argument, NULL, 'r'},
                                         {"key", required_argument, NULL, 'k'},
                                         {NULL, 0, NULL, 0}};
    const char *path = NULL, *key = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:k:", opts, NULL)) != -1) {
        switch (c) {
        case 'r': path = optarg; break;
        case 'k': key = optarg; break;
        default: return CLI_USAGE;
        }
    }
    if (!path || !key) {
        return cli_usage("usage: concord roster sign --roster roster.bin --key ORG.key");
    }
    cc_err_t err;
    keys_t *k = NULL;
    roster_t *r = NULL;
    int ret = CLI_FAIL;
    if (!(k = keys_load(key, &err)) || !(r = roster_load(path, &err)) ||
        roster_sign(r, k, &err) < 0 || roster_save(r, path, &err) < 0) {
        cli_fail("roster sign: %s", err.msg);
        goto out;
    }
    size_t signed_by = 0;
    for (size_t i = 0; i < roster_count(r); i++) {
        roster_org_t o;
        roster_at(r, i, &o);
        signed_by += roster_signature_state(r, o.code) == 1;
    }
    if (json) {
        json_t j;
        json_init(&j);
        json_obj_begin(&j, NULL);
        json_str(&j, "signed_by", keys_code(k));
        json_str(&j, "roster_file", path);
        json_u64(&j, "signatures", signed_by);
        json_u64(&j, "organisations", roster_count(r));
        json_bool(&j, "complete", signed_by == roster_count(r));
        json_obj_end(&j);
        char *js = json_take(&j);
        printf("%s\n", js ? js : "{}");
        free(js);
    } else {
        printf("%s signed %s (%zu of %zu founding signatures)\n", keys_code(k), path, signed_by,
               roster_count(r));
    }
    ret = CLI_OK;
out:
    keys_destroy(&k);
    roster_destroy(&r);
    return ret;
}

static const char *s_sig_word(int state)
{
    return state == 1 ? "signed" : state == 0 ? "NOT SIGNED" : "BAD SIGNATURE";
}

static int s_roster_show(int argc, char **argv, int json)
{
    static const struct option opts[] = {{"roster", required_argument, NULL, 'r'},
                                         {NULL, 0, NULL, 0}};
    const char *path = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:", opts, NULL)) != -1) {
        if (c != 'r') {
            return CLI_USAGE;
        }
        path = optarg;
    }
    if (!path) {
        return cli_usage("usage: concord roster show --roster roster.bin");
    }
    cc_err_t err, verr;
    roster_t *r = roster_load(path, &err);
    if (!r) {
        return cli_fail("roster show: %s", err.msg);
    }
    int complete = roster_verify(r, &verr) == 0;
    uint8_t hash[32];
    roster_hash(r, hash);
    char when[40];
    clock_format(roster_created_at_ms(r), when, sizeof when);
    roster_org_t b;
    roster_broker(r, &b);
    json_t j;
    json_init(&j);
    json_obj_begin(&j, NULL);
    json_str(&j, "federation", roster_federation(r));
    json_str(&j, "created_at", when);
    json_hex(&j, "hash", hash, 32);
    json_bool(&j, "complete", complete);
    json_str(&j, "problem", complete ? NULL : verr.msg);
    json_obj_begin(&j, "broker");
    json_str(&j, "name", b.name);
    json_hex(&j, "sign_key", b.sign_pk, 32);
    json_hex(&j, "transport_key", b.curve_pk, 32);
    json_obj_end(&j);
    json_arr_begin(&j, "organisations");
    if (!json) {
        char *hex = wire_hex(hash, 32);
        printf("federation  %s\ncreated     %s\nroster hash %s\nstatus      %s\n\n",
               roster_federation(r), when, hex ? hex : "?",
               complete ? "complete: signed by every founding member" : verr.msg);
        free(hex);
        printf("%-12s %-20s %-8s %-14s %s\n", "code", "kind", "sign key", "signature", "name");
    }
    for (size_t i = 0; i < roster_count(r); i++) {
        roster_org_t o;
        roster_at(r, i, &o);
        int state = roster_signature_state(r, o.code);
        json_obj_begin(&j, NULL);
        json_str(&j, "code", o.code);
        json_str(&j, "name", o.name);
        json_str(&j, "kind", o.kind);
        json_hex(&j, "sign_key", o.sign_pk, 32);
        json_hex(&j, "transport_key", o.curve_pk, 32);
        json_str(&j, "signature", s_sig_word(state));
        json_obj_end(&j);
        if (!json) {
            printf("%-12s %-20s %02x%02x%02x%02x %-14s %s\n", o.code, o.kind, o.sign_pk[0],
                   o.sign_pk[1], o.sign_pk[2], o.sign_pk[3], s_sig_word(state), o.name);
        }
    }
    json_arr_end(&j);
    json_obj_end(&j);
    char *js = json_take(&j);
    if (json && js) {
        printf("%s\n", js);
    }
    free(js);
    roster_destroy(&r);
    return CLI_OK;
}

int cli_roster(int argc, char **argv, int json)
{
    if (argc < 2) {
        return cli_usage("usage: concord roster init|sign|show ...");
    }
    if (strcmp(argv[1], "init") == 0) {
        return s_roster_init(argc - 1, argv + 1, json);
    }
    if (strcmp(argv[1], "sign") == 0) {
        return s_roster_sign(argc - 1, argv + 1, json);
    }
    if (strcmp(argv[1], "show") == 0) {
        return s_roster_show(argc - 1, argv + 1, json);
    }
    return cli_fail("unknown roster command '%s' (init, sign, show; with --config: show, export)",
                    argv[1]);
}
