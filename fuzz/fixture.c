/* SPDX-License-Identifier: Apache-2.0 */
/* fixture: the fixed federation of the fuzz targets (see fixture.h). */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "board.h"
#include "envelope.h"
#include "envelope.pb-c.h"
#include "pool.h"
#include "wire.h"

const char *const fixture_board_methods[] = {BOARD_METHOD_PROPOSE, BOARD_METHOD_VOTE,
                                             "concord.v1.Board/Nonsense", BOARD_METHOD_CALL_IN};
const size_t fixture_board_n_methods = 4;
/* Pool streams carry the partners' board too: agreements and variations
 * are its proposals. */
const char *const fixture_pool_methods[] = {
    BOARD_METHOD_PROPOSE,  BOARD_METHOD_VOTE,     POOL_METHOD_PLEDGE,   POOL_METHOD_OUTTURN,
    POOL_METHOD_STATEMENT, POOL_METHOD_BCF_PLAN, POOL_METHOD_BCF_SIGN, "concord.v1.Pool/Nonsense",
    POOL_METHOD_EXECUTE};
const size_t fixture_pool_n_methods = 9;

static const struct {
    const char *code;
    const char *name;
    const char *kind;
} s_orgs[FIX_COUNT] = {
    {"E38000217", "NHS Manchester CCG", "CCG"},
    {"E38000016", "NHS Bolton CCG", "CCG"},
    {"E08000003", "Manchester City Council", "COUNCIL_UPPER"},
    {"E08000001", "Bolton Council", "COUNCIL_UPPER"},
    {"X24", "NHS England", "NHS_ENGLAND"},
    {"E06000026", "Plymouth City Council", "COUNCIL_UPPER"},
    {"E38000129", "NHS Northern, Eastern and Western Devon CCG", "CCG"},
    {"E10000006", "Cumbria County Council", "COUNCIL_UPPER"},
    {"E07000028", "Carlisle City Council", "COUNCIL_DISTRICT"},
    {"E38000215", "NHS North Cumbria CCG", "CCG"},
    {"E47000001", "Greater Manchester Combined Authority", "COMBINED_AUTHORITY"},
    {"E38000216", "NHS Morecambe Bay CCG", "CCG"},
};

static keys_t *s_keys[FIX_COUNT];
static keys_t *s_broker;
static roster_t *s_roster;
static uint8_t *s_roster_bytes;
static size_t s_roster_len;
static char s_dir[64];

static void s_die(const char *what, const cc_err_t *err)
{
    fprintf(stderr, "fuzz fixture: %s: %s\n", what, err ? err->msg : "failed");
    abort();
}

static keys_t *s_key(const char *code, const char *name, const char *kind, uint8_t fill)
{
    uint8_t seed[32];
    cc_err_t err;
    memset(seed, fill, sizeof seed);
    keys_t *k = keys_from_seed(code, name, kind, seed, &err);
    if (!k) {
        s_die(code, &err);
    }
    return k;
}

void fixture_init(void)
{
    cc_err_t err;
    if (s_roster) {
        return;
    }
    s_broker = s_key("broker", "Fuzz broker", "BROKER", 0xbb);
    if (!(s_roster = roster_new("Fuzz federation", keys_public(s_broker), &err))) {
        s_die("roster", &err);
    }
    for (size_t i = 0; i < FIX_COUNT; i++) {
        s_keys[i] = s_key(s_orgs[i].code, s_orgs[i].name, s_orgs[i].kind, (uint8_t)(i + 1));
        if (roster_add(s_roster, keys_public(s_keys[i]), &err) < 0) {
            s_die(s_orgs[i].code, &err);
        }
    }
    for (size_t i = 0; i < FIX_COUNT; i++) {
        if (roster_sign(s_roster, s_keys[i], &err) < 0) {
            s_die("signing the roster", &err);
        }
    }
    snprintf(s_dir, sizeof s_dir, "%s/concord-fuzz-%ld",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
    char path[128];
    snprintf(path, sizeof path, "%s.roster", s_dir);
    if (roster_save(s_roster, path, &err) < 0) {
        s_die("saving the roster", &err);
    }
    FILE *f = fopen(path, "rb");
    long n = -1;
    if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0 ||
        !(s_roster_bytes = malloc((size_t)n)) ||
        fread(s_roster_bytes, 1, (size_t)n, f) != (size_t)n) {
        s_die("reading the roster back", NULL);
    }
    s_roster_len = (size_t)n;
    fclose(f);
    unlink(path);
}

const roster_t *fixture_roster(void)
{
    return s_roster;
}

roster_t *fixture_roster_fresh(void)
{
    roster_t *r = roster_from_bytes(s_roster_bytes, s_roster_len, NULL);
    if (!r) {
        abort();
    }
    return r;
}

const uint8_t *fixture_roster_bytes(size_t *len)
{
    *len = s_roster_len;
    return s_roster_bytes;
}

const keys_t *fixture_keys(size_t i)
{
    return s_keys[i % FIX_COUNT];
}

const keys_t *fixture_broker(void)
{
    return s_broker;
}

const char *fixture_code(size_t i)
{
    return s_orgs[i % FIX_COUNT].code;
}

const keys_t *fixture_find(const char *code)
{
    if (code && strcmp(code, "broker") == 0) {
        return s_broker;
    }
    for (size_t i = 0; code && i < FIX_COUNT; i++) {
        if (strcmp(s_orgs[i].code, code) == 0) {
            return s_keys[i];
        }
    }
    return NULL;
}

int fixture_seal(const keys_t *k, const uint8_t *signed_bytes, size_t len, uint8_t **out,
                 size_t *out_len)
{
    uint8_t sig[KEYS_SIG_LEN];
    Concord__V1__Envelope e = CONCORD__V1__ENVELOPE__INIT;
    if (keys_sign(k, ENVELOPE_DOMAIN, signed_bytes, len, sig, NULL) < 0) {
        return -1;
    }
    e.signed_.data = (uint8_t *)signed_bytes;
    e.signed_.len = len;
    e.signature.data = sig;
    e.signature.len = sizeof sig;
    e.signer = (char *)keys_code(k);
    return wire_pack(&e.base, WIRE_MAX_FRAME + len, out, out_len, NULL);
}

static void s_disagree(const char *engine, int p, const cc_err_t *pre, int a, const cc_err_t *app)
{
    fprintf(stderr, "%s: precheck %d (%s) but apply %d (%s)\n", engine, p, p ? pre->msg : "", a,
            a ? app->msg : "");
    abort();
}

/* The board's part of an event, as node/boards.c folds it. */
static int s_board_step(board_engine_t *b, const pool_event_t *ev, int check, cc_err_t *err)
{
    cc_err_t pre;
    int p = check ? board_precheck(b, ev, &pre) : 0;
    int a = board_apply(b, ev, err);
    if (check && p != a) {
        s_disagree("board", p, &pre, a, err);
    }
    return a;
}

int fixture_pool_step(board_engine_t *b, pool_engine_t *e, const pool_event_t *ev, int check,
                      cc_err_t *err)
{
    int board_event = strcmp(ev->method, BOARD_METHOD_PROPOSE) == 0 ||
                      strcmp(ev->method, BOARD_METHOD_VOTE) == 0;
    int rc = 0;
    cc_err_t why;
    /* As the node, a failure to move on (out of memory) is only logged. */
    if (board_event) {
        rc = s_board_step(b, ev, check, err);
    } else {
        board_advance(b, ev->log_index, ev->time_ms, &why);
    }
    pool_follow(e, b, ev->log_index, &why);
    if (board_event) {
        return rc;
    }
    cc_err_t pre;
    int p = check ? pool_precheck(e, ev, &pre) : 0;
    rc = pool_apply(e, ev, err);
    if (check && p != rc) {
        s_disagree("pool", p, &pre, rc, err);
    }
    return rc;
}

void fixture_call_id(size_t n, uint8_t out[16])
{
    memset(out, 0, 16);
    out[0] = 0xf0;
    for (int i = 0; i < 8; i++) {
        out[15 - i] = (uint8_t)(n >> (8 * i));
    }
}

int fixture_next(const uint8_t **data, size_t *size, size_t n_methods, fixture_record_t *rec)
{
    const uint8_t *p = *data;
    if (*size < 5) {
        return 0;
    }
    size_t len = (size_t)p[3] | (size_t)p[4] << 8;
    if (*size - 5 < len) {
        return 0;
    }
    rec->sender = p[0] % FIX_COUNT;
    rec->method = n_methods ? p[1] % n_methods : 0;
    rec->gap_ms = p[2] == 255 ? 86400000ull : (uint64_t)p[2] * 1000u;
    rec->body = p + 5;
    rec->body_len = len;
    *data = p + 5 + len;
    *size -= 5 + len;
    return 1;
}

int fixture_write(FILE *f, size_t sender, size_t method, unsigned gap_s, const uint8_t *body,
                  size_t len)
{
    uint8_t head[5] = {(uint8_t)sender, (uint8_t)method, (uint8_t)(gap_s > 255 ? 255 : gap_s),
                       (uint8_t)(len & 0xff), (uint8_t)(len >> 8)};
    if (len > 0xffff) {
        return -1;
    }
    return fwrite(head, 1, 5, f) == 5 && fwrite(body, 1, len, f) == len ? 0 : -1;
}

/* Files fixture_file made, removed when the process ends. */
static char s_made[8][256];
static size_t s_n_made;

static void s_remove_made(void)
{
    for (size_t i = 0; i < s_n_made; i++) {
        unlink(s_made[i]);
    }
}

const char *fixture_file(const char *name, const uint8_t *data, size_t size)
{
    static char path[256];
    if (!s_dir[0]) {
        fixture_init();
    }
    snprintf(path, sizeof path, "%s-%s", s_dir, name);
    size_t i = 0;
    while (i < s_n_made && strcmp(s_made[i], path) != 0) {
        i++;
    }
    if (i == s_n_made && s_n_made < 8) {
        if (s_n_made == 0) {
            atexit(s_remove_made);
        }
        snprintf(s_made[s_n_made++], sizeof s_made[0], "%s", path);
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        return NULL;
    }
    int ok = fwrite(data, 1, size, f) == size;
    ok = fclose(f) == 0 && ok;
    return ok ? path : NULL;
}
