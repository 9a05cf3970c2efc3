/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "config.h"
#include "sidecar.h"

/* The state file, one fact per line, sorted by NAME:
 *
 *     range NAME BASE SIZE        (decimal)
 *     address NAME A.B.C.D
 *     address6 NAME IPV6-ADDRESS
 *
 * A line-based format so that one damaged line costs only that line: every good line
 * is kept (the caller keeps the damaged file aside for the administrator). */

void state_done(State *s) {
        assert(s);
        for (size_t i = 0; i < s->n_entries; i++)
                free(s->entries[i].name);
        free(s->entries);
        *s = (State){};
}

Entry *state_find(const State *s, const char *name) {
        assert(s && name);
        for (size_t i = 0; i < s->n_entries; i++)
                if (streq(s->entries[i].name, name))
                        return &s->entries[i];
        return NULL;
}

int state_get(State *s, const char *name, Entry **ret) {
        Entry *e, *n;
        char *copy;

        assert(s && name && ret);

        e = state_find(s, name);
        if (e) {
                *ret = e;
                return 0;
        }
        copy = strdup(name);
        if (!copy)
                return -ENOMEM;
        n = reallocarray(s->entries, s->n_entries + 1, sizeof(Entry));
        if (!n) {
                free(copy);
                return -ENOMEM;
        }
        s->entries = n;
        e = &s->entries[s->n_entries++];
        *e = (Entry){.name = copy};
        *ret = e;
        return 0;
}

/* Entry by entry, without looking names up (they are unique in s): every call that
 * may change the state copies it first, and a lookup per entry made that quadratic
 * (125,000 string compares per call with 500 containers). */
int state_copy(const State *s, State *ret) {
        State c = {};

        assert(s && ret);
        if (s->n_entries > 0) {
                c.entries = calloc(s->n_entries, sizeof(Entry));
                if (!c.entries)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < s->n_entries; i++) {
                c.entries[i] = s->entries[i];
                c.entries[i].name = strdup(s->entries[i].name);
                if (!c.entries[i].name) {
                        state_done(&c);
                        return -ENOMEM;
                }
                c.n_entries++;
        }
        *ret = c;
        return 0;
}

bool entry_is_empty(const Entry *e) {
        return e->uid_size == 0 && e->address == 0 && e->address6.family == 0;
}

bool state_equal(const State *a, const State *b) {
        size_t na = 0, nb = 0;

        /* Empty entries (neither range nor address) do not count. */
        for (size_t i = 0; i < a->n_entries; i++) {
                const Entry *x = &a->entries[i], *y;
                if (entry_is_empty(x))
                        continue;
                na++;
                y = state_find(b, x->name);
                if (!y || y->uid_base != x->uid_base || y->uid_size != x->uid_size ||
                    y->address != x->address || y->address6.family != x->address6.family ||
                    (x->address6.family != 0 && !in_addr_equal(&x->address6, &y->address6)))
                        return false;
        }
        for (size_t i = 0; i < b->n_entries; i++)
                if (!entry_is_empty(&b->entries[i]))
                        nb++;
        return na == nb;
}

_printf_(4, 5) static int bad_line(size_t *n_bad, char **error, unsigned line, const char *fmt, ...) {
        va_list ap;

        (*n_bad)++;
        if (*error)
                return 0;

        char text[512];
        va_start(ap, fmt);
        vsnprintf(text, sizeof(text), fmt, ap);
        va_end(ap);
        if (asprintf(error, "line %u: %s", line, text) < 0) {
                *error = NULL;
                return -ENOMEM;
        }
        return 0;
}

static int parse_u32(const char *s, uint32_t *ret) {
        unsigned long long v;
        char *end = NULL;

        if (isempty(s) || *s == '-' || *s == '+')
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 0);
        if (errno != 0 || !end || *end || v > UINT32_MAX)
                return -EINVAL;
        *ret = (uint32_t)v;
        return 0;
}

static bool range_overlaps(const State *s, const char *except, uint32_t base, uint32_t size) {
        for (size_t i = 0; i < s->n_entries; i++) {
                const Entry *e = &s->entries[i];
                if (e->uid_size == 0 || streq(e->name, except))
                        continue;
                if (base < e->uid_base + e->uid_size && e->uid_base < base + size)
                        return true;
        }
        return false;
}

static const Entry *address_holder(const State *s, uint32_t a) {
        for (size_t i = 0; i < s->n_entries; i++)
                if (s->entries[i].address == a)
                        return &s->entries[i];
        return NULL;
}

static const Entry *address6_holder(const State *s, const InAddr *a) {
        for (size_t i = 0; i < s->n_entries; i++)
                if (s->entries[i].address6.family != 0 && in_addr_equal(&s->entries[i].address6, a))
                        return &s->entries[i];
        return NULL;
}

static int parse_line(State *s, char *line, unsigned no, size_t *n_bad, char **error) {
        char *words[5] = {};
        size_t n = 0;
        Entry *e;
        int r;

        line += strspn(line, " \t");
        if (*line == '#' || *line == 0)
                return 0;
        for (char *w = strtok(line, " \t"); w; w = strtok(NULL, " \t")) {
                if (n == ELEMENTSOF(words))
                        return bad_line(n_bad, error, no, "too many fields");
                words[n++] = w;
        }

        if (streq(words[0], "range")) {
                uint32_t base, size;

                if (n != 4)
                        return bad_line(n_bad, error, no, "expected 'range NAME BASE SIZE'");
                if (!config_name_is_valid(words[1]))
                        return bad_line(n_bad, error, no, "invalid container name '%s'", words[1]);
                if (parse_u32(words[2], &base) < 0 || parse_u32(words[3], &size) < 0)
                        return bad_line(n_bad, error, no, "BASE and SIZE must be numbers");
                if (size == 0 || size % SIDECAR_RANGE_ALIGN != 0 || size > SIDECAR_RANGE_SIZE_MAX ||
                    base % SIDECAR_RANGE_ALIGN != 0 || base < UID_RANGE_FIRST || base > UID_RANGE_LAST ||
                    size - 1 > UID_RANGE_LAST - base)
                        return bad_line(n_bad, error, no,
                                        "range %s+%s is not 64K-aligned inside 0x%08x-0x%08x", words[2],
                                        words[3], UID_RANGE_FIRST, UID_RANGE_LAST);
                e = state_find(s, words[1]);
                if (e && e->uid_size != 0)
                        return bad_line(n_bad, error, no, "a second range for '%s'", words[1]);
                if (range_overlaps(s, words[1], base, size))
                        return bad_line(n_bad, error, no, "range of '%s' overlaps another container's",
                                        words[1]);
                r = state_get(s, words[1], &e);
                if (r < 0)
                        return r;
                e->uid_base = base;
                e->uid_size = size;
                return 0;
        }

        if (streq(words[0], "address")) {
                InAddr addr;
                uint32_t a = 0;

                if (n != 3)
                        return bad_line(n_bad, error, no, "expected 'address NAME A.B.C.D'");
                if (!config_name_is_valid(words[1]))
                        return bad_line(n_bad, error, no, "invalid container name '%s'", words[1]);
                if (in_addr_parse(words[2], &addr) >= 0 && addr.family == AF_INET)
                        a = in_addr_ipv4(&addr);
                if (a == 0)
                        return bad_line(n_bad, error, no, "'%s' is not an IPv4 address", words[2]);
                e = state_find(s, words[1]);
                if (e && e->address != 0)
                        return bad_line(n_bad, error, no, "a second address for '%s'", words[1]);
                if (address_holder(s, a))
                        return bad_line(n_bad, error, no, "address %s is reserved twice", words[2]);
                r = state_get(s, words[1], &e);
                if (r < 0)
                        return r;
                e->address = a;
                return 0;
        }

        if (streq(words[0], "address6")) {
                InAddr addr;

                if (n != 3)
                        return bad_line(n_bad, error, no, "expected 'address6 NAME IPV6-ADDRESS'");
                if (!config_name_is_valid(words[1]))
                        return bad_line(n_bad, error, no, "invalid container name '%s'", words[1]);
                if (in_addr_parse(words[2], &addr) < 0 || addr.family != AF_INET6 || in_addr_is_any(&addr))
                        return bad_line(n_bad, error, no, "'%s' is not an IPv6 address", words[2]);
                e = state_find(s, words[1]);
                if (e && e->address6.family != 0)
                        return bad_line(n_bad, error, no, "a second address6 for '%s'", words[1]);
                if (address6_holder(s, &addr))
                        return bad_line(n_bad, error, no, "address %s is reserved twice", words[2]);
                r = state_get(s, words[1], &e);
                if (r < 0)
                        return r;
                e->address6 = addr;
                return 0;
        }

        return bad_line(n_bad, error, no, "unknown record '%s'", words[0]);
}

int state_parse(const char *text, State *ret, size_t *ret_n_bad, char **ret_error) {
        _cleanup_free_ char *copy = NULL, *error = NULL;
        State s = {};
        size_t n_bad = 0;
        unsigned no = 0;
        int r;

        assert(text && ret);

        copy = strdup(text);
        if (!copy)
                return -ENOMEM;

        for (char *p = copy, *next; p; p = next) {
                next = strchr(p, '\n');
                if (next)
                        *next++ = 0;
                else if (*p == 0)
                        break;
                no++;
                r = parse_line(&s, p, no, &n_bad, &error);
                if (r < 0) {
                        state_done(&s);
                        return r;
                }
        }
        /* A file cut short (no final newline) is damage too: its last line may be partial. */
        if (*text && text[strlen(text) - 1] != '\n' && n_bad == 0) {
                n_bad++;
                if (asprintf(&error, "line %u: the file does not end with a newline (truncated?)", no) < 0)
                        error = NULL;
        }

        *ret = s;
        if (ret_n_bad)
                *ret_n_bad = n_bad;
        if (ret_error)
                *ret_error = TAKE_PTR(error);
        return 0;
}

static int entry_cmp(const void *a, const void *b) {
        return strcmp((*(const Entry *const *)a)->name, (*(const Entry *const *)b)->name);
}

int state_format(const State *s, char **ret) {
        _cleanup_free_ const Entry **sorted = NULL;
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f;

        assert(s && ret);

        sorted = calloc(s->n_entries + 1, sizeof(Entry *));
        if (!sorted)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_entries; i++)
                sorted[i] = &s->entries[i];
        qsort(sorted, s->n_entries, sizeof(Entry *), entry_cmp);

        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        fputs("# nscontain-sidecar state: uid ranges and address reservations, one per line.\n"
              "# Written atomically by the sidecar; see nscontain-sidecar(8).\n",
              f);
        for (size_t i = 0; i < s->n_entries; i++) {
                const Entry *e = sorted[i];
                char a[INET6_ADDRSTRLEN];

                if (e->uid_size != 0)
                        fprintf(f, "range %s %" PRIu32 " %" PRIu32 "\n", e->name, e->uid_base, e->uid_size);
                if (e->address != 0)
                        fprintf(f, "address %s %s\n", e->name, ipv4_format(e->address, a));
                if (e->address6.family != 0)
                        fprintf(f, "address6 %s %s\n", e->name, in_addr_to_string(&e->address6, a));
        }
        if (fclose(f) != 0)
                return -ENOMEM;
        *ret = TAKE_PTR(buf);
        return 0;
}
