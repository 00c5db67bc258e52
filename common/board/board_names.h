/* board_names: the words users type and read for board enums (service
 * areas, voting rules, constituencies, proposal kinds, votes). Names are
 * lower case with hyphens ("primary-care", "double-majority"). */
#ifndef CONCORD_BOARD_NAMES_H
#define CONCORD_BOARD_NAMES_H

/* Each *_name returns a static string ("?" for an unknown value); each
 * *_parse returns the enum value, or -1 for an unknown name. */
const char *board_area_name(int area);
int board_area_parse(const char *name);
const char *board_rule_name(int rule);
int board_rule_parse(const char *name);
const char *board_constituency_name(int c);
int board_constituency_parse(const char *name);
const char *board_kind_name(int kind);
int board_kind_parse(const char *name);
const char *board_vote_name(int vote);
int board_vote_parse(const char *name);

/* 1 if name (an area) appears in a comma-separated list, else 0. */
int board_area_listed(const char *list, int area);

#endif
