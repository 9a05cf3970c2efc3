/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <json-c/json.h>
#include <netinet/in.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "firewall.h"
#include "in-addr.h"

#define TABLE FIREWALL_FAMILY " " FIREWALL_TABLE

typedef struct Element {
        char name[CONFIG_NAME_MAX + 1];
        uint64_t name_hash; /* compared before the name: every call looks through every element */
        bool publish;       /* false: an element of masq4/masq6 */
        InAddr address;     /* the container's address; its family is the element's */
        PublishedPort port;
} Element;

struct Firewall {
        struct nft_ctx *nft;
        Element *elements;
        size_t n_elements;
        bool ready;
};

int firewall_new(Firewall **ret) {
        Firewall *fw;

        assert(ret);
        fw = calloc(1, sizeof(Firewall));
        if (!fw)
                return -ENOMEM;
        fw->nft = nft_ctx_new(NFT_CTX_DEFAULT);
        if (!fw->nft || nft_ctx_buffer_output(fw->nft) < 0 || nft_ctx_buffer_error(fw->nft) < 0) {
                firewall_free(fw);
                return -ENOMEM;
        }
        *ret = fw;
        return 0;
}

Firewall *firewall_free(Firewall *fw) {
        if (!fw)
                return NULL;
        if (fw->nft)
                nft_ctx_free(fw->nft);
        free(fw->elements);
        free(fw);
        return NULL;
}

bool firewall_is_ready(const Firewall *fw) {
        return fw && fw->ready;
}

/* Runs one nft script as one transaction. libnftables reports failures as text only:
 * it becomes *ret_error, the return value is -EINVAL (or -ENOMEM). */
static int nft_run(Firewall *fw, const char *script, char **ret_error) {
        const char *err;
        int r;

        r = nft_run_cmd_from_buffer(fw->nft, script);
        err = nft_ctx_get_error_buffer(fw->nft); /* also empties the buffer */
        (void)nft_ctx_get_output_buffer(fw->nft);
        if (r == 0)
                return 0;
        if (ret_error) {
                size_t l = err ? strlen(err) : 0;

                while (l > 0 && (err[l - 1] == '\n' || err[l - 1] == ' '))
                        l--;
                *ret_error = l > 0 ? strndup(err, l) : strdup("nft command failed");
        }
        return -EINVAL;
}

static const char *protocol_name(int protocol) {
        return protocol == IPPROTO_UDP ? "udp" : "tcp";
}

static char family_digit(int family) {
        return family == AF_INET6 ? '6' : '4';
}

static bool port_any(const PublishedPort *p) {
        return p->host_address.family == 0 || in_addr_is_any(&p->host_address);
}

/* The element's set and key as nft reads them. */
static const char *element_key(const Element *e, char *set, size_t set_size, char *buf, size_t size) {
        char a[INET6_ADDRSTRLEN];

        if (!e->publish) {
                snprintf(set, set_size, "masq%c", family_digit(e->address.family));
                in_addr_to_string(&e->address, buf);
                return set;
        }
        if (port_any(&e->port)) {
                snprintf(set, set_size, "publish%c_any", family_digit(e->address.family));
                snprintf(buf, size, "%s . %u", protocol_name(e->port.protocol), e->port.host_port);
                return set;
        }
        snprintf(set, set_size, "publish%c", family_digit(e->address.family));
        snprintf(buf, size, "%s . %s . %u", in_addr_to_string(&e->port.host_address, a),
                 protocol_name(e->port.protocol), e->port.host_port);
        return set;
}

/* Appends "add|delete element" lines for elements of NAME (all of them when name is NULL). */
static int script_elements(FILE *f, const Element *elements, size_t n, bool add) {
        for (size_t i = 0; i < n; i++) {
                const Element *e = &elements[i];
                char key[128], set[16], a[INET6_ADDRSTRLEN];

                element_key(e, set, sizeof(set), key, sizeof(key));
                fprintf(f, "%s element " TABLE " %s { %s", add ? "add" : "delete", set, key);
                if (add) {
                        /* NAME is [A-Za-z0-9.-]: nothing to quote. */
                        fprintf(f, " comment \"%s\"", e->name);
                        if (e->publish)
                                fprintf(f, " : %s . %u", in_addr_to_string(&e->address, a),
                                        e->port.container_port);
                }
                fputs(" }\n", f);
        }
        return fflush(f) == 0 ? 0 : -ENOMEM;
}

static void element_set_name(Element *e, const char *name) {
        strcpy(e->name, name);
        e->name_hash = name_hash(name, 0);
}

static bool element_is_of(const Element *e, const char *name, uint64_t hash) {
        return e->name_hash == hash && streq(e->name, name);
}

static int element_append(Element **elements, size_t *n, const Element *e) {
        Element *p = reallocarray(*elements, *n + 1, sizeof(Element));

        if (!p)
                return -ENOMEM;
        p[(*n)++] = *e;
        *elements = p;
        return 0;
}

/* ---- reading the elements back from "nft -j list table" ---- */

static int json_addr(json_object *o, int family, InAddr *ret) {
        InAddr a;

        if (!json_object_is_type(o, json_type_string) || in_addr_parse(json_object_get_string(o), &a) < 0 ||
            a.family != family)
                return -EBADMSG;
        *ret = a;
        return 0;
}

/* {"elem": {"val": V, "comment": NAME}}: V and NAME; elements without a comment are
 * not ours. */
static int json_elem(json_object *o, json_object **ret_val, const char **ret_name) {
        json_object *elem, *val, *comment;

        if (!json_object_object_get_ex(o, "elem", &elem) || !json_object_object_get_ex(elem, "val", &val) ||
            !json_object_object_get_ex(elem, "comment", &comment))
                return -EBADMSG;
        *ret_val = val;
        *ret_name = json_object_get_string(comment);
        return config_name_is_valid(*ret_name) ? 0 : -EBADMSG;
}

static int parse_masq(json_object *item, int family, Element *ret) {
        json_object *val;
        const char *name;

        if (json_elem(item, &val, &name) < 0 || json_addr(val, family, &ret->address) < 0)
                return -EBADMSG;
        element_set_name(ret, name);
        return 0;
}

/* publish4:     [{"elem": {"val": {"concat": [ADDR, "tcp", 8080]}, "comment": NAME}},
 *                {"concat": ["10.77.0.5", 80]}]
 * publish4_any: the same without ADDR. */
static int parse_publish(json_object *item, int family, bool any, Element *ret) {
        json_object *key, *val, *kc, *vc;
        const char *name, *proto;
        int64_t hport, cport;
        size_t k = any ? 0 : 1;

        if (!json_object_is_type(item, json_type_array) || json_object_array_length(item) != 2)
                return -EBADMSG;
        key = json_object_array_get_idx(item, 0);
        val = json_object_array_get_idx(item, 1);
        if (json_elem(key, &key, &name) < 0 || !json_object_object_get_ex(key, "concat", &kc) ||
            !json_object_object_get_ex(val, "concat", &vc) || json_object_array_length(kc) != 2 + k ||
            json_object_array_length(vc) != 2)
                return -EBADMSG;
        proto = json_object_get_string(json_object_array_get_idx(kc, k));
        hport = json_object_get_int64(json_object_array_get_idx(kc, k + 1));
        cport = json_object_get_int64(json_object_array_get_idx(vc, 1));
        if (!proto || (!streq(proto, "tcp") && !streq(proto, "udp")) || hport < 1 || hport > 65535 ||
            cport < 1 || cport > 65535)
                return -EBADMSG;
        ret->port.host_address = (InAddr){};
        if ((!any && json_addr(json_object_array_get_idx(kc, 0), family, &ret->port.host_address) < 0) ||
            json_addr(json_object_array_get_idx(vc, 0), family, &ret->address) < 0)
                return -EBADMSG;
        ret->port.family = family;
        element_set_name(ret, name);
        ret->publish = true;
        ret->port.protocol = streq(proto, "udp") ? IPPROTO_UDP : IPPROTO_TCP;
        ret->port.host_port = (uint16_t)hport;
        ret->port.container_port = (uint16_t)cport;
        return 0;
}

static int firewall_load(Firewall *fw, char **ret_error) {
        json_object *root = NULL, *list;
        Element *elements = NULL;
        size_t n = 0;
        int r;

        nft_ctx_output_set_flags(fw->nft, NFT_CTX_OUTPUT_JSON);
        r = nft_run_cmd_from_buffer(fw->nft, "list table " TABLE);
        nft_ctx_output_set_flags(fw->nft, 0);
        if (r != 0) {
                (void)nft_run(fw, "", NULL); /* empties the buffers */
                if (ret_error)
                        *ret_error = strdup("cannot list table " TABLE);
                return -EINVAL;
        }
        root = json_tokener_parse(nft_ctx_get_output_buffer(fw->nft));
        (void)nft_ctx_get_error_buffer(fw->nft);
        if (!root || !json_object_object_get_ex(root, "nftables", &list) ||
            !json_object_is_type(list, json_type_array)) {
                json_object_put(root);
                return -EBADMSG;
        }
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                json_object *o = json_object_array_get_idx(list, i), *set, *setname, *elems;
                const char *sn;

                if (!json_object_object_get_ex(o, "set", &set) && !json_object_object_get_ex(o, "map", &set))
                        continue;
                if (!json_object_object_get_ex(set, "name", &setname) ||
                    !json_object_object_get_ex(set, "elem", &elems) ||
                    !json_object_is_type(elems, json_type_array))
                        continue;
                sn = json_object_get_string(setname);
                /* masq4 masq6 publish4 publish6 publish4_any publish6_any */
                int family = strchr(sn, '6') ? AF_INET6 : AF_INET;
                bool masq = streq(sn, "masq4") || streq(sn, "masq6");
                bool any = streq(sn, "publish4_any") || streq(sn, "publish6_any");
                if (!masq && !any && !streq(sn, "publish4") && !streq(sn, "publish6"))
                        continue;
                for (size_t j = 0; j < json_object_array_length(elems); j++) {
                        json_object *item = json_object_array_get_idx(elems, j);
                        Element e = {};

                        r = masq ? parse_masq(item, family, &e) : parse_publish(item, family, any, &e);
                        if (r < 0)
                                continue; /* not written by us */
                        r = element_append(&elements, &n, &e);
                        if (r < 0) {
                                free(elements);
                                json_object_put(root);
                                return r;
                        }
                }
        }
        json_object_put(root);
        free(fw->elements);
        fw->elements = elements;
        fw->n_elements = n;
        return 0;
}

int firewall_setup(Firewall *fw, const char *bridge, const Pool *pool, const Pool6 *pool6,
                   char **ret_error) {
        _cleanup_free_ char *script = NULL;
        char network[INET_ADDRSTRLEN], network6[INET6_ADDRSTRLEN + 4];
        size_t size = 0;
        FILE *f;
        int r;

        assert(fw && bridge && pool && pool6);

        f = open_memstream(&script, &size);
        if (!f)
                return -ENOMEM;
        /* "add" keeps what exists; each chain is flushed and written again, so the
         * rules are exactly these (for this bridge and pool) and the elements stay. */
        fputs("add table " TABLE "\n"
              "add set " TABLE " masq4 { type ipv4_addr; }\n"
              /* Hash maps, not intervals: an element is added in constant time (an
               * interval map makes nft read every element first: bench/sidecar/nat-scale). */
              "add map " TABLE " publish4 { type ipv4_addr . inet_proto . inet_service : "
              "ipv4_addr . inet_service; }\n"
              "add map " TABLE
              " publish4_any { type inet_proto . inet_service : ipv4_addr . inet_service; }\n"
              "add set " TABLE " masq6 { type ipv6_addr; }\n"
              "add map " TABLE " publish6 { type ipv6_addr . inet_proto . inet_service : "
              "ipv6_addr . inet_service; }\n"
              "add map " TABLE
              " publish6_any { type inet_proto . inet_service : ipv6_addr . inet_service; }\n"
              "add chain " TABLE " prerouting { type nat hook prerouting priority dstnat; policy accept; }\n"
              "add chain " TABLE " output { type nat hook output priority -100; policy accept; }\n"
              "add chain " TABLE
              " postrouting { type nat hook postrouting priority srcnat; policy accept; }\n"
              "flush chain " TABLE " prerouting\n"
              "flush chain " TABLE " output\n"
              "flush chain " TABLE " postrouting\n",
              f);
        /* An older sidecar's chain: route_localnet is no longer turned on (forwarding.c),
         * so there is nothing for it to drop. Added first, so that the delete cannot fail. */
        fputs("add chain " TABLE " prerouting_raw\n"
              "delete chain " TABLE " prerouting_raw\n",
              f);
        /* A port published on one address first, then on every local address. Never for
         * 127.0.0.0/8: the host's loopback is answered by each container's relay
         * (nscontain-helper(8)), since the kernel routes no loopback source out of the
         * bridge without route_localnet (CVE-2020-8558); and a packet from outside for
         * 127.0.0.1, which the kernel would drop as a martian only after this DNAT, must
         * not reach a container either. The same for ::1 in IPv6. The publishN elements of
         * 127.0.0.1 and ::1 stay: they are what a clash is checked against. */
        for (size_t i = 0; i < 4; i++) {
                const char *chain = i % 2 == 0 ? "prerouting" : "output", *ip = i < 2 ? "ip" : "ip6";
                const char *loopback = i < 2 ? "127.0.0.0/8" : "::1";
                char v = i < 2 ? '4' : '6';
                fprintf(f,
                        "add rule " TABLE " %s meta l4proto { tcp, udp } %s daddr != %s "
                        "fib daddr type local dnat %s to %s daddr . meta l4proto . th dport map @publish%c\n"
                        "add rule " TABLE " %s meta l4proto { tcp, udp } %s daddr != %s "
                        "fib daddr type local dnat %s to meta l4proto . th dport map @publish%c_any\n",
                        chain, ip, loopback, ip, ip, v, chain, ip, loopback, ip, v);
        }
        fprintf(f, "add rule " TABLE " postrouting ip saddr @masq4 oifname != \"%s\" masquerade\n", bridge);
        fprintf(f, "add rule " TABLE " postrouting ip6 saddr @masq6 oifname != \"%s\" masquerade\n", bridge);
        /* A published port reached from another container (hairpin): the container must
         * answer through us, not directly to its neighbour. */
        fprintf(f,
                "add rule " TABLE " postrouting ct status dnat oifname \"%s\" ip saddr %s/%u masquerade\n",
                bridge, ipv4_format(pool->network, network), pool->prefixlen);
        fprintf(f, "add rule " TABLE " postrouting ct status dnat oifname \"%s\" ip6 saddr %s masquerade\n",
                bridge, pool6_to_string(pool6, network6));
        if (fclose(f) != 0)
                return -ENOMEM;

        fw->ready = false;
        r = nft_run(fw, script, ret_error);
        if (r < 0)
                return r;
        r = firewall_load(fw, ret_error);
        if (r < 0)
                return r;
        fw->ready = true;
        return 0;
}

static bool ports_clash(const PublishedPort *a, const PublishedPort *b) {
        return a->family == b->family && a->protocol == b->protocol && a->host_port == b->host_port &&
               (port_any(a) || port_any(b) || in_addr_equal(&a->host_address, &b->host_address));
}

const char *firewall_port_holder(const Firewall *fw, const char *name, const PublishedPort *p) {
        assert(fw && name && p);

        for (size_t i = 0; i < fw->n_elements; i++) {
                const Element *e = &fw->elements[i];
                if (e->publish && ports_clash(&e->port, p) && !streq(e->name, name))
                        return e->name;
        }
        return NULL;
}

/* Moves NAME's elements to *ret (the rest stay in fw). */
static int elements_take(Firewall *fw, const char *name, Element **ret, size_t *ret_n) {
        Element *taken = NULL;
        uint64_t hash = name_hash(name, 0);
        size_t n = 0, k = 0;

        for (size_t i = 0; i < fw->n_elements; i++)
                if (element_is_of(&fw->elements[i], name, hash)) {
                        int r = element_append(&taken, &n, &fw->elements[i]);
                        if (r < 0) {
                                free(taken);
                                return r;
                        }
                } else
                        fw->elements[k++] = fw->elements[i];
        fw->n_elements = k;
        *ret = taken;
        *ret_n = n;
        return 0;
}

static int script_run_elements(Firewall *fw, const Element *elements, size_t n, bool add, char **ret_error) {
        _cleanup_free_ char *script = NULL;
        size_t size = 0;
        FILE *f;
        int r;

        f = open_memstream(&script, &size);
        if (!f)
                return -ENOMEM;
        r = script_elements(f, elements, n, add);
        if (fclose(f) != 0 || r < 0)
                return -ENOMEM;
        return size > 0 ? nft_run(fw, script, ret_error) : 0;
}

int firewall_set_container(Firewall *fw, const char *name, uint32_t address, const InAddr *address6,
                           const PublishedPort *ports, size_t n_ports, char **ret_error) {
        _cleanup_free_ Element *old = NULL, *new = NULL;
        _cleanup_free_ char *script = NULL;
        size_t n_old = 0, n_new = 0, size = 0;
        FILE *f;
        int r;

        assert(fw && name && (ports || n_ports == 0));
        assert(strlen(name) <= CONFIG_NAME_MAX);

        InAddr addresses[2] = {};
        if (address != 0)
                addresses[0] = in_addr_from_ipv4(address);
        if (address6)
                addresses[1] = *address6;
        for (size_t k = 0; k < 2; k++) {
                Element e = {.address = addresses[k]};

                if (e.address.family == 0)
                        continue;
                element_set_name(&e, name);
                r = element_append(&new, &n_new, &e);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < n_ports; i++) {
                        if (ports[i].family != e.address.family)
                                continue;
                        Element p = {.publish = true, .address = e.address, .port = ports[i]};
                        element_set_name(&p, name);
                        r = element_append(&new, &n_new, &p);
                        if (r < 0)
                                return r;
                }
        }

        r = elements_take(fw, name, &old, &n_old);
        if (r < 0)
                return r;
        /* Deletions and additions in one transaction: all or nothing. */
        f = open_memstream(&script, &size);
        if (!f)
                r = -ENOMEM;
        else {
                r = script_elements(f, old, n_old, false);
                if (r >= 0)
                        r = script_elements(f, new, n_new, true);
                if (fclose(f) != 0 && r >= 0)
                        r = -ENOMEM;
        }
        if (r >= 0 && size > 0)
                r = nft_run(fw, script, ret_error);
        if (r == -EINVAL && n_old > 0) {
                /* An old element was gone already (removed by hand): the others one by
                 * one, then the new ones on their own. */
                for (size_t i = 0; i < n_old; i++)
                        (void)script_run_elements(fw, &old[i], 1, false, NULL);
                n_old = 0;
                if (ret_error)
                        free(*ret_error), *ret_error = NULL;
                r = script_run_elements(fw, new, n_new, true, ret_error);
        }
        if (r < 0) {
                /* Nothing changed in the kernel (one transaction): keep knowing the old ones. */
                for (size_t i = 0; i < n_old; i++)
                        (void)element_append(&fw->elements, &fw->n_elements, &old[i]);
                return r;
        }
        for (size_t i = 0; i < n_new; i++) {
                r = element_append(&fw->elements, &fw->n_elements, &new[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

int firewall_remove_container(Firewall *fw, const char *name) {
        _cleanup_free_ Element *old = NULL;
        size_t n_old = 0;
        int r;

        assert(fw && name);

        r = elements_take(fw, name, &old, &n_old);
        if (r < 0 || n_old == 0)
                return r;
        /* One transaction; should an element be gone already (removed by hand), the
         * others one by one: what is left of NAME must go all the same. */
        if (script_run_elements(fw, old, n_old, false, NULL) < 0)
                for (size_t i = 0; i < n_old; i++)
                        (void)script_run_elements(fw, &old[i], 1, false, NULL);
        return 1;
}

int firewall_names(const Firewall *fw, const char ***ret) {
        const char **names;
        size_t n = 0;

        assert(fw && ret);
        names = calloc(fw->n_elements + 1, sizeof(char *));
        if (!names)
                return -ENOMEM;
        for (size_t i = 0; i < fw->n_elements; i++) {
                bool seen = false;
                for (size_t j = 0; j < n && !seen; j++)
                        seen = streq(names[j], fw->elements[i].name);
                if (!seen)
                        names[n++] = fw->elements[i].name;
        }
        *ret = names;
        return 0;
}
