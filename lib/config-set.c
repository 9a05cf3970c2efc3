/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdarg.h>
#include <string.h>
#include <syslog.h>

#include "config-set.h"
#include "port-spec.h"
#include "strv.h"

#define CYCLE_NAMES_MAX 32 /* a longer cycle is shortened in the message */

_printf_(5, 6) static void report(const ConfigSet *s, int level, const ConfigSetEntry *e, const char *file,
                                  const char *fmt, ...) {
        _cleanup_free_ char *text = NULL;
        va_list ap;
        int r;

        if (!s->report)
                return;
        va_start(ap, fmt);
        r = vasprintf(&text, fmt, ap);
        va_end(ap);
        /* Out of memory here loses the words, not the verdict: the callers still count
         * the file as bad. */
        if (r >= 0)
                s->report(level, e, file, text, s->userdata);
}

static void entry_done(ConfigSetEntry *e) {
        free(e->name);
        free(e->path);
        config_free(e->config);
        free(e->text);
        free(e->edges);
}

void config_set_done(ConfigSet *s) {
        for (size_t i = 0; i < s->n; i++)
                entry_done(&s->entries[i]);
        free(s->entries);
        s->entries = NULL;
        s->n = s->allocated = 0;
        s->sorted = false;
}

static ConfigSetEntry *config_set_add(ConfigSet *s) {
        if (s->n >= s->allocated) {
                size_t a = MAX(s->allocated * 2, (size_t)64);
                ConfigSetEntry *e = reallocarray(s->entries, a, sizeof(ConfigSetEntry));
                if (!e)
                        return NULL;
                s->entries = e;
                s->allocated = a;
        }
        s->sorted = false;
        s->entries[s->n] = (ConfigSetEntry){.order = s->n};
        return &s->entries[s->n++];
}

static int entry_cmp(const void *a, const void *b) {
        const ConfigSetEntry *x = a, *y = b;
        int c = strcmp(x->name, y->name);

        /* Equal names only happen with two FILEs for one NAME: keep them in the order
         * given. */
        if (c != 0)
                return c;
        return x->order < y->order ? -1 : x->order > y->order;
}

static void config_set_sort(ConfigSet *s) {
        size_t i;

        if (s->sorted)
                return;
        /* The search path comes sorted already: check in one pass before sorting. */
        for (i = 1; i < s->n; i++)
                if (entry_cmp(&s->entries[i - 1], &s->entries[i]) > 0)
                        break;
        if (i < s->n)
                qsort(s->entries, s->n, sizeof(ConfigSetEntry), entry_cmp);
        s->sorted = true;
}

/* NAME among the first n entries, sorted. */
static ssize_t config_set_find_first(const ConfigSet *s, size_t n, const char *name) {
        size_t lo = 0, hi = n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = strcmp(name, s->entries[mid].name);
                if (c == 0)
                        return (ssize_t)mid;
                if (c < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return -ENOENT;
}

ssize_t config_set_find(const ConfigSet *s, const char *name) {
        assert(s->sorted);
        return config_set_find_first(s, s->n, name);
}

static const char *entry_file(const ConfigSetEntry *e) {
        const char *f = e->path ? strrchr(e->path, '/') : NULL;
        return f ? f + 1 : e->name;
}

/* SourcePath= and NSCONTAIN_CONFIG= need absolute paths; a relative search path
 * entry or FILE argument is taken relative to the current directory. */
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

typedef enum LoadMode {
        LOAD_FILE,        /* a FILE given: a mask is worth a notice */
        LOAD_SEARCH_PATH, /* masking is what the search path is for */
        LOAD_QUIET,       /* a dependency pulled in for the FILEs given: not ours to report on */
} LoadMode;

/* Loads e->path into e. A bad file pulled in as a dependency just counts as invalid.
 * Returns 1 when the file was bad, 0 otherwise. Any failure, even out of memory, stays
 * with this one file: the others are still loaded. */
static int entry_load(ConfigSet *s, ConfigSetEntry *e, const char *name, LoadMode mode) {
        bool quiet = mode == LOAD_QUIET;
        _cleanup_free_ char *error = NULL;
        int r;

        r = s->keep_text ? config_load_file_text(e->path, name, &e->config, &e->text, &e->text_size, &error)
                         : config_load_file(e->path, name, &e->config, &error);
        if (r >= 0) {
                e->state = CONFIG_VALID;
                return 0;
        }
        e->config = NULL;
        if (r == -ERFKILL) {
                /* Nothing to write, nothing wrong. */
                e->state = CONFIG_MASKED;
                if (mode == LOAD_SEARCH_PATH)
                        report(s, LOG_DEBUG, e, NULL, "%s is masked, skipping.", e->path);
                else if (!quiet)
                        report(s, LOG_NOTICE, e, NULL, "%s", error ?: "masked");
                return 0;
        }
        e->state = CONFIG_INVALID;
        if (quiet)
                return 1;
        if (error)
                report(s, LOG_ERR, e, NULL, "%s", error);
        else
                report(s, LOG_ERR, e, entry_file(e), "%s", strerror(-r));
        return 1;
}

int config_set_load_search_path(ConfigSet *s) {
        ConfigEntry *ce = NULL;
        size_t n_ce = 0;
        int bad = 0, k;

        /* Empty files are found masked when loaded; a symlink to /dev/null already here. */
        k = config_enumerate_unchecked(&ce, &n_ce);
        if (k < 0)
                return k;

        for (size_t i = 0; i < n_ce; i++) {
                ConfigSetEntry *e = config_set_add(s);
                if (!e) {
                        k = -ENOMEM;
                        goto finish;
                }
                /* The strings move into the set: config_entries_free() skips NULLs. */
                e->name = TAKE_PTR(ce[i].name);
                if (ce[i].path[0] == '/')
                        e->path = TAKE_PTR(ce[i].path);
                else {
                        k = make_absolute(ce[i].path, &e->path);
                        if (k < 0)
                                goto finish;
                }
                e->checked = true;
                if (ce[i].masked) {
                        e->state = CONFIG_MASKED;
                        report(s, LOG_DEBUG, e, NULL, "%s is masked, skipping.", e->path);
                        continue;
                }
                /* NAME is the file's: config_load_file() checks it. */
                bad += entry_load(s, e, e->name, LOAD_SEARCH_PATH);
        }
        k = bad;
        config_set_sort(s);
        s->whole_search_path = true;
finish:
        config_entries_free(ce, n_ce);
        return k;
}

/* NAME from ".../NAME.json", for the set only: the config library decides whether the
 * file name is acceptable and says so when it is not. */
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

/* Adds, quietly, every container the valid entries name as a dependency and the set
 * does not know yet, until nothing new turns up. */
static int config_set_close_over_dependencies(ConfigSet *s) {
        for (;;) {
                _cleanup_strv_free_ char **wanted = NULL;
                size_t n = s->n;

                config_set_sort(s);
                for (size_t i = 0; i < n; i++) {
                        const Config *c = s->entries[i].config;
                        if (!c)
                                continue;
                        char *const *lists[] = {c->after, c->requires, c->wants};
                        for (size_t j = 0; j < ELEMENTSOF(lists); j++)
                                STRV_FOREACH (d, lists[j])
                                        if (config_set_find(s, *d) < 0 && !strv_contains(wanted, *d) &&
                                            strv_extend(&wanted, *d) < 0)
                                                return -ENOMEM;
                }
                if (!wanted)
                        return 0;

                STRV_FOREACH (d, wanted) {
                        _cleanup_free_ char *path = NULL;
                        ConfigSetEntry *e = config_set_add(s);
                        int k;

                        if (!e)
                                return -ENOMEM;
                        e->name = strdup(*d);
                        if (!e->name)
                                return -ENOMEM;

                        k = config_name_is_valid(*d) ? config_find(*d, &path) : -ENOENT;
                        if (k == -ERFKILL)
                                e->state = CONFIG_MASKED;
                        else if (k < 0)
                                e->state = CONFIG_MISSING;
                        else {
                                k = make_absolute(path, &e->path);
                                if (k < 0)
                                        return k;
                                (void)entry_load(s, e, *d, LOAD_QUIET);
                        }
                }
                /* Each round adds only names not seen before: this ends. */
        }
}

int config_set_load_files(ConfigSet *s, char *const *files) {
        int bad = 0, k;

        STRV_FOREACH (f, files) {
                ConfigSetEntry *e = config_set_add(s);
                if (!e)
                        return -ENOMEM;
                k = name_from_path(*f, &e->name);
                if (k >= 0)
                        k = make_absolute(*f, &e->path);
                if (k < 0)
                        return k;
                e->checked = true;
                bad += entry_load(s, e, NULL, LOAD_FILE);
        }

        /* Two FILEs for one NAME would be two drop-ins for one unit: the first one
         * given stays, the others leave the set (so lookups find the one). */
        config_set_sort(s);
        size_t kept = 0;
        for (size_t i = 0; i < s->n; i++) {
                ConfigSetEntry *e = &s->entries[i];
                if (kept > 0 && streq(s->entries[kept - 1].name, e->name)) {
                        report(s, LOG_ERR, e, NULL,
                               "%s: container '%s' is already defined by %s, ignoring this file", e->path,
                               e->name, s->entries[kept - 1].path);
                        entry_done(e);
                        bad++;
                        continue;
                }
                s->entries[kept++] = *e;
        }
        s->n = kept;

        k = config_set_close_over_dependencies(s);
        if (k < 0)
                return k;
        return bad;
}

#define WHY_NO_CONFIG "has no config file"
#define WHY_MASKED    "is masked"
#define WHY_INVALID   "has an invalid config"

int config_dependency_find(const char *name, const char **ret_why) {
        _cleanup_free_ char *path = NULL, *error = NULL;
        Config *c = NULL;
        int r = config_name_is_valid(name) ? config_find(name, &path) : -ENOENT;

        if (r >= 0) {
                /* What daemon-reload would make of it: the generator writes no unit for
                 * a config that does not load. */
                r = config_load_file(path, name, &c, &error);
                config_free(c);
                if (r == -ENOMEM)
                        return r;
                if (r < 0 && r != -ERFKILL) {
                        *ret_why = WHY_INVALID;
                        return 1;
                }
        }
        if (r == -ERFKILL)
                *ret_why = WHY_MASKED;
        else if (r == -ENOENT)
                *ret_why = WHY_NO_CONFIG;
        else
                return r == -ENOMEM ? r : 0;
        return 1;
}

int config_requires_missing(const Config *config, char **ret_text) {
        size_t k = 0;

        STRV_FOREACH (d, config->requires) {
                const char *why;
                int r = config_dependency_find(*d, &why);
                if (r < 0)
                        return r;
                if (r > 0) {
                        if (asprintf(ret_text, "requires[%zu]: container '%s' %s", k, *d, why) < 0)
                                return -ENOMEM;
                        return 1;
                }
                k++;
        }
        return 0;
}

/* Resolves the dependencies of one valid entry to indexes, reporting each one that names
 * a container without a valid config: its unit will fail to start (Requires=), Wants=
 * pulls nothing in, or the ordering is void (After=). Returns the number of errors. */
static int entry_resolve(ConfigSet *s, size_t idx) {
        ConfigSetEntry *e = &s->entries[idx];
        const Config *c = e->config;
        const struct {
                const char *key;
                char *const *names;
        } lists[] = {
                {"after", c->after},
                {"requires", c->requires},
                {"wants", c->wants},
        };
        size_t n = 0;
        int errors = 0;

        for (size_t j = 0; j < ELEMENTSOF(lists); j++)
                n += strv_length(lists[j].names);
        if (n == 0)
                return 0;
        e->edges = reallocarray(NULL, n, sizeof(size_t));
        if (!e->edges)
                return -ENOMEM;

        for (size_t j = 0; j < ELEMENTSOF(lists); j++) {
                size_t k = 0;
                STRV_FOREACH (d, lists[j].names) {
                        ssize_t t = config_set_find(s, *d);
                        const char *why = NULL;

                        if (t < 0 || s->entries[t].state == CONFIG_MISSING)
                                why = WHY_NO_CONFIG;
                        else if (s->entries[t].state == CONFIG_MASKED)
                                why = WHY_MASKED;
                        else if (s->entries[t].state == CONFIG_INVALID)
                                why = WHY_INVALID;
                        else
                                e->edges[e->n_edges++] = (size_t)t;

                        /* Requires= on a container without a valid config fails the start:
                         * an error. After= and Wants= on one are void: a warning. */
                        if (why && e->checked) {
                                bool required = lists[j].names == c->requires;
                                report(s, required ? LOG_ERR : LOG_WARNING, e, entry_file(e),
                                       "%s[%zu]: container '%s' %s", lists[j].key, k, *d, why);
                                if (required)
                                        errors++;
                        }
                        k++;
                }
        }
        return errors;
}

static void report_cycle(const ConfigSet *s, const size_t *stack, size_t from, size_t to) {
        char buf[CYCLE_NAMES_MAX * (CONFIG_NAME_MAX + 4) + 64];
        size_t n = to - from, len = 0;

        /* stack[from..to) is the path; it closes back at stack[from]. */
        for (size_t i = from; i <= to; i++) {
                const char *name = s->entries[stack[i < to ? i : from]].name;
                if (n > CYCLE_NAMES_MAX && i == from + CYCLE_NAMES_MAX - 1) {
                        len += (size_t)snprintf(buf + len, sizeof(buf) - len, " -> ...(%zu more)",
                                                n - (CYCLE_NAMES_MAX - 1));
                        i = to - 1;
                        continue;
                }
                len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i == from ? "" : " -> ", name);
        }
        report(s, LOG_ERR, NULL, NULL,
               "Ordering cycle among containers: %s (each after the next); their units are written as "
               "configured, and systemd will break the cycle or refuse to start them",
               buf);
}

/* Depth-first search with an explicit stack (a chain of 10,000 containers must not
 * exhaust ours); a back edge to a container on the current path is a cycle. Every
 * edge is looked at once: linear in containers plus dependencies. */
static int find_cycles(const ConfigSet *s) {
        _cleanup_free_ unsigned char *color = NULL; /* 0 unvisited, 1 on the path, 2 done */
        _cleanup_free_ size_t *stack = NULL, *next = NULL, *pos = NULL;
        int cycles = 0;

        if (s->n == 0)
                return 0;
        color = calloc(s->n, 1);
        stack = reallocarray(NULL, s->n, sizeof(size_t));
        next = reallocarray(NULL, s->n, sizeof(size_t)); /* per stack slot: next edge */
        pos = reallocarray(NULL, s->n, sizeof(size_t));  /* per entry: its stack slot */
        if (!color || !stack || !next || !pos)
                return -ENOMEM;

        for (size_t root = 0; root < s->n; root++) {
                size_t sp = 0;

                if (color[root] || s->entries[root].state != CONFIG_VALID)
                        continue;
                color[root] = 1;
                pos[root] = 0;
                stack[sp] = root;
                next[sp++] = 0;

                while (sp > 0) {
                        const ConfigSetEntry *u = &s->entries[stack[sp - 1]];

                        if (next[sp - 1] >= u->n_edges) {
                                color[stack[--sp]] = 2;
                                continue;
                        }
                        size_t v = u->edges[next[sp - 1]++];
                        if (color[v] == 0) {
                                color[v] = 1;
                                pos[v] = sp;
                                stack[sp] = v;
                                next[sp++] = 0;
                        } else if (color[v] == 1) {
                                report_cycle(s, stack, pos[v], sp);
                                cycles++;
                        }
                }
        }
        return cycles;
}

int config_set_check_dependencies(ConfigSet *s) {
        int errors = 0, k;

        config_set_sort(s);
        for (size_t i = 0; i < s->n; i++) {
                if (s->entries[i].state != CONFIG_VALID)
                        continue;
                k = entry_resolve(s, i);
                if (k < 0)
                        return k;
                errors += k;
        }
        k = find_cycles(s);
        if (k < 0)
                return k;
        return errors + k;
}

/* ---- published host ports --------------------------------------------------------------- */

typedef struct Published {
        size_t entry, index; /* s->entries[entry].config->network.publish[index] */
        PortSpec spec;
} Published;

static int published_cmp(const void *a, const void *b) {
        const Published *x = a, *y = b;

        if (x->spec.protocol != y->spec.protocol)
                return x->spec.protocol < y->spec.protocol ? -1 : 1;
        if (x->spec.host_port_first != y->spec.host_port_first)
                return x->spec.host_port_first < y->spec.host_port_first ? -1 : 1;
        return x->entry < y->entry ? -1 : x->entry > y->entry;
}

/* The configs on the search path that the set has not loaded (FILEs were given): their
 * ports count too, since they may run. */
static int config_set_load_rest_quietly(ConfigSet *s) {
        ConfigEntry *ce = NULL;
        size_t n_ce = 0;
        int k;

        k = config_enumerate_unchecked(&ce, &n_ce);
        if (k < 0)
                return k == -ENOMEM ? k : 0; /* nothing more to compare with */
        config_set_sort(s);
        size_t n = s->n;
        for (size_t i = 0; i < n_ce; i++) {
                ConfigSetEntry *e;

                if (ce[i].masked || config_set_find_first(s, n, ce[i].name) >= 0)
                        continue;
                e = config_set_add(s);
                if (!e) {
                        k = -ENOMEM;
                        break;
                }
                e->name = TAKE_PTR(ce[i].name);
                k = make_absolute(ce[i].path, &e->path);
                if (k < 0)
                        break;
                (void)entry_load(s, e, e->name, LOAD_QUIET);
        }
        config_entries_free(ce, n_ce);
        config_set_sort(s);
        return k < 0 ? k : 0;
}

/* "Host port [ADDRESS:]PORT/PROTO": the first port a and b share, at a's address. */
static void published_port_name(const PortSpec *a, const PortSpec *b, char *buf, size_t size) {
        char addr[INET6_ADDRSTRLEN] = "";
        bool v6 = a->host_address.family == AF_INET6;

        if (a->host_address.family != 0)
                in_addr_to_string(&a->host_address, addr);
        snprintf(buf, size, "Host port %s%s%s%s%u/%s", v6 ? "[" : "", addr, v6 ? "]" : "",
                 addr[0] ? ":" : "", (unsigned)MAX(a->host_port_first, b->host_port_first),
                 a->protocol == IPPROTO_UDP ? "udp" : "tcp");
}

static void report_port_clash(const ConfigSet *s, const Published *a, const Published *b) {
        const ConfigSetEntry *ea = &s->entries[a->entry], *eb = &s->entries[b->entry];
        char port[INET6_ADDRSTRLEN + 32];
        bool both_at_boot = ea->config->autostart && eb->config->autostart;

        if (!ea->checked)
                return;
        /* The sidecar refuses the second start while the first runs, in these words:
         * "Host port 8080/tcp is published by the running container 'web'". */
        published_port_name(&a->spec, &b->spec, port, sizeof(port));
        report(s, both_at_boot ? LOG_ERR : LOG_WARNING, ea, entry_file(ea),
               "network.publish[%zu]: %s is published by the container '%s' too (%s): %s", a->index, port,
               eb->name, eb->path,
               both_at_boot ? "both start at boot (autostart), and the one started second fails"
                            : "the one started second fails while the other runs");
}

int config_set_check_ports(ConfigSet *s) {
        _cleanup_free_ Published *list = NULL;
        size_t n = 0, allocated = 0;
        bool any_checked = false;
        int errors = 0, k;

        for (size_t i = 0; i < s->n && !any_checked; i++)
                any_checked = s->entries[i].checked && s->entries[i].state == CONFIG_VALID &&
                              s->entries[i].config->network.mode == NETWORK_VETH &&
                              s->entries[i].config->network.publish;
        if (!any_checked)
                return 0;
        if (!s->whole_search_path) {
                k = config_set_load_rest_quietly(s);
                if (k < 0)
                        return k;
        }

        for (size_t i = 0; i < s->n; i++) {
                const ConfigSetEntry *e = &s->entries[i];
                size_t j = 0;

                if (e->state != CONFIG_VALID || e->config->network.mode != NETWORK_VETH)
                        continue;
                STRV_FOREACH (p, e->config->network.publish) {
                        if (n >= allocated) {
                                Published *l = reallocarray(list, MAX(allocated * 2, (size_t)64),
                                                            sizeof(Published));
                                if (!l)
                                        return -ENOMEM;
                                list = l;
                                allocated = MAX(allocated * 2, (size_t)64);
                        }
                        /* Canonical already (lib/config-network.c): it parses. */
                        if (port_spec_parse(*p, &list[n].spec, NULL) >= 0) {
                                list[n].entry = i;
                                list[n++].index = j;
                        }
                        j++;
                }
        }
        if (n < 2)
                return 0;
        qsort(list, n, sizeof(Published), published_cmp);

        /* Sorted by protocol and first port: whatever a spec shares ports with starts
         * before its last port ends. */
        for (size_t i = 0; i < n; i++)
                for (size_t j = i + 1; j < n && list[j].spec.protocol == list[i].spec.protocol &&
                                       list[j].spec.host_port_first <= list[i].spec.host_port_last;
                     j++) {
                        if (list[i].entry == list[j].entry ||
                            !port_spec_conflict(&list[i].spec, &list[j].spec))
                                continue;
                        report_port_clash(s, &list[i], &list[j]);
                        report_port_clash(s, &list[j], &list[i]);
                        if (s->entries[list[i].entry].config->autostart &&
                            s->entries[list[j].entry].config->autostart)
                                errors += s->entries[list[i].entry].checked +
                                          s->entries[list[j].entry].checked;
                }
        return errors;
}
