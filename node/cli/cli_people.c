/* SPDX-License-Identifier: Apache-2.0 */
/* cli_people: `concord person`, `concord interests` and `concord declare`
 * (docs/BOARDS.md "People and interests"), and signing an act with a
 * person's key file (`--as`, PROTOCOL.md 16.13). */
#include <fcntl.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_render.h"
#include "control.pb-c.h"
#include "people.h"
#include "wire.h"

#define S_KEY_MAGIC "concord-person-key v1"

/* A person's key file: "concord-person-key v1", "org CODE", "person ID",
 * "sign-secret HEX(64 bytes)", each a line; mode 0600. */
typedef struct {
    char org[KEYS_CODE_MAX + 1];
    char person[PEOPLE_ID_MAX + 1];
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
} s_key_t;

static int s_key_load(const char *path, s_key_t *k)
{
    char magic[64], hex[2 * crypto_sign_SECRETKEYBYTES + 2];
    struct stat st;
    FILE *f = fopen(path, "r");
    if (!f) {
        return cli_fail("cannot read person key %s", path);
    }
    int ok = fstat(fileno(f), &st) == 0 && !(st.st_mode & 077) &&
             fscanf(f, "%63[^\n]\norg %16s\nperson %32s\nsign-secret %129s\n", magic, k->org,
                    k->person, hex) == 4 &&
             strcmp(magic, S_KEY_MAGIC) == 0 &&
             wire_unhex(hex, k->sk, sizeof k->sk) == 0;
    fclose(f);
    if (!ok) {
        sodium_memzero(hex, sizeof hex);
        return cli_fail("%s is not a person key file (concord person keygen), or is readable by"
                        " others than its owner", path);
    }
    sodium_memzero(hex, sizeof hex);
    return CLI_OK;
}

int cli_people_sign(const config_node_t *cfg, const char *key_path, const char *method,
                    ProtobufCMessage *msg, char **person_field, char person[PEOPLE_ID_MAX + 1],
                    uint8_t sig[KEYS_SIG_LEN])
{
    s_key_t k;
    cc_err_t err;
    if (s_key_load(key_path, &k) != CLI_OK) {
        return CLI_FAIL;
    }
    if (strcmp(k.org, cfg->code) != 0) {
        sodium_memzero(k.sk, sizeof k.sk);
        return cli_fail("person key %s is %s's, not this node's organisation %s", key_path, k.org,
                        cfg->code);
    }
    snprintf(person, PEOPLE_ID_MAX + 1, "%s", k.person);
    *person_field = person;
    uint8_t *body = NULL, *m = NULL;
    size_t body_len = 0, m_len = 0;
    int rc = CLI_FAIL;
    if (wire_pack(msg, WIRE_MAX_FRAME, &body, &body_len, &err) == 0 &&
        people_act_message(cfg->code, method, body, body_len, &m, &m_len, &err) == 0) {
        size_t dl = strlen(PEOPLE_ACT_DOMAIN) + 1;
        uint8_t *all = malloc(dl + m_len);
        if (all) {
            memcpy(all, PEOPLE_ACT_DOMAIN, dl);
            memcpy(all + dl, m, m_len);
            crypto_sign_detached(sig, NULL, all, dl + m_len, k.sk);
            free(all);
            rc = CLI_OK;
        }
    }
    sodium_memzero(k.sk, sizeof k.sk);
    free(body);
    free(m);
    return rc == CLI_OK ? CLI_OK : cli_fail("cannot sign as %s", key_path);
}

/* `person keygen --id ID --out FILE`: a new person key of this
 * organisation; prints its public key. */
static int s_keygen(const config_node_t *cfg, int argc, char **argv)
{
    static const struct option opts[] = {{"id", required_argument, NULL, 'i'},
                                         {"out", required_argument, NULL, 'o'},
                                         {NULL, 0, NULL, 0}};
    const char *id = NULL, *out = NULL;
    int opt;
    cc_err_t err;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "i:o:", opts, NULL)) != -1) {
        if (opt == 'i') {
            id = optarg;
        } else if (opt == 'o') {
            out = optarg;
        } else {
            return CLI_USAGE;
        }
    }
    if (!id || !out || optind != argc) {
        return cli_usage("usage: concord person keygen --id ID --out FILE");
    }
    if (people_id_check(id, "a person id", &err) < 0) {
        return cli_fail("%s", err.msg);
    }
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_keypair(pk, sk);
    char *hex = wire_hex(sk, sizeof sk), *pub = wire_hex(pk, sizeof pk);
    sodium_memzero(sk, sizeof sk);
    int fd = open(out, O_WRONLY | O_CREAT | O_EXCL, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    int ok = f && hex && pub &&
             fprintf(f, "%s\norg %s\nperson %s\nsign-secret %s\n", S_KEY_MAGIC, cfg->code, id,
                     hex) > 0;
    if (f) {
        ok = fclose(f) == 0 && ok;
    } else if (fd >= 0) {
        close(fd);
    }
    if (hex) {
        sodium_memzero(hex, strlen(hex));
    }
    free(hex);
    if (!ok) {
        free(pub);
        return cli_fail("cannot write person key %s (it must not exist yet)", out);
    }
    printf("%s\n", pub);
    free(pub);
    return CLI_OK;
}

/* Splits a comma-separated list in place into at most max items. */
static size_t s_split(char *list, char **items, size_t max)
{
    size_t n = 0;
    for (char *save = NULL, *t = strtok_r(list, ",", &save); t && n < max;
         t = strtok_r(NULL, ",", &save)) {
        items[n++] = t;
    }
    return n;
}

/* `person add ID --name NAME --key FILE --board B[,B] --acts A[,A] --from D --to D
 * [--role ROLE] [--non-voting] [--deputy-for ID]` */
static int s_person_add(const config_node_t *cfg, int argc, char **argv, int json)
{
    static const struct option opts[] = {
        {"name", required_argument, NULL, 'n'},   {"key", required_argument, NULL, 'k'},
        {"board", required_argument, NULL, 'b'},  {"acts", required_argument, NULL, 'a'},
        {"from", required_argument, NULL, 'f'},   {"to", required_argument, NULL, 't'},
        {"role", required_argument, NULL, 'r'},   {"non-voting", no_argument, NULL, 'N'},
        {"deputy-for", required_argument, NULL, 'd'}, {NULL, 0, NULL, 0}};
    Concord__V1__Person p = CONCORD__V1__PERSON__INIT;
    char *boards[PEOPLE_BOARDS_MAX], *acts[8];
    Concord__V1__PersonAct act_v[8];
    const char *key = NULL;
    int opt;
    p.voting = 1;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "n:k:b:a:f:t:r:Nd:", opts, NULL)) != -1) {
        switch (opt) {
        case 'n': p.name = optarg; break;
        case 'k': key = optarg; break;
        case 'b': p.n_boards = s_split(optarg, boards, PEOPLE_BOARDS_MAX); break;
        case 'a': p.n_acts = s_split(optarg, acts, 8); break;
        case 'f': p.valid_from = optarg; break;
        case 't': p.valid_to = optarg; break;
        case 'r': p.role = optarg; break;
        case 'N': p.voting = 0; break;
        case 'd': p.deputy_for = optarg; break;
        default: return CLI_USAGE;
        }
    }
    if (optind + 1 != argc || !key || !p.name[0] || !p.n_boards || !p.n_acts ||
        !p.valid_from[0] || !p.valid_to[0]) {
        return cli_usage("usage: concord person add ID --name NAME --key PERSON.key --board B[,B]"
                         " --acts vote,propose,execute,sign-statement --from YYYY-MM-DD --to"
                         " YYYY-MM-DD [--role ROLE] [--non-voting] [--deputy-for ID]");
    }
    for (size_t i = 0; i < p.n_acts; i++) {
        int a = people_act_parse(acts[i]);
        if (!a) {
            return cli_usage("unknown act '%s' (vote, propose, execute, sign-statement)",
                             acts[i]);
        }
        act_v[i] = (Concord__V1__PersonAct)a;
    }
    s_key_t k;
    if (s_key_load(key, &k) != CLI_OK) {
        return CLI_FAIL;
    }
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    crypto_sign_ed25519_sk_to_pk(pk, k.sk);
    sodium_memzero(k.sk, sizeof k.sk);
    if (strcmp(k.person, argv[optind]) != 0 || strcmp(k.org, cfg->code) != 0) {
        return cli_fail("person key %s is %s's person '%s', not %s's '%s'", key, k.org, k.person,
                        cfg->code, argv[optind]);
    }
    p.person_id = argv[optind];
    p.boards = boards;
    p.acts = act_v;
    p.public_key.data = pk;
    p.public_key.len = sizeof pk;
    Concord__V1__PersonAddRequest in = CONCORD__V1__PERSON_ADD_REQUEST__INIT;
    in.person = &p;
    return cli_node_call(cfg, "PersonAdd", &in.base, cfg->call_timeout_ms, json, NULL);
}

static int s_person_revoke(const config_node_t *cfg, int argc, char **argv, int json)
{
    static const struct option opts[] = {{"reason", required_argument, NULL, 'r'},
                                         {NULL, 0, NULL, 0}};
    Concord__V1__PersonRevocation rv = CONCORD__V1__PERSON_REVOCATION__INIT;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "r:", opts, NULL)) != -1) {
        if (opt != 'r') {
            return CLI_USAGE;
        }
        rv.reason = optarg;
    }
    if (optind + 1 != argc) {
        return cli_usage("usage: concord person revoke ID [--reason TEXT]");
    }
    rv.person_id = argv[optind];
    Concord__V1__PersonRevokeRequest in = CONCORD__V1__PERSON_REVOKE_REQUEST__INIT;
    in.revocation = &rv;
    return cli_node_call(cfg, "PersonRevoke", &in.base, cfg->call_timeout_ms, json, NULL);
}

/* `interests add PERSON --kind KIND --concerns X --from D [--to D]
 * [--description TEXT]` */
static int s_interest_add(const config_node_t *cfg, int argc, char **argv, int json)
{
    static const struct option opts[] = {
        {"kind", required_argument, NULL, 'k'}, {"concerns", required_argument, NULL, 'c'},
        {"from", required_argument, NULL, 'f'}, {"to", required_argument, NULL, 't'},
        {"description", required_argument, NULL, 'd'}, {NULL, 0, NULL, 0}};
    Concord__V1__Interest x = CONCORD__V1__INTEREST__INIT;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "k:c:f:t:d:", opts, NULL)) != -1) {
        switch (opt) {
        case 'k':
            x.kind = (Concord__V1__InterestKind)people_interest_parse(optarg);
            if (!x.kind) {
                return cli_usage("unknown interest kind '%s' (financial, non-financial-professional,"
                                 " non-financial-personal, indirect)", optarg);
            }
            break;
        case 'c': x.concerns = optarg; break;
        case 'f': x.from_date = optarg; break;
        case 't': x.to_date = optarg; break;
        case 'd': x.description = optarg; break;
        default: return CLI_USAGE;
        }
    }
    if (optind + 1 != argc || !x.kind || !x.concerns[0] || !x.from_date[0]) {
        return cli_usage("usage: concord interests add PERSON --kind KIND --concerns ORG --from"
                         " YYYY-MM-DD [--to YYYY-MM-DD] [--description TEXT]");
    }
    x.person_id = argv[optind];
    Concord__V1__InterestAddRequest in = CONCORD__V1__INTEREST_ADD_REQUEST__INIT;
    in.interest = &x;
    return cli_node_call(cfg, "InterestAdd", &in.base, cfg->call_timeout_ms, json, NULL);
}

/* `person list` / `interests list|export` [--org CODE] [--board ID] */
static int s_list(const config_node_t *cfg, const char *method, int argc, char **argv,
                  int format)
{
    static const struct option opts[] = {{"org", required_argument, NULL, 'o'},
                                         {"board", required_argument, NULL, 'b'},
                                         {NULL, 0, NULL, 0}};
    Concord__V1__PeopleListRequest in = CONCORD__V1__PEOPLE_LIST_REQUEST__INIT;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "o:b:", opts, NULL)) != -1) {
        if (opt == 'o') {
            in.organisation = optarg;
        } else if (opt == 'b') {
            in.board_id = optarg;
        } else {
            return CLI_USAGE;
        }
    }
    if (optind != argc) {
        return CLI_USAGE;
    }
    return cli_node_call(cfg, method, &in.base, 0, format, NULL);
}

/* `declare PROPOSAL --concerns X --kind KIND [--description TEXT] [--as PERSON.key]` */
static int s_declare(const config_node_t *cfg, int argc, char **argv, int json)
{
    static const struct option opts[] = {
        {"kind", required_argument, NULL, 'k'}, {"concerns", required_argument, NULL, 'c'},
        {"description", required_argument, NULL, 'd'}, {"as", required_argument, NULL, 'a'},
        {NULL, 0, NULL, 0}};
    Concord__V1__Declaration d = CONCORD__V1__DECLARATION__INIT;
    const char *as = NULL;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "k:c:d:a:", opts, NULL)) != -1) {
        switch (opt) {
        case 'k': d.kind = (Concord__V1__InterestKind)people_interest_parse(optarg); break;
        case 'c': d.concerns = optarg; break;
        case 'd': d.description = optarg; break;
        case 'a': as = optarg; break;
        default: return CLI_USAGE;
        }
    }
    if (optind + 1 != argc || !d.kind || !d.concerns[0]) {
        return cli_usage("usage: concord declare PROPOSAL --concerns ORG --kind KIND"
                         " [--description TEXT] [--as PERSON.key]");
    }
    d.proposal_id = argv[optind];
    Concord__V1__DeclareRequest in = CONCORD__V1__DECLARE_REQUEST__INIT;
    char person[PEOPLE_ID_MAX + 1], id[40], board[40];
    uint8_t sig[KEYS_SIG_LEN];
    if (as) {
        if (cli_people_complete(cfg, d.proposal_id, id, board) != CLI_OK) {
            return CLI_FAIL;
        }
        d.proposal_id = id;
        d.board_id = board;
        if (cli_people_sign(cfg, as, PEOPLE_METHOD_DECLARE, &d.base, &d.person_id, person, sig) !=
            CLI_OK) {
            return CLI_FAIL;
        }
        in.person_signature.data = sig;
        in.person_signature.len = sizeof sig;
    }
    in.declaration = &d;
    return cli_node_call(cfg, "Declare", &in.base, cfg->call_timeout_ms, json, NULL);
}

int cli_people_complete(const config_node_t *cfg, const char *prefix, char id[40],
                        char board[40])
{
    Concord__V1__ProposalShowRequest in = CONCORD__V1__PROPOSAL_SHOW_REQUEST__INIT;
    in.proposal_id = (char *)prefix;
    ProtobufCMessage *r = NULL;
    if (cli_node_call(cfg, "ProposalShow", &in.base, 0, -1, &r) != CLI_OK) {
        return CLI_FAIL;
    }
    const Concord__V1__ProposalView *v = (const Concord__V1__ProposalView *)r;
    snprintf(id, 40, "%s", v->id);
    snprintf(board, 40, "%s", v->board_id);
    wire_free(r);
    return CLI_OK;
}

int cli_people(const config_node_t *cfg, int argc, char **argv, int json)
{
    const char *cmd = argv[0], *sub = argc > 1 ? argv[1] : "";
    if (strcmp(cmd, "declare") == 0) {
        return s_declare(cfg, argc, argv, json);
    }
    if (strcmp(cmd, "person") == 0 && strcmp(sub, "keygen") == 0) {
        return s_keygen(cfg, argc - 1, argv + 1);
    }
    if (strcmp(cmd, "person") == 0 && strcmp(sub, "add") == 0) {
        return s_person_add(cfg, argc - 1, argv + 1, json);
    }
    if (strcmp(cmd, "person") == 0 && strcmp(sub, "revoke") == 0) {
        return s_person_revoke(cfg, argc - 1, argv + 1, json);
    }
    if (strcmp(cmd, "person") == 0 && strcmp(sub, "list") == 0) {
        return s_list(cfg, "PeopleList", argc - 1, argv + 1, json);
    }
    if (strcmp(cmd, "interests") == 0 && strcmp(sub, "add") == 0) {
        return s_interest_add(cfg, argc - 1, argv + 1, json);
    }
    if (strcmp(cmd, "interests") == 0 && strcmp(sub, "list") == 0) {
        return s_list(cfg, "InterestList", argc - 1, argv + 1, json);
    }
    if (strcmp(cmd, "interests") == 0 && strcmp(sub, "export") == 0) {
        /* export: CSV, or JSON with --json */
        return s_list(cfg, "InterestList", argc - 1, argv + 1,
                      json == CLI_RENDER_JSON ? CLI_RENDER_JSON : CLI_RENDER_CSV);
    }
    return cli_fail("unknown command; see concord --help");
}
