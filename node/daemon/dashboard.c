/* SPDX-License-Identifier: Apache-2.0 */
/* dashboard: see dashboard.h. The pages are written by dashboard_pages
 * from the Control service's typed replies; their JSON form by
 * dashboard_json from the same replies. */
#include "dashboard.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "certificate.h"
#include "clock.h"
#include "control_client.h"
#include "dashboard_html.h"
#include "dashboard_json.h"
#include "dashboard_pages.h"
#include "json.h"
#include "log.h"
#include "roster.h"
#include "text.h"
#include "wire.h"

#define S_TOKEN_MIN 16
#define S_TOKEN_MAX 512
#define S_PEM_MAX (256 * 1024)
#define S_CONNECTIONS 32     /* at once, all clients */
#define S_PER_CLIENT 8       /* at once, one address */
#define S_TIMEOUT_S 15       /* an idle connection is closed */
#define S_MEMORY (32 * 1024) /* per connection: request line and headers */
#define S_RATE 50            /* requests a second, all clients: beyond it 429 */
#define S_CALL_MS 5000       /* a Control call's wait */
#define S_SSE_RETRY_MS 2000  /* a live page asks for its figures again after this */
#define S_ID_MAX 64
#define S_VERIFY_EVERY_MS 60000 /* a log or certificate verification, at most this often */
#define S_CERTS 32              /* decisions whose verification is kept */
#define S_LIST_TALLIES 20       /* open proposals tallied by constituency on /proposals */
#define S_POOL_YEARS 16

static const char s_csp[] = "default-src 'none'; style-src 'self'; script-src 'self'; "
                            "connect-src 'self'; img-src 'self'; base-uri 'none'; "
                            "form-action 'none'; frame-ancestors 'none'";

struct dashboard {
    config_node_t cfg;
    struct MHD_Daemon *mhd;
    char *cert_pem, *key_pem;
    char token[S_TOKEN_MAX + 1];
    roster_t *roster;     /* the genesis roster, for verifying certificates */
    pthread_mutex_t lock; /* the rate window and the roster */
    uint64_t window_s;
    unsigned window_n;
    struct {
        char id[S_ID_MAX + 1];
        dashboard_pages_cert_t cert;
        uint64_t at;                 /* monotonic; 0: empty */
    } certs[S_CERTS];                /* the last decisions verified (under lock) */
    pthread_mutex_t lv_lock;         /* the last log verification: */
    Concord__V1__LogVerifyReply *lv; /* its reply, or NULL with lv_err */
    cc_err_t lv_err;
    uint64_t lv_mono, lv_at_ms; /* when it ran (monotonic, wall clock); 0: never */
    volatile int stopping;
};

/* ---- settings ---- */

/* The address as a socket address; 1 in *loopback when it is one. */
static int s_address(const char *text, struct sockaddr_storage *sa, socklen_t *len, int *loopback,
                     cc_err_t *err)
{
    char host[256];
    const char *colon = strrchr(text, ':');
    if (!colon || colon == text || !colon[1]) {
        err_set(err, CC_INVALID_ARGUMENT,
                "dashboard = '%s': expected an address and a port, as 127.0.0.1:8470 or "
                "[::1]:8470",
                text);
        return -1;
    }
    size_t hl = (size_t)(colon - text);
    const char *h = text;
    if (text[0] == '[' && colon[-1] == ']') {
        h++;
        hl -= 2;
    }
    if (hl >= sizeof host) {
        err_set(err, CC_INVALID_ARGUMENT, "dashboard = '%s': address too long", text);
        return -1;
    }
    memcpy(host, h, hl);
    host[hl] = '\0';
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 1 || port > 65535) {
        err_set(err, CC_INVALID_ARGUMENT, "dashboard = '%s': bad port '%s' (expected 1..65535)",
                text, colon + 1);
        return -1;
    }
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
                             .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    if (getaddrinfo(host, colon + 1, &hints, &res) != 0 || !res) {
        err_set(err, CC_INVALID_ARGUMENT,
                "dashboard = '%s': '%s' is not a numeric IPv4 or IPv6 address (names are not "
                "resolved: say 127.0.0.1 rather than localhost)",
                text, host);
        return -1;
    }
    memcpy(sa, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    if (sa->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        *loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    } else {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        *loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
    }
    return 0;
}

/* A whole small file, NUL-terminated (caller frees). */
static char *s_read(const char *key, const char *path, size_t max, cc_err_t *err)
{
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0;
    if (!fp) {
        err_set(err, CC_NOT_FOUND, "%s %s: %s", key, path, strerror(errno));
        return NULL;
    }
    if (!(buf = malloc(max + 1))) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        goto out;
    }
    n = fread(buf, 1, max + 1, fp);
    if (n > max) {
        err_set(err, CC_INVALID_ARGUMENT, "%s %s: larger than %zu bytes", key, path, max);
        free(buf);
        buf = NULL;
        goto out;
    }
    buf[n] = '\0';
out:
    fclose(fp);
    return buf;
}

/* The token file's first line, without surrounding white space. */
static int s_token(const char *path, char *out, cc_err_t *err)
{
    char *buf = s_read("dashboard_token", path, S_TOKEN_MAX, err);
    if (!buf) {
        return -1;
    }
    char *s = buf;
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    size_t n = strcspn(s, "\r\n");
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
        n--;
    }
    int ok = n >= S_TOKEN_MIN;
    for (size_t i = 0; i < n; i++) {
        ok &= s[i] > 0x20 && s[i] < 0x7f;
    }
    if (!ok) {
        err_set(err, CC_INVALID_ARGUMENT,
                "dashboard_token %s: the token must be at least %d printable characters "
                "without spaces on the file's first line",
                path, S_TOKEN_MIN);
        free(buf);
        return -1;
    }
    memcpy(out, s, n);
    out[n] = '\0';
    free(buf);
    return 0;
}

int dashboard_check(const config_node_t *cfg, cc_err_t *err)
{
    struct sockaddr_storage sa;
    socklen_t len;
    int loopback = 0;
    char token[S_TOKEN_MAX + 1];
    if (!cfg->dashboard[0]) {
        return 0;
    }
    if (s_address(cfg->dashboard, &sa, &len, &loopback, err) < 0) {
        return -1;
    }
    if (!loopback &&
        (!cfg->dashboard_cert[0] || !cfg->dashboard_key[0] || !cfg->dashboard_token[0])) {
        err_set(err, CC_FAILED_PRECONDITION,
                "DASHBOARD_NEEDS_TLS_AND_TOKEN: dashboard = %s is not a loopback address, so "
                "it needs dashboard_cert, dashboard_key and dashboard_token (missing:%s%s%s); "
                "or bind it to 127.0.0.1 behind a reverse proxy (docs/DASHBOARD.md)",
                cfg->dashboard, cfg->dashboard_cert[0] ? "" : " dashboard_cert",
                cfg->dashboard_key[0] ? "" : " dashboard_key",
                cfg->dashboard_token[0] ? "" : " dashboard_token");
        return -1;
    }
    if (!cfg->dashboard_cert[0] != !cfg->dashboard_key[0]) {
        err_set(err, CC_INVALID_ARGUMENT,
                "dashboard_cert and dashboard_key go together: TLS needs both");
        return -1;
    }
    if (cfg->dashboard_token[0] && s_token(cfg->dashboard_token, token, err) < 0) {
        return -1;
    }
    return 0;
}

/* ---- answering ---- */

static enum MHD_Result s_send(struct MHD_Connection *c, unsigned status, const char *type,
                              void *body, size_t len, int owned)
{
    struct MHD_Response *r =
        owned ? MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE)
              : MHD_create_response_from_buffer(len, body, MHD_RESPMEM_PERSISTENT);
    if (!r) {
        if (owned) {
            free(body);
        }
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Content-Security-Policy", s_csp);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED) {
        MHD_add_response_header(r, "Allow", "GET, HEAD");
    } else if (status == MHD_HTTP_UNAUTHORIZED) {
        MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"concord\"");
    } else if (status == MHD_HTTP_TOO_MANY_REQUESTS) {
        MHD_add_response_header(r, "Retry-After", "1");
    }
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* A short plain-text answer to a request that is refused. */
static enum MHD_Result s_plain(struct MHD_Connection *c, unsigned status, const char *msg)
{
    return s_send(c, status, "text/plain; charset=utf-8", (void *)msg, strlen(msg), 0);
}

/* A page: text t as HTML (or JSON), taken; 500 if it ran out of memory. */
static enum MHD_Result s_page(struct MHD_Connection *c, unsigned status, text_t *t, int json)
{
    char *body = text_take(t);
    if (!body) {
        return s_plain(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
    }
    return s_send(c, status, json ? "application/json" : "text/html; charset=utf-8", body,
                  strlen(body), 1);
}

static enum MHD_Result s_json_page(struct MHD_Connection *c, json_t *j)
{
    char *body = json_take(j);
    if (!body) {
        return s_plain(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
    }
    return s_send(c, MHD_HTTP_OK, "application/json", body, strlen(body), 1);
}

/* A failed Control call as a page: 404 for what the node does not hold,
 * 503 when the node did not answer, 502 otherwise. */
static enum MHD_Result s_failed(dashboard_t *d, struct MHD_Connection *c, int json,
                                const char *what, const cc_err_t *err)
{
    unsigned status = err->code == CC_NOT_FOUND     ? MHD_HTTP_NOT_FOUND
                      : err->code == CC_UNAVAILABLE ? MHD_HTTP_SERVICE_UNAVAILABLE
                                                    : MHD_HTTP_BAD_GATEWAY;
    if (json) {
        json_t j;
        json_init(&j);
        json_obj_begin(&j, NULL);
        json_str(&j, "error", err_code_name(err->code));
        json_str(&j, "message", err->msg);
        json_obj_end(&j);
        char *body = json_take(&j);
        return body ? s_send(c, status, "application/json", body, strlen(body), 1)
                    : s_plain(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
    }
    text_t t;
    text_init(&t);
    dashboard_pages_error(&t, d->cfg.code, what, err->msg);
    return s_page(c, status, &t, 0);
}

/* One Control call on this node; the reply (wire_free it) or NULL. */
static ProtobufCMessage *s_call(dashboard_t *d, const char *method, const void *in, cc_err_t *err)
{
    return control_client_call(d->cfg.control, method, in, S_CALL_MS, NULL, err);
}

/* An id from a path: letters, digits and '-' only, 1..S_ID_MAX. */
static int s_id_ok(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > S_ID_MAX) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = id[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-')) {
            return 0;
        }
    }
    return 1;
}

/* ---- pages ---- */

/* The last log verification, run again when older than S_VERIFY_EVERY_MS:
 * LogVerify checks every receipt in the node's loop, so a client
 * reloading the federation page must not make the node run it each time.
 * Returns with d->lv_lock held (the caller renders, then unlocks). */
static void s_log_verify(dashboard_t *d)
{
    Concord__V1__LogVerifyRequest lq = CONCORD__V1__LOG_VERIFY_REQUEST__INIT;
    pthread_mutex_lock(&d->lv_lock);
    uint64_t now = clock_mono_ms();
    if (d->lv_mono && now - d->lv_mono < S_VERIFY_EVERY_MS) {
        return;
    }
    wire_free(d->lv ? &d->lv->base : NULL);
    memset(&d->lv_err, 0, sizeof d->lv_err);
    d->lv = (void *)s_call(d, "LogVerify", &lq, &d->lv_err);
    d->lv_mono = now;
    d->lv_at_ms = clock_wall_ms();
}

static enum MHD_Result s_federation(dashboard_t *d, struct MHD_Connection *c, int json)
{
    cc_err_t err;
    Concord__V1__StatusRequest sq = CONCORD__V1__STATUS_REQUEST__INIT;
    Concord__V1__RosterShowRequest rq = CONCORD__V1__ROSTER_SHOW_REQUEST__INIT;
    Concord__V1__StatusReply *st = (void *)s_call(d, "Status", &sq, &err);
    if (!st) {
        return s_failed(d, c, json, "Federation", &err);
    }
    Concord__V1__RosterShowReply *ro = (void *)s_call(d, "RosterShow", &rq, &err);
    enum MHD_Result ret;
    s_log_verify(d);
    const Concord__V1__LogVerifyReply *lv = d->lv;
    if (json) {
        json_t j;
        json_init(&j);
        json_obj_begin(&j, NULL);
        dashboard_json_message(&j, "status", &st->base);
        dashboard_json_message(&j, "roster", ro ? &ro->base : NULL);
        dashboard_json_message(&j, "log_verify", lv ? &lv->base : NULL);
        json_str(&j, "log_verify_error", lv ? NULL : d->lv_err.msg);
        json_u64(&j, "log_verify_at_ms", d->lv_at_ms);
        json_obj_end(&j);
        ret = s_json_page(c, &j);
    } else {
        text_t t;
        text_init(&t);
        dashboard_pages_federation(&t, st, ro, lv, lv ? NULL : d->lv_err.msg, d->lv_at_ms);
        ret = s_page(c, MHD_HTTP_OK, &t, 0);
    }
    pthread_mutex_unlock(&d->lv_lock);
    wire_free(&st->base);
    wire_free(ro ? &ro->base : NULL);
    return ret;
}

/* How a page that is one Control reply is written as HTML. */
typedef void (*s_render_fn)(text_t *t, const char *org, const void *reply);

static void s_render_boards(text_t *t, const char *org, const void *r)
{
    dashboard_pages_boards(t, org, r);
}

static void s_render_pools(text_t *t, const char *org, const void *r)
{
    dashboard_pages_pools(t, org, r);
}

static void s_render_bcf(text_t *t, const char *org, const void *r)
{
    dashboard_pages_bcf(t, org, r);
}

/* A page that is the reply to one Control call q of method: as JSON, or
 * written by render; title names it on the error page. */
static enum MHD_Result s_reply_page(dashboard_t *d, struct MHD_Connection *c, int json,
                                    const char *method, const ProtobufCMessage *q,
                                    const char *title, s_render_fn render)
{
    cc_err_t err;
    ProtobufCMessage *r = s_call(d, method, q, &err);
    if (!r) {
        return s_failed(d, c, json, title, &err);
    }
    enum MHD_Result ret;
    if (json) {
        json_t j;
        json_init(&j);
        dashboard_json_message(&j, NULL, r);
        ret = s_json_page(c, &j);
    } else {
        text_t t;
        text_init(&t);
        render(&t, d->cfg.code, r);
        ret = s_page(c, MHD_HTTP_OK, &t, 0);
    }
    wire_free(r);
    return ret;
}

static enum MHD_Result s_boards(dashboard_t *d, struct MHD_Connection *c, int json)
{
    Concord__V1__BoardListRequest q = CONCORD__V1__BOARD_LIST_REQUEST__INIT;
    return s_reply_page(d, c, json, "BoardList", &q.base, "Boards", s_render_boards);
}

static Concord__V1__BoardShowReply *s_board_show(dashboard_t *d, const char *id, cc_err_t *err)
{
    Concord__V1__BoardShowRequest q = CONCORD__V1__BOARD_SHOW_REQUEST__INIT;
    q.board_id = (char *)id;
    return (void *)s_call(d, "BoardShow", &q, err);
}

static Concord__V1__ProposalListReply *s_proposal_list(dashboard_t *d, const char *board,
                                                       cc_err_t *err)
{
    Concord__V1__ProposalListRequest q = CONCORD__V1__PROPOSAL_LIST_REQUEST__INIT;
    q.board_id = (char *)board;
    return (void *)s_call(d, "ProposalList", &q, err);
}

static enum MHD_Result s_board(dashboard_t *d, struct MHD_Connection *c, int json, const char *id)
{
    cc_err_t err;
    Concord__V1__BoardShowReply *b = s_board_show(d, id, &err);
    if (!b) {
        return s_failed(d, c, json, "Board", &err);
    }
    Concord__V1__ProposalListReply *pl = s_proposal_list(d, id, &err);
    enum MHD_Result ret;
    if (json) {
        json_t j;
        json_init(&j);
        json_obj_begin(&j, NULL);
        dashboard_json_message(&j, "board", &b->base);
        dashboard_json_message(&j, "proposals", pl ? &pl->base : NULL);
        json_obj_end(&j);
        ret = s_json_page(c, &j);
    } else {
        text_t t;
        text_init(&t);
        dashboard_pages_board(&t, d->cfg.code, b, pl, clock_wall_ms());
        ret = s_page(c, MHD_HTTP_OK, &t, 0);
    }
    wire_free(&b->base);
    wire_free(pl ? &pl->base : NULL);
    return ret;
}

static Concord__V1__ProposalView *s_proposal_show(dashboard_t *d, const char *id, cc_err_t *err);

/* The open proposals of pl again with their ballots, and their boards,
 * for the tally by constituency (the list carries only the totals): the
 * first S_LIST_TALLIES of them, into *full and *boards (n each, NULL
 * where not fetched; free with s_details_free). */
static void s_details(dashboard_t *d, const Concord__V1__ProposalListReply *pl,
                      Concord__V1__ProposalView ***full, Concord__V1__BoardShowReply ***boards)
{
    cc_err_t err;
    size_t n = pl->n_proposals;
    *full = calloc(n ? n : 1, sizeof **full);
    *boards = calloc(n ? n : 1, sizeof **boards);
    size_t fetched = 0;
    for (size_t i = 0; *full && *boards && i < n && fetched < S_LIST_TALLIES; i++) {
        if (pl->proposals[i]->closed) {
            continue;
        }
        fetched++;
        (*full)[i] = s_proposal_show(d, pl->proposals[i]->id, &err);
        (*boards)[i] = s_board_show(d, pl->proposals[i]->board_id, &err);
    }
}

static void s_details_free(size_t n, Concord__V1__ProposalView **full,
                           Concord__V1__BoardShowReply **boards)
{
    for (size_t i = 0; full && boards && i < n; i++) {
        wire_free(full[i] ? &full[i]->base : NULL);
        wire_free(boards[i] ? &boards[i]->base : NULL);
    }
    free(full);
    free(boards);
}

static enum MHD_Result s_proposals(dashboard_t *d, struct MHD_Connection *c, int json)
{
    cc_err_t err;
    Concord__V1__ProposalListReply *pl = s_proposal_list(d, "", &err);
    if (!pl) {
        return s_failed(d, c, json, "Proposals", &err);
    }
    enum MHD_Result ret;
    if (json) {
        json_t j;
        json_init(&j);
        dashboard_json_message(&j, NULL, &pl->base);
        ret = s_json_page(c, &j);
        wire_free(&pl->base);
        return ret;
    }
    Concord__V1__ProposalView **full = NULL;
    Concord__V1__BoardShowReply **boards = NULL;
    s_details(d, pl, &full, &boards);
    text_t t;
    text_init(&t);
    dashboard_pages_proposals(&t, d->cfg.code, pl, full, boards, clock_wall_ms());
    ret = s_page(c, MHD_HTTP_OK, &t, 0);
    s_details_free(pl->n_proposals, full, boards);
    wire_free(&pl->base);
    return ret;
}

static Concord__V1__ProposalView *s_proposal_show(dashboard_t *d, const char *id, cc_err_t *err)
{
    Concord__V1__ProposalShowRequest q = CONCORD__V1__PROPOSAL_SHOW_REQUEST__INIT;
    q.proposal_id = (char *)id;
    return (void *)s_call(d, "ProposalShow", &q, err);
}

static Concord__V1__CertificateReply *s_export(dashboard_t *d, const char *id, cc_err_t *err)
{
    Concord__V1__DecisionExportRequest q = CONCORD__V1__DECISION_EXPORT_REQUEST__INIT;
    q.proposal_id = (char *)id;
    return (void *)s_call(d, "DecisionExport", &q, err);
}

/* Exports the decision and verifies it offline against the genesis
 * roster, as `concord verify` would. A result is kept for
 * S_VERIFY_EVERY_MS (the last S_CERTS proposals): the export reads the
 * board's history in the node's loop, which a client reloading a decision
 * page must not make it do each time. */
static void s_verify(dashboard_t *d, const char *id, dashboard_pages_cert_t *out)
{
    cc_err_t err;
    certificate_report_t rep;
    uint64_t now = clock_mono_ms();
    size_t slot = 0;
    pthread_mutex_lock(&d->lock);
    for (size_t i = 0; i < S_CERTS; i++) {
        if (d->certs[i].at && strcmp(d->certs[i].id, id) == 0 &&
            now - d->certs[i].at < S_VERIFY_EVERY_MS) {
            *out = d->certs[i].cert;
            pthread_mutex_unlock(&d->lock);
            return;
        }
        if (d->certs[i].at < d->certs[slot].at) {
            slot = i; /* the oldest, to be replaced */
        }
    }
    pthread_mutex_unlock(&d->lock);
    memset(out, 0, sizeof *out);
    Concord__V1__CertificateReply *cr = s_export(d, id, &err);
    if (!cr) {
        snprintf(out->detail, sizeof out->detail, "%s", err.msg);
        return; /* not kept: the node may answer next time */
    }
    out->checked = 1;
    memset(&rep, 0, sizeof rep);
    pthread_mutex_lock(&d->lock);
    int rc = certificate_verify(cr->certificate.data, cr->certificate.len, d->roster, &rep, &err);
    if (rc == 0) {
        out->verified = 1;
        snprintf(out->detail, sizeof out->detail,
                 "%s, %zu events and %zu ballots checked against the roster, signed by %s",
                 rep.outcome, rep.events, rep.ballots, rep.signer);
        certificate_report_free(&rep);
    } else {
        snprintf(out->detail, sizeof out->detail, "%s", err.msg);
    }
    snprintf(d->certs[slot].id, sizeof d->certs[slot].id, "%s", id);
    d->certs[slot].cert = *out;
    d->certs[slot].at = now ? now : 1;
    pthread_mutex_unlock(&d->lock);
    wire_free(&cr->base);
}

static enum MHD_Result s_proposal(dashboard_t *d, struct MHD_Connection *c, int json,
                                  const char *id)
{
    cc_err_t err;
    dashboard_pages_cert_t cert;
    Concord__V1__ProposalView *p = s_proposal_show(d, id, &err);
    if (!p) {
        return s_failed(d, c, json, "Proposal", &err);
    }
    Concord__V1__BoardShowReply *b = s_board_show(d, p->board_id, &err);
    /* A pool agreement or variation: the pool, for its execution state. */
    Concord__V1__PoolEventReply *pool = NULL;
    const Concord__V1__Proposal *pr = p->proposal;
    const char *pool_id = !pr                   ? NULL
                          : pr->pool_agreement  ? pr->pool_agreement->pool_id
                          : pr->pool_variation  ? pr->pool_variation->pool_id
                                                : NULL;
    if (pool_id && s_id_ok(pool_id)) {
        Concord__V1__PoolShowRequest q = CONCORD__V1__POOL_SHOW_REQUEST__INIT;
        q.id = (char *)pool_id;
        pool = (void *)s_call(d, "PoolShow", &q, &err);
    }
    memset(&cert, 0, sizeof cert);
    if (p->closed) {
        s_verify(d, p->id, &cert);
    }
    enum MHD_Result ret;
    if (json) {
        json_t j;
        json_init(&j);
        json_obj_begin(&j, NULL);
        dashboard_json_message(&j, "proposal", &p->base);
        if (pool && pool->pool) {
            dashboard_json_message(&j, "pool", &pool->pool->base);
        }
        if (p->closed) {
            json_obj_begin(&j, "certificate");
            json_bool(&j, "verified", cert.verified);
            json_str(&j, "detail", cert.detail);
            json_obj_end(&j);
        }
        json_obj_end(&j);
        ret = s_json_page(c, &j);
    } else {
        text_t t;
        text_init(&t);
        dashboard_pages_proposal(&t, d->cfg.code, p, b, pool ? pool->pool : NULL, &cert,
                                 clock_wall_ms());
        ret = s_page(c, MHD_HTTP_OK, &t, 0);
    }
    wire_free(&p->base);
    wire_free(b ? &b->base : NULL);
    wire_free(pool ? &pool->base : NULL);
    return ret;
}

/* The certificate file itself, as `concord decision export` writes it. */
static enum MHD_Result s_certificate(dashboard_t *d, struct MHD_Connection *c, const char *id)
{
    cc_err_t err;
    Concord__V1__CertificateReply *cr = s_export(d, id, &err);
    if (!cr) {
        return s_failed(d, c, 0, "Certificate", &err);
    }
    void *body = malloc(cr->certificate.len ? cr->certificate.len : 1);
    if (!body) {
        wire_free(&cr->base);
        return s_plain(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
    }
    memcpy(body, cr->certificate.data, cr->certificate.len);
    size_t len = cr->certificate.len;
    wire_free(&cr->base);
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    char disp[128];
    snprintf(disp, sizeof disp, "attachment; filename=\"%s.cert\"", id);
    MHD_add_response_header(r, "Content-Type", "application/octet-stream");
    MHD_add_response_header(r, "Content-Disposition", disp);
    MHD_add_response_header(r, "Content-Security-Policy", s_csp);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result s_pools(dashboard_t *d, struct MHD_Connection *c, int json)
{
    Concord__V1__PoolListRequest q = CONCORD__V1__POOL_LIST_REQUEST__INIT;
    return s_reply_page(d, c, json, "PoolList", &q.base, "Pooled funds", s_render_pools);
}

static enum MHD_Result s_pool(dashboard_t *d, struct MHD_Connection *c, int json, const char *id)
{
    cc_err_t err;
    Concord__V1__PoolShowRequest q = CONCORD__V1__POOL_SHOW_REQUEST__INIT;
    q.id = (char *)id;
    Concord__V1__PoolEventReply *r = (void *)s_call(d, "PoolShow", &q, &err);
    if (!r) {
        return s_failed(d, c, json, "Pool", &err);
    }
    if (!r->pool) {
        wire_free(&r->base);
        err_set(&err, CC_NOT_FOUND, "%s is a BCF plan, not a pool: see /bcf/%s", id, id);
        return s_failed(d, c, json, "Pool", &err);
    }
    Concord__V1__PoolStatementReply *st[S_POOL_YEARS];
    size_t n = 0;
    for (size_t i = 0; i < r->pool->n_years && n < S_POOL_YEARS; i++) {
        Concord__V1__PoolStatementRequest sq = CONCORD__V1__POOL_STATEMENT_REQUEST__INIT;
        sq.pool_id = r->pool->id;
        sq.financial_year = r->pool->years[i];
        if ((st[n] = (void *)s_call(d, "PoolStatement", &sq, &err))) {
            n++;
        }
    }
    enum MHD_Result ret;
    if (json) {
        json_t j;
        json_init(&j);
        json_obj_begin(&j, NULL);
        dashboard_json_message(&j, "pool", &r->pool->base);
        json_arr_begin(&j, "statements");
        for (size_t i = 0; i < n; i++) {
            dashboard_json_message(&j, NULL, &st[i]->base);
        }
        json_arr_end(&j);
        json_obj_end(&j);
        ret = s_json_page(c, &j);
    } else {
        text_t t;
        text_init(&t);
        dashboard_pages_pool(&t, d->cfg.code, r->pool, st, n);
        ret = s_page(c, MHD_HTTP_OK, &t, 0);
    }
    for (size_t i = 0; i < n; i++) {
        wire_free(&st[i]->base);
    }
    wire_free(&r->base);
    return ret;
}

static enum MHD_Result s_bcf(dashboard_t *d, struct MHD_Connection *c, int json, const char *id)
{
    Concord__V1__BcfShowRequest q = CONCORD__V1__BCF_SHOW_REQUEST__INIT;
    q.plan_id = (char *)id;
    return s_reply_page(d, c, json, "BcfShow", &q.base, "BCF plan", s_render_bcf);
}

/* The host's signed statement of a year, as `concord pool statement
 * --export` writes it. */
static enum MHD_Result s_statement(dashboard_t *d, struct MHD_Connection *c, const char *rest)
{
    char pool[S_ID_MAX + 1];
    cc_err_t err;
    const char *slash = strchr(rest, '/');
    unsigned year = 0;
    if (!slash || (size_t)(slash - rest) > S_ID_MAX || sscanf(slash + 1, "%4u", &year) != 1 ||
        strlen(slash + 1) != 4) {
        return s_plain(c, MHD_HTTP_BAD_REQUEST, "expected /statement/POOL/YEAR (YEAR as 2017)\n");
    }
    memcpy(pool, rest, (size_t)(slash - rest));
    pool[slash - rest] = '\0';
    if (!s_id_ok(pool)) {
        return s_plain(c, MHD_HTTP_BAD_REQUEST, "bad pool id\n");
    }
    Concord__V1__PoolStatementExportRequest q = CONCORD__V1__POOL_STATEMENT_EXPORT_REQUEST__INIT;
    q.pool_id = pool;
    q.financial_year = year;
    Concord__V1__CertificateReply *cr = (void *)s_call(d, "PoolStatementExport", &q, &err);
    if (!cr) {
        return s_failed(d, c, 0, "Statement", &err);
    }
    void *body = malloc(cr->certificate.len ? cr->certificate.len : 1);
    size_t len = cr->certificate.len;
    if (body) {
        memcpy(body, cr->certificate.data, len);
    }
    wire_free(&cr->base);
    if (!body) {
        return s_plain(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
    }
    return s_send(c, MHD_HTTP_OK, "application/octet-stream", body, len, 1);
}

/* The realignments decided and the alignment report: the page shows what
 * it has when the report cannot be computed (no lookups on the node). */
static enum MHD_Result s_footprints(dashboard_t *d, struct MHD_Connection *c, int json)
{
    cc_err_t err, rep_err = {0};
    Concord__V1__RealignmentsRequest q = CONCORD__V1__REALIGNMENTS_REQUEST__INIT;
    Concord__V1__FootprintReportRequest fq = CONCORD__V1__FOOTPRINT_REPORT_REQUEST__INIT;
    Concord__V1__RealignmentsReply *r = (void *)s_call(d, "Realignments", &q, &err);
    if (!r) {
        return s_failed(d, c, json, "Footprints", &err);
    }
    Concord__V1__FootprintReportReply *rep = (void *)s_call(d, "FootprintReport", &fq, &rep_err);
    enum MHD_Result ret;
    if (json) {
        json_t j;
        json_init(&j);
        json_obj_begin(&j, NULL);
        dashboard_json_message(&j, "realignments", &r->base);
        dashboard_json_message(&j, "report", rep ? &rep->base : NULL);
        json_str(&j, "report_error", rep ? NULL : rep_err.msg);
        json_obj_end(&j);
        ret = s_json_page(c, &j);
    } else {
        text_t t;
        text_init(&t);
        dashboard_pages_footprints(&t, d->cfg.code, r, rep, rep ? NULL : rep_err.msg);
        ret = s_page(c, MHD_HTTP_OK, &t, 0);
    }
    wire_free(&r->base);
    wire_free(rep ? &rep->base : NULL);
    return ret;
}

/* ---- Server-Sent Events: live figures ---- */

/* /events?proposal=ID (a proposal's page) or /events?list=proposals (the
 * proposals page) answers one `figures` event and ends, telling the
 * browser to ask again in S_SSE_RETRY_MS (the EventSource reconnects by
 * itself): no connection is held open between refreshes, so a page left
 * open costs no connection slot and no thread. */
static enum MHD_Result s_events(dashboard_t *d, struct MHD_Connection *c)
{
    cc_err_t err;
    json_t j;
    const char *id = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "proposal");
    const char *list = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "list");
    json_init(&j);
    if (list && strcmp(list, "proposals") == 0 && !id) {
        /* The proposals page's figures. */
        Concord__V1__ProposalListReply *pl = s_proposal_list(d, "", &err);
        if (!pl) {
            json_free(&j);
            return s_failed(d, c, 0, "Events", &err);
        }
        Concord__V1__ProposalView **full = NULL;
        Concord__V1__BoardShowReply **boards = NULL;
        s_details(d, pl, &full, &boards);
        dashboard_pages_list_figures(&j, pl, full, boards, clock_wall_ms());
        s_details_free(pl->n_proposals, full, boards);
        wire_free(&pl->base);
    } else {
        if (list || !id || !s_id_ok(id)) {
            json_free(&j);
            return s_plain(c, MHD_HTTP_BAD_REQUEST,
                           "expected /events?proposal=ID or /events?list=proposals\n");
        }
        Concord__V1__ProposalView *p = s_proposal_show(d, id, &err);
        if (!p) {
            json_free(&j);
            return s_failed(d, c, 0, "Events", &err);
        }
        Concord__V1__BoardShowReply *b = s_board_show(d, p->board_id, &err);
        dashboard_pages_figures(&j, p, b, clock_wall_ms());
        wire_free(&p->base);
        wire_free(b ? &b->base : NULL);
    }
    char *data = json_take(&j);
    if (!data) {
        return s_plain(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
    }
    text_t t;
    text_init(&t);
    text_put(&t, "retry: %d\nevent: figures\ndata: %s\n\n", S_SSE_RETRY_MS, data);
    free(data);
    char *body = text_take(&t);
    if (!body) {
        return s_plain(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
    }
    return s_send(c, MHD_HTTP_OK, "text/event-stream", body, strlen(body), 1);
}

/* ---- the request handler ---- */

/* Whether the request may go on: within the rate (all clients), and with
 * the access token when one is configured (Authorization: Bearer, or the
 * concord_dashboard cookie), compared in constant time. */
static int s_rate_ok(dashboard_t *d)
{
    uint64_t now = clock_mono_ms() / 1000;
    int ok;
    pthread_mutex_lock(&d->lock);
    if (now != d->window_s) {
        d->window_s = now;
        d->window_n = 0;
    }
    ok = ++d->window_n <= S_RATE;
    pthread_mutex_unlock(&d->lock);
    return ok;
}

static int s_token_ok(const dashboard_t *d, struct MHD_Connection *c)
{
    size_t tl = strlen(d->token);
    const char *given = NULL;
    if (!tl) {
        return 1;
    }
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (auth && strncmp(auth, "Bearer ", 7) == 0) {
        given = auth + 7;
    } else {
        given = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "concord_dashboard");
    }
    return given && strlen(given) == tl && sodium_memcmp(given, d->token, tl) == 0;
}

static int s_wants_json(struct MHD_Connection *c)
{
    const char *f = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "format");
    const char *a = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept");
    if (f) {
        return strcmp(f, "json") == 0;
    }
    return a && strstr(a, "application/json") && !strstr(a, "text/html");
}

/* The id after prefix in url, or NULL when url is not prefix + an id. */
static const char *s_under(const char *url, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(url, prefix, n) != 0) {
        return NULL;
    }
    return url + n;
}

static enum MHD_Result s_route(dashboard_t *d, struct MHD_Connection *c, const char *url)
{
    int json = s_wants_json(c);
    const char *id;
    if (strcmp(url, "/") == 0) {
        return s_federation(d, c, json);
    }
    if (strcmp(url, "/static/dashboard.css") == 0) {
        return s_send(c, MHD_HTTP_OK, "text/css; charset=utf-8", (void *)dashboard_html_css(),
                      strlen(dashboard_html_css()), 0);
    }
    if (strcmp(url, "/static/live.js") == 0) {
        return s_send(c, MHD_HTTP_OK, "text/javascript; charset=utf-8", (void *)dashboard_html_js(),
                      strlen(dashboard_html_js()), 0);
    }
    if (strcmp(url, "/boards") == 0) {
        return s_boards(d, c, json);
    }
    if (strcmp(url, "/proposals") == 0) {
        return s_proposals(d, c, json);
    }
    if (strcmp(url, "/pools") == 0) {
        return s_pools(d, c, json);
    }
    if (strcmp(url, "/footprints") == 0) {
        return s_footprints(d, c, json);
    }
    if (strcmp(url, "/events") == 0) {
        return s_events(d, c);
    }
    if ((id = s_under(url, "/statement/"))) {
        return s_statement(d, c, id);
    }
    static const char *const prefixes[] = {"/boards/", "/proposals/", "/certificate/", "/pools/",
                                           "/bcf/"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        if (!(id = s_under(url, prefixes[i]))) {
            continue;
        }
        if (!s_id_ok(id)) {
            return s_plain(c, MHD_HTTP_BAD_REQUEST,
                           "bad id: letters, digits and '-' only, at most 64\n");
        }
        switch (i) {
        case 0:
            return s_board(d, c, json, id);
        case 1:
            return s_proposal(d, c, json, id);
        case 2:
            return s_certificate(d, c, id);
        case 3:
            return s_pool(d, c, json, id);
        default:
            return s_bcf(d, c, json, id);
        }
    }
    return s_plain(c, MHD_HTTP_NOT_FOUND, "no such page\n");
}

static enum MHD_Result s_access(void *cls, struct MHD_Connection *c, const char *url,
                                const char *method, const char *version, const char *upload_data,
                                size_t *upload_data_size, void **con_cls)
{
    static int first;
    dashboard_t *d = cls;
    (void)version;
    (void)upload_data;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        return s_plain(c, MHD_HTTP_METHOD_NOT_ALLOWED,
                       "the dashboard is read-only: only GET and HEAD\n");
    }
    if (*upload_data_size) {
        return s_plain(c, MHD_HTTP_CONTENT_TOO_LARGE, "a GET carries no body\n");
    }
    if (!*con_cls) { /* the headers: answer once they are all in */
        *con_cls = &first;
        return MHD_YES;
    }
    if (!s_token_ok(d, c)) {
        return s_plain(c, MHD_HTTP_UNAUTHORIZED,
                       "this dashboard needs its access token (Authorization: Bearer)\n");
    }
    if (!s_rate_ok(d)) {
        return s_plain(c, MHD_HTTP_TOO_MANY_REQUESTS, "too many requests: try again shortly\n");
    }
    return s_route(d, c, url);
}

/* ---- start and stop ---- */

dashboard_t *dashboard_start(const config_node_t *cfg, cc_err_t *err)
{
    struct sockaddr_storage sa;
    socklen_t len;
    int loopback = 0;
    dashboard_t *d = NULL;
    if (!cfg->dashboard[0]) {
        err_set(err, CC_INVALID_ARGUMENT, "the dashboard is off: no 'dashboard' in the config");
        return NULL;
    }
    if (dashboard_check(cfg, err) < 0 || s_address(cfg->dashboard, &sa, &len, &loopback, err) < 0) {
        return NULL;
    }
    if (!(d = calloc(1, sizeof *d))) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    d->cfg = *cfg;
    pthread_mutex_init(&d->lock, NULL);
    pthread_mutex_init(&d->lv_lock, NULL);
    if (cfg->dashboard_token[0] && s_token(cfg->dashboard_token, d->token, err) < 0) {
        goto fail;
    }
    if (!(d->roster = roster_load(cfg->roster, err))) {
        err_prefix(err, "dashboard: ");
        goto fail;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG;
    if (sa.ss_family == AF_INET6) {
        flags |= MHD_USE_IPv6;
    }
    if (cfg->dashboard_cert[0]) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            err_set(err, CC_FAILED_PRECONDITION,
                    "dashboard: this libmicrohttpd was built without TLS");
            goto fail;
        }
        if (!(d->cert_pem = s_read("dashboard_cert", cfg->dashboard_cert, S_PEM_MAX, err)) ||
            !(d->key_pem = s_read("dashboard_key", cfg->dashboard_key, S_PEM_MAX, err))) {
            goto fail;
        }
        flags |= MHD_USE_TLS;
    }
    d->mhd = MHD_start_daemon(
        flags, 0, NULL, NULL, s_access, d, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)S_CONNECTIONS, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned)S_PER_CLIENT, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)S_TIMEOUT_S,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)S_MEMORY,
        d->cert_pem ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, d->cert_pem,
        MHD_OPTION_HTTPS_MEM_KEY, d->key_pem, MHD_OPTION_END);
    if (!d->mhd) {
        err_set(err, CC_UNAVAILABLE,
                "dashboard: cannot serve on %s (address in use, or a bad certificate or key)",
                cfg->dashboard);
        goto fail;
    }
    log_info("dashboard on %s://%s%s", d->cert_pem ? "https" : "http", cfg->dashboard,
             d->token[0] ? " (access token required)" : "");
    return d;
fail:
    dashboard_stop(&d);
    return NULL;
}

void dashboard_stop(dashboard_t **dp)
{
    if (!dp || !*dp) {
        return;
    }
    dashboard_t *d = *dp;
    d->stopping = 1;
    if (d->mhd) {
        MHD_stop_daemon(d->mhd);
    }
    roster_destroy(&d->roster);
    free(d->cert_pem);
    free(d->key_pem);
    sodium_memzero(d->token, sizeof d->token);
    pthread_mutex_destroy(&d->lock);
    wire_free(d->lv ? &d->lv->base : NULL);
    pthread_mutex_destroy(&d->lv_lock);
    free(d);
    *dp = NULL;
}
