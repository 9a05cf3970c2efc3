/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sidecar's allocators as a sequence of calls chosen by the input: uid ranges
 * (uid_range_acquire), addresses (pool_acquire, pool_claim) and host interface names
 * (veth_host_ifname), against a pool, host users and "which containers are up"
 * chosen by the input too. These are the calls a container's unit can make over the
 * bus with any NAME and values it likes. After every call the state must be
 * consistent and must survive the state file (format, parse, equal); each answer
 * must be one the API promises. */

#include <errno.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"
#include "ifname.h"
#include "sidecar.h"

typedef struct Input {
        const uint8_t *data;
        size_t size;
} Input;

static uint8_t next_u8(Input *in) {
        if (in->size == 0)
                return 0;
        in->size--;
        return *in->data++;
}

static uint32_t next_u32(Input *in) {
        uint32_t v = 0;
        for (unsigned i = 0; i < 4; i++)
                v = v << 8 | next_u8(in);
        return v;
}

/* Valid NAMEs only: the bus methods refuse the others before any allocator runs. The
 * list holds the edge cases: maximum length, and names that share the five
 * characters a hashed interface name keeps. */
static const char *const names[] = {
        "web",
        "db",
        "a",
        "web.1",
        "web-2",
        "container-with-a-long-name",
        "container-with-a-long-other",
        "0123456789012345678901234567890123456789012345678901234567890123",
        "0123456789012345678901234567890123456789012345678901234567890124",
        "abcdefghijk",
        "abcdefghijkl",
        "9x",
};

typedef struct World {
        uint32_t active; /* bit i: names[i] has its network up */
} World;

static bool is_active(const char *name, void *userdata) {
        const World *w = userdata;
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (streq(names[i], name))
                        return w->active & (1U << i);
        return false;
}

static void check_consistent(const State *s) {
        for (size_t i = 0; i < s->n_entries; i++) {
                const Entry *a = &s->entries[i];

                if (a->uid_size != 0) {
                        fuzz_check(a->uid_base % SIDECAR_RANGE_ALIGN == 0 &&
                                   a->uid_size % SIDECAR_RANGE_ALIGN == 0);
                        fuzz_check(a->uid_size <= SIDECAR_RANGE_SIZE_MAX);
                        fuzz_check(a->uid_base >= UID_RANGE_FIRST);
                        fuzz_check(a->uid_size - 1 <= UID_RANGE_LAST - a->uid_base);
                }
                for (size_t j = i + 1; j < s->n_entries; j++) {
                        const Entry *b = &s->entries[j];

                        fuzz_check(!streq(a->name, b->name));
                        if (a->address != 0)
                                fuzz_check(a->address != b->address);
                        if (a->uid_size != 0 && b->uid_size != 0)
                                fuzz_check(a->uid_base + (a->uid_size - 1) < b->uid_base ||
                                           b->uid_base + (b->uid_size - 1) < a->uid_base);
                }
        }
}

/* What the sidecar writes after every change must read back the same. */
static void check_round_trip(const State *s) {
        _cleanup_free_ char *text = NULL, *error = NULL;
        State t = {};
        size_t n_bad = 0;

        fuzz_check(state_format(s, &text) >= 0);
        fuzz_check(state_parse(text, &t, &n_bad, &error) >= 0);
        if (n_bad != 0)
                fprintf(stderr, "state file refused: %s\n%s", error, text);
        fuzz_check(n_bad == 0);
        fuzz_check(state_equal(s, &t));
        state_done(&t);
}

static void op_range(State *s, const IdSet *host, const char *name, uint32_t size) {
        const Entry *before = state_find(s, name);
        uint32_t old_base = before ? before->uid_base : 0, old_size = before ? before->uid_size : 0;
        uint32_t base = 0, got = 0;
        bool changed = false;
        int r;

        r = uid_range_acquire(s, name, size, host, &base, &got, &changed);
        if (size != 0 && (size % SIDECAR_RANGE_ALIGN != 0 || size > SIDECAR_RANGE_SIZE_MAX)) {
                fuzz_check(r == -EINVAL);
                return;
        }
        if (r == -EBUSY) {
                /* Only a range that exists and must grow can fail this way. */
                fuzz_check(old_size != 0 && old_size < (size ?: SIDECAR_RANGE_ALIGN));
                return;
        }
        if (r == -ENOSPC)
                return;
        fuzz_check(r == 0);
        fuzz_check(got == (size ?: SIDECAR_RANGE_ALIGN));
        fuzz_check(base % SIDECAR_RANGE_ALIGN == 0 && base >= UID_RANGE_FIRST);
        fuzz_check(got - 1 <= UID_RANGE_LAST - base);
        /* A range never moves: files on disk belong to it. */
        if (old_size != 0)
                fuzz_check(base == old_base);
        const Entry *e = state_find(s, name);
        fuzz_check(e && e->uid_base == base && e->uid_size >= got);
        fuzz_check(changed == (old_size != e->uid_size));
        /* New ids never collide with the host's users and groups. */
        if (changed)
                fuzz_check(!idset_overlaps(host, base + old_size, base + (e->uid_size - 1)));
}

static void op_address(State *s, const Pool *p, World *w, const char *name) {
        uint32_t a = 0;
        bool changed = false;
        int r;

        r = pool_acquire(s, p, name, is_active, w, &a, &changed);
        if (r == -ENOSPC) {
                /* Only when every address is held by another container that is up. */
                uint32_t count = (uint32_t)((1ULL << (32 - p->prefixlen)) - 3);
                if (count <= 64)
                        for (uint32_t i = 0; i < count; i++) {
                                uint32_t x = p->network + 2 + i;
                                bool held = false;
                                for (size_t k = 0; k < s->n_entries; k++)
                                        if (s->entries[k].address == x && !streq(s->entries[k].name, name) &&
                                            is_active(s->entries[k].name, w))
                                                held = true;
                                fuzz_check(held);
                        }
                return;
        }
        fuzz_check(r == 0);
        fuzz_check(pool_contains(p, a));
        const Entry *e = state_find(s, name);
        fuzz_check(e && e->address == a);
}

static void op_claim(State *s, World *w, const char *name, uint32_t address) {
        bool changed = false;
        int r;

        if (address == 0)
                return; /* 0 means "no reservation"; the bus answers "auto" before */
        r = pool_claim(s, name, address, is_active, w, &changed);
        if (r == -EADDRINUSE) {
                bool found = false;
                for (size_t k = 0; k < s->n_entries; k++)
                        if (s->entries[k].address == address) {
                                fuzz_check(!streq(s->entries[k].name, name));
                                fuzz_check(is_active(s->entries[k].name, w));
                                found = true;
                        }
                fuzz_check(found);
                return;
        }
        fuzz_check(r == 0);
        const Entry *e = state_find(s, name);
        fuzz_check(e && e->address == address);
}

static void op_ifname(const char *name, unsigned attempt) {
        char ifname[IFNAMSIZ];

        memset(ifname, 'Z', sizeof(ifname));
        veth_host_ifname(name, attempt, ifname);
        fuzz_check(memchr(ifname, 0, sizeof(ifname)));
        fuzz_check(ifname_is_valid(ifname));
        fuzz_check(strncmp(ifname, VETH_IFNAME_PREFIX, STRLEN(VETH_IFNAME_PREFIX)) == 0);
        if (attempt == 0 && strlen(name) <= IFNAMSIZ - 1 - STRLEN(VETH_IFNAME_PREFIX))
                fuzz_check(streq(ifname + STRLEN(VETH_IFNAME_PREFIX), name));
        /* Different NAMEs must not get the same short name in the common case. */
        if (attempt == 0 && !streq(name, names[0])) {
                char other[IFNAMSIZ];
                veth_host_ifname(names[0], 0, other);
                fuzz_check(!streq(ifname, other));
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        Input in = {data, size};
        State s = {};
        IdSet host = {};
        World w = {};
        Pool pool;
        unsigned n_ops = 0;

        /* The pool: any legal network, small ones often (full pools are the edge). */
        uint8_t b = next_u8(&in);
        unsigned prefixlen = b & 1 ? 26 + b / 2 % 5 : 8 + b / 2 % 23;
        uint32_t net = next_u32(&in) & (UINT32_MAX << (32 - prefixlen));
        pool = (Pool){.network = net, .prefixlen = prefixlen};

        /* The host's users and groups: a few ids, near the slots the hints pick. */
        for (unsigned i = next_u8(&in) % 16; i > 0; i--)
                (void)idset_add(&host, UID_RANGE_FIRST + next_u32(&in) % (UID_RANGE_LAST - UID_RANGE_FIRST));
        idset_sort(&host);

        while (in.size > 0 && n_ops++ < 256) {
                uint8_t op = next_u8(&in);
                const char *name = names[next_u8(&in) % ELEMENTSOF(names)];

                switch (op % 6) {
                case 0:
                        op_range(&s, &host, name, (uint32_t)(next_u8(&in) % 20) * SIDECAR_RANGE_ALIGN);
                        break;
                case 1:
                        op_range(&s, &host, name, next_u32(&in));
                        break;
                case 2:
                        op_address(&s, &pool, &w, name);
                        break;
                case 3: {
                        /* Mostly inside the pool, sometimes anywhere. */
                        uint32_t a = next_u32(&in);
                        if (a & 1)
                                a = pool.network + 2 + (a >> 1) % ((uint32_t)(1ULL << (32 - prefixlen)) - 3);
                        op_claim(&s, &w, name, a);
                        break;
                }
                case 4:
                        w.active = next_u32(&in);
                        break;
                case 5:
                        op_ifname(name, next_u8(&in) % 4);
                        break;
                }
                check_consistent(&s);
                /* Formatting is the slow part (open_memstream under ASan): a state that
                 * does not survive the file usually still does not a few calls later. */
                if (n_ops % 16 == 0)
                        check_round_trip(&s);
        }
        check_round_trip(&s);

        state_done(&s);
        idset_done(&host);
        return 0;
}
