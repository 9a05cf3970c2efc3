/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "generator.h"
#include "log.h"
#include "strv.h"

#define CYCLE_NAMES_MAX 32 /* a longer cycle is shortened in the message */

static const char *file_name(const Entry *e) {
        const char *s = e->path ? strrchr(e->path, '/') : NULL;
        return s ? s + 1 : e->name;
}

/* Resolves the dependencies of one valid entry to registry indexes, warning about
 * each one that names a container without a valid config: its unit will fail to
 * start (Requires=, Wants= pulls nothing in), or the ordering is void (After=). */
static int entry_resolve(Registry *r, size_t idx) {
        Entry *e = &r->entries[idx];
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
                        ssize_t t = registry_find(r, *d);
                        const char *why = NULL;

                        /* registry_find() may have to look past e: e stays valid, the
                         * array is not resized here. */
                        if (t < 0 || r->entries[t].state == ENTRY_MISSING)
                                why = "has no config file";
                        else if (r->entries[t].state == ENTRY_MASKED)
                                why = "is masked";
                        else if (r->entries[t].state == ENTRY_INVALID)
                                why = "has an invalid config";
                        else
                                e->edges[e->n_edges++] = (size_t)t;

                        if (why && e->emit)
                                log_warning("%s: %s[%zu]: container '%s' %s", file_name(e), lists[j].key, k,
                                            *d, why);
                        k++;
                }
        }
        return 0;
}

static void report_cycle(const Registry *r, const size_t *stack, size_t from, size_t to) {
        char buf[CYCLE_NAMES_MAX * (CONFIG_NAME_MAX + 4) + 64];
        size_t n = to - from, len = 0;

        /* stack[from..to) is the path; it closes back at stack[from]. */
        for (size_t i = from; i <= to; i++) {
                const char *name = r->entries[stack[i < to ? i : from]].name;
                if (n > CYCLE_NAMES_MAX && i == from + CYCLE_NAMES_MAX - 1) {
                        len += (size_t)snprintf(buf + len, sizeof(buf) - len, " -> ...(%zu more)",
                                                n - (CYCLE_NAMES_MAX - 1));
                        i = to - 1;
                        continue;
                }
                len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i == from ? "" : " -> ", name);
        }
        log_error("Ordering cycle among containers: %s (each after the next); their units are written as "
                  "configured, and systemd will break the cycle or refuse to start them",
                  buf);
}

/* Depth-first search with an explicit stack (a chain of 10,000 containers must not
 * exhaust ours); a back edge to a container on the current path is a cycle. Every
 * edge is looked at once: linear in containers plus dependencies. */
static int find_cycles(const Registry *r) {
        _cleanup_free_ unsigned char *color = NULL; /* 0 unvisited, 1 on the path, 2 done */
        _cleanup_free_ size_t *stack = NULL, *next = NULL, *pos = NULL;
        int cycles = 0;

        if (r->n == 0)
                return 0;
        color = calloc(r->n, 1);
        stack = reallocarray(NULL, r->n, sizeof(size_t));
        next = reallocarray(NULL, r->n, sizeof(size_t)); /* per stack slot: next edge */
        pos = reallocarray(NULL, r->n, sizeof(size_t));  /* per entry: its stack slot */
        if (!color || !stack || !next || !pos)
                return -ENOMEM;

        for (size_t root = 0; root < r->n; root++) {
                size_t sp = 0;

                if (color[root] || r->entries[root].state != ENTRY_VALID)
                        continue;
                color[root] = 1;
                pos[root] = 0;
                stack[sp] = root;
                next[sp++] = 0;

                while (sp > 0) {
                        const Entry *u = &r->entries[stack[sp - 1]];

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
                                report_cycle(r, stack, pos[v], sp);
                                cycles++;
                        }
                }
        }
        return cycles;
}

int deps_check(Registry *r) {
        int k;

        for (size_t i = 0; i < r->n; i++) {
                if (r->entries[i].state != ENTRY_VALID)
                        continue;
                k = entry_resolve(r, i);
                if (k < 0)
                        return log_oom();
        }
        k = find_cycles(r);
        if (k < 0)
                return log_oom();
        return k;
}
