/* SPDX-License-Identifier: Apache-2.0 */
/* log: the one logging module. Lines go to stderr (or a file, reopened on
 * request). When stderr is systemd's stream to journald (JOURNAL_STREAM
 * names it), each message goes to journald with fields: MESSAGE, PRIORITY,
 * SYSLOG_IDENTIFIER, CONCORD_LEVEL and CONCORD_ORGANISATION (so
 * `journalctl CONCORD_ORGANISATION=E38000217 PRIORITY=3` selects one
 * organisation's errors); failing that, under systemd each line starts
 * with a syslog priority "<N>"; otherwise with a UTC timestamp and level. */
#ifndef CONCORD_LOG_H
#define CONCORD_LOG_H

typedef enum { LOG_LVL_ERROR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG } log_level_t;

/* Names the program in every line ("concord-broker"). The string must
 * outlive all logging (a literal or argv[0]). */
void log_set_ident(const char *ident);
void log_set_level(log_level_t level);

/* The organisation this process acts for ("E38000217", "broker"), sent as
 * CONCORD_ORGANISATION to journald. Copied. */
void log_set_organisation(const char *code);
log_level_t log_get_level(void);

/* "error", "warn", "info" or "debug" (static storage). */
const char *log_level_name(log_level_t level);

/* Parses "error", "warn", "info" or "debug". Returns 0, or -1 if unknown. */
int log_level_parse(const char *name, log_level_t *out);

/* Sends the log to path (appending) instead of stderr; stderr then points
 * at the file, so anything else written there lands in it too. Returns 0,
 * or -1 with errno set (the log stays where it was). */
int log_open_file(const char *path);

/* Opens the file of log_open_file again, for a log rotation that renamed
 * it (SIGUSR1). Returns 0 (also when there is no file), or -1 with errno. */
int log_reopen(void);

void log_msg(log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
