/* SPDX-License-Identifier: Apache-2.0 */
/* cli_commands: every `concord` command, its synopsis and what it does, in
 * one table that main(), `--help`, `concord help` and the bash completion
 * share (cli_commands.h). */
#include "cli_commands.h"

#include <string.h>

/* Groups first, then their subcommands; a group's path is one word. */
static const cli_commands_entry_t s_table[] = {
    {"help", "[COMMAND [SUBCOMMAND]] | --commands",
     "the usage of one command, or of all of them; --commands lists every command\n"
     "(what the bash completion offers)", 0},
    {"keygen", "--code CODE --name NAME [--kind KIND] [--out DIR] | --broker [--name NAME] [--out DIR]",
     "make an organisation's (or the broker's) Ed25519 keys: CODE.key and CODE.pub in DIR\n"
     "(created if missing)", 0},
    {"roster", "init|sign|show|export ...", "the federation's roster of organisations and keys", 0},
    {"roster init", "--federation NAME --broker broker.pub --out roster.bin ORG.pub...",
     "write a new genesis roster naming every founding organisation", 0},
    {"roster sign", "--roster roster.bin --key ORG.key",
     "add this organisation's signature to the roster", 0},
    {"roster show", "--roster roster.bin | (with --config) no arguments",
     "the roster in a file; with --config the roster as the node folded it: genesis plus\n"
     "key rotations and mergers, with history", 0},
    {"roster export", "--out FILE",
     "(with --config) every board's history, signed, for the node of an organisation\n"
     "admitted after genesis", 1},
    {"status", "",
     "the node's connection, ledger and traffic counters. Exit status: 0 connected and\n"
     "serving, 1 failure, 3 running but not connected to the broker, not serving, or\n"
     "its deliveries handed to another instance (DELIVERY_LOST), 4 no answer\n"
     "from the node (not running, or its control socket unreachable)", 1},
    {"broker", "status", "the federation's broker, as the local node sees it", 1},
    {"broker status", "[--timeout MS]",
     "a signed health check of the broker through the local node. Exit status: 0 the\n"
     "broker answered and serves, 1 failure, 3 the node answered but the broker did\n"
     "not (or does not serve), 4 no answer from the node", 1},
    {"ping", "CODE [--count N] [--timeout MS]",
     "a signed round trip to another organisation through the broker", 1},
    {"ledger", "[--limit N]", "the newest entries of this node's ledger", 1},
    {"log", "verify|fetch", "the broker's log: check its tree heads and proofs, fetch what this node lacks", 1},
    {"log verify", "", "check the broker's log, its tree heads and every proof held", 1},
    {"log fetch", "",
     "verify the broker's log, then store the entries for this node its ledger lacks", 1},
    {"board", "create|list|show ...", "joint commissioning boards (docs/BOARDS.md)", 1},
    {"board create",
     "--id ID --name NAME --member CODE[:CONSTITUENCY[:WEIGHT]]... | --member all\n"
     "    [--rule RULE] [--qualified N/D] [--quorum N/D] [--each-constituency]\n"
     "    [--reserved AREA:CODE]... [--accountable-to TEXT]\n"
     "    [--closes-in 7d] [--call-in-days N [--call-in-by CODE]...]\n"
     "    [--ratifier CODE... [--ratify-days N]: an advisory (shadow) board]\n"
     "    [--in-common [--own-rule CODE:REPRESENTATIVES[:RULE[:QUORUM]]]... [--must-agree CODE]...:\n"
     "     a committee in common]\n"
     "    [--hwb COUNCIL: the council's Health and Wellbeing Board]\n"
     "    [--person-signed] [--conflicts exclude|remain] [--conflicts-referral BODY]\n"
     "    [--chair CODE [--co-chair CODE]... [--casting-vote]] [--key-threshold COUNCIL:POUNDS]...\n"
     "    | --file BOARD.ini",
     "propose a board's charter; it exists once its members adopt it.\n"
     "RULE: majority, absolute-majority, qualified-majority, unanimity, consensus,\n"
     "double-majority, weighted", 1},
    {"board list", "", "the boards this node knows", 1},
    {"board show", "ID", "one board: its charter, members and history", 1},
    {"propose",
     "--board ID --title TEXT [--text TEXT] [--area AREA] [--amount POUNDS]\n"
     "    [--effective YYYY-MM-DD] [--closes-in 7d] [--delegates DUTY]\n"
     "    [--admit CODE[:CONSTITUENCY] | --admit NEW.pub[:CONSTITUENCY] | --remove CODE]\n"
     "    [--rotate-key NEW.pub] [--merge SUCCESSOR.pub|CODE --predecessor CODE...]\n"
     "    [--split CODE --successor CODE[=PERMILLE]...: a transfer scheme; without\n"
     "    shares, each successor's LSOA share in the shipped geography]\n"
     "    [--realign ORG=FOOTPRINT] [--rule RULE | --quorum N/D | --chair CODE ...]\n"
     "    [--reconsider PROPOSAL --confirm|--withdraw: after a call-in]\n"
     "    [--service-line LINE...: NHS England lines it concerns]\n"
     "    [--bcf-plan PLAN-ID: an HWB board's agreement to that BCF plan]\n"
     "    [--concerns ORG...: providers and subjects, for conflicts of interest]\n"
     "    [--as PERSON.key: signed by a person under a delegation]\n"
     "    [--exempt REASON --release-on YYYY-MM-DD [--paper FILE]]\n"
     "    [--key-decision] [--forward-plan ENTRY | --general-exception REASON |\n"
     "     --special-urgency REASON: a council's key decision, SI 2012/2089]",
     "put a proposal to a board. AREA: acute, specialised, primary-care, community,\n"
     "mental-health, social-care, public-health, health-education,\n"
     "research-and-development. --exempt: an exempt item, its title, text and paper\n"
     "readable by the board's members only until released; REASON: 'Sch12A para N'\n"
     "(Local Government Act 1972 Sch 12A, 1-7) or 'FOIA sN' (FOI Act 2000 Part II)", 1},
    {"vote", "PROPOSAL for|against|abstain [--reason TEXT] [--representatives F:A:AB]\n"
     "    [--as PERSON.key] [--casting for|against: the chair's casting vote]",
     "cast this organisation's ballot (with its representatives' votes, in a committee in\n"
     "common whose charter gives it its own rule)", 1},
    {"proposal", "list|show|call-in|ratify|release ...", "proposals put to boards", 1},
    {"proposal list", "[BOARD]", "proposals, open and decided", 1},
    {"proposal show", "PROPOSAL", "one proposal, its ballots and its tally", 1},
    {"proposal release", "PROPOSAL",
     "publish an exempt item's content key (its proposer, from its release date): anyone\n"
     "holding it can then read it", 1},
    {"proposal call-in", "PROPOSAL --reason TEXT",
     "call in a passed decision within the charter's call-in period (Local Government\n"
     "Act 2000 s9F): it is suspended until the board reconsiders it", 1},
    {"proposal ratify",
     "PROPOSAL --authority BODY --decision-ref REF --decision-date DATE [--decline]\n"
     "    [--reason TEXT]",
     "this body's ratification (or refusal) of an advisory board's recommendation", 1},
    {"delegation", "record|list ...",
     "the register of NHS England delegations by organisation, service line and date", 1},
    {"delegation record",
     "ORG --line LINE --from YYYY-MM-DD --level direct|joint|delegated\n"
     "    [--agreement-ref REF]",
     "(NHS England) record how a service line is commissioned for a CCG or ICB (NHS Act\n"
     "2006 s13Z to June 2022, s65Z5 from July 2022). LINE: primary-medical, dental,\n"
     "pharmacy, optometry, specialised-acute, specialised-mental-health", 1},
    {"delegation list", "[ORG]", "the register, or one organisation's entries", 1},
    {"person", "keygen|add|list|revoke ...",
     "individuals of this organisation and their signed delegations (docs/BOARDS.md\n"
     "\"People and interests\")", 1},
    {"person keygen", "--id ID --out FILE",
     "make a person's signing key file (mode 0600) and print its public key", 1},
    {"person add",
     "ID --name NAME --key PERSON.key --board B[,B] --acts vote,propose,execute,sign-statement\n"
     "    --from YYYY-MM-DD --to YYYY-MM-DD [--role ROLE] [--non-voting] [--deputy-for ID]",
     "register a person and delegate the acts on the boards, for the dates, to their key", 1},
    {"person list", "[--org CODE] [--board ID]", "persons and their delegations", 1},
    {"person revoke", "ID [--reason TEXT]",
     "revoke a person's delegation: acts logged after it are refused", 1},
    {"interests", "add|list|export ...",
     "registers of interests (NHS Act 2006 s14O; CCG guidance 2017; Localism Act 2011 s29-31)", 1},
    {"interests add",
     "PERSON --kind financial|non-financial-professional|non-financial-personal|indirect\n"
     "    --concerns ORG --from YYYY-MM-DD [--to YYYY-MM-DD] [--description TEXT]",
     "record an interest of one of this organisation's persons", 1},
    {"interests list", "[--org CODE] [--board ID]", "the register, per organisation or board", 1},
    {"interests export", "[--org CODE] [--board ID]",
     "the register as CSV (with --json: JSON), per organisation or board", 1},
    {"declare", "PROPOSAL --concerns ORG --kind KIND [--description TEXT] [--as PERSON.key]",
     "declare an interest in a provider or subject the proposal names: this member is then\n"
     "excluded from its vote as the charter says", 1},
    {"decision", "export ...", "decision certificates", 1},
    {"decision export", "PROPOSAL --out FILE",
     "write a decided proposal's certificate, for `concord verify`", 1},
    {"auto-vote",
     "[on|off] [--abstain AREAS] [--against AREAS] [--against-above POUNDS]\n"
     "    [--for-below POUNDS]",
     "this node's automatic voting policy, until it is turned off", 1},
    {"verify", "CERTIFICATE --roster ROSTER", "check a decision certificate offline", 0},
    {"meeting", "call|agenda|attend|list|show|minutes|approve|export ...",
     "board meetings: agendas, attendance, minutes and committee papers (docs/BOARDS.md\n"
     "\"Meetings and the forward plan\")", 1},
    {"meeting call",
     "--board ID --title TEXT --place TEXT --starts-in DURATION | --starts YYYY-MM-DDTHH:MM\n"
     "    [--length 2h] [--remote]\n"
     "    [--item PROPOSAL [--paper FILE] [--urgent REASON]]...",
     "call a meeting (the chair, a co-chair or the secretary). An item published fewer\n"
     "than five clear working days before needs --urgent REASON (LGA 1972 s100B);\n"
     "a council's committee may not meet --remote", 1},
    {"meeting agenda", "MEETING --item PROPOSAL [--paper FILE] [--urgent REASON]",
     "add an item to a meeting's agenda before it starts", 1},
    {"meeting attend", "MEETING MEMBER present|apologies|substitute [--person NAME] [--for NAME]",
     "record a member's attendance, once; on meeting items only those present vote and\n"
     "the quorum counts them", 1},
    {"meeting list", "[BOARD]", "meetings this node knows", 1},
    {"meeting show", "MEETING", "one meeting: its agenda and attendance", 1},
    {"meeting minutes", "MEETING [--format md|html|csv|json] [--out FILE]",
     "the minutes generated from the record, and whether they were approved", 1},
    {"meeting approve", "MEETING --at NEXT-MEETING",
     "approve the minutes as a correct record, at the board's next meeting (the chair)", 1},
    {"meeting export", "MEETING agenda|minutes|decisions [--format md|html|csv|json] [--out FILE]",
     "a committee paper: agenda pack, minutes or decision notice, citing the signed\n"
     "events and decision certificates it rests on", 1},
    {"forward-plan", "add|list ...",
     "councils' forward plans of key decisions (SI 2012/2089 regs 9-11)", 1},
    {"forward-plan add",
     "--board ID --title TEXT --date YYYY-MM-DD [--amount POUNDS] [--maker TEXT]",
     "publish an entry of this council's forward plan: its key decisions on the board\n"
     "rest on one published 28 clear days before", 1},
    {"forward-plan list", "[BOARD] [--format md|html|csv|json] [--out FILE]",
     "the forward plan, citing the signed entries and decisions", 1},
    {"pool",
     "propose|execute|decline|pledge|vary|outturn|sign-statement|list|show|rejections|\n"
     "    statement|verify ...",
     "pooled funds under s75 NHS Act 2006 (docs/POOLS.md); YEAR 2017 = 2017/18", 1},
    {"pool propose", "--file AGREEMENT.ini [--board ID] [--closes-in 7d]",
     "propose a pooled fund agreement to a board", 1},
    {"pool execute",
     "ID --authority BODY --decision-ref REF --decision-date DATE --signatory-role ROLE\n"
     "    --document FILE [--as PERSON.key: signed by a person under a delegation]",
     "execute a recommended agreement as this partner (NHS Bodies and Local Authorities\n"
     "Partnership Arrangements Regulations 2000 reg 7): in force once every party has", 1},
    {"pool decline", "ID --authority BODY --decision-ref REF --decision-date DATE [--reason TEXT]",
     "decline to execute a recommended agreement; it is not in force", 1},
    {"pool pledge", "ID --year YEAR --amount POUNDS [--partner CODE]",
     "pledge a contribution for a year", 1},
    {"pool vary",
     "ID [--change CODE:YEAR:POUNDS...] [--withdraw CODE...] [--reason TEXT]\n"
     "    [--closes-in 7d]",
     "propose a variation of contributions", 1},
    {"pool outturn", "ID --year YEAR --spent POUNDS [--note TEXT]",
     "record a year's outturn (the host)", 1},
    {"pool sign-statement", "ID --year YEAR [--as PERSON.key]",
     "the host signs the year's statement (--as: signed by a person under a delegation)", 1},
    {"pool list", "", "the pooled funds this node knows", 1},
    {"pool show", "ID", "one pooled fund", 1},
    {"pool rejections", "", "pool messages this node refused, and why", 1},
    {"pool statement", "ID --year YEAR [--csv] [--export FILE]", "a year's statement", 1},
    {"pool verify", "STATEMENT-FILE --roster ROSTER [--csv]",
     "check a signed statement offline", 0},
    {"bcf", "plan|sign|approve|reject|condition-met|status ...",
     "Better Care Fund plans (docs/POOLS.md)", 1},
    {"bcf plan", "--file PLAN.ini", "submit a BCF plan (held in an executed s75 pool)", 1},
    {"bcf sign", "PLAN-ID --act hwb|council|ccg|dfg [--version V] [--note TEXT]\n"
                 "    [--decision PROPOSAL] [--district CODE]",
     "sign a plan for one of the parties, in any order (hwb: the HWB board's decision;\n"
     "dfg: a district's joint agreement on its DFG, or the county's with --district)", 1},
    {"bcf approve", "PLAN-ID [--condition DEADLINE:TEXT]... [--version V] [--note TEXT]",
     "approve a signed-off plan, with conditions if given (NHS England)", 1},
    {"bcf reject", "PLAN-ID --escalation TEXT [--version V] [--note TEXT]",
     "record a plan not approved and its escalation (NHS England)", 1},
    {"bcf condition-met", "PLAN-ID N [--note TEXT]",
     "record condition N of an approval met (NHS England)", 1},
    {"bcf status", "PLAN-ID", "a plan's signatures and approval", 1},
    {"federation", "init|start|status|stop|exec ...",
     "federations on one machine (docs/FEDERATIONS.md)", 0},
    {"federation init",
     "--out DIR (--area E47... | --stp E54... | --county CODE | --england | --ics ICB-CODE)\n"
     "    [--vintage YEAR | --as-at DATE] [--port N] [--name TEXT] [--data-dir DIR]\n"
     "    [--lookup FILE...]",
     "write a federation's keys, roster and configs for an area", 0},
    {"federation start", "DIR [--parallel N] [--timeout S]", "start its broker and nodes", 0},
    {"federation status", "DIR", "which of its processes run", 0},
    {"federation stop", "DIR", "stop its processes", 0},
    {"federation exec", "DIR CODE -- COMMAND [ARGS]", "run a concord command as one organisation", 0},
    {"scenario", "run|check ...", "multi-partner scenarios (scenarios/)", 0},
    {"scenario run", "FILE --federation DIR [--keep-running] [--out DIR]",
     "run a scenario on a federation", 0},
    {"scenario check", "FILE", "parse a scenario without running it", 0},
    {"footprint", "show|org|splits|report|changes ...",
     "STP footprints, offline over the shipped ONS lookups. Options: [--csv]\n"
     "[--layer STP|NHSER|CAUTH|...] [--as-at DATE] [--data-dir DIR | --lookup FILE...]\n"
     "[--primary ORG=FOOTPRINT...]", 0},
    {"footprint show", "FOOTPRINT [OPTIONS]",
     "its CCGs, councils and combined authorities, with shares", 0},
    {"footprint org", "CODE [OPTIONS]", "every footprint an organisation touches, with shares", 0},
    {"footprint splits", "[OPTIONS]", "every organisation split across footprints", 0},
    {"footprint report", "[OPTIONS]", "counts, splits, coterminosity, combined authorities", 0},
    {"footprint changes", "--from LAYER --to LAYER [--to-lookup FILE...] [--propose DIR]",
     "mergers, splits, boundary transfers, code changes and renames between two vintages", 0},
    {NULL, NULL, NULL, 0},
};

const cli_commands_entry_t *cli_commands_table(void)
{
    return s_table;
}

int cli_commands_is_group(const cli_commands_entry_t *e)
{
    size_t len = strlen(e->path);
    for (const cli_commands_entry_t *t = s_table; t->path; t++) {
        if (strncmp(t->path, e->path, len) == 0 && t->path[len] == ' ') {
            /* auto-vote, log verify...: a group only if it cannot run alone. */
            return strcmp(e->path, "log") == 0 || strcmp(e->path, "broker") == 0 || strcmp(e->path, "roster") == 0 ||
                   strcmp(e->path, "board") == 0 || strcmp(e->path, "proposal") == 0 ||
                   strcmp(e->path, "decision") == 0 || strcmp(e->path, "pool") == 0 ||
                   strcmp(e->path, "bcf") == 0 || strcmp(e->path, "federation") == 0 ||
                   strcmp(e->path, "scenario") == 0 || strcmp(e->path, "footprint") == 0;
        }
    }
    return 0;
}

const cli_commands_entry_t *cli_commands_find(char *const *words, int n, int *used)
{
    const cli_commands_entry_t *best = NULL;
    *used = 0;
    if (n < 1) {
        return NULL;
    }
    for (const cli_commands_entry_t *t = s_table; t->path; t++) {
        if (strcmp(t->path, words[0]) == 0 && !best) {
            best = t;
            *used = 1;
        }
        if (n >= 2 && words[1][0] != '-') {
            size_t l0 = strlen(words[0]);
            if (strncmp(t->path, words[0], l0) == 0 && t->path[l0] == ' ' &&
                strcmp(t->path + l0 + 1, words[1]) == 0) {
                *used = 2;
                return t;
            }
        }
    }
    return best;
}

static void s_one(const cli_commands_entry_t *e, FILE *to)
{
    fprintf(to, "Usage: concord [--config FILE] [--json] %s%s%s\n", e->path,
            *e->synopsis ? " " : "", e->synopsis);
    fprintf(to, "%s\n", e->about);
    if (e->needs_node) {
        fprintf(to, "Talks to the local concordd: needs --config node.ini or CONCORD_CONFIG.\n");
    }
}

void cli_commands_help(const cli_commands_entry_t *e, FILE *to)
{
    s_one(e, to);
    size_t len = strlen(e->path);
    int first = 1;
    for (const cli_commands_entry_t *t = s_table; t->path; t++) {
        if (strncmp(t->path, e->path, len) == 0 && t->path[len] == ' ') {
            if (first) {
                fprintf(to, "\nSubcommands (concord help %s SUBCOMMAND):\n", e->path);
                first = 0;
            }
            fprintf(to, "  %s%s%s\n", t->path, *t->synopsis ? " " : "", t->synopsis);
        }
    }
    fprintf(to, "Exit status: 0 success, 1 failure, 2 usage error.\n");
}

void cli_commands_list(FILE *to)
{
    for (const cli_commands_entry_t *t = s_table; t->path; t++) {
        fprintf(to, "%s\n", t->path);
    }
}

void cli_commands_overview(FILE *to)
{
    fprintf(to, "Usage: concord [--config FILE] [--json] COMMAND [ARGS]\n"
                "       concord help COMMAND | concord COMMAND --help | concord --version\n"
                "\n");
    for (const cli_commands_entry_t *t = s_table; t->path; t++) {
        const char *nl = strchr(t->about, '\n');
        int about_len = nl ? (int)(nl - t->about) : (int)strlen(t->about);
        fprintf(to, "  %-22s %.*s\n", t->path, about_len, t->about);
    }
    fprintf(to, "\n"
                "  -c, --config FILE   the node's config (default: $CONCORD_CONFIG); commands\n"
                "                      that talk to the local concordd need it\n"
                "  --json              print results, and errors, as JSON\n"
                "  -V, --version       print the version\n"
                "  -h, --help          this text; `concord help COMMAND` for one command\n"
                "Exit status: 0 success, 1 failure, 2 usage error (`concord help status`\n"
                "for status's codes).\n");
}
