/* SPDX-License-Identifier: Apache-2.0 */
/* board_names: the words users type and read for board enums (service
 * areas, voting rules, constituencies, proposal kinds, votes). Names are
 * lower case with hyphens ("primary-care", "double-majority"). */
#ifndef CONCORD_BOARD_NAMES_H
#define CONCORD_BOARD_NAMES_H

/* Each *_name returns a static string ("?" for an unknown value); each
 * *_parse returns the enum value, or -1 for an unknown name. */
const char *board_names_area(int area);
int board_names_area_parse(const char *name);
const char *board_names_rule(int rule);
int board_names_rule_parse(const char *name);
const char *board_names_constituency(int c);
int board_names_constituency_parse(const char *name);
const char *board_names_kind(int kind);
int board_names_kind_parse(const char *name);
const char *board_names_vote(int vote);
int board_names_vote_parse(const char *name);
const char *board_names_line(int line);   /* NHS England service line */
int board_names_line_parse(const char *name);
const char *board_names_level(int level); /* delegation level: direct, joint, delegated */
int board_names_level_parse(const char *name);

/* 1 if name (an area) appears in a comma-separated list, else 0. */
int board_names_area_listed(const char *list, int area);

#endif
