/* SPDX-License-Identifier: Apache-2.0 */
/* replay: a main for the fuzz targets without libFuzzer. Runs the target
 * once over every file named on the command line, or in the directories
 * named, so that a corpus (seeds and every input that once crashed) is an
 * ordinary test under any compiler and sanitizer. Exits 0 after the last
 * file, or 1 if one cannot be read; a crash is the target's own. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fixture.h"

static int s_run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long n = -1;
    int rc = -1;
    if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
        LLVMFuzzerTestOneInput(buf, (size_t)n);
        rc = 0;
    } else {
        fprintf(stderr, "replay: cannot read %s\n", path);
    }
    free(buf);
    if (f) {
        fclose(f);
    }
    return rc;
}

static int s_by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file in dir, in name order. Returns the number run, or -1. */
static long s_run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    char **names = NULL;
    size_t n = 0;
    long ran = 0;
    struct dirent *de;
    if (!d) {
        fprintf(stderr, "replay: cannot open %s\n", dir);
        return -1;
    }
    while ((de = readdir(d)) != NULL) {
        char **grown;
        if (de->d_name[0] == '.' || !(grown = realloc(names, (n + 1) * sizeof *names)) ||
            !(grown[n] = strdup(de->d_name))) {
            if (de->d_name[0] != '.') {
                ran = -1;
                break;
            }
            continue;
        }
        names = grown;
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, s_by_name);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (ran >= 0 && s_run_file(path) == 0) {
            ran++;
        } else {
            ran = -1;
        }
        free(names[i]);
    }
    free(names);
    return ran;
}

int main(int argc, char **argv)
{
    long total = 0;
    LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++) {
        struct stat st;
        long ran = stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) ? s_run_dir(argv[i])
                   : s_run_file(argv[i]) == 0                     ? 1
                                                                  : -1;
        if (ran < 0) {
            return 1;
        }
        printf("%s: %ld inputs\n", argv[i], ran);
        total += ran;
    }
    if (total == 0) {
        fprintf(stderr, "replay: no input\n");
        return 1;
    }
    return 0;
}
