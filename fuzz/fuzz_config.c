/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_config: the INI configuration loaders (config_load_node and
 * config_load_broker), as concordd and concord-broker read their files at
 * start. The first byte picks the loader; the rest is the file.
 *
 * What must hold: a file is either loaded whole, every string
 * NUL-terminated within its field, or refused with a reason; no crash,
 * leak or undefined behaviour. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fixture.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fixture_init();
    return 0;
}

#define S_TERMINATED(field) (memchr((field), 0, sizeof(field)) != NULL)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cc_err_t err;
    if (size < 1) {
        return 0;
    }
    const char *path = fixture_file(data[0] & 1 ? "broker.ini" : "node.ini", data + 1, size - 1);
    if (!path) {
        return 0;
    }
    if (data[0] & 1) {
        config_broker_t b;
        if (config_load_broker(path, &b, &err) == 0) {
            if (!S_TERMINATED(b.listen) || !S_TERMINATED(b.key) || !S_TERMINATED(b.roster) ||
                !S_TERMINATED(b.data) || b.mailbox_window < 1 || b.mailbox_window > 4096) {
                abort();
            }
        } else if (!err.msg[0]) {
            abort();
        }
    } else {
        config_node_t n;
        if (config_load_node(path, &n, &err) == 0) {
            if (!S_TERMINATED(n.code) || !S_TERMINATED(n.key) || !S_TERMINATED(n.ledger) ||
                !S_TERMINATED(n.control) || !S_TERMINATED(n.auto_vote_abstain_areas) ||
                n.call_timeout_ms < 1 || n.call_timeout_ms > 86400000u) {
                abort();
            }
        } else if (!err.msg[0]) {
            abort();
        }
    }
    return 0;
}
