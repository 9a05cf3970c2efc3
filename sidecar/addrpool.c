/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <string.h>

#include "sidecar.h"

char *ipv4_format(uint32_t a, char buf[static INET_ADDRSTRLEN]) {
        struct in_addr in = {.s_addr = htonl(a)};
        return (char *)inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}

/* Container addresses: everything between the gateway and the broadcast address. */
static uint32_t pool_first(const Pool *p) {
        return p->network + 2;
}
static uint32_t pool_count(const Pool *p) {
        return (uint32_t)((1ULL << (32 - p->prefixlen)) - 3);
}

bool pool_contains(const Pool *p, uint32_t a) {
        return a >= pool_first(p) && a - pool_first(p) < pool_count(p);
}

/* One allocator for both families: a lease is a key per entry (IPv4: the address;
 * IPv6: its offset in the pool, so that a changed Pool6= makes old leases void), and
 * the pool's container addresses are the keys key_first … key_first + count - 1. */
typedef struct Lease {
        const Pool *pool;   /* IPv4, or */
        const Pool6 *pool6; /* IPv6 */
        uint64_t first, count, salt;
} Lease;

static Lease lease4(const Pool *p) {
        return (Lease){.pool = p, .first = pool_first(p), .count = pool_count(p), .salt = 0x61646472};
}

/* Offset 0 is the subnet-router anycast address, 1 the gateway. */
static Lease lease6(const Pool6 *p) {
        return (Lease){.pool6 = p, .first = 2, .count = pool6_last(p) - 1, .salt = 0x6164647236};
}

static bool lease_get(const Lease *l, const Entry *e, uint64_t *ret) {
        if (l->pool) {
                *ret = e->address;
                return e->address != 0;
        }
        return e->address6.family == AF_INET6 && pool6_offset(l->pool6, &e->address6, ret) && *ret >= 2;
}

static void lease_set(const Lease *l, Entry *e, uint64_t key) {
        if (l->pool)
                e->address = (uint32_t)key;
        else
                e->address6 = pool6_address(l->pool6, key);
}

static void lease_clear(const Lease *l, Entry *e) {
        if (l->pool)
                e->address = 0;
        else
                e->address6 = (InAddr){};
}

static bool lease_in_pool(const Lease *l, uint64_t key) {
        return key >= l->first && key - l->first < l->count;
}

static Entry *holder(State *s, const Lease *l, uint64_t key) {
        for (size_t i = 0; i < s->n_entries; i++) {
                uint64_t k;
                if (lease_get(l, &s->entries[i], &k) && k == key)
                        return &s->entries[i];
        }
        return NULL;
}

static int assign(State *s, const Lease *l, const char *name, uint64_t key, uint64_t *ret,
                  bool *ret_changed) {
        Entry *e;
        int r;

        r = state_get(s, name, &e);
        if (r < 0)
                return r;
        lease_set(l, e, key);
        if (ret)
                *ret = key;
        if (ret_changed)
                *ret_changed = true;
        return 0;
}

static int lease_acquire(State *s, const Lease *l, const char *name, NameIsActive is_active, void *userdata,
                         uint64_t *ret_key, bool *ret_changed) {
        uint64_t hint, key;
        Entry *e;

        assert(s && name && ret_key);

        e = state_find(s, name);
        if (e && lease_get(l, e, &key) && lease_in_pool(l, key)) {
                *ret_key = key;
                if (ret_changed)
                        *ret_changed = false;
                return 0;
        }

        hint = name_hash(name, l->salt) % l->count;

        /* First choice: an address nobody ever had, so that every NAME keeps its own. */
        for (uint64_t i = 0; i < l->count; i++) {
                key = l->first + (hint + i) % l->count;
                if (!holder(s, l, key))
                        return assign(s, l, name, key, ret_key, ret_changed);
        }
        /* The pool is full of reservations: take over one whose container is down. */
        for (uint64_t i = 0; i < l->count; i++) {
                Entry *h;

                key = l->first + (hint + i) % l->count;
                h = holder(s, l, key);
                if (h && !streq(h->name, name) && is_active && is_active(h->name, userdata))
                        continue;
                if (h)
                        lease_clear(l, h);
                return assign(s, l, name, key, ret_key, ret_changed);
        }
        return -ENOSPC;
}

static int lease_claim(State *s, const Lease *l, const char *name, uint64_t key, NameIsActive is_active,
                       void *userdata, bool *ret_changed) {
        uint64_t k;
        Entry *e, *h;

        assert(s && name);

        e = state_find(s, name);
        if (e && lease_get(l, e, &k) && k == key) {
                if (ret_changed)
                        *ret_changed = false;
                return 0;
        }
        h = holder(s, l, key);
        if (h) {
                if (is_active && is_active(h->name, userdata))
                        return -EADDRINUSE;
                lease_clear(l, h);
        }
        return assign(s, l, name, key, NULL, ret_changed);
}

int pool_acquire(State *s, const Pool *p, const char *name, NameIsActive is_active, void *userdata,
                 uint32_t *ret_address, bool *ret_changed) {
        Lease l = lease4(p);
        uint64_t key;
        int r;

        r = lease_acquire(s, &l, name, is_active, userdata, &key, ret_changed);
        if (r >= 0)
                *ret_address = (uint32_t)key;
        return r;
}

int pool_claim(State *s, const char *name, uint32_t address, NameIsActive is_active, void *userdata,
               bool *ret_changed) {
        Lease l = lease4(&(const Pool){});
        return lease_claim(s, &l, name, address, is_active, userdata, ret_changed);
}

int pool6_acquire(State *s, const Pool6 *p, const char *name, NameIsActive is_active, void *userdata,
                  InAddr *ret_address, bool *ret_changed) {
        Lease l = lease6(p);
        uint64_t key;
        int r;

        r = lease_acquire(s, &l, name, is_active, userdata, &key, ret_changed);
        if (r >= 0)
                *ret_address = pool6_address(p, key);
        return r;
}

int pool6_claim(State *s, const Pool6 *p, const char *name, const InAddr *address, NameIsActive is_active,
                void *userdata, bool *ret_changed) {
        Lease l = lease6(p);
        uint64_t key;

        if (!pool6_offset(p, address, &key) || !lease_in_pool(&l, key))
                return -EINVAL;
        return lease_claim(s, &l, name, key, is_active, userdata, ret_changed);
}
