/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sidecar.h"
#include "tests.h"

static void check_range(uint32_t base, uint32_t size) {
        ASSERT_EQ(base % SIDECAR_RANGE_ALIGN, 0);
        ASSERT(base >= UID_RANGE_FIRST);
        ASSERT((uint64_t)base + size - 1 <= UID_RANGE_LAST);
}

TEST(test_stable_and_distinct) {
        State s = {};
        IdSet none = {};
        uint32_t bases[200], b, z;
        bool changed;
        char name[32];

        for (unsigned i = 0; i < 200; i++) {
                snprintf(name, sizeof(name), "c%u", i);
                ASSERT_OK(uid_range_acquire(&s, name, 0, &none, &bases[i], &z, &changed));
                ASSERT(changed);
                ASSERT_EQ(z, 65536);
                check_range(bases[i], z);
                for (unsigned j = 0; j < i; j++)
                        ASSERT(bases[i] != bases[j]);
        }
        /* Same again, nothing changes. */
        for (unsigned i = 0; i < 200; i++) {
                snprintf(name, sizeof(name), "c%u", i);
                ASSERT_OK(uid_range_acquire(&s, name, 65536, &none, &b, &z, &changed));
                ASSERT(!changed);
                ASSERT_EQ(b, bases[i]);
        }
        /* A fresh state gives NAME the same start (hint from the name). */
        State fresh = {};
        ASSERT_OK(uid_range_acquire(&fresh, "c0", 0, &none, &b, &z, &changed));
        ASSERT_EQ(b, bases[0]);
        state_done(&fresh);
        state_done(&s);
}

TEST(test_skips_host_ids_and_others) {
        State s = {}, t = {};
        IdSet host = {};
        uint32_t b, b2, z;
        bool changed;

        /* Where "web" would go without obstacles. */
        ASSERT_OK(uid_range_acquire(&t, "web", 0, &host, &b, &z, &changed));
        /* A host user inside that range pushes it away. */
        ASSERT_OK(idset_add(&host, b + 1000));
        idset_sort(&host);
        ASSERT_OK(uid_range_acquire(&s, "web", 0, &host, &b2, &z, &changed));
        ASSERT(b2 != b);
        ASSERT(b + 1000 < b2 || b + 1000 > b2 + z - 1);
        check_range(b2, z);

        /* Another container in the way: "web" of t occupies b; a name that hashes
         * anywhere never overlaps it. */
        Entry *e;
        ASSERT_OK(state_get(&t, "other", &e));
        ASSERT_OK(uid_range_acquire(&t, "other", 16 * 65536, &host, &b2, &z, &changed));
        ASSERT(b2 + z <= b || b2 >= b + 65536);
        check_range(b2, z);
        idset_done(&host);
        state_done(&s);
        state_done(&t);
}

TEST(test_sizes) {
        State s = {};
        IdSet none = {};
        uint32_t b, b2, z;
        bool changed;

        ASSERT_EQ(uid_range_acquire(&s, "x", 1000, &none, &b, &z, &changed), -EINVAL);
        ASSERT_EQ(uid_range_acquire(&s, "x", 17 * 65536, &none, &b, &z, &changed), -EINVAL);
        ASSERT_OK(uid_range_acquire(&s, "x", 65536, &none, &b, &z, &changed));
        /* Grow in place when free; smaller requests get the start of it. */
        ASSERT_OK(uid_range_acquire(&s, "x", 2 * 65536, &none, &b2, &z, &changed));
        ASSERT(changed);
        ASSERT_EQ(b2, b);
        ASSERT_EQ(z, 2 * 65536);
        ASSERT_OK(uid_range_acquire(&s, "x", 65536, &none, &b2, &z, &changed));
        ASSERT(!changed);
        ASSERT_EQ(b2, b);
        ASSERT_EQ(z, 65536);
        /* Cannot grow over a neighbour. */
        Entry *e;
        ASSERT_OK(state_get(&s, "y", &e));
        e->uid_base = b + 2 * 65536;
        e->uid_size = 65536;
        ASSERT_EQ(uid_range_acquire(&s, "x", 3 * 65536, &none, &b2, &z, &changed), -EBUSY);
        state_done(&s);
}

TEST(test_idset) {
        IdSet s = {};
        ASSERT_OK(idset_add(&s, 5));
        ASSERT_OK(idset_add(&s, 1));
        ASSERT_OK(idset_add(&s, 5));
        ASSERT_OK(idset_add(&s, 100000));
        idset_sort(&s);
        ASSERT_EQ(s.n, 3);
        ASSERT(idset_overlaps(&s, 0, 1));
        ASSERT(!idset_overlaps(&s, 6, 99999));
        ASSERT(idset_overlaps(&s, 6, 100000));
        ASSERT(!idset_overlaps(&s, 100001, UINT32_MAX));
        idset_done(&s);

        /* The real host: root is always there. */
        ASSERT_OK(host_ids_collect(&s));
        ASSERT(idset_overlaps(&s, 0, 0));
        idset_done(&s);
}

/* A range another tool owns (/etc/subuid, systemd-nspawn, a running user namespace) is
 * never handed out: allocation probes past it. */
TEST(test_avoids_foreign_ranges) {
        State s = {};
        IdSet none = {}, foreign = {};
        uint32_t free_base, b, z;
        bool changed;

        /* Where "web" goes without anything in the way... */
        ASSERT_OK(uid_range_acquire(&s, "web", 0, &none, &free_base, &z, &changed));
        state_done(&s);
        s = (State){};
        /* ...claimed by a large subuid range around it. */
        ASSERT_OK(
                uid_range_list_add(&foreign.foreign, free_base - 0x100000, 0x400000, "/etc/subuid: alice"));
        ASSERT_OK(uid_range_acquire(&s, "web", 0, &foreign, &b, &z, &changed));
        ASSERT(b + (z - 1) < free_base - 0x100000 || b > free_base - 0x100000 + 0x400000 - 1);
        check_range(b, z);
        state_done(&s);
        idset_done(&foreign);
}
