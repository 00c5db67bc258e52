/* SPDX-License-Identifier: Apache-2.0 */
/* inifile: line-numbered INI reading on libinih. libinih splits entries
 * into key and value and trims them; this wrapper reads the lines it is
 * given, so that it knows their numbers (this build of libinih does not
 * pass them), refuses over-long lines and control characters instead of
 * splitting or passing them, cuts comments, reports "[section argument]"
 * headers itself (libinih does not report a section with no entries),
 * keeps libinih's continuation lines out (every line is handed over
 * without its indentation) and keeps values too long for libinih's line
 * buffer (200 bytes in its usual build) aside. */
#include "inifile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <ini.h>

typedef struct {
    const char *path;
    FILE *fp;
    inifile_fn fn;
    void *user;
    int lineno;
    char section[64];
    char arg[256];
    int failed; /* why holds the first problem, at line lineno */
    cc_err_t why;
    char raw[INIFILE_LINE_MAX + 2]; /* the line being read */
    const char *long_value;         /* its value, when too long for libinih's buffer */
} s_ctx_t;

/* Handed to libinih in place of a value too long for its line buffer
 * (the wrapper keeps the value): a control character, which no line
 * read can contain. */
#define S_LONG_VALUE "\x01"

/* Trims leading and trailing spaces and tabs in place. */
static char *s_trim(char *s)
{
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) {
        s[--n] = '\0';
    }
    return s;
}

/* Cuts a comment: ';' or '#' at the start, or after whitespace. */
static void s_uncomment(char *s)
{
    for (char *p = s; *p; p++) {
        if ((*p == ';' || *p == '#') && (p == s || p[-1] == ' ' || p[-1] == '\t')) {
            *p = '\0';
            return;
        }
    }
}

/* Accepts printable ASCII, tabs and UTF-8 bytes; refuses other controls. */
static int s_text_ok(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p < 0x20 && *p != '\t' && *p != '\r') || *p == 0x7f) {
            return 0;
        }
    }
    return 1;
}

/* Parses "[name arg]" into the context's section and arg; 0 or -1. */
static int s_header(s_ctx_t *c, char *line)
{
    size_t n = strlen(line);
    if (line[n - 1] != ']') {
        err_set(&c->why, CC_INVALID_ARGUMENT, "section header without its closing ']'");
        return -1;
    }
    line[n - 1] = '\0';
    char *body = s_trim(line + 1);
    char *space = strpbrk(body, " \t");
    char *rest = "";
    if (space) {
        *space = '\0';
        rest = s_trim(space + 1);
    }
    if (!*body || strlen(body) >= sizeof c->section || strlen(rest) >= sizeof c->arg) {
        err_set(&c->why, CC_INVALID_ARGUMENT, "bad section header");
        return -1;
    }
    snprintf(c->section, sizeof c->section, "%s", body);
    snprintf(c->arg, sizeof c->arg, "%s", rest);
    return 0;
}

/* What libinih would make of an entry line: a key before the first '='
 * (libinih also splits at ':', which is not ours). 0 or -1. */
static int s_entry_ok(s_ctx_t *c, const char *line)
{
    const char *eq = strchr(line, '=');
    const char *colon = strchr(line, ':');
    if (!eq || (colon && colon < eq)) {
        err_set(&c->why, CC_INVALID_ARGUMENT,
                "syntax error: expected [section] or key = value, not '%.60s'", line);
        return -1;
    }
    if (eq == line) {
        err_set(&c->why, CC_INVALID_ARGUMENT, "entry without a key");
        return -1;
    }
    return 0;
}

/* libinih's reader: the next line, judged, without comment or
 * indentation; NULL at the end or after a problem. */
static char *s_reader(char *str, int num, void *stream)
{
    s_ctx_t *c = stream;
    char *raw = c->raw;
    c->long_value = NULL;
    if (c->failed || !fgets(raw, sizeof c->raw, c->fp)) {
        return NULL;
    }
    c->lineno++;
    char *nl = strchr(raw, '\n');
    if (!nl && !feof(c->fp)) {
        err_set(&c->why, CC_INVALID_ARGUMENT, "line longer than %d characters", INIFILE_LINE_MAX);
        goto fail;
    }
    if (nl) {
        *nl = '\0';
    }
    if (!s_text_ok(raw)) {
        err_set(&c->why, CC_INVALID_ARGUMENT, "control character in the line");
        goto fail;
    }
    s_uncomment(raw);
    char *line = s_trim(raw);
    if (*line == '[') {
        if (s_header(c, line) < 0 ||
            c->fn(c->user, c->section, c->arg, NULL, NULL, c->lineno, &c->why) < 0) {
            goto fail;
        }
        line = ""; /* the section is ours; libinih sees a blank line */
    } else if (*line && s_entry_ok(c, line) < 0) {
        goto fail;
    }
    if (strlen(line) + 2 > (size_t)num) {
        /* libinih still splits the entry: it gets the key and a marker,
         * and the handler is given the value kept here. */
        char *eq = strchr(line, '=');
        *eq = '\0';
        c->long_value = s_trim(eq + 1);
        if (strlen(line) + sizeof " = " S_LONG_VALUE "\n" > (size_t)num) {
            err_set(&c->why, CC_INVALID_ARGUMENT, "key longer than %d characters", num - 6);
            goto fail;
        }
        snprintf(str, (size_t)num, "%s = " S_LONG_VALUE "\n", line);
        return str;
    }
    snprintf(str, (size_t)num, "%s\n", line);
    return str;
fail:
    c->failed = 1;
    return NULL;
}

/* libinih's handler: one entry, passed on with its section and line. */
static int s_handler(void *user, const char *section, const char *key, const char *value)
{
    s_ctx_t *c = user;
    (void)section;
    if (c->failed) {
        return 0;
    }
    if (c->long_value && value && strcmp(value, S_LONG_VALUE) == 0) {
        value = c->long_value;
    }
    if (!value || !*value) {
        err_set(&c->why, CC_INVALID_ARGUMENT, "empty value for '%.60s'", key);
        c->failed = 1;
        return 0;
    }
    if (c->fn(c->user, c->section, c->arg, key, value, c->lineno, &c->why) < 0) {
        c->failed = 1;
        return 0;
    }
    return 1;
}

int inifile_read(const char *path, inifile_fn fn, void *user, cc_err_t *err)
{
    s_ctx_t c;
    memset(&c, 0, sizeof c);
    c.path = path;
    c.fn = fn;
    c.user = user;
    err_clear(&c.why);
    c.fp = fopen(path, "r");
    if (!c.fp) {
        err_set(err, errno == ENOENT ? CC_NOT_FOUND : CC_INVALID_ARGUMENT, "cannot open %s: %s",
                path, strerror(errno));
        return -1;
    }
    int rc = ini_parse_stream(s_reader, &c, s_handler, &c);
    if (!c.failed && ferror(c.fp)) {
        err_set(&c.why, CC_INVALID_ARGUMENT, "read error");
        c.failed = 1;
    }
    fclose(c.fp);
    if (c.failed) {
        err_set(err, CC_INVALID_ARGUMENT, "%s:%d: %s", path, c.lineno, c.why.msg);
        return -1;
    }
    if (rc == -2) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "%s: out of memory", path);
        return -1;
    }
    if (rc != 0) {
        err_set(err, CC_INVALID_ARGUMENT, "%s:%d: syntax error", path, rc);
        return -1;
    }
    return 0;
}

int inifile_split(char *list, char **items, int max)
{
    int n = 0;
    char *p = list;
    while (p) {
        char *comma = strchr(p, ',');
        if (comma) {
            *comma = '\0';
        }
        char *item = s_trim(p);
        if (!*item || n == max) {
            return -1;
        }
        items[n++] = item;
        p = comma ? comma + 1 : NULL;
    }
    return n;
}
