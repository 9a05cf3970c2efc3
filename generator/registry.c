/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <string.h>

#include "generator.h"
#include "log.h"
#include "strv.h"

static void entry_done(Entry *e) {
        free(e->name);
        free(e->path);
        config_free(e->config);
        free(e->edges);
}

void registry_done(Registry *r) {
        for (size_t i = 0; i < r->n; i++)
                entry_done(&r->entries[i]);
        free(r->entries);
        *r = (Registry){};
}

static Entry *registry_add(Registry *r) {
        if (r->n >= r->allocated) {
                size_t a = MAX(r->allocated * 2, (size_t)64);
                Entry *e = reallocarray(r->entries, a, sizeof(Entry));
                if (!e)
                        return NULL;
                r->entries = e;
                r->allocated = a;
        }
        r->sorted = false;
        r->entries[r->n] = (Entry){};
        return &r->entries[r->n++];
}

static int entry_cmp(const void *a, const void *b) {
        const Entry *x = a, *y = b;
        int c = strcmp(x->name, y->name);

        /* Equal names only happen with two --dry-run FILEs for one NAME: keep them in
         * the order given. */
        if (c != 0)
                return c;
        return x->order < y->order ? -1 : x->order > y->order;
}

static void registry_sort(Registry *r) {
        if (!r->sorted && r->n > 0)
                qsort(r->entries, r->n, sizeof(Entry), entry_cmp);
        r->sorted = true;
}

ssize_t registry_find(const Registry *r, const char *name) {
        size_t lo = 0, hi = r->n;

        assert(r->sorted);
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = strcmp(name, r->entries[mid].name);
                if (c == 0)
                        return (ssize_t)mid;
                if (c < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return -ENOENT;
}

/* SourcePath= and NSCONTAIN_CONFIG= need absolute paths; a relative search path
 * entry or --dry-run argument is taken relative to the current directory. */
static int make_absolute(const char *path, char **ret) {
        static char cwd[PATH_MAX];
        char *p;

        if (path[0] == '/')
                p = strdup(path);
        else {
                if (!cwd[0] && !getcwd(cwd, sizeof(cwd)))
                        return negative_errno();
                if (asprintf(&p, "%s/%s", cwd, path + (strncmp(path, "./", 2) == 0 ? 2 : 0)) < 0)
                        p = NULL;
        }
        if (!p)
                return -ENOMEM;
        *ret = p;
        return 0;
}

/* Loads e->path into e. With 'quiet' (a dependency pulled in for --dry-run, not one
 * of ours to report on) a bad file just counts as invalid. Returns 1 when the file
 * was bad, 0 otherwise. Any failure, even out of memory, stays with this one file:
 * the others are still configured. */
static int entry_load(Entry *e, const char *name, bool quiet) {
        _cleanup_free_ char *error = NULL;
        int r;

        r = config_load_file(e->path, name, &e->config, &error);
        if (r >= 0) {
                e->state = ENTRY_VALID;
                return 0;
        }
        e->config = NULL;
        if (r == -ERFKILL) {
                /* A --dry-run FILE that masks (search-path entries are known to be
                 * masked before loading): nothing to write, nothing wrong. */
                e->state = ENTRY_MASKED;
                if (!quiet)
                        log_notice("%s", error ?: "masked");
                return 0;
        }
        e->state = ENTRY_INVALID;
        if (quiet)
                return 1;
        if (error)
                log_error("%s", error);
        else
                log_error_errno(r, "%s: %m", strrchr(e->path, '/') + 1);
        return 1;
}

int registry_load_search_path(Registry *r) {
        ConfigEntry *ce = NULL;
        size_t n_ce = 0;
        int bad = 0, k;

        k = config_enumerate(&ce, &n_ce);
        if (k < 0)
                return log_error_errno(k, "Failed to enumerate container configs: %m");

        for (size_t i = 0; i < n_ce; i++) {
                Entry *e = registry_add(r);
                if (!e) {
                        k = log_oom();
                        goto finish;
                }
                /* The strings move into the registry: config_entries_free() skips NULLs. */
                e->name = TAKE_PTR(ce[i].name);
                k = make_absolute(ce[i].path, &e->path);
                if (k < 0) {
                        log_error_errno(k, "Failed to make '%s' absolute: %m", ce[i].path);
                        goto finish;
                }
                e->emit = true;
                if (ce[i].masked) {
                        e->state = ENTRY_MASKED;
                        log_debug("%s is masked, skipping.", e->path);
                        continue;
                }
                bad += entry_load(e, NULL, false);
        }
        k = bad;
        registry_sort(r);
finish:
        config_entries_free(ce, n_ce);
        return k;
}

/* NAME from ".../NAME.json", for the registry only: the config library decides
 * whether the file name is acceptable and says so when it is not. */
static int name_from_path(const char *path, char **ret) {
        const char *base = strrchr(path, '/');
        size_t l;

        base = base ? base + 1 : path;
        l = strlen(base);
        if (l > 5 && strcmp(base + l - 5, ".json") == 0)
                l -= 5;
        *ret = strndup(base, l);
        return *ret ? 0 : -ENOMEM;
}

/* Adds, quietly, every container the valid entries name as a dependency and the
 * registry does not know yet, until nothing new turns up. */
static int registry_close_over_deps(Registry *r) {
        for (;;) {
                _cleanup_strv_free_ char **wanted = NULL;
                size_t n = r->n;

                registry_sort(r);
                for (size_t i = 0; i < n; i++) {
                        const Config *c = r->entries[i].config;
                        if (!c)
                                continue;
                        char *const *lists[] = {c->after, c->requires, c->wants};
                        for (size_t j = 0; j < ELEMENTSOF(lists); j++)
                                STRV_FOREACH (d, lists[j])
                                        if (registry_find(r, *d) < 0 && !strv_contains(wanted, *d) &&
                                            strv_extend(&wanted, *d) < 0)
                                                return log_oom();
                }
                if (!wanted)
                        return 0;

                STRV_FOREACH (d, wanted) {
                        _cleanup_free_ char *path = NULL;
                        Entry *e = registry_add(r);
                        int k;

                        if (!e)
                                return log_oom();
                        e->name = strdup(*d);
                        if (!e->name)
                                return log_oom();

                        k = config_name_is_valid(*d) ? config_find(*d, &path) : -ENOENT;
                        if (k == -ERFKILL)
                                e->state = ENTRY_MASKED;
                        else if (k < 0)
                                e->state = ENTRY_MISSING;
                        else {
                                k = make_absolute(path, &e->path);
                                if (k < 0)
                                        return log_error_errno(k, "Failed to make '%s' absolute: %m", path);
                                (void)entry_load(e, *d, true);
                        }
                }
                /* Each round adds only names not seen before: this ends. */
        }
}

int registry_load_files(Registry *r, char *const *files) {
        int bad = 0, k;

        STRV_FOREACH (f, files) {
                Entry *e = registry_add(r);
                if (!e)
                        return log_oom();
                k = name_from_path(*f, &e->name);
                if (k >= 0)
                        k = make_absolute(*f, &e->path);
                if (k < 0)
                        return log_error_errno(k, "Failed to process '%s': %m", *f);
                e->emit = true;
                bad += entry_load(e, NULL, false);
        }

        /* Two FILEs for one NAME would be two drop-ins for one unit: the first one
         * given stays, the others leave the registry (so lookups find the one). */
        registry_sort(r);
        size_t kept = 0;
        for (size_t i = 0; i < r->n; i++) {
                if (kept > 0 && streq(r->entries[kept - 1].name, r->entries[i].name)) {
                        log_error("%s: container '%s' is already defined by %s, ignoring this file",
                                  r->entries[i].path, r->entries[i].name, r->entries[kept - 1].path);
                        entry_done(&r->entries[i]);
                        bad++;
                        continue;
                }
                r->entries[kept++] = r->entries[i];
        }
        r->n = kept;

        k = registry_close_over_deps(r);
        if (k < 0)
                return k;
        return bad;
}
