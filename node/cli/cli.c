/* SPDX-License-Identifier: Apache-2.0 */
/* cli: what every command of the `concord` tool shares: failing with a
 * message, calling the local node's Control service and rendering its
 * reply, durations, writing files, and loading what offline verification
 * needs. The commands themselves are in cli_<command>.c; main() and the
 * command table in concord.c. */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board_limits.h"
#include "certificate.h"
#include "cli_render.h"
#include "control_client.h"
#include "err.h"
#include "text.h"
#include "wire.h"

#include <jansson.h>

static int s_json_errors; /* errors as {"error": {...}} (--json) */
static int s_said;        /* an error has been printed */

void cli_json_errors(int on)
{
    s_json_errors = on;
}

int cli_said(void)
{
    return s_said;
}

/* Prints one error: "concord: message", or with --json one JSON document
 * {"error": {"code": code, "message": message}}, on stderr. */
static void s_say(const char *code, const char *fmt, va_list ap)
{
    char raw[2048], msg[2048];
    vsnprintf(raw, sizeof raw, fmt, ap);
    s_said = 1;
    /* A message may quote what came from the network (a broker's or a
     * member's reason): shown with its control characters neutralised
     * and as valid UTF-8, so that it cannot rewrite the terminal. */
    text_t t;
    text_init_fixed(&t, msg, sizeof msg);
    if (s_json_errors) {
        text_add_utf8(&t, raw);
    } else {
        text_add_safe(&t, raw, NULL);
    }
    if (!s_json_errors) {
        fprintf(stderr, "concord: %s\n", msg);
        return;
    }
    json_t *doc = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", msg);
    if (!doc || json_dumpf(doc, stderr, JSON_COMPACT) < 0) {
        fprintf(stderr, "concord: %s\n", msg);
    } else {
        fputc('\n', stderr);
    }
    json_decref(doc);
}

char *cli_safe(const char *s, const char *keep)
{
    text_t t;
    text_init(&t);
    text_add_safe(&t, s ? s : "", keep);
    return text_take(&t);
}

int cli_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    s_say("failed", fmt, ap);
    va_end(ap);
    return CLI_FAIL;
}

int cli_fail_code(int status, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    s_say(code, fmt, ap);
    va_end(ap);
    return status;
}

int cli_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    s_say("usage", fmt, ap);
    va_end(ap);
    return CLI_USAGE;
}

int cli_node_call(const config_node_t *cfg, const char *method, const ProtobufCMessage *in,
                  uint32_t wait_ms, int format, ProtobufCMessage **reply)
{
    cc_err_t err;
    int refused = 0;
    ProtobufCMessage *r = control_client_call(cfg->control, method, in,
                                              (int)(wait_ms + CONTROL_CLIENT_SLACK_MS), &refused,
                                              &err);
    if (!r && refused) {
        return cli_fail_code(CLI_FAIL, err_code_name(err.code), "%s: %s",
                             err_code_name(err.code), err.msg);
    }
    if (!r && err.code == CC_NOT_FOUND) {
        return cli_fail_code(CLI_FAIL, "no-node", "%s: is concordd running for %s?", err.msg,
                             cfg->code);
    }
    if (!r) {
        return cli_fail_code(CLI_FAIL, "no-answer", "%s", err.msg);
    }
    int rc = CLI_OK;
    if (format >= 0 && cli_render(r, format, stdout) < 0) {
        rc = cli_fail("cannot show the node's answer to %s", method);
    }
    if (reply && rc == CLI_OK) {
        *reply = r;
    } else {
        wire_free(r);
    }
    return rc;
}

int cli_duration(const char *text, uint64_t *ms)
{
    char *end = NULL;
    unsigned long long v = strtoull(text, &end, 10);
    uint64_t unit = 1000;
    if (end == text || v == 0) {
        return -1;
    }
    if (strcmp(end, "d") == 0) {
        unit = 86400000;
    } else if (strcmp(end, "h") == 0) {
        unit = 3600000;
    } else if (strcmp(end, "m") == 0) {
        unit = 60000;
    } else if (strcmp(end, "ms") == 0) {
        unit = 1;
    } else if (strcmp(end, "s") != 0 && *end) {
        return -1;
    }
    if (v > BOARD_MAX_DEADLINE_MS / unit) {
        return -1;
    }
    *ms = v * unit;
    return 0;
}

/* Writes a whole buffer to path (mode 0644), replacing it atomically. */
int cli_write_file(const char *path, const uint8_t *buf, size_t len)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *fp = fopen(tmp, "wb");
    if (!fp || fwrite(buf, 1, len, fp) != len || fflush(fp) != 0) {
        if (fp) {
            fclose(fp);
        }
        remove(tmp);
        return cli_fail("cannot write %s", path);
    }
    fclose(fp);
    if (rename(tmp, path) != 0) {
        remove(tmp);
        return cli_fail("cannot write %s", path);
    }
    return CLI_OK;
}

int cli_verify_inputs(const char *roster_path, const char *file, roster_t **roster,
                      uint8_t **buf, size_t *len)
{
    cc_err_t err;
    *buf = NULL;
    *roster = roster_load(roster_path, &err);
    if (!*roster || roster_verify(*roster, &err) < 0) {
        roster_destroy(roster);
        return cli_fail("roster %s: %s", roster_path, err.msg);
    }
    if (!(*buf = certificate_load(file, len, &err))) {
        roster_destroy(roster);
        return cli_fail("%s", err.msg);
    }
    return CLI_OK;
}
