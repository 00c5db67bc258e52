/* inifile: line-numbered INI reading. */
#include "inifile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

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
        if (*p < 0x20 && *p != '\t' && *p != '\r') {
            return 0;
        }
        if (*p == 0x7f) {
            return 0;
        }
    }
    return 1;
}

/* Parses "[name arg]" into section and arg; returns 0 or -1. */
static int s_header(char *line, char *section, size_t ssize, char *arg, size_t asize, cc_err_t *err)
{
    size_t n = strlen(line);
    if (line[n - 1] != ']') {
        err_set(err, CC_INVALID_ARGUMENT, "section header without its closing ']'");
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
    if (!*body || strlen(body) >= ssize || strlen(rest) >= asize) {
        err_set(err, CC_INVALID_ARGUMENT, "bad section header");
        return -1;
    }
    snprintf(section, ssize, "%s", body);
    snprintf(arg, asize, "%s", rest);
    return 0;
}

/* Handles one line; returns 0 or -1 with the problem in err. */
static int s_line(char *raw, char *section, char *arg, inifile_fn fn, void *user, int lineno,
                  cc_err_t *err)
{
    if (!s_text_ok(raw)) {
        err_set(err, CC_INVALID_ARGUMENT, "control character in the line");
        return -1;
    }
    s_uncomment(raw);
    char *line = s_trim(raw);
    if (!*line) {
        return 0;
    }
    if (*line == '[') {
        if (s_header(line, section, 64, arg, 256, err) < 0) {
            return -1;
        }
        return fn(user, section, arg, NULL, NULL, lineno, err);
    }
    char *eq = strchr(line, '=');
    if (!eq) {
        err_set(err, CC_INVALID_ARGUMENT, "expected [section] or key = value, not '%.60s'", line);
        return -1;
    }
    *eq = '\0';
    char *key = s_trim(line), *value = s_trim(eq + 1);
    if (!*key) {
        err_set(err, CC_INVALID_ARGUMENT, "entry without a key");
        return -1;
    }
    if (!*value) {
        err_set(err, CC_INVALID_ARGUMENT, "empty value for '%.60s'", key);
        return -1;
    }
    return fn(user, section, arg, key, value, lineno, err);
}

int inifile_read(const char *path, inifile_fn fn, void *user, cc_err_t *err)
{
    char buf[INIFILE_LINE_MAX + 2], section[64] = "", arg[256] = "";
    int lineno = 0, rc = 0;
    cc_err_t why;
    FILE *fp = fopen(path, "r");
    if (!fp) {
        err_set(err, errno == ENOENT ? CC_NOT_FOUND : CC_INVALID_ARGUMENT, "cannot open %s: %s",
                path, strerror(errno));
        return -1;
    }
    err_clear(&why);
    while (rc == 0 && fgets(buf, sizeof buf, fp)) {
        lineno++;
        char *nl = strchr(buf, '\n');
        if (!nl && !feof(fp)) {
            err_set(&why, CC_INVALID_ARGUMENT, "line longer than %d characters", INIFILE_LINE_MAX);
            rc = -1;
            break;
        }
        if (nl) {
            *nl = '\0';
        }
        rc = s_line(buf, section, arg, fn, user, lineno, &why);
    }
    if (rc == 0 && ferror(fp)) {
        err_set(&why, CC_INVALID_ARGUMENT, "read error");
        rc = -1;
    }
    fclose(fp);
    if (rc < 0) {
        err_set(err, CC_INVALID_ARGUMENT, "%s:%d: %s", path, lineno, why.msg);
    }
    return rc;
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
