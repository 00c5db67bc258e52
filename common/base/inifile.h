/* SPDX-License-Identifier: Apache-2.0 */
/* inifile: the one INI reader, a thin wrapper over libinih that tells its
 * handler the line of every header and entry, for files whose errors must
 * name file, line and problem (the broker's and node's configuration,
 * scenarios, board charters, federations).
 *
 * Syntax: "[section]" or "[section argument]" headers; "key = value"
 * entries; blank lines; comments from ';' or '#' at the start of a line,
 * or after whitespace within a line; indentation is ignored (there are no
 * continuation lines). Keys may repeat (the handler decides whether that
 * is allowed). Lines are at most INIFILE_LINE_MAX bytes. */
#ifndef CONCORD_INIFILE_H
#define CONCORD_INIFILE_H

#include <stddef.h>

#include "err.h"

#define INIFILE_LINE_MAX 1024

/* Called once per section header (key and value NULL) and once per entry.
 * section is the header's first word, arg its rest ("" if none); both ""
 * before the first header. Returns 0 to go on, or -1 after err_set()
 * on err with the problem alone ("unknown key 'x'"): the reader adds
 * "FILE:LINE: " in front. */
typedef int (*inifile_fn)(void *user, const char *section, const char *arg, const char *key,
                          const char *value, int line, cc_err_t *err);

/* Reads path, calling fn for every header and entry in order. Returns 0,
 * or -1 with err set: CC_NOT_FOUND if the file cannot be opened,
 * CC_RESOURCE_EXHAUSTED when memory runs out, else CC_INVALID_ARGUMENT
 * with "FILE:LINE: problem" for a syntax error, an over-long line, a byte
 * that is not printable text, an empty value, or the handler's refusal. */
int inifile_read(const char *path, inifile_fn fn, void *user, cc_err_t *err);

/* Splits "a, b,c" in place on commas (trimming spaces) into at most max
 * items; returns the number found, or -1 if there were more than max or
 * an item was empty. */
int inifile_split(char *list, char **items, int max);

#endif
