/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the dashboard's HTML: escaping, money and time
 * formatting, the SVG charts' geometry, pages written from hand-made
 * Control replies (hostile strings included) and the JSON form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dashboard_html.h"
#include "dashboard_json.h"
#include "dashboard_pages.h"

#define HOSTILE "<script>alert(1)</script>"

static char *s_take(text_t *t)
{
    char *s = text_take(t);
    assert_non_null(s);
    return s;
}

static void test_escape_every_special_character(void **state)
{
    (void)state;
    text_t t;
    text_init(&t);
    dashboard_html_escape(&t, "a<b>&\"c'd\x01\x7f\te\n");
    dashboard_html_escape(&t, NULL);
    char *s = s_take(&t);
    assert_string_equal(s, "a&lt;b&gt;&amp;&quot;c&#39;d\xEF\xBF\xBD\xEF\xBF\xBD\te\n");
    free(s);
    /* Escaped text holds no markup character at all. */
    text_init(&t);
    dashboard_html_escape(&t, HOSTILE "\"><img src=x onerror=alert(2)>");
    s = s_take(&t);
    assert_null(strpbrk(s, "<>\"'"));
    free(s);
}

static void test_put_escapes_only_strings(void **state)
{
    (void)state;
    text_t t;
    text_init(&t);
    dashboard_html_put(&t, "<p title=\"%s\">%s %d %u %llu %lld 100%%</p>", "\"x\"", "<b>", -3,
                       7u, 18446744073709551615ull, -9223372036854775807ll);
    char *s = s_take(&t);
    assert_string_equal(s, "<p title=\"&quot;x&quot;\">&lt;b&gt; -3 7 18446744073709551615 "
                           "-9223372036854775807 100%</p>");
    free(s);
}

static void test_money_time_and_time_left(void **state)
{
    (void)state;
    text_t t;
    text_init(&t);
    dashboard_html_money(&t, 620000000000);
    text_put(&t, "|");
    dashboard_html_money(&t, -150);
    text_put(&t, "|");
    dashboard_html_money(&t, 0);
    text_put(&t, "|");
    dashboard_html_time(&t, 0);
    text_put(&t, "|");
    dashboard_html_time(&t, 1491035400000ull); /* 2017-04-01 08:30 UTC */
    text_put(&t, "|");
    dashboard_html_left(&t, 1000, 1000 + 7500000); /* 2 h 5 min */
    text_put(&t, "|");
    dashboard_html_left(&t, 1000, 1000 + 3 * 86400000ull + 3600000);
    text_put(&t, "|");
    dashboard_html_left(&t, 5000, 4000);
    text_put(&t, "|");
    dashboard_html_left(&t, 0, 1);
    char *s = s_take(&t);
    assert_string_equal(s, "£6,200,000,000.00|-£1.50|£0.00|-|2017-04-01T08:30:00.000Z|"
                           "2 h 5 min|3 d 1 h|closed|1 s");
    free(s);
}

static int64_t s_sum(const int64_t *v, size_t n)
{
    int64_t s = 0;
    for (size_t i = 0; i < n; i++) {
        s += v[i];
    }
    return s;
}

static void test_widths_sum_exactly(void **state)
{
    (void)state;
    int64_t out[8];
    /* Plymouth: £131m and £331m of 480 px. */
    const int64_t ply[] = {13100000000, 33100000000};
    assert_int_equal(dashboard_html_widths(ply, 2, 480, out), 0);
    assert_int_equal(s_sum(out, 2), 480);
    assert_int_equal(out[0], 136); /* 135.97 */
    assert_int_equal(out[1], 344); /* 343.90 */
    /* Three equal parts of 100: the leftover pixel to the first. */
    const int64_t thirds[] = {1, 1, 1};
    assert_int_equal(dashboard_html_widths(thirds, 3, 100, out), 0);
    assert_int_equal(out[0], 34);
    assert_int_equal(out[1], 33);
    assert_int_equal(out[2], 33);
    /* Huge values do not overflow, and still sum. */
    const int64_t big[] = {INT64_MAX / 2, INT64_MAX / 3, 1, 7};
    assert_int_equal(dashboard_html_widths(big, 4, 997, out), 0);
    assert_int_equal(s_sum(out, 4), 997);
    /* All zero: nothing drawn; a negative value or no value: refused. */
    const int64_t zero[] = {0, 0};
    assert_int_equal(dashboard_html_widths(zero, 2, 480, out), 0);
    assert_int_equal(out[0] + out[1], 0);
    const int64_t neg[] = {5, -1};
    assert_int_equal(dashboard_html_widths(neg, 2, 480, out), -1);
    assert_int_equal(dashboard_html_widths(ply, 0, 480, out), -1);
}

/* The x and width of each <rect class="part"> of an SVG stack. */
static size_t s_rects(const char *svg, int64_t *x, int64_t *w, size_t max)
{
    size_t n = 0;
    const char *p = svg;
    while (n < max && (p = strstr(p, "<rect class=\"part\" x=\""))) {
        long long a = 0, b = 0;
        assert_int_equal(sscanf(p, "<rect class=\"part\" x=\"%lld\" y=\"0\" width=\"%lld\"", &a, &b),
                         2);
        x[n] = a;
        w[n] = b;
        n++;
        p++;
    }
    return n;
}

static void test_stack_svg_geometry(void **state)
{
    (void)state;
    text_t t;
    int64_t x[8], w[8];
    const char *labels[] = {"E06000026", "E38000129", HOSTILE};
    const int64_t pence[] = {226839827, 573160173, 1};
    text_init(&t);
    dashboard_html_stack(&t, "Split " HOSTILE, labels, pence, 3, 480);
    char *s = s_take(&t);
    assert_int_equal(s_rects(s, x, w, 8), 3);
    /* Side by side from 0, filling exactly the width. */
    assert_int_equal(x[0], 0);
    assert_int_equal(x[1], w[0]);
    assert_int_equal(x[2], w[0] + w[1]);
    assert_int_equal(w[0] + w[1] + w[2], 480);
    assert_null(strstr(s, HOSTILE));
    assert_non_null(strstr(s, "<title id="));
    free(s);
}

static void test_bars_scale_to_the_largest(void **state)
{
    (void)state;
    text_t t;
    const char *labels[] = {"Council", "CCG", "Refund"};
    const int64_t pence[] = {13100000000, 33100000000, -33100000000};
    text_init(&t);
    dashboard_html_bars(&t, "Contributions", labels, pence, 3);
    char *s = s_take(&t);
    /* The largest |value| fills the 480 px bar; the others in proportion. */
    assert_non_null(strstr(s, "width=\"480\" height=\"20\" fill=\"#1d5fa8\"><title>CCG"));
    assert_non_null(strstr(s, "width=\"189\" height=\"20\" fill=\"#1d5fa8\"><title>Council"));
    assert_non_null(strstr(s, "width=\"480\" height=\"20\" fill=\"#a4262c\"><title>Refund"));
    assert_non_null(strstr(s, "£131,000,000.00"));
    assert_non_null(strstr(s, "role=\"img\""));
    free(s);
}

/* A closed proposal with a hostile title, text and reason. */
static void test_proposal_page_escapes_everything(void **state)
{
    (void)state;
    Concord__V1__Proposal pr = CONCORD__V1__PROPOSAL__INIT;
    Concord__V1__ProposalView p = CONCORD__V1__PROPOSAL_VIEW__INIT;
    Concord__V1__BallotView b1 = CONCORD__V1__BALLOT_VIEW__INIT;
    Concord__V1__BallotView *ballots[] = {&b1};
    pr.title = HOSTILE;
    pr.text = "<iframe src=//evil>";
    pr.amount_pence = 250000000;
    pr.board_id = "PLY-JCB";
    p.id = "0123456789abcdef0123456789abcdef";
    p.board_id = "PLY-JCB\"><script>";
    p.proposer = "E06000026";
    p.proposal = &pr;
    p.closed = 1;
    p.passed = 1;
    p.members = 2;
    p.votes_for = 1;
    p.explanation = "1 FOR < 2";
    b1.member = "E38000129";
    b1.vote = CONCORD__V1__VOTE__FOR;
    b1.reason = "</td><script>x()</script>";
    p.ballots = ballots;
    p.n_ballots = 1;
    dashboard_pages_cert_t cert = {.checked = 1, .verified = 1};
    snprintf(cert.detail, sizeof cert.detail, "PASSED <ok>");
    text_t t;
    text_init(&t);
    dashboard_pages_proposal(&t, "E06000026<", &p, NULL, NULL, &cert, 0);
    char *s = s_take(&t);
    /* Only the page's own script element (none: it is closed). */
    assert_null(strstr(s, "<script"));
    assert_null(strstr(s, "<iframe"));
    assert_non_null(strstr(s, "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>"));
    assert_non_null(strstr(s, "&lt;/td&gt;&lt;script&gt;x()&lt;/script&gt;"));
    assert_non_null(strstr(s, "href=\"/boards/PLY-JCB&quot;&gt;&lt;script&gt;\""));
    assert_non_null(strstr(s, "Certificate verified: PASSED &lt;ok&gt;"));
    assert_non_null(strstr(s, "£2,500,000.00"));
    assert_non_null(strstr(s, "href=\"/certificate/0123456789abcdef0123456789abcdef\""));
    free(s);
}

/* The tally by constituency, quorum and live names of an open proposal. */
static void test_open_proposal_tally_by_constituency(void **state)
{
    (void)state;
    Concord__V1__BoardMember m[3] = {CONCORD__V1__BOARD_MEMBER__INIT,
                                     CONCORD__V1__BOARD_MEMBER__INIT,
                                     CONCORD__V1__BOARD_MEMBER__INIT};
    Concord__V1__BoardMember *mp[] = {&m[0], &m[1], &m[2]};
    m[0].code = "E06000026";
    m[0].constituency = CONCORD__V1__CONSTITUENCY__LOCAL_GOVERNMENT;
    m[1].code = "E38000129";
    m[1].constituency = CONCORD__V1__CONSTITUENCY__NHS;
    m[2].code = "X24";
    m[2].constituency = CONCORD__V1__CONSTITUENCY__NHS;
    Concord__V1__Charter ch = CONCORD__V1__CHARTER__INIT;
    ch.members = mp;
    ch.n_members = 3;
    ch.quorum_numerator = 2;
    ch.quorum_denominator = 3;
    Concord__V1__BoardShowReply board = CONCORD__V1__BOARD_SHOW_REPLY__INIT;
    board.charter = &ch;
    Concord__V1__BallotView b[2] = {CONCORD__V1__BALLOT_VIEW__INIT, CONCORD__V1__BALLOT_VIEW__INIT};
    Concord__V1__BallotView *bp[] = {&b[0], &b[1]};
    b[0].member = "X24";
    b[0].vote = CONCORD__V1__VOTE__AGAINST;
    b[1].member = "E38000129";
    b[1].vote = CONCORD__V1__VOTE__FOR;
    Concord__V1__Proposal pr = CONCORD__V1__PROPOSAL__INIT;
    pr.title = "Extend GP hours";
    pr.closes_at_ms = 1000 + 90000;
    Concord__V1__ProposalView p = CONCORD__V1__PROPOSAL_VIEW__INIT;
    p.id = "abc123";
    p.board_id = "B";
    p.proposal = &pr;
    p.members = 3;
    p.votes_for = 1;
    p.votes_against = 1;
    p.ballots = bp;
    p.n_ballots = 2;
    p.quorate = 1;
    text_t t;
    text_init(&t);
    dashboard_pages_proposal(&t, "E06000026", &p, &board, NULL, NULL, 1000);
    char *s = s_take(&t);
    assert_non_null(strstr(s, "<th scope=\"row\">nhs</th><td class=\"num\">2</td>"
                              "<td class=\"num\" data-live=\"nhs-1\">1</td>"
                              "<td class=\"num\" data-live=\"nhs-2\">1</td>"
                              "<td class=\"num\" data-live=\"nhs-3\">0</td>"));
    assert_non_null(strstr(s, "<th scope=\"row\">local-government</th><td class=\"num\">1</td>"));
    /* 2/3 of 3 members: 2 needed, 2 voted. */
    assert_non_null(strstr(s, "2/3 of members (2) needed"));
    assert_non_null(strstr(s, "<meter min=\"0\" max=\"2\" value=\"2\""));
    assert_non_null(strstr(s, "data-live=\"left\">1 min 30 s<"));
    assert_non_null(strstr(s, "data-events=\"/events?proposal=abc123\""));
    assert_non_null(strstr(s, "<script src=\"/static/live.js\" defer></script>"));
    free(s);
    /* The live figures carry the same numbers under the same names. */
    json_t j;
    json_init(&j);
    dashboard_pages_figures(&j, &p, &board, 1000);
    s = json_take(&j);
    assert_non_null(s);
    assert_non_null(strstr(s, "\"outcome\":\"OPEN\",\"for\":1,\"against\":1,\"abstain\":0,"
                              "\"voted\":2,\"quorate\":\"yes\",\"left\":\"1 min 30 s\""));
    assert_non_null(strstr(s, "\"nhs-1\":1,\"nhs-2\":1,\"nhs-3\":0,\"lg-1\":0"));
    free(s);

    /* The proposals page: the open one's cells are live figures of the
     * list's stream, under the names the stream gives them. */
    Concord__V1__Proposal old_pr = CONCORD__V1__PROPOSAL__INIT, new_pr = CONCORD__V1__PROPOSAL__INIT;
    old_pr.closes_at_ms = 500;
    new_pr.closes_at_ms = 4000000;
    Concord__V1__ProposalView q[2] = {CONCORD__V1__PROPOSAL_VIEW__INIT,
                                      CONCORD__V1__PROPOSAL_VIEW__INIT};
    q[0].id = "old1";
    q[0].board_id = "B";
    q[0].proposal = &old_pr;
    q[0].closed = 1;
    q[1].id = "new1";
    q[1].board_id = "B";
    q[1].proposal = &new_pr;
    q[1].closed = 1;
    q[1].passed = 1;
    Concord__V1__ProposalView *lp[] = {&q[0], &p, &q[1]};
    Concord__V1__ProposalListReply list = CONCORD__V1__PROPOSAL_LIST_REPLY__INIT;
    list.proposals = lp;
    list.n_proposals = 3;
    Concord__V1__ProposalView *full[] = {NULL, &p, NULL};
    Concord__V1__BoardShowReply *boards[] = {NULL, &board, NULL};
    text_init(&t);
    dashboard_pages_proposals(&t, "E06000026", &list, full, boards, 1000);
    s = s_take(&t);
    assert_non_null(strstr(s, "data-events=\"/events?list=proposals\""));
    assert_non_null(strstr(s, "<script src=\"/static/live.js\" defer></script>"));
    assert_non_null(strstr(s, "<td class=\"num\" data-live=\"abc123-for\">1</td>"
                              "<td class=\"num\" data-live=\"abc123-against\">1</td>"
                              "<td class=\"num\" data-live=\"abc123-abstain\">0</td>"
                              "<td class=\"num\" data-live=\"abc123-voted\">2 of 3</td>"
                              "<td data-live=\"abc123-left\">1 min 30 s</td>"));
    assert_non_null(strstr(s, "<span data-live=\"abc123-nhs\">nhs: 1 for, 1 against, 0 "
                              "abstain of 2</span><br><span data-live=\"abc123-lg\">"
                              "local-government: 0 for, 0 against, 0 abstain of 1</span>"));
    free(s);
    json_init(&j);
    dashboard_pages_list_figures(&j, &list, full, boards, 1000);
    s = json_take(&j);
    assert_non_null(s);
    assert_string_equal(s, "{\"old1-for\":0,\"old1-against\":0,\"old1-abstain\":0,"
                           "\"old1-voted\":\"0 of 0\",\"old1-left\":\"closed: FAILED\","
                           "\"abc123-for\":1,\"abc123-against\":1,\"abc123-abstain\":0,"
                           "\"abc123-voted\":\"2 of 3\",\"abc123-left\":\"1 min 30 s\","
                           "\"abc123-nhs\":\"nhs: 1 for, 1 against, 0 abstain of 2\","
                           "\"abc123-lg\":\"local-government: 0 for, 0 against, 0 abstain of 1\","
                           "\"new1-for\":0,\"new1-against\":0,\"new1-abstain\":0,"
                           "\"new1-voted\":\"0 of 0\",\"new1-left\":\"closed: PASSED\"}");
    free(s);
    /* An hour after its deadline a decided proposal leaves the stream. */
    json_init(&j);
    dashboard_pages_list_figures(&j, &list, full, boards, 5000000);
    s = json_take(&j);
    assert_non_null(s);
    assert_null(strstr(s, "old1-"));
    assert_non_null(strstr(s, "\"abc123-left\":\"closed\""));
    assert_non_null(strstr(s, "\"new1-left\":\"closed: PASSED\""));
    free(s);
    /* Nothing open: no stream. */
    list.proposals = (Concord__V1__ProposalView *[]){&q[0], &q[1]};
    list.n_proposals = 2;
    text_init(&t);
    dashboard_pages_proposals(&t, "E06000026", &list, NULL, NULL, 1000);
    s = s_take(&t);
    assert_null(strstr(s, "data-events"));
    assert_null(strstr(s, "live.js"));
    free(s);
}

/* A pool agreement awaiting execution: one partner executed, one declined
 * with its reason, one yet to act; and an advisory board's recommendation
 * ratified by one body and declined by another. */
static void test_execution_and_ratification_states(void **state)
{
    (void)state;
    Concord__V1__PoolPartner pp[3] = {CONCORD__V1__POOL_PARTNER__INIT,
                                      CONCORD__V1__POOL_PARTNER__INIT,
                                      CONCORD__V1__POOL_PARTNER__INIT};
    Concord__V1__PoolPartner *ppp[] = {&pp[0], &pp[1], &pp[2]};
    pp[0].code = "E06000026";
    pp[1].code = "E38000129";
    pp[2].code = "E10000008";
    Concord__V1__PoolAgreement a = CONCORD__V1__POOL_AGREEMENT__INIT;
    a.pool_id = "PLY-IF";
    a.name = "Plymouth Integrated Fund";
    a.partners = ppp;
    a.n_partners = 3;
    uint8_t sha[32];
    memset(sha, 0xab, sizeof sha);
    Concord__V1__Execution x[2] = {CONCORD__V1__EXECUTION__INIT, CONCORD__V1__EXECUTION__INIT};
    Concord__V1__Execution *xp[] = {&x[0], &x[1]};
    x[0].authority = "Cabinet";
    x[0].decision_ref = "Minute 2017/12";
    x[0].decision_date = "2017-03-20";
    x[0].signatory_role = "Chief Finance Officer";
    x[0].document_sha256.data = sha;
    x[0].document_sha256.len = sizeof sha;
    x[1].declined = 1;
    x[1].authority = "Governing Body";
    x[1].decision_ref = "GB 17/031";
    x[1].decision_date = "2017-03-22";
    x[1].reason = "<b>Not</b> this year";
    char *acted[] = {"E06000026", "E38000129"};
    Concord__V1__PoolView v = CONCORD__V1__POOL_VIEW__INIT;
    v.id = "PLY-IF";
    v.agreement_id = "abc";
    v.board_id = "PLY-JCB";
    v.agreement = &a;
    v.instrument = "abc";
    v.parties = 3;
    v.executed = 1;
    v.executions = xp;
    v.n_executions = 2;
    v.acted_by = acted;
    v.n_acted_by = 2;
    text_t t;
    text_init(&t);
    dashboard_pages_pool(&t, "E06000026", &v, NULL, 0);
    char *s = s_take(&t);
    assert_non_null(strstr(s, "<dt>State</dt><dd>AWAITING_EXECUTION</dd>"));
    assert_non_null(strstr(s, "State: <strong class=\"\">AWAITING_EXECUTION</strong>; executed "
                              "by 1 of 3 parties (the instrument: <a href=\"/proposals/abc\">"));
    assert_non_null(strstr(s, "<th scope=\"row\">E06000026</th><td class=\"ok\">executed</td>"
                              "<td>Cabinet</td><td>Minute 2017/12</td><td>2017-03-20</td>"
                              "<td>Chief Finance Officer</td><td><code class=\"hash\">abababab"));
    assert_non_null(strstr(s, "<th scope=\"row\">E38000129</th><td class=\"bad\">declined</td>"
                              "<td>Governing Body</td><td>GB 17/031</td><td>2017-03-22</td>"
                              "<td>&lt;b&gt;Not&lt;/b&gt; this year</td>"));
    assert_non_null(strstr(s, "<th scope=\"row\">E10000008</th><td class=\"bad\">awaiting "
                              "execution</td>"));
    free(s);

    /* The agreement's proposal shows the same, linked to the pool. */
    Concord__V1__ProposalView p = CONCORD__V1__PROPOSAL_VIEW__INIT;
    p.id = "abc";
    p.board_id = "ADV";
    p.closed = 1;
    p.passed = 1;
    p.decided = 1;
    p.ratifiers = 3;
    p.ratified = 1;
    p.declined = 1;
    char *bodies[] = {"Plymouth Cabinet", "CCG Governing Body", "Devon Cabinet"};
    Concord__V1__Charter ch = CONCORD__V1__CHARTER__INIT;
    ch.kind = CONCORD__V1__BOARD_KIND__ADVISORY;
    ch.ratifiers = bodies;
    ch.n_ratifiers = 3;
    Concord__V1__BoardShowReply board = CONCORD__V1__BOARD_SHOW_REPLY__INIT;
    board.charter = &ch;
    text_init(&t);
    dashboard_pages_proposal(&t, "E06000026", &p, &board, &v, NULL, 1000);
    s = s_take(&t);
    assert_non_null(strstr(s, "State: <strong class=\"bad\">declined: not in effect</strong>; "
                              "ratified by 1 of 3 bodies, declined by 1, awaited from 1."));
    assert_non_null(strstr(s, "Ratifying bodies: Plymouth Cabinet, CCG Governing Body, Devon "
                              "Cabinet."));
    assert_non_null(strstr(s, "Pool <a href=\"/pools/PLY-IF\">PLY-IF</a>"));
    assert_non_null(strstr(s, "executed by 1 of 3 parties"));
    free(s);
    /* Ratified by one body of two, none declined: awaited from the other. */
    p.ratifiers = 2;
    p.declined = 0;
    text_init(&t);
    dashboard_pages_proposal(&t, "E06000026", &p, NULL, NULL, NULL, 1000);
    s = s_take(&t);
    assert_non_null(strstr(s, "State: <strong class=\"\">awaiting ratification</strong>; "
                              "ratified by 1 of 2 bodies, declined by 0, awaited from 1."));
    assert_null(strstr(s, "id=\"execution\""));
    free(s);
    /* Every body ratified: in effect. */
    p.ratified = 2;
    p.effective = 1;
    text_init(&t);
    dashboard_pages_proposal(&t, "E06000026", &p, NULL, NULL, NULL, 1000);
    s = s_take(&t);
    assert_non_null(strstr(s, "<strong class=\"ok\">ratified: in effect</strong>; ratified by "
                              "2 of 2 bodies, declined by 0, awaited from 0."));
    free(s);
}

static void test_json_form_follows_the_descriptor(void **state)
{
    (void)state;
    Concord__V1__BoardSummary b = CONCORD__V1__BOARD_SUMMARY__INIT;
    Concord__V1__BoardSummary *bs[] = {&b};
    b.id = "PLY-JCB";
    b.name = HOSTILE;
    b.active = 1;
    b.members = 2;
    b.rule = CONCORD__V1__VOTING_RULE__DOUBLE_MAJORITY;
    Concord__V1__BoardListReply l = CONCORD__V1__BOARD_LIST_REPLY__INIT;
    l.boards = bs;
    l.n_boards = 1;
    json_t j;
    json_init(&j);
    dashboard_json_message(&j, NULL, &l.base);
    char *s = json_take(&j);
    assert_non_null(s);
    assert_non_null(strstr(s, "{\"boards\":[{\"id\":\"PLY-JCB\",\"name\":\""));
    assert_non_null(strstr(s, "\"active\":true,\"members\":2,\"rule\":\"DOUBLE_MAJORITY\"}]}"));
    free(s);
    /* Bytes as hex, an unset message as null, repeated scalars as arrays. */
    uint8_t hash[2] = {0xab, 0x01};
    Concord__V1__LogVerifyReply lv = CONCORD__V1__LOG_VERIFY_REPLY__INIT;
    lv.entries = 18446744073709551615ull;
    lv.head_root_hash.data = hash;
    lv.head_root_hash.len = 2;
    json_init(&j);
    dashboard_json_message(&j, NULL, &lv.base);
    s = json_take(&j);
    assert_string_equal(s, "{\"entries\":18446744073709551615,\"head_root_hash\":\"ab01\","
                           "\"receipts_checked\":0,\"organisation\":\"\",\"heads_checked\":0,"
                           "\"missing\":0,\"fetched\":0}");
    free(s);
    uint32_t years[] = {2017, 2018};
    Concord__V1__PoolView pv = CONCORD__V1__POOL_VIEW__INIT;
    pv.years = years;
    pv.n_years = 2;
    json_init(&j);
    dashboard_json_message(&j, NULL, &pv.base);
    s = json_take(&j);
    assert_non_null(strstr(s, "\"agreement\":null"));
    assert_non_null(strstr(s, "\"years\":[2017,2018]"));
    free(s);
}

/* WCAG 2.1 relative luminance of #rrggbb, and the contrast of two. */
/* x^2.4 for x in (0, 1], as x^2 times the fifth root of x^2 (Newton's
 * method; no libm). */
static double s_pow24(double x)
{
    double y = x * x, r = 1.0;
    for (int i = 0; i < 100; i++) {
        double r4 = r * r * r * r;
        r -= (r4 * r - y) / (5 * r4);
    }
    return y * r;
}

static double s_channel(unsigned v)
{
    double c = v / 255.0;
    return c <= 0.03928 ? c / 12.92 : s_pow24((c + 0.055) / 1.055);
}

static double s_luminance(const char *hex)
{
    unsigned r, g, b;
    assert_int_equal(sscanf(hex, "%2x%2x%2x", &r, &g, &b), 3);
    return 0.2126 * s_channel(r) + 0.7152 * s_channel(g) + 0.0722 * s_channel(b);
}

static double s_contrast(const char *a, const char *b)
{
    double x = s_luminance(a), y = s_luminance(b);
    return x > y ? (x + 0.05) / (y + 0.05) : (y + 0.05) / (x + 0.05);
}

/* Every text colour of the stylesheet reaches 4.5:1 (WCAG 2.1 AA) on
 * white and on the table headers' tint; the header's white text on its
 * background too. */
static void test_stylesheet_contrast(void **state)
{
    (void)state;
    const char *css = dashboard_html_css();
    int seen = 0;
    for (const char *p = css; (p = strstr(p, "color:#")); p++) {
        if (p > css && p[-1] == '-') {
            continue; /* background-color */
        }
        char hex[7];
        memcpy(hex, p + 7, 6);
        hex[6] = '\0';
        if (strcmp(hex, "ffffff") == 0) {
            assert_true(s_contrast(hex, "0b3d66") >= 4.5);
        } else {
            if (s_contrast(hex, "ffffff") < 4.5 || s_contrast(hex, "e8eef4") < 4.5) {
                fail_msg("text colour #%s: %.2f:1 on white", hex, s_contrast(hex, "ffffff"));
            }
        }
        seen++;
    }
    assert_true(seen >= 6);
    /* The arithmetic itself: black on white is 21:1, #767676 on white 4.54:1. */
    assert_true(s_contrast("000000", "ffffff") > 20.99 && s_contrast("000000", "ffffff") < 21.01);
    assert_true(s_contrast("767676", "ffffff") > 4.50 && s_contrast("767676", "ffffff") < 4.60);
    assert_non_null(strstr(css, "background:#0b3d66"));
    assert_non_null(strstr(css, "th{background:#e8eef4}"));
    /* The print form hides navigation and prints link addresses. */
    assert_non_null(strstr(css, "@media print{header nav"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_every_special_character),
        cmocka_unit_test(test_put_escapes_only_strings),
        cmocka_unit_test(test_money_time_and_time_left),
        cmocka_unit_test(test_widths_sum_exactly),
        cmocka_unit_test(test_stack_svg_geometry),
        cmocka_unit_test(test_bars_scale_to_the_largest),
        cmocka_unit_test(test_proposal_page_escapes_everything),
        cmocka_unit_test(test_open_proposal_tally_by_constituency),
        cmocka_unit_test(test_execution_and_ratification_states),
        cmocka_unit_test(test_json_form_follows_the_descriptor),
        cmocka_unit_test(test_stylesheet_contrast),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
