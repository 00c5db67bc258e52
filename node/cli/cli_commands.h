/* SPDX-License-Identifier: Apache-2.0 */
/* cli_commands: the table of every `concord` command and subcommand, with
 * its synopsis and what it does. main() checks command names against it
 * before running anything, answers `--help`, `-h` and `concord help
 * COMMAND` from it (exit 0, no config needed), and `concord help
 * --commands` lists it for the bash completion (deploy/concord.bash). */
#ifndef CONCORD_CLI_COMMANDS_H
#define CONCORD_CLI_COMMANDS_H

#include <stdio.h>

typedef struct {
    const char *path;     /* "board create": the command words */
    const char *synopsis; /* the arguments after them */
    const char *about;    /* one or more lines on what it does */
    int needs_node;       /* 1: talks to the local concordd (needs --config) */
} cli_commands_entry_t;

/* The whole table, ended by an entry whose path is NULL. Static storage. */
const cli_commands_entry_t *cli_commands_table(void);

/* The entry whose path is the longest run of words at the front of
 * words[0..n) (options are not words), or NULL when words[0] names no
 * command. *used is set to the number of words matched. */
const cli_commands_entry_t *cli_commands_find(char *const *words, int n, int *used);

/* 1 when the entry is a group of subcommands ("pool"), which cannot run
 * without one; 0 when it runs as it is. */
int cli_commands_is_group(const cli_commands_entry_t *e);

/* Prints the overview of every command (`concord --help`) to to. */
void cli_commands_overview(FILE *to);

/* Prints e's usage, and for a group its subcommands' usages, to to. */
void cli_commands_help(const cli_commands_entry_t *e, FILE *to);

/* Prints every command path, one a line (`concord help --commands`). */
void cli_commands_list(FILE *to);

#endif
