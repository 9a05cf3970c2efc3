/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a caller sends the sidecar, through sidecar/args.c: a range size, a NAME and
 * SetupNetwork's a{sv} options, built into a real sd-bus message. The bus daemon and
 * sd-bus's method dispatch guarantee the signature ("sha{sv}"), so what varies is
 * everything inside it: the keys, and each variant's type and value (nested variants,
 * arrays and dictionaries included).
 *
 * Never crashes or leaks; an accepted set of options holds only valid values and was
 * read to its end; every refusal is an error that can be sent back (a message that is
 * not valid UTF-8 cannot, and the caller would wait for its timeout instead).
 *
 * Input: a 4-byte size, then NAME up to a NUL byte, then entries until the input
 * ends: KEY up to a NUL byte and a value. A value is a type byte and its data (see
 * value_append()); strings end at a NUL byte or at the end of the input. */

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "args.h"
#include "fuzz.h"
#include "ifname.h"

#define STRING_MAX  512
#define ENTRIES_MAX 64
#define DEPTH_MAX   4

typedef struct Input {
        const uint8_t *p;
        size_t n;
} Input;

static void take(Input *in, void *buf, size_t size) {
        size_t l = size < in->n ? size : in->n;

        memset(buf, 0, size);
        memcpy(buf, in->p, l);
        in->p += l;
        in->n -= l;
}

static const char *take_string(Input *in, char buf[static STRING_MAX]) {
        size_t l = 0;

        while (in->n > 0 && in->p[0] != 0 && l < STRING_MAX - 1) {
                buf[l++] = (char)in->p[0];
                in->p++;
                in->n--;
        }
        if (in->n > 0 && in->p[0] == 0) {
                in->p++;
                in->n--;
        }
        buf[l] = 0;
        return buf;
}

static int entries_append(sd_bus_message *m, Input *in, unsigned depth);

/* One variant. Appending fails for what the bus would never deliver (a string that is
 * not UTF-8, a bad object path): then the input is skipped. */
static int value_append(sd_bus_message *m, Input *in, unsigned depth) {
        char buf[STRING_MAX];
        uint8_t type = 0, count = 0;
        uint64_t x = 0;
        int r;

        take(in, &type, 1);
        switch (type % 14) {
        case 0:
                take(in, &x, 4);
                return sd_bus_message_append(m, "v", "u", (uint32_t)x);
        case 1:
                return sd_bus_message_append(m, "v", "s", take_string(in, buf));
        case 2:
                take(in, &x, 4);
                return sd_bus_message_append(m, "v", "i", (int32_t)(uint32_t)x);
        case 3:
                take(in, &x, 1);
                return sd_bus_message_append(m, "v", "y", (uint8_t)x);
        case 4:
                take(in, &x, 1);
                return sd_bus_message_append(m, "v", "b", (int)(x & 1));
        case 5:
                take(in, &x, 8);
                return sd_bus_message_append(m, "v", "t", x);
        case 6:
                take(in, &x, 2);
                return sd_bus_message_append(m, "v", "q", (uint16_t)x);
        case 7:
                take(in, &x, 8);
                return sd_bus_message_append(m, "v", "x", (int64_t)x);
        case 8:
                return sd_bus_message_append(m, "v", "o", take_string(in, buf));
        case 9:
                return sd_bus_message_append(m, "v", "g", take_string(in, buf));
        case 10:
                take(in, &count, 1);
                r = sd_bus_message_open_container(m, 'v', "as");
                if (r >= 0)
                        r = sd_bus_message_open_container(m, 'a', "s");
                for (unsigned i = 0; r >= 0 && i < count % 8; i++)
                        r = sd_bus_message_append(m, "s", take_string(in, buf));
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
                return r;
        case 11:
                if (depth >= DEPTH_MAX)
                        return sd_bus_message_append(m, "v", "s", "");
                r = sd_bus_message_open_container(m, 'v', "v");
                if (r >= 0)
                        r = value_append(m, in, depth + 1);
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
                return r;
        case 12:
                if (depth >= DEPTH_MAX)
                        return sd_bus_message_append(m, "v", "s", "");
                r = sd_bus_message_open_container(m, 'v', "a{sv}");
                if (r >= 0)
                        r = entries_append(m, in, depth + 1);
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
                return r;
        default:
                /* A struct, as a variant of a caller that got the signature wrong. */
                take(in, &x, 4);
                return sd_bus_message_append(m, "v", "(su)", take_string(in, buf), (uint32_t)x);
        }
}

/* An a{sv}: nested ones take a count, the outermost runs to the end of the input. */
static int entries_append(sd_bus_message *m, Input *in, unsigned depth) {
        char key[STRING_MAX];
        uint8_t count = ENTRIES_MAX;
        int r;

        if (depth > 0)
                take(in, &count, 1);
        r = sd_bus_message_open_container(m, 'a', "{sv}");
        for (unsigned i = 0; r >= 0 && i < count % (ENTRIES_MAX + 1) && in->n > 0; i++) {
                r = sd_bus_message_open_container(m, 'e', "sv");
                if (r >= 0)
                        r = sd_bus_message_append(m, "s", take_string(in, key));
                if (r >= 0)
                        r = value_append(m, in, depth);
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}

/* A bus that is never connected: sd-bus only makes messages for an open bus, and one
 * end of a socketpair that nobody answers is enough for that. */
static sd_bus *fuzz_bus(void) {
        static sd_bus *bus = NULL;
        int fds[2];

        if (bus)
                return bus;
        fuzz_check(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds) >= 0);
        fuzz_check(sd_bus_new(&bus) >= 0);
        fuzz_check(sd_bus_set_fd(bus, fds[0], fds[0]) >= 0);
        fuzz_check(sd_bus_start(bus) >= 0);
        return bus;
}

/* A refusal must reach the caller: sd-bus must be able to make the error reply. */
static void check_refusal(sd_bus_message *call, const sd_bus_error *error) {
        sd_bus_message *reply = NULL;

        fuzz_check(sd_bus_error_is_set(error));
        fuzz_check(sd_bus_error_has_names(error, SD_BUS_ERROR_INVALID_ARGS, SIDECAR_ERROR_ADDRESS_IN_USE));
        fuzz_check(sd_bus_message_new_method_error(call, &reply, error) >= 0);
        sd_bus_message_unref(reply);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        Input in = {data, size};
        sd_bus_message *m = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        NetworkOptions o = {};
        Settings settings;
        char name_buf[STRING_MAX];
        const char *name;
        uint32_t range_size = 0;
        int r;

        if (size > 64 * 1024)
                return 0;
        settings_init(&settings);

        take(&in, &range_size, sizeof(range_size));
        fuzz_check(sd_bus_message_new_method_call(fuzz_bus(), &m, SIDECAR_BUS_NAME, SIDECAR_OBJECT_PATH,
                                                  SIDECAR_INTERFACE, "SetupNetwork") >= 0);
        r = sd_bus_message_append(m, "s", take_string(&in, name_buf));
        if (r >= 0)
                r = entries_append(m, &in, 0);
        if (r >= 0)
                r = sd_bus_message_seal(m, 1, 0);
        if (r >= 0)
                r = sd_bus_message_rewind(m, true);
        if (r < 0) /* not a message the bus would deliver */
                goto finish;

        r = arg_check_range_size(range_size, &error);
        if (r < 0)
                check_refusal(m, &error);
        else
                fuzz_check(range_size % SIDECAR_RANGE_ALIGN == 0 && range_size <= SIDECAR_RANGE_SIZE_MAX);
        sd_bus_error_free(&error);

        fuzz_check(sd_bus_message_read(m, "s", &name) >= 0);
        r = arg_check_name(name, &error);
        if (r < 0)
                check_refusal(m, &error);
        sd_bus_error_free(&error);

        r = network_options_parse(m, &settings, &o, &error);
        if (r < 0) {
                if (sd_bus_error_is_set(&error))
                        check_refusal(m, &error);
                else
                        fuzz_check(r == -ENOMEM);
        } else {
                fuzz_check(!sd_bus_error_is_set(&error));
                fuzz_check(sd_bus_message_at_end(m, true) > 0);
                fuzz_check(o.bridge && ifname_is_valid(o.bridge));
                fuzz_check(o.mtu == 0 || (o.mtu >= 68 && o.mtu <= 65535));
                if (o.address) {
                        /* The config parser's check (lib/sidecar-bus.c) accepts it too. */
                        fuzz_check(sidecar_check_address(o.address, NULL, NULL, NULL) == 0);
                        fuzz_check(o.prefixlen >= 8 && o.prefixlen <= 30);
                        fuzz_check(o.address_value != 0 && o.address_value != pool_gateway(&settings.pool));
                }
                if (o.gateway)
                        fuzz_check(sidecar_check_gateway(o.gateway, NULL, NULL) == 0);
                for (size_t i = 0; i < o.n_publish; i++)
                        fuzz_check(o.publish[i].host_address.family != AF_INET6);
                network_options_done(&o);
        }
        sd_bus_error_free(&error);

finish:
        sd_bus_message_unref(m);
        return 0;
}
