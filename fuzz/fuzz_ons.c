/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_ons: the ONS lookup loader (geo_load) and the alignment built on
 * it, as `concord footprint` and the node (HWB areas of BCF plans) run
 * them over shipped or user-given CSV files.
 *
 * The input is split at the first line holding only "--" into two files
 * (say a LSOA->CCG->STP->LAD lookup and a LAD->CTY one), so joins across
 * files are reached; without the marker it is one file. What must hold:
 * loading either succeeds or fails with a reason, and a loaded model
 * aligns against every layer it has without crashing; all or nothing, no
 * leak. */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "geo.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fixture_init();
    return 0;
}

static void s_align(const geo_t *g)
{
    for (size_t i = 0; i < geo_layer_count(g); i++) {
        geo_align_t *a = geo_align(g, geo_layer_name(g, i), NULL);
        if (!a) {
            continue;
        }
        geo_summary_t sum;
        geo_align_summary(a, &sum);
        for (size_t f = 0; f < geo_align_footprint_count(a); f++) {
            (void)geo_align_footprint(a, f);
        }
        geo_align_destroy(&a);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *paths[2];
    char first[256], second[256];
    size_t n = 1, cut = size, rest = size;
    for (size_t i = 0; i + 3 <= size; i++) {
        if ((i == 0 || data[i - 1] == '\n') && data[i] == '-' && data[i + 1] == '-' &&
            data[i + 2] == '\n') {
            cut = i;
            rest = i + 3;
            n = 2;
            break;
        }
    }
    const char *p = fixture_file("a.csv", data, cut);
    if (!p) {
        return 0;
    }
    snprintf(first, sizeof first, "%s", p);
    paths[0] = first;
    if (n == 2) {
        if (!(p = fixture_file("b.csv", data + rest, size - rest))) {
            return 0;
        }
        snprintf(second, sizeof second, "%s", p);
        paths[1] = second;
    }
    cc_err_t err;
    geo_t *g = geo_load(paths, n, &err);
    if (g) {
        s_align(g);
    } else if (!err.msg[0]) {
        abort(); /* a refusal always says why */
    }
    geo_destroy(&g);
    return 0;
}
