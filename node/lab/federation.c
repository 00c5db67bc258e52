/* SPDX-License-Identifier: Apache-2.0 */
/* federation: members from the ONS geography, and federation.ini. */
#include "federation.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inifile.h"

static const char *const s_scopes[] = {"area", "stp", "county", "england", "ics"};

const char *federation_scope_name(federation_scope_t s)
{
    return (size_t)s < sizeof s_scopes / sizeof s_scopes[0] ? s_scopes[s] : "?";
}

int federation_scope_parse(const char *text)
{
    for (size_t i = 0; i < sizeof s_scopes / sizeof s_scopes[0]; i++) {
        if (strcmp(text, s_scopes[i]) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* Appends a member (a code already present is skipped). */
static int s_add(federation_t *f, const char *code, const char *name, const char *kind,
                 const char *constituency, cc_err_t *err)
{
    if (federation_find(f, code) >= 0) {
        return 0;
    }
    federation_org_t *grown = realloc(f->orgs, (f->n_orgs + 1) * sizeof *grown);
    if (!grown) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    f->orgs = grown;
    federation_org_t *o = &f->orgs[f->n_orgs++];
    memset(o, 0, sizeof *o);
    snprintf(o->code, sizeof o->code, "%s", code);
    snprintf(o->name, sizeof o->name, "%s", name && *name ? name : code);
    snprintf(o->kind, sizeof o->kind, "%s", kind);
    snprintf(o->constituency, sizeof o->constituency, "%s", constituency);
    return 0;
}

static int s_add_org(federation_t *f, const geo_org_t *o, cc_err_t *err)
{
    static const char *const kinds[GEO_KINDS] = {"CCG", "COUNCIL_UPPER", "COUNCIL_DISTRICT",
                                                 "COMBINED_AUTHORITY"};
    return s_add(f, o->code, o->name, kinds[o->kind],
                 o->kind == GEO_CCG ? "nhs" : "local-government", err);
}

/* Every member of kind `kind` touching footprint fp. */
static int s_add_members(federation_t *f, const geo_footprint_t *fp, geo_kind_t kind, cc_err_t *err)
{
    for (size_t i = 0; i < fp->n_members[kind]; i++) {
        if (s_add_org(f, fp->members[kind][i].org, err) < 0) {
            return -1;
        }
    }
    return 0;
}

/* An upper-tier council, its districts and the CCGs sharing an LSOA with
 * it; a is aligned on the CCG layer, so the council's cells are CCGs. */
static int s_county(federation_t *f, const geo_align_t *a, const char *code, cc_err_t *err)
{
    const geo_org_t *o = geo_align_find_org(a, code);
    if (!o || o->kind != GEO_UPPER) {
        err_set(err, CC_NOT_FOUND, "%s is not an upper-tier council in the ONS lookups", code);
        return -1;
    }
    snprintf(f->name, sizeof f->name, "%s", o->name);
    for (size_t i = 0; i < o->n_cells; i++) {
        const geo_org_t *ccg = geo_align_find_org(a, o->cells[i].footprint->code);
        if (ccg && ccg->kind == GEO_CCG && s_add_org(f, ccg, err) < 0) {
            return -1;
        }
    }
    if (s_add_org(f, o, err) < 0) {
        return -1;
    }
    for (size_t i = 0; i < geo_align_org_count(a, GEO_DISTRICT); i++) {
        const geo_org_t *d = geo_align_org(a, GEO_DISTRICT, i);
        if (d->county && strcmp(d->county, o->code) == 0 && s_add_org(f, d, err) < 0) {
            return -1;
        }
    }
    return 0;
}

static int s_england(federation_t *f, const geo_align_t *a, cc_err_t *err)
{
    snprintf(f->name, sizeof f->name, "England");
    for (geo_kind_t k = GEO_CCG; k <= GEO_UPPER; k++) {
        for (size_t i = 0; i < geo_align_org_count(a, k); i++) {
            if (s_add_org(f, geo_align_org(a, k, i), err) < 0) {
                return -1;
            }
        }
    }
    return 0;
}

/* A combined authority (with districts) or an STP footprint (without). */
static int s_footprint(federation_t *f, const geo_align_t *a, const char *code, int districts,
                       cc_err_t *err)
{
    const geo_footprint_t *fp = geo_align_find_footprint(a, code);
    if (!fp) {
        err_set(err, CC_NOT_FOUND, "%s is not %s in the ONS lookups", code,
                districts ? "a combined authority (E47...)" : "an STP footprint (E54...)");
        return -1;
    }
    snprintf(f->name, sizeof f->name, "%s", fp->name);
    if (s_add_members(f, fp, GEO_CCG, err) < 0 || s_add_members(f, fp, GEO_UPPER, err) < 0 ||
        (districts && s_add_members(f, fp, GEO_DISTRICT, err) < 0)) {
        return -1;
    }
    return 0;
}

/* An integrated care system: the ICB (its E54 code), its sub-ICB
 * locations and the upper-tier councils sharing an LSOA with it, from a
 * lookup with ICB<YY>CD and SICBL<YY>CD columns; a is aligned on the ICB
 * layer. */
static int s_ics(federation_t *f, const geo_t *g, const geo_align_t *a, const char *code,
                 cc_err_t *err)
{
    const char *sicbl[FEDERATION_ICS_MAX];
    const geo_footprint_t *fp = geo_align_find_footprint(a, code);
    if (!fp) {
        err_set(err, CC_NOT_FOUND, "%s is not an integrated care board (%s) in the lookups", code,
                geo_align_layer(a));
        return -1;
    }
    snprintf(f->name, sizeof f->name, "%s", fp->name);
    if (s_add(f, fp->code, fp->name, "ICB", "nhs", err) < 0) {
        return -1;
    }
    size_t n = geo_overlap(g, geo_align_layer(a), fp->code, "SICBL", sicbl, NULL,
                           FEDERATION_ICS_MAX);
    for (size_t i = 0; i < n; i++) {
        if (s_add(f, sicbl[i], geo_name(g, "SICBL", sicbl[i]), "SUB_ICB_LOCATION", "nhs", err) <
            0) {
            return -1;
        }
    }
    return s_add_members(f, fp, GEO_UPPER, err);
}

int federation_from_geo(const geo_t *g, federation_scope_t scope, const char *code,
                        const char *name, federation_t *f, cc_err_t *err)
{
    return federation_from_geo_at(g, scope, code, name, FEDERATION_AS_AT, f, err);
}

int federation_from_geo_at(const geo_t *g, federation_scope_t scope, const char *code,
                           const char *name, uint32_t as_at, federation_t *f, cc_err_t *err)
{
    static const char *const layers[] = {"CAUTH", "STP", "CCG", "STP", "ICB"};
    const char *layer = layers[scope];
    if (scope == FEDERATION_ICS) {
        /* The newest ICB vintage, with the organisations of its date. */
        if (!(layer = geo_layer_resolve(g, "ICB"))) {
            err_set(err, CC_FAILED_PRECONDITION,
                    "no lookup gives integrated care boards: give --lookup FILE with "
                    "ICB<YY>CD and SICBL<YY>CD columns");
            return -1;
        }
        as_at = GEO_LATEST;
    }
    geo_align_t *a = geo_align_at(g, layer, as_at, err);
    int rc = -1;
    if (!a) {
        return -1;
    }
    f->scope = scope;
    snprintf(f->code, sizeof f->code, "%s", scope == FEDERATION_ENGLAND ? "X24" : code);
    switch (scope) {
    case FEDERATION_AREA:
    case FEDERATION_STP:
        rc = s_footprint(f, a, code, scope == FEDERATION_AREA, err);
        break;
    case FEDERATION_COUNTY:
        rc = s_county(f, a, code, err);
        break;
    case FEDERATION_ENGLAND:
        rc = s_england(f, a, err);
        break;
    case FEDERATION_ICS:
        rc = s_ics(f, g, a, code, err);
        break;
    }
    if (rc == 0) {
        rc = s_add(f, FEDERATION_NHSE_CODE, FEDERATION_NHSE_NAME, "NHS_ENGLAND", "nhs", err);
    }
    if (rc == 0 && name) {
        snprintf(f->name, sizeof f->name, "%s", name);
    }
    geo_align_destroy(&a);
    if (rc < 0) {
        federation_free(f);
    }
    return rc;
}

int federation_save(const federation_t *f, const char *path, cc_err_t *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!fp) {
        err_set(err, errno == EEXIST ? CC_ALREADY_EXISTS : CC_INVALID_ARGUMENT,
                "cannot create %s: %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    fprintf(fp,
            "; A Concord federation (docs/FEDERATIONS.md), generated from the ONS lookups.\n"
            "[federation]\nname = %s\nscope = %s\ncode = %s\nbroker = %s\n",
            f->name, federation_scope_name(f->scope), f->code, f->broker);
    for (size_t i = 0; i < f->n_orgs; i++) {
        const federation_org_t *o = &f->orgs[i];
        fprintf(fp, "\n[org %s]\nname = %s\nkind = %s\nconstituency = %s\n", o->code, o->name,
                o->kind, o->constituency);
    }
    int bad = fflush(fp) != 0 || fsync(fileno(fp)) != 0;
    if (fclose(fp) != 0 || bad) {
        err_set(err, CC_INVALID_ARGUMENT, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* Copies value into a field of size n; -1 with err if it does not fit. */
static int s_copy(char *dst, size_t n, const char *key, const char *value, cc_err_t *err)
{
    if (strlen(value) >= n) {
        err_set(err, CC_INVALID_ARGUMENT, "value of '%s' is too long", key);
        return -1;
    }
    memcpy(dst, value, strlen(value) + 1);
    return 0;
}

static int s_fed_key(federation_t *f, const char *key, const char *value, cc_err_t *err)
{
    int s;
    if (strcmp(key, "name") == 0) {
        return s_copy(f->name, sizeof f->name, key, value, err);
    }
    if (strcmp(key, "code") == 0) {
        return s_copy(f->code, sizeof f->code, key, value, err);
    }
    if (strcmp(key, "broker") == 0) {
        return s_copy(f->broker, sizeof f->broker, key, value, err);
    }
    if (strcmp(key, "scope") == 0) {
        if ((s = federation_scope_parse(value)) < 0) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "unknown scope '%s' (area, stp, county, england, ics)",
                    value);
            return -1;
        }
        f->scope = (federation_scope_t)s;
        return 0;
    }
    err_set(err, CC_INVALID_ARGUMENT, "unknown key '%s' in [federation]", key);
    return -1;
}

static int s_org_key(federation_org_t *o, const char *key, const char *value, cc_err_t *err)
{
    if (strcmp(key, "name") == 0) {
        return s_copy(o->name, sizeof o->name, key, value, err);
    }
    if (strcmp(key, "kind") == 0) {
        return s_copy(o->kind, sizeof o->kind, key, value, err);
    }
    if (strcmp(key, "constituency") == 0) {
        return s_copy(o->constituency, sizeof o->constituency, key, value, err);
    }
    err_set(err, CC_INVALID_ARGUMENT, "unknown key '%s' in [org]", key);
    return -1;
}

static int s_load_entry(void *user, const char *section, const char *arg, const char *key,
                        const char *value, int line, cc_err_t *err)
{
    federation_t *f = user;
    (void)line;
    if (!key && strcmp(section, "org") == 0) {
        if (keys_code_check(arg, err) < 0) {
            return -1;
        }
        if (federation_find(f, arg) >= 0) {
            err_set(err, CC_INVALID_ARGUMENT, "organisation %s listed twice", arg);
            return -1;
        }
        return s_add(f, arg, arg, "", "", err);
    }
    if (!key) {
        if (strcmp(section, "federation") != 0 || *arg) {
            err_set(err, CC_INVALID_ARGUMENT, "unknown section [%s%s%s]", section, *arg ? " " : "",
                    arg);
            return -1;
        }
        return 0;
    }
    if (strcmp(section, "federation") == 0) {
        return s_fed_key(f, key, value, err);
    }
    if (strcmp(section, "org") == 0) {
        return s_org_key(&f->orgs[f->n_orgs - 1], key, value, err);
    }
    err_set(err, CC_INVALID_ARGUMENT, "key '%s' outside any section", key);
    return -1;
}

int federation_load(const char *dir, federation_t *f, cc_err_t *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/federation.ini", dir);
    if (access(path, F_OK) != 0) {
        err_set(err, CC_NOT_FOUND, "no federation in %s (no federation.ini)", dir);
        return -1;
    }
    f->scope = FEDERATION_AREA;
    if (inifile_read(path, s_load_entry, f, err) < 0) {
        federation_free(f);
        return -1;
    }
    if (!f->name[0] || !f->broker[0] || f->n_orgs < 2) {
        err_set(err, CC_INVALID_ARGUMENT, "%s: needs name, broker and at least two [org] sections",
                path);
        federation_free(f);
        return -1;
    }
    return 0;
}

int federation_find(const federation_t *f, const char *code)
{
    for (size_t i = 0; i < f->n_orgs; i++) {
        if (strcmp(f->orgs[i].code, code) == 0) {
            return (int)i;
        }
    }
    return -1;
}

void federation_free(federation_t *f)
{
    free(f->orgs);
    f->orgs = NULL;
    f->n_orgs = 0;
}
