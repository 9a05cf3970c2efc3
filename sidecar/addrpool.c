/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <string.h>

#include "sidecar.h"

char *ipv4_format(uint32_t a, char buf[static INET_ADDRSTRLEN]) {
        struct in_addr in = {.s_addr = htonl(a)};
        return (char *)inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}

static uint32_t prefix_mask(unsigned prefixlen) {
        return prefixlen == 0 ? 0 : UINT32_MAX << (32 - prefixlen);
}

int pool_parse(const char *s, Pool *ret) {
        unsigned prefixlen;
        InAddr addr;
        uint32_t a;

        assert(ret);
        if (in_addr_prefix_parse(s, &addr, &prefixlen) < 0 || addr.family != AF_INET)
                return -EINVAL;
        a = in_addr_ipv4(&addr);
        /* At least one address for a container besides network, gateway, broadcast. */
        if (prefixlen < 8 || prefixlen > 30)
                return -EINVAL;
        if ((a & ~prefix_mask(prefixlen)) != 0)
                return -EINVAL;
        *ret = (Pool){.network = a, .prefixlen = prefixlen};
        return 0;
}

uint32_t pool_gateway(const Pool *p) {
        return p->network + 1;
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

static Entry *holder(State *s, uint32_t a) {
        for (size_t i = 0; i < s->n_entries; i++)
                if (s->entries[i].address == a)
                        return &s->entries[i];
        return NULL;
}

static int assign(State *s, const char *name, uint32_t a, uint32_t *ret, bool *ret_changed) {
        Entry *e;
        int r;

        r = state_get(s, name, &e);
        if (r < 0)
                return r;
        e->address = a;
        if (ret)
                *ret = a;
        if (ret_changed)
                *ret_changed = true;
        return 0;
}

int pool_acquire(State *s, const Pool *p, const char *name, NameIsActive is_active, void *userdata,
                 uint32_t *ret_address, bool *ret_changed) {
        uint32_t count, hint;
        Entry *e;

        assert(s && p && name && ret_address);

        e = state_find(s, name);
        if (e && e->address != 0 && pool_contains(p, e->address)) {
                *ret_address = e->address;
                if (ret_changed)
                        *ret_changed = false;
                return 0;
        }

        count = pool_count(p);
        hint = (uint32_t)(name_hash(name, 0x61646472) % count);

        /* First choice: an address nobody ever had, so that every NAME keeps its own. */
        for (uint32_t i = 0; i < count; i++) {
                uint32_t a = pool_first(p) + (hint + i) % count;
                if (!holder(s, a))
                        return assign(s, name, a, ret_address, ret_changed);
        }
        /* The pool is full of reservations: take over one whose container is down. */
        for (uint32_t i = 0; i < count; i++) {
                uint32_t a = pool_first(p) + (hint + i) % count;
                Entry *h = holder(s, a);
                if (h && !streq(h->name, name) && is_active && is_active(h->name, userdata))
                        continue;
                if (h)
                        h->address = 0;
                return assign(s, name, a, ret_address, ret_changed);
        }
        return -ENOSPC;
}

int pool_claim(State *s, const char *name, uint32_t address, NameIsActive is_active, void *userdata,
               bool *ret_changed) {
        Entry *e, *h;

        assert(s && name);

        e = state_find(s, name);
        if (e && e->address == address) {
                if (ret_changed)
                        *ret_changed = false;
                return 0;
        }
        h = holder(s, address);
        if (h) {
                if (is_active && is_active(h->name, userdata))
                        return -EADDRINUSE;
                h->address = 0;
        }
        return assign(s, name, address, NULL, ret_changed);
}
