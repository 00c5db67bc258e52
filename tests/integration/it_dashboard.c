/* SPDX-License-Identifier: Apache-2.0 */
/* Integration test of the node's web dashboard (docs/DASHBOARD.md): a
 * real broker and three real concordd processes (Plymouth City Council,
 * NHS Northern, Eastern and Western Devon CCG, NHS England); the council's
 * board decides a proposal with a hostile title and the partners run a
 * pooled fund's year (pledges, outturn, the host's signed statement).
 * The council's node serves the dashboard on loopback, and headless
 * Chromium (Debian's `chromium`) loads every page: the DOM must hold the
 * tally, the ballots with their reasons, the amounts, the certificate's
 * verification and the hostile title as text; a PNG screenshot of each
 * page is written to the build directory (dashboard-shots/). With curl:
 * the JSON form, the certificate download (verified by `concord verify`),
 * the read-only rule, the access token, TLS, the live figures stream, and
 * that ballots still pass while a client hammers the dashboard. NHS
 * England's node is first given a non-loopback dashboard without TLS or
 * token, and must refuse to start with DASHBOARD_NEEDS_TLS_AND_TOKEN. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "harness.h"

static const char *const s_codes[] = {"E06000026", "E38000129", "X24"};
static const char *const s_names[] = {"Plymouth City Council",
                                      "NHS Northern, Eastern and Western Devon CCG",
                                      "NHS England"};
enum { COUNCIL, CCG, NHSE };

#define HOSTILE "<script>alert(1)</script>"
#define TOKEN "s3cret-token-of-the-ccg-0123456789"

static fed_t s_fed;
static int s_port[3];
static char s_decided[33], s_open[33], s_agreement[33];
static char s_shots[512];

/* Runs a shell command; its exit status. */
static int s_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int s_sh(const char *fmt, ...)
{
    char cmd[20000];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

static int s_have_chromium(void)
{
    return s_sh("command -v chromium >/dev/null 2>&1") == 0;
}

/* Loads url in headless Chromium: the DOM after scripts ran (caller
 * frees), and a screenshot as dashboard-shots/<name>.png in the build
 * directory. */
static char *s_browse_with(const char *url, const char *name, const char *wait)
{
    char dom[512];
    snprintf(dom, sizeof dom, "%s/%s.html", s_shots, name);
    const char *flags = "--headless --no-sandbox --disable-gpu --disable-dev-shm-usage "
                        "--no-first-run --hide-scrollbars";
    if (s_sh("timeout 90 chromium %s --user-data-dir=%s/chromium %s --dump-dom '%s' > %s "
             "2>/dev/null",
             flags, s_fed.dir, wait, url, dom) != 0) {
        fail_msg("chromium could not load %s", url);
    }
    if (s_sh("timeout 90 chromium %s --user-data-dir=%s/chromium --window-size=1000,1300 "
             "--screenshot=%s/%s.png '%s' >/dev/null 2>&1",
             flags, s_fed.dir, s_shots, name, url) != 0) {
        fail_msg("chromium could not take a screenshot of %s", url);
    }
    char png[640];
    snprintf(png, sizeof png, "%s/%s.png", s_shots, name);
    struct stat st;
    assert_int_equal(stat(png, &st), 0);
    assert_true(st.st_size > 1000);
    char *out = fed_slurp(dom);
    assert_non_null(out);
    return out;
}

/* The same once the page has loaded (a page without live figures). */
static char *s_browse(const char *url, const char *name)
{
    return s_browse_with(url, name, "--virtual-time-budget=3000");
}

/* curl's output for args (caller frees), with its exit status in *rc. */
static char *s_curl(int *rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *s_curl(int *rc, const char *fmt, ...)
{
    char args[16384], path[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(path, sizeof path, "%s/curl.out", s_fed.dir);
    int r = s_sh("curl -s -m 20 %s > %s 2>&1", args, path);
    if (rc) {
        *rc = r;
    }
    char *out = fed_slurp(path);
    assert_non_null(out);
    return out;
}

static char *s_ok(int i, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *s_ok(int i, const char *fmt, ...)
{
    char args[4096];
    char *out = NULL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    int rc = fed_cli(&s_fed, i, &out, "%s", args);
    if (rc != 0) {
        fail_msg("`concord %s` on %s failed (%d): %s", args, s_codes[i], rc, out);
    }
    return out;
}

static void s_vote(int i, const char *id, const char *vote)
{
    char args[128];
    snprintf(args, sizeof args, "proposal show %s", id);
    free(fed_cli_until(&s_fed, i, "closes ", 1, 30000, args));
    free(s_ok(i, "vote %s %s", id, vote));
}

/* The federation, the council's board, a decided proposal with a hostile
 * title, an open one, and a pooled fund's signed year. */
static int s_setup(void **state)
{
    (void)state;
    fed_t *f = &s_fed;
    char line[256], *out = NULL, id[33], path[512];
    if (!s_have_chromium()) {
        return 0;
    }
    fed_create_from(f, s_codes, s_names, 3);
    snprintf(s_shots, sizeof s_shots, "%s/dashboard-shots", CONCORD_BIN_DIR);
    mkdir(s_shots, 0755);
    for (int i = 0; i < 3; i++) {
        s_port[i] = fed_free_port();
    }
    snprintf(line, sizeof line, "dashboard = 127.0.0.1:%d\n", s_port[COUNCIL]);
    fed_node_config_append(f, COUNCIL, line);
    /* The CCG's dashboard wants a token, even on loopback. */
    snprintf(path, sizeof path, "%s/ccg.token", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp, "%s\n", TOKEN);
    fclose(fp);
    snprintf(line, sizeof line, "dashboard = 127.0.0.1:%d\ndashboard_token = ccg.token\n",
             s_port[CCG]);
    fed_node_config_append(f, CCG, line);
    fed_start_broker(f);
    fed_start_node(f, COUNCIL);
    fed_start_node(f, CCG);
    fed_wait_connected(f, COUNCIL);
    fed_wait_connected(f, CCG);

    /* The board of the two partners. */
    out = s_ok(COUNCIL, "--json board create --id PLY-JCB --name 'Plymouth joint board'"
                        " --rule majority --quorum 1/2"
                        " --accountable-to 'Plymouth Health and Wellbeing Board'"
                        " --closes-in 120s --member E06000026 --member E38000129");
    fed_json_id(out, id);
    free(out);
    s_vote(COUNCIL, id, "for");
    s_vote(CCG, id, "for");
    free(fed_cli_until(f, CCG, "\"active\":true", 1, 30000, "--json board show PLY-JCB"));

    /* A decision whose title is markup. */
    out = s_ok(COUNCIL, "--json propose --board PLY-JCB --title '" HOSTILE "'"
                        " --area social-care --amount 2.5m --closes-in 120s");
    fed_json_id(out, s_decided);
    free(out);
    s_vote(COUNCIL, s_decided, "for --reason 'Frees hospital beds <b>now</b> & saves £1m'");
    s_vote(CCG, s_decided, "for --reason 'Agreed by the CCG governing body'");
    snprintf(line, sizeof line, "--json proposal show %s", s_decided);
    free(fed_cli_until(f, COUNCIL, "\"outcome\":\"PASSED\"", 1, 30000, line));

    /* The council declares Devon (E54000037) its primary footprint. */
    out = s_ok(COUNCIL, "--json propose --board PLY-JCB --title 'Plymouth plans with Devon'"
                        " --realign E06000026=E54000037 --closes-in 120s");
    fed_json_id(out, id);
    free(out);
    s_vote(COUNCIL, id, "for");
    s_vote(CCG, id, "for");
    snprintf(line, sizeof line, "--json proposal show %s", id);
    free(fed_cli_until(f, COUNCIL, "\"outcome\":\"PASSED\"", 1, 30000, line));

    /* An open proposal with one vote. */
    out = s_ok(COUNCIL, "--json propose --board PLY-JCB --title 'Extend the community"
                        " equipment service' --area community --amount 750k --closes-in 3600s");
    fed_json_id(out, s_open);
    free(out);
    s_vote(CCG, s_open, "abstain --reason 'Not in this year'\"'\"'s plan'");

    /* A pooled fund's year: agreed, pledged, overspent, signed. */
    snprintf(path, sizeof path, "%s/pool.ini", f->dir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("[pool]\nid = PLY-IF\nname = Plymouth Integrated Fund\nkind = pooled-fund\n"
          "aims = Care closer to home\nhost = E06000026\n"
          "nhs_function = Community health services\ncouncil_function = Adult social care\n"
          "client_group = Adults\nmanagement = Monthly reports\n"
          "governance = Joint Commissioning Partnership\n"
          "[partner E06000026]\n2017 = 131m\n[partner E38000129]\n2017 = 331m\n"
          "[risk]\nbasis = pro-rata\n",
          fp);
    fclose(fp);
    out = s_ok(COUNCIL, "--json pool propose --file %s --board PLY-JCB --closes-in 120s", path);
    fed_json_id(out, s_agreement);
    free(out);
    s_vote(COUNCIL, s_agreement, "for");
    s_vote(CCG, s_agreement, "for");
    /* The board recommends; each partner executes the agreement itself. */
    free(fed_cli_until(f, COUNCIL, "AWAITING_EXECUTION", 1, 30000, "pool show PLY-IF"));
    free(s_ok(COUNCIL, "pool execute PLY-IF --authority 'Cabinet' --decision-ref 'Minute 2017/12'"
                       " --decision-date 2017-03-20 --signatory-role 'Chief Finance Officer'"
                       " --document %s",
              path));
    free(s_ok(CCG, "pool execute PLY-IF --authority 'Governing Body' --decision-ref 'GB 17/031'"
                   " --decision-date 2017-03-22 --signatory-role 'Accountable Officer'"
                   " --document %s",
              path));
    free(fed_cli_until(f, COUNCIL, "AWAITING_PLEDGES", 1, 30000, "pool show PLY-IF"));
    free(s_ok(COUNCIL, "pool pledge PLY-IF --year 2017 --amount 131m"));
    free(fed_cli_until(f, CCG, "AWAITING_PLEDGES", 1, 30000, "pool show PLY-IF"));
    free(s_ok(CCG, "pool pledge PLY-IF --year 2017 --amount 331m"));
    free(fed_cli_until(f, COUNCIL, "ACTIVE", 1, 30000, "pool show PLY-IF"));
    free(s_ok(COUNCIL, "pool outturn PLY-IF --year 2017 --spent 470m --note 'Winter pressures'"));
    free(fed_cli_until(f, COUNCIL, "\"has_outturn\":true", 1, 30000,
                       "--json pool statement PLY-IF --year 2017"));
    free(s_ok(COUNCIL, "pool sign-statement PLY-IF --year 2017"));
    free(fed_cli_until(f, COUNCIL, "it matches", 1, 30000, "pool statement PLY-IF --year 2017"));

    /* A Better Care Fund plan, held in the executed pool PLY-IF and signed off by the
     * council; the HWB's agreement and the CCG's sign-off are still to come. */
    snprintf(path, sizeof path, "%s/bcf.ini", f->dir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("[plan]\nid = PLY-BCF-17\nhwb = E06000026\nyear = 2017\nibcf = 8.5m\npool = PLY-IF\n"
          "narrative = Home first\n[ccg]\nE38000129 = 23.4m\n[dfg]\ntotal = 2.6m\n"
          "[additional]\nE06000026 = 1m Reablement beds\n[conditions]\n"
          "nhs_social_care_maintained = yes\nout_of_hospital_investment = yes\n"
          "managing_transfers_of_care = yes\n",
          fp);
    fclose(fp);
    free(s_ok(COUNCIL, "bcf plan --file %s", path));
    free(s_ok(COUNCIL, "bcf sign PLY-BCF-17 --act council"));
    free(fed_cli_until(f, COUNCIL, "council sign-off done", 1, 30000, "bcf status PLY-BCF-17"));
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    fed_destroy(&s_fed);
    return 0;
}

#define SKIP_WITHOUT_CHROMIUM()                                                                    \
    do {                                                                                           \
        if (!s_have_chromium()) {                                                                  \
            fprintf(stderr, "SKIP: chromium is not installed (scripts/deps.sh installs it)\n");   \
            skip();                                                                                \
        }                                                                                          \
    } while (0)

static void s_url(char *buf, size_t size, const char *path)
{
    snprintf(buf, size, "http://127.0.0.1:%d%s", s_port[COUNCIL], path);
}

static void test_it_dashboard_federation_and_boards(void **state)
{
    (void)state;
    SKIP_WITHOUT_CHROMIUM();
    char url[256];
    s_url(url, sizeof url, "/");
    char *dom = s_browse(url, "federation");
    assert_non_null(strstr(dom, "<h1>Federation</h1>"));
    assert_non_null(strstr(dom, "Plymouth City Council"));
    assert_non_null(strstr(dom, "NHS Northern, Eastern and Western Devon CCG"));
    assert_non_null(strstr(dom, ">connected<"));
    assert_non_null(strstr(dom, "class=\"ok\" id=\"log-verify\">Verified: "));
    assert_non_null(strstr(dom, "(at most once a minute), as <code>concord log verify</code>"));
    free(dom);
    s_url(url, sizeof url, "/boards");
    dom = s_browse(url, "boards");
    assert_non_null(strstr(dom, "<a href=\"/boards/PLY-JCB\">PLY-JCB</a>"));
    assert_non_null(strstr(dom, "Plymouth joint board"));
    free(dom);
    s_url(url, sizeof url, "/boards/PLY-JCB");
    dom = s_browse(url, "board");
    assert_non_null(strstr(dom, "Plymouth Health and Wellbeing Board"));
    assert_non_null(strstr(dom, "1/2 of members"));
    assert_non_null(strstr(dom, "<td>local-government</td>"));
    assert_non_null(strstr(dom, "Extend the community equipment service"));
    free(dom);
}

static void test_it_dashboard_proposals_escaped_and_verified(void **state)
{
    (void)state;
    SKIP_WITHOUT_CHROMIUM();
    char url[256], path[128];
    s_url(url, sizeof url, "/proposals");
    char *dom = s_browse(url, "proposals");
    /* The hostile title is text: escaped in the DOM, never an element. */
    assert_non_null(strstr(dom, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_null(strstr(dom, HOSTILE));
    assert_non_null(strstr(dom, "Open proposals"));
    /* The open one's tally by constituency. */
    assert_non_null(strstr(dom, "<th scope=\"col\">By constituency</th>"));
    char live[512];
    snprintf(live, sizeof live, "<span data-live=\"%s-nhs\">nhs: 0 for, 0 against, 1 abstain of 1"
                                "</span><br><span data-live=\"%s-lg\">local-government: ",
             s_open, s_open);
    assert_non_null(strstr(dom, live));
    assert_non_null(strstr(dom, ">PASSED<"));
    /* The live script took the list's figures from /events?list=proposals. */
    assert_non_null(strstr(dom, "data-events=\"/events?list=proposals\""));
    assert_non_null(strstr(dom, "data-live-updates=\""));
    free(dom);
    /* The list's stream follows a new proposal and a vote on it. */
    char *out = s_ok(COUNCIL, "--json propose --board PLY-JCB --title 'Live list check'"
                              " --area community --amount 10k --closes-in 3600s");
    char fresh[33];
    fed_json_id(out, fresh);
    free(out);
    snprintf(path, sizeof path, "proposal show %s", fresh);
    free(fed_cli_until(&s_fed, CCG, "closes ", 1, 30000, path));
    char *ev = s_curl(NULL, "'http://127.0.0.1:%d/events?list=proposals'", s_port[COUNCIL]);
    assert_non_null(strstr(ev, "retry: 2000\nevent: figures\ndata: {"));
    snprintf(live, sizeof live, "\"%s-abstain\":1,\"%s-voted\":\"1 of 2\"", s_open, s_open);
    assert_non_null(strstr(ev, live));
    snprintf(live, sizeof live, "\"%s-for\":0,\"%s-against\":0,\"%s-abstain\":0,"
                                "\"%s-voted\":\"0 of 2\"", fresh, fresh, fresh, fresh);
    assert_non_null(strstr(ev, live));
    free(ev);
    free(s_ok(CCG, "vote %s for --reason 'Within budget'", fresh));
    snprintf(path, sizeof path, "--json proposal show %s", fresh);
    free(fed_cli_until(&s_fed, COUNCIL, "\"votes_for\":1", 1, 30000, path));
    ev = s_curl(NULL, "'http://127.0.0.1:%d/events?list=proposals'", s_port[COUNCIL]);
    snprintf(live, sizeof live, "\"%s-for\":1,\"%s-against\":0,\"%s-abstain\":0,"
                                "\"%s-voted\":\"1 of 2\"", fresh, fresh, fresh, fresh);
    assert_non_null(strstr(ev, live));
    snprintf(live, sizeof live, "\"%s-nhs\":\"nhs: 1 for, 0 against, 0 abstain of 1\"", fresh);
    assert_non_null(strstr(ev, live));
    free(ev);

    snprintf(path, sizeof path, "/proposals/%s", s_decided);
    s_url(url, sizeof url, path);
    dom = s_browse(url, "decision");
    assert_null(strstr(dom, HOSTILE));
    assert_non_null(strstr(dom, "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>"));
    assert_non_null(strstr(dom, "PASSED"));
    /* Every ballot with its reason (markup in a reason is text too). */
    assert_non_null(strstr(dom, "Frees hospital beds &lt;b&gt;now&lt;/b&gt; &amp; saves £1m"));
    assert_non_null(strstr(dom, "Agreed by the CCG governing body"));
    assert_non_null(strstr(dom, "<th scope=\"row\">E38000129</th><td>for</td>"));
    /* The certificate, verified offline by the dashboard. */
    assert_non_null(strstr(dom, "class=\"ok\">Certificate verified: PASSED"));
    free(dom);

    /* The open one: the tally by constituency, quorum and time left. */
    snprintf(path, sizeof path, "/proposals/%s", s_open);
    s_url(url, sizeof url, path);
    dom = s_browse_with(url, "open-proposal", "--virtual-time-budget=5000");
    assert_non_null(strstr(dom, "Outcome: <strong data-live=\"outcome\" class=\"\">OPEN"));
    assert_non_null(strstr(dom, "data-live=\"nhs-3\">1<"));
    assert_non_null(strstr(dom, "data-live=\"abstain\">1<"));
    assert_non_null(strstr(dom, "Not in this year's plan"));
    assert_non_null(strstr(dom, "<meter"));
    assert_non_null(strstr(dom, " min "));
    /* The live script ran and took at least one event from /events. */
    assert_non_null(strstr(dom, "data-live-updates=\""));
    free(dom);
}

/* A decision page printed as a committee paper: headless Chromium prints
 * it to PDF with the print stylesheet, and pdftotext (poppler-utils)
 * reads the paper back. */
static void test_it_dashboard_decision_prints_as_a_paper(void **state)
{
    (void)state;
    SKIP_WITHOUT_CHROMIUM();
    if (s_sh("command -v pdftotext >/dev/null 2>&1") != 0) {
        fprintf(stderr, "SKIP: pdftotext is not installed (scripts/deps.sh installs poppler-utils)\n");
        skip();
    }
    char url[256], path[128], pdf[640], txt[640];
    snprintf(path, sizeof path, "/proposals/%s", s_decided);
    s_url(url, sizeof url, path);
    snprintf(pdf, sizeof pdf, "%s/decision.pdf", s_shots);
    snprintf(txt, sizeof txt, "%s/decision.txt", s_shots);
    unlink(pdf);
    if (s_sh("timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage "
             "--no-first-run --user-data-dir=%s/chromium --no-pdf-header-footer "
             "--print-to-pdf=%s '%s' >/dev/null 2>&1",
             s_fed.dir, pdf, url) != 0) {
        fail_msg("chromium could not print %s", url);
    }
    assert_int_equal(s_sh("pdftotext -layout %s %s", pdf, txt), 0);
    char *paper = fed_slurp(txt);
    assert_non_null(paper);
    /* The decision, its tally, the rule applied, every ballot and the
     * certificate with its verification and its address written out. */
    assert_non_null(strstr(paper, HOSTILE));
    assert_non_null(strstr(paper, "Outcome: PASSED"));
    assert_non_null(strstr(paper, "Votes by constituency"));
    assert_non_null(strstr(paper, "Majority of votes cast: 2 FOR, 0 AGAINST"));
    assert_non_null(strstr(paper, "Agreed by the CCG governing"));
    assert_non_null(strstr(paper, "Quorum: 2 of 2 members have voted"));
    assert_non_null(strstr(paper, "Certificate verified: PASSED"));
    char cert[96];
    snprintf(cert, sizeof cert, "(/certificate/%s)", s_decided);
    assert_non_null(strstr(paper, cert));
    assert_non_null(strstr(paper, "Concord node of E06000026"));
    /* No navigation, skip link or footer on paper (the screen page has them). */
    assert_null(strstr(paper, "Pooled funds"));
    assert_null(strstr(paper, "Footprints"));
    assert_null(strstr(paper, "Skip to content"));
    assert_null(strstr(paper, "Read-only view served"));
    free(paper);
    char *dom = s_curl(NULL, "'%s'", url);
    assert_non_null(strstr(dom, ">Pooled funds</a>"));
    assert_non_null(strstr(dom, "Read-only view served"));
    free(dom);
}

static void test_it_dashboard_pool_year(void **state)
{
    (void)state;
    SKIP_WITHOUT_CHROMIUM();
    char url[256];
    s_url(url, sizeof url, "/pools");
    char *dom = s_browse(url, "pools");
    assert_non_null(strstr(dom, "<a href=\"/pools/PLY-IF\">PLY-IF</a>"));
    assert_non_null(strstr(dom, "Plymouth Integrated Fund"));
    assert_non_null(strstr(dom, "2017/18"));
    free(dom);
    s_url(url, sizeof url, "/pools/PLY-IF");
    dom = s_browse(url, "pool");
    assert_non_null(strstr(dom, "£131,000,000.00"));
    assert_non_null(strstr(dom, "£331,000,000.00"));
    assert_non_null(strstr(dom, "£462,000,000.00"));
    assert_non_null(strstr(dom, "Outturn: £470,000,000.00; overspend of £8,000,000.00"));
    /* The pro-rata split of the overspend, as the statement computes it. */
    assert_non_null(strstr(dom, "£2,268,398.27"));
    assert_non_null(strstr(dom, "£5,731,601.73"));
    assert_non_null(strstr(dom, "Signed by the host E06000026"));
    assert_non_null(strstr(dom, "href=\"/statement/PLY-IF/2017\""));
    assert_non_null(strstr(dom, "<svg class=\"chart\""));
    /* Each partner executed the agreement its board recommended. */
    assert_non_null(strstr(dom, "<dt>State</dt><dd>ACTIVE</dd>"));
    assert_non_null(strstr(dom, "<strong class=\"ok\">ACTIVE</strong>; executed by 2 of 2 "
                                "parties"));
    assert_non_null(strstr(dom, "<th scope=\"row\">E06000026</th><td class=\"ok\">executed</td>"
                                "<td>Cabinet</td><td>Minute 2017/12</td><td>2017-03-20</td>"
                                "<td>Chief Finance Officer</td>"));
    assert_non_null(strstr(dom, "<th scope=\"row\">E38000129</th><td class=\"ok\">executed</td>"
                                "<td>Governing Body</td><td>GB 17/031</td><td>2017-03-22</td>"
                                "<td>Accountable Officer</td>"));
    free(dom);
    /* The agreement's proposal page shows the same execution. */
    char path[64];
    snprintf(path, sizeof path, "/proposals/%s", s_agreement);
    s_url(url, sizeof url, path);
    dom = s_browse(url, "agreement");
    assert_non_null(strstr(dom, "Pool <a href=\"/pools/PLY-IF\">PLY-IF</a>"));
    assert_non_null(strstr(dom, "executed by 2 of 2 parties"));
    assert_non_null(strstr(dom, "<td>Minute 2017/12</td>"));
    free(dom);
    s_url(url, sizeof url, "/bcf/PLY-BCF-17");
    dom = s_browse(url, "bcf");
    assert_non_null(strstr(dom, "<h1>BCF plan PLY-BCF-17</h1>"));
    assert_non_null(strstr(dom, "£23,400,000.00"));
    assert_non_null(strstr(dom, "£8,500,000.00"));
    assert_non_null(strstr(dom, "<dt>Pooled fund (s75)</dt><dd>PLY-IF</dd>"));
    assert_non_null(strstr(dom, "<li>Health and wellbeing board: not yet</li><li>Council: signed"
                                "</li><li>CCGs: 0 of 1 signed</li><li>Approval: not yet</li>"));
    assert_non_null(strstr(dom, "in sign-off"));
    free(dom);
    /* The alignment report, as `concord footprint report` computes it, with the
     * board's realignment applied. */
    s_url(url, sizeof url, "/footprints");
    dom = s_browse(url, "footprints");
    assert_non_null(strstr(dom, "<h1>Footprints</h1>"));
    assert_non_null(strstr(dom, "<th scope=\"row\">E06000026</th><td>E54000037</td>"
                                "<td>PLY-JCB</td>"));
    assert_non_null(strstr(dom, "Alignment of organisations with STP20 footprints"));
    assert_non_null(strstr(dom, "<dd id=\"fp-footprints\">42 (19 coterminous with upper-tier"
                                " councils)</dd>"));
    assert_non_null(strstr(dom, "<dd id=\"fp-kind-upper_tier_council\">151 (14 split across"
                                " footprints)</dd>"));
    assert_non_null(strstr(dom, "<dd id=\"fp-primaries\">1</dd>"));
    assert_non_null(strstr(dom, "<tr><th scope=\"row\">E54000037</th><td>Devon</td>"));
    /* Split organisations: Derbyshire, 95.7% in Joined Up Care Derbyshire. */
    char *splits = strstr(dom, "<table id=\"fp-splits\">");
    assert_non_null(splits);
    char *derbyshire = strstr(splits, "<th scope=\"row\">E10000007</th><td>Derbyshire</td>");
    assert_non_null(derbyshire);
    assert_non_null(strstr(derbyshire, "E54000012</span> 95.7% (partial overlap)"));
    assert_non_null(strstr(dom, "<table id=\"fp-cauth\">"));
    free(dom);
    int rc = 0;
    char *json = s_curl(&rc, "'%s?format=json'", url);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(json, "\"report\":{\"layer\":\"STP20\""));
    assert_non_null(strstr(json, "\"declared_primaries\":1"));
    assert_non_null(strstr(json, "\"organisation\":\"E06000026\""));
    assert_null(strstr(json, "\"report_error\":\""));
    free(json);
}

static void test_it_dashboard_json_download_and_rules(void **state)
{
    (void)state;
    SKIP_WITHOUT_CHROMIUM();
    int rc;
    char *out;
    /* The JSON form carries the Control reply's fields. */
    out = s_curl(&rc, "'http://127.0.0.1:%d/proposals/%s?format=json'", s_port[COUNCIL],
                 s_decided);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "\"votes_for\":2"));
    assert_non_null(strstr(out, "\"title\":\"<script>alert(1)<\\/script>\"") ||
                    strstr(out, "\"title\":\"<script>alert(1)</script>\""));
    assert_non_null(strstr(out, "\"verified\":true"));
    free(out);
    /* The federation page's log verification is the last one run, not one per request. */
    char *a = s_curl(&rc, "'http://127.0.0.1:%d/?format=json'", s_port[COUNCIL]);
    char *b = s_curl(&rc, "'http://127.0.0.1:%d/?format=json'", s_port[COUNCIL]);
    const char *at = strstr(a, "\"log_verify_at_ms\":");
    assert_non_null(at);
    assert_non_null(strstr(a, "\"log_verify\":{\"entries\":"));
    char stamp[64];
    snprintf(stamp, sizeof stamp, "%.40s", at);
    assert_non_null(strstr(b, stamp));
    free(a);
    free(b);
    out = s_curl(&rc, "-H 'Accept: application/json' http://127.0.0.1:%d/boards",
                 s_port[COUNCIL]);
    assert_non_null(strstr(out, "\"rule\":\"MAJORITY_OF_VOTES_CAST\""));
    free(out);
    /* The certificate downloads and verifies with the CLI. */
    free(s_curl(&rc, "-o %s/dl.cert -w '%%{http_code}' http://127.0.0.1:%d/certificate/%s",
                s_fed.dir, s_port[COUNCIL], s_decided));
    assert_int_equal(rc, 0);
    out = s_ok(-1, "verify %s/dl.cert --roster %s/roster.bin", s_fed.dir, s_fed.dir);
    assert_non_null(strstr(out, "certificate verified"));
    free(out);
    /* The host's signed statement downloads from the pool page's link and verifies. */
    free(s_curl(&rc, "-o %s/dl.stmt http://127.0.0.1:%d/statement/PLY-IF/2017", s_fed.dir,
                s_port[COUNCIL]));
    assert_int_equal(rc, 0);
    out = s_ok(-1, "pool verify %s/dl.stmt --roster %s/roster.bin", s_fed.dir, s_fed.dir);
    assert_non_null(strstr(out, "verified"));
    free(out);
    /* Read-only: no other method; and the page headers. */
    out = s_curl(&rc, "-o /dev/null -w '%%{http_code}' -X POST http://127.0.0.1:%d/",
                 s_port[COUNCIL]);
    assert_string_equal(out, "405");
    free(out);
    out = s_curl(&rc, "-D - -o /dev/null http://127.0.0.1:%d/boards", s_port[COUNCIL]);
    assert_non_null(strstr(out, "Content-Security-Policy: default-src 'none'"));
    free(out);
    out = s_curl(&rc, "-o /dev/null -w '%%{http_code}' 'http://127.0.0.1:%d/proposals/x%%3Cy'",
                 s_port[COUNCIL]);
    assert_string_equal(out, "400");
    free(out);
    /* A request whose headers pass the 32 KiB a connection may hold is refused. */
    char pad[256];
    snprintf(pad, sizeof pad, "%s/pad.hdr", s_fed.dir);
    FILE *fp = fopen(pad, "w");
    assert_non_null(fp);
    fputs("X-Pad: ", fp);
    for (int i = 0; i < 40000; i++) {
        fputc('a', fp);
    }
    fputs("\n", fp);
    fclose(fp);
    out = s_curl(&rc, "-o /dev/null -w '%%{http_code}' -H @%s http://127.0.0.1:%d/boards", pad,
                 s_port[COUNCIL]);
    assert_true(strcmp(out, "431") == 0 || strcmp(out, "413") == 0 || strcmp(out, "000") == 0);
    free(out);
    /* The CCG's dashboard: nothing without its token. */
    out = s_curl(&rc, "-o /dev/null -w '%%{http_code}' http://127.0.0.1:%d/", s_port[CCG]);
    assert_string_equal(out, "401");
    free(out);
    out = s_curl(&rc, "-o /dev/null -w '%%{http_code}' -H 'Authorization: Bearer wrong-token-"
                      "wrong-token' http://127.0.0.1:%d/",
                 s_port[CCG]);
    assert_string_equal(out, "401");
    free(out);
    out = s_curl(&rc, "-H 'Authorization: Bearer " TOKEN "' http://127.0.0.1:%d/boards",
                 s_port[CCG]);
    assert_non_null(strstr(out, "PLY-JCB"));
    free(out);
    /* The live figures stream. */
    out = s_curl(&rc, "'http://127.0.0.1:%d/events?proposal=%s'", s_port[COUNCIL],
                 s_open);
    assert_non_null(strstr(out, "retry: 2000\nevent: figures\ndata: {\"outcome\":\"OPEN\""));
    assert_non_null(strstr(out, "\"abstain\":1"));
    free(out);
}

/* NHS England's node: a dashboard on a non-loopback address without TLS
 * and token is refused at start; with them (here on loopback, over
 * TLS) it serves. */
static void test_it_dashboard_exposed_needs_tls_and_token(void **state)
{
    (void)state;
    SKIP_WITHOUT_CHROMIUM();
    fed_t *f = &s_fed;
    char line[512];
    snprintf(line, sizeof line, "dashboard = 0.0.0.0:%d\n", s_port[NHSE]);
    fed_node_config_append(f, NHSE, line);
    fed_start_node(f, NHSE);
    int status = 0;
    uint64_t end = clock_mono_ms() + 20000;
    pid_t done = 0;
    while (clock_mono_ms() < end && (done = waitpid(f->node_pid[NHSE], &status, WNOHANG)) == 0) {
        usleep(50 * 1000);
    }
    assert_int_equal(done, f->node_pid[NHSE]);
    f->node_pid[NHSE] = 0;
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) != 0);
    assert_true(fed_log_contains(f, s_codes[NHSE], "DASHBOARD_NEEDS_TLS_AND_TOKEN"));
    assert_true(fed_log_contains(f, s_codes[NHSE], "dashboard_cert dashboard_key "
                                                    "dashboard_token"));

    /* With a certificate, its key and a token, it serves over TLS. */
    assert_int_equal(s_sh("cd %s && openssl req -x509 -newkey ec -pkeyopt "
                          "ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 "
                          "-addext subjectAltName=IP:127.0.0.1 -keyout dash.key -out dash.crt "
                          ">/dev/null 2>&1 && echo " TOKEN " > nhse.token",
                          f->dir),
                     0);
    snprintf(line, sizeof line, "dashboard = 0.0.0.0:%d", s_port[NHSE]);
    char to[512];
    snprintf(to, sizeof to,
             "dashboard = 127.0.0.1:%d\ndashboard_cert = dash.crt\ndashboard_key = dash.key\n"
             "dashboard_token = nhse.token",
             s_port[NHSE]);
    fed_node_config_replace(f, NHSE, line, to);
    fed_start_node(f, NHSE);
    fed_wait_connected(f, NHSE);
    int rc;
    char *out = NULL;
    end = clock_mono_ms() + 20000;
    do {
        free(out);
        out = s_curl(&rc, "--cacert %s/dash.crt -H 'Authorization: Bearer " TOKEN "' "
                          "https://127.0.0.1:%d/boards",
                     f->dir, s_port[NHSE]);
    } while (!strstr(out, "PLY-JCB") && clock_mono_ms() < end && usleep(200 * 1000) == 0);
    assert_non_null(strstr(out, "PLY-JCB"));
    free(out);
    out = s_curl(&rc, "-o /dev/null -w '%%{http_code}' http://127.0.0.1:%d/boards",
                 s_port[NHSE]);
    assert_string_not_equal(out, "200");
    free(out);
}

/* One board decision from the proposal to every member's FOR folded as
 * PASSED on the proposer's node; how long it took, in ms. */
static uint64_t s_decide(const char *title)
{
    char *out, id[33], args[128];
    uint64_t t0 = clock_mono_ms();
    out = s_ok(COUNCIL, "--json propose --board PLY-JCB --title '%s' --area acute --amount 1m"
                        " --closes-in 120s",
               title);
    fed_json_id(out, id);
    free(out);
    s_vote(COUNCIL, id, "for");
    s_vote(CCG, id, "for");
    snprintf(args, sizeof args, "--json proposal show %s", id);
    free(fed_cli_until(&s_fed, COUNCIL, "\"outcome\":\"PASSED\"", 1, 30000, args));
    return clock_mono_ms() - t0;
}

/* A client hammering the dashboard (rate-limited, in its own threads)
 * does not stop the node's ballots. The decision's time with and without
 * it goes to dashboard-shots/timings.txt (a measurement, not a target). */
static void test_it_dashboard_hammering_does_not_stop_ballots(void **state)
{
    (void)state;
    SKIP_WITHOUT_CHROMIUM();
    char *out, cmd[1024], tpath[640];
    uint64_t quiet = s_decide("Winter beds, quiet");
    /* One client, 8 connections at once, 2000 requests as fast as it can; the
     * status of each to codes.txt. */
    snprintf(cmd, sizeof cmd,
             "curl -s -m 60 --parallel --parallel-max 8 -w '%%{http_code}\\n' "
             "'http://127.0.0.1:%d/proposals?n=[1-2000]' -o /dev/null 2>/dev/null | "
             "grep -E '^[0-9]{3}$' > %s/codes.txt",
             s_port[COUNCIL], s_fed.dir);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    uint64_t hammered = s_decide("Winter beds, hammered");
    int status;
    waitpid(pid, &status, 0);
    /* Some were served, the rest refused by the rate limit. */
    snprintf(tpath, sizeof tpath, "%s/codes.txt", s_fed.dir);
    out = fed_slurp(tpath);
    assert_non_null(out);
    int ok = fed_count(out, "200\n"), limited = fed_count(out, "429\n");
    fprintf(stderr, "hammering: %d served, %d refused with 429\n", ok, limited);
    assert_true(ok > 0);
    assert_true(limited > 0);
    free(out);
    snprintf(tpath, sizeof tpath, "%s/timings.txt", s_shots);
    FILE *fp = fopen(tpath, "a");
    assert_non_null(fp);
    fprintf(fp, "board decision (propose, 2 votes, PASSED), quiet: %llu ms; while the dashboard "
                "is hammered: %llu ms\n",
            (unsigned long long)quiet, (unsigned long long)hammered);
    fclose(fp);
    fprintf(stderr, "board decision: quiet %llu ms, dashboard hammered %llu ms\n",
            (unsigned long long)quiet, (unsigned long long)hammered);
    /* The node still answers its dashboard (after the rate window). */
    sleep(1);
    int rc;
    out = s_curl(&rc, "-o /dev/null -w '%%{http_code} %%{errormsg}' http://127.0.0.1:%d/",
                 s_port[COUNCIL]);
    if (strncmp(out, "200", 3) != 0) {
        s_sh("ss -tanp | grep %d | head -20 >&2; tail -5 %s/logs/%s.log >&2", s_port[COUNCIL],
             s_fed.dir, s_codes[COUNCIL]);
        fail_msg("after the hammering: %s", out);
    }
    free(out);
}

static int s_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* How long the node takes to serve each page: 40 requests of each over
 * one kept-alive connection (under the dashboard's rate limit), median
 * and p99 of curl's time_total written to dashboard-shots/timings.txt.
 * A measurement, not a target: every answer must be a 200. */
static void test_it_dashboard_serving_times(void **state)
{
    (void)state;
    SKIP_WITHOUT_CHROMIUM();
    char paths[10][96], tpath[640];
    snprintf(paths[0], sizeof paths[0], "/");
    snprintf(paths[1], sizeof paths[1], "/boards");
    snprintf(paths[2], sizeof paths[2], "/boards/PLY-JCB");
    snprintf(paths[3], sizeof paths[3], "/proposals");
    snprintf(paths[4], sizeof paths[4], "/proposals/%s", s_decided);
    snprintf(paths[5], sizeof paths[5], "/proposals/%s", s_open);
    snprintf(paths[6], sizeof paths[6], "/pools");
    snprintf(paths[7], sizeof paths[7], "/pools/PLY-IF");
    snprintf(paths[8], sizeof paths[8], "/footprints");
    snprintf(paths[9], sizeof paths[9], "/events?list=proposals");
    static const char *const names[] = {"federation", "boards", "board", "proposals",
                                        "decision (with certificate check)", "open proposal",
                                        "pools", "pool", "footprints (report kept)",
                                        "proposals' live figures"};
    snprintf(tpath, sizeof tpath, "%s/timings.txt", s_shots);
    FILE *fp = fopen(tpath, "w");
    assert_non_null(fp);
    fprintf(fp, "page, requests, median ms, p99 ms\n");
    for (int p = 0; p < 10; p++) {
        char urls[12288] = "";
        for (int k = 0; k < 40; k++) {
            size_t used = strlen(urls);
            snprintf(urls + used, sizeof urls - used, " -o /dev/null http://127.0.0.1:%d%s", s_port[COUNCIL],
                     paths[p]);
        }
        sleep(1); /* a fresh rate window */
        int rc;
        char *out = s_curl(&rc, "-w '%%{http_code} %%{time_total}\\n'%s", urls);
        double t[40];
        int n = 0;
        for (char *line = strtok(out, "\n"); line && n < 40; line = strtok(NULL, "\n")) {
            int code = 0;
            double secs = 0;
            assert_int_equal(sscanf(line, "%d %lf", &code, &secs), 2);
            if (code != 200) {
                fail_msg("%s answered %d (curl %d)", paths[p], code, rc);
            }
            t[n++] = secs * 1000.0;
        }
        free(out);
        assert_int_equal(n, 40);
        qsort(t, 40, sizeof t[0], s_cmp_double);
        double median = (t[19] + t[20]) / 2, p99 = t[39];
        fprintf(fp, "%s, 40, %.2f, %.2f\n", names[p], median, p99);
        fprintf(stderr, "dashboard %-36s median %6.2f ms  p99 %6.2f ms\n", names[p], median, p99);
    }
    fclose(fp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_it_dashboard_federation_and_boards),
        cmocka_unit_test(test_it_dashboard_proposals_escaped_and_verified),
        cmocka_unit_test(test_it_dashboard_decision_prints_as_a_paper),
        cmocka_unit_test(test_it_dashboard_pool_year),
        cmocka_unit_test(test_it_dashboard_json_download_and_rules),
        cmocka_unit_test(test_it_dashboard_exposed_needs_tls_and_token),
        cmocka_unit_test(test_it_dashboard_serving_times),
        cmocka_unit_test(test_it_dashboard_hammering_does_not_stop_ballots),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
