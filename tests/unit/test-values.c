/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every value class that crosses from a config file to another program, both ways
 * (nscontain.json(5), nscontain-sidecar(8)): a value the config parser (what the
 * generator, "nscontain validate" and the helper run) accepts, the program it reaches
 * accepts; a value that program refuses, the config parser refuses, in the same words.
 *
 *   network.bridge/address/gateway/mtu   the sidecar's SetupNetwork options (sidecar/args.c)
 *   user_namespace.size ("base": "auto") the sidecar's AcquireUserRange size
 *   resources.*, restart_sec, ...        "nscontain run -p" (cli/run.c) and systemd: the
 *                                        grammars of lib/parse-util.c and parse_timespan()
 *   network.publish                      SetupNetwork's "publish" (lib/port-spec.c inside)
 *
 * Not a value class: the sidecar's refusal of the bridge's own gateway address as a
 * container's (AddressInUse) depends on its settings, not on the value. */

#include <inttypes.h>
#include <stdarg.h>

#include "args.h"
#include "config.h"
#include "escape.h"
#include "in-addr.h"
#include "parse-util.h"
#include "test-bus.h"
#include "tests.h"

#define BASE "\"rootfs\": \"/srv/web\", \"command\": [\"/bin/true\"]"

static sd_bus *bus;
static Settings settings;

static void bus_setup(void) {
        bus = test_bus_open();
        settings_init(&settings);
}
TEST_SETUP(bus_setup);

static void bus_teardown(void) {
        bus = sd_bus_close_unref(bus); /* no flush: nobody answers the socketpair's auth, a flush would wait out its 90 s timeout */
}
TEST_TEARDOWN(bus_teardown);

/* The config parser's verdict on one file: NULL when it is accepted, else its message. */
static char *config_verdict(const char *fmt, ...) {
        _cleanup_free_ char *json = NULL;
        Config *c = NULL;
        char *error = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        ASSERT(vasprintf(&json, fmt, ap) >= 0);
        va_end(ap);
        r = config_parse("web", "/etc/nscontain.d/web.json", json, strlen(json), &c, &error);
        if (r >= 0) {
                ASSERT(c && !error);
                config_free(c);
                return NULL;
        }
        ASSERT(!c && error);
        return error;
}

/* The sidecar's verdict on SetupNetwork's options {key: value}: NULL or its message. */
static char *sidecar_option_verdict(const char *key, char type, const void *value) {
        sd_bus_message *m = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        NetworkOptions o = {};
        char *verdict = NULL;
        int r;

        ASSERT_OK(sd_bus_message_new_method_call(bus, &m, SIDECAR_BUS_NAME, SIDECAR_OBJECT_PATH,
                                                 SIDECAR_INTERFACE, SIDECAR_METHOD_SETUP_NETWORK));
        if (type == 's')
                ASSERT_OK(sd_bus_message_append(m, "a{sv}", 1, key, "s", (const char *)value));
        else if (type == 'a')
                ASSERT_OK(sd_bus_message_append(m, "a{sv}", 1, key, "as", 1, (const char *)value));
        else
                ASSERT_OK(sd_bus_message_append(m, "a{sv}", 1, key, "u", *(const uint32_t *)value));
        ASSERT_OK(sd_bus_message_seal(m, 1, 0));
        ASSERT_OK(sd_bus_message_rewind(m, true));
        r = network_options_parse(m, &settings, &o, &e);
        if (r < 0) {
                ASSERT(sd_bus_error_is_set(&e));
                verdict = strdup(e.message);
                ASSERT(verdict);
        } else
                network_options_done(&o);
        sd_bus_error_free(&e);
        sd_bus_message_unref(m);
        return verdict;
}

/* Both ways for one value. 'where' is the config's "web.json: PATH: ", 'option' the
 * sidecar's "Option 'KEY': ". Counts the verdicts so that a list cannot be all of one
 * kind by mistake. */
static void both_ways(const char *value_text, char *config, char *sidecar, const char *where,
                      const char *option, unsigned *n_accepted, unsigned *n_refused) {
        if (!config && sidecar) {
                fprintf(stderr, "%s: the config accepts what the sidecar refuses: %s\n", value_text,
                        sidecar);
                abort();
        }
        if (sidecar) {
                /* The same words after where each says the value was. */
                ASSERT(strncmp(sidecar, option, strlen(option)) == 0);
                ASSERT(strncmp(config, where, strlen(where)) == 0);
                ASSERT_STREQ(config + strlen(where), sidecar + strlen(option));
                (*n_refused)++;
        } else if (!config)
                (*n_accepted)++;
        /* Refused by the config alone: stricter than the bus ("" is "auto" there). */
        free(config);
        free(sidecar);
}

/* A string option of SetupNetwork against network.KEY in a config file, for each value. */
static void string_option_both_ways(const char *key, const char *const *values, size_t n,
                                    unsigned least_accepted, unsigned least_refused) {
        _cleanup_free_ char *where = NULL, *option = NULL;
        unsigned accepted = 0, refused = 0;

        ASSERT(asprintf(&where, "web.json: network.%s: ", key) >= 0);
        ASSERT(asprintf(&option, "Option '%s': ", key) >= 0);
        for (size_t i = 0; i < n; i++) {
                char json[256];
                /* In the file as JSON writes it (a tab or DEL escaped). */
                ASSERT(json_quote(values[i], 0, json, sizeof(json)));
                both_ways(values[i], config_verdict("{" BASE ", \"network\": {\"%s\": %s}}", key, json),
                          sidecar_option_verdict(key, 's', values[i]), where, option, &accepted, &refused);
        }
        ASSERT(accepted >= least_accepted && refused >= least_refused);
}

static const char *const bridges[] = {
        "br0", "nsc0", "a", "fifteen-chars-x", "sixteen-chars-xx", "br 0",  "a/b",  "a:b", "a%d",      ".",
        "..",  "...",  "",  "tab\t",           "caf\xc3\xa9",      "x\x7f", "br-0", "b_r", "UPPER.lo", "-",
};

TEST(test_bridge) {
        string_option_both_ways("bridge", bridges, ELEMENTSOF(bridges), 5, 8);
}

static const char *const addresses[] = {
        "10.77.0.5/16",
        "192.168.7.9/24",
        "10.0.0.2/8",
        "192.168.7.9/30",
        "10.77.9.9/31",
        "10.77.9.9/32",
        "10.77.0.9/0",
        "10.77.0.9/7",
        "10.77.0.9",
        "10.77.0.0/16",
        "10.77.255.255/16",
        "0.0.0.0/8",
        "fd77::9/64",
        "fd77::9",
        "::/0",
        "10.77.0.300/16",
        "10.77.0.5/33",
        "10.77.0.5/016",
        "10.77.0.5/+16",
        "10.77.0.5/16 ",
        " 10.77.0.5/16",
        "10.1/16",
        "010.1.1.1/8",
        "auto",
        "AUTO",
        "10.77.0.5/",
        "/16",
        "gw",
};

TEST(test_address) {
        string_option_both_ways("address", addresses, ELEMENTSOF(addresses), 5, 15);
}

static const char *const gateways[] = {
        "10.77.0.1", "192.168.7.1", "auto",      "10.77.0.1/16", "fd77::1", "::1",       "10.1",
        "256.0.0.1", "10.77.0.01",  " 10.0.0.1", "gw",           "AUTO",    "1.2.3.4.5",
};

TEST(test_gateway) {
        string_option_both_ways("gateway", gateways, ELEMENTSOF(gateways), 3, 8);
}

static const uint32_t mtus[] = {1, 67, 68, 1280, 1500, 9000, 65535, 65536, 100000, UINT32_MAX};

TEST(test_mtu) {
        unsigned accepted = 0, refused = 0;

        for (size_t i = 0; i < ELEMENTSOF(mtus); i++) {
                char text[16];
                snprintf(text, sizeof(text), "%" PRIu32, mtus[i]);
                both_ways(text, config_verdict("{" BASE ", \"network\": {\"mtu\": %" PRIu32 "}}", mtus[i]),
                          sidecar_option_verdict("mtu", 'u', &mtus[i]),
                          "web.json: network.mtu: ", "Option 'mtu': ", &accepted, &refused);
        }
        ASSERT(accepted >= 4 && refused >= 5);
}

static const uint32_t range_sizes[] = {
        1, 1000, 65535, 65536, 65537, 131072, 16 * 65536, 17 * 65536, 16 * 65536 + 1, UINT32_MAX - 1,
};

TEST(test_range_size) {
        unsigned accepted = 0, refused = 0;

        for (size_t i = 0; i < ELEMENTSOF(range_sizes); i++) {
                sd_bus_error e = SD_BUS_ERROR_NULL;
                uint32_t size = range_sizes[i];
                char text[16], *sidecar = NULL;

                snprintf(text, sizeof(text), "%" PRIu32, size);
                if (arg_check_range_size(size, &e) < 0) {
                        sidecar = strdup(e.message);
                        ASSERT(sidecar);
                }
                sd_bus_error_free(&e);
                /* The bus message has no key to name: the whole text is the same. */
                both_ways(text,
                          config_verdict("{" BASE
                                         ", \"user_namespace\": {\"base\": \"auto\", \"size\": %" PRIu32
                                         "}}",
                                         size),
                          sidecar, "web.json: user_namespace.size: ", "", &accepted, &refused);
                /* With a base of its own, no sidecar is asked: any size that fits. */
                if (size <= UINT32_MAX - 1000000) {
                        _cleanup_free_ char *own = config_verdict(
                                "{" BASE ", \"user_namespace\": {\"base\": 1000000, \"size\": %" PRIu32 "}}",
                                size);
                        ASSERT(!own);
                }
        }
        ASSERT(accepted >= 3 && refused >= 5);
}

/* The values "nscontain run -p" and the config's "resources" share: what the config
 * parser keeps for the unit is what lib/parse-util.c, which the CLI calls, reads. */
static const char *const memory_values[] = {
        "512M",
        "1G",
        "1.5G",
        "0",
        "1024",
        "2T",
        "3K",
        "1E",
        "7P",
        "infinity",
        "50%",
        "100%",
        "12.5%",
        "12.25%",
        "12.125%",
        "0%",
        "101%",
        "",
        "M",
        "1X",
        "1.G",
        "-1",
        "1 G",
        "inf",
        "1GB",
        "512m",
        "18446744073709551615",
        "18446744073709551616",
        "16E",
        "15.9E",
};

static bool memory_ok(const char *v) {
        uint64_t bytes, permyriad;
        return size_parse(v, &bytes) >= 0 ||
               (percent_parse(v, &permyriad) >= 0 && permyriad > 0 && permyriad <= 10000);
}

static bool weight_ok(const char *v) {
        uint64_t w;
        return weight_parse(v, &w) >= 0;
}

static bool quota_ok(const char *v) {
        uint64_t pm;
        return percent_parse(v, &pm) >= 0 && pm > 0;
}

static bool span_ok(const char *v) {
        uint64_t usec;
        return parse_timespan(v, &usec) >= 0;
}

/* The config parser accepts "KEY": "VALUE" (json_fmt, with %s for VALUE) exactly when
 * the function the CLI calls does; both verdicts occur at least 'least' times. */
static void lib_and_config_agree(const char *const *values, size_t n, bool (*lib_ok)(const char *),
                                 const char *json_fmt, unsigned least) {
        unsigned accepted = 0, refused = 0;

        for (size_t i = 0; i < n; i++) {
                bool lib = lib_ok(values[i]);
                _cleanup_free_ char *config = config_verdict(json_fmt, values[i]);

                if (lib != !config) {
                        fprintf(stderr, "\"%s\": lib/ %s, the config %s\n", values[i],
                                lib ? "accepts" : "refuses", config ?: "accepts");
                        abort();
                }
                *(lib ? &accepted : &refused) += 1;
        }
        ASSERT(accepted >= least && refused >= least);
}

TEST(test_memory) {
        lib_and_config_agree(memory_values, ELEMENTSOF(memory_values), memory_ok,
                             "{" BASE ", \"resources\": {\"memory_max\": \"%s\"}}", 10);
}

static const char *const weights[] = {"1",  "100", "10000", "0100", "0",  "10001",
                                      "-1", "1.5", "",      "idle", "1e3"};

TEST(test_weight) {
        lib_and_config_agree(weights, ELEMENTSOF(weights), weight_ok,
                             "{" BASE ", \"resources\": {\"io_weight\": \"%s\"}}", 3);
}

static const char *const quotas[] = {"50%", "200%",  "12.5%", "12.25%", "12.125%",
                                     "0%",  "0.01%", "50",    "%",      "x%"};

TEST(test_cpu_quota) {
        lib_and_config_agree(quotas, ELEMENTSOF(quotas), quota_ok,
                             "{" BASE ", \"resources\": {\"cpu_quota\": \"%s\"}}", 4);
}

static const char *const spans[] = {
        "10s",     "1min 30s", "500ms", "5",   "1h",         "2d 3h", "0",  "1.5s", "3.s",
        "1min 30", "soon",     "",      "-1s", "10 parsecs", "1y",    "1M", "1m",   "µs",
};

TEST(test_time_span) {
        lib_and_config_agree(spans, ELEMENTSOF(spans), span_ok, "{" BASE ", \"restart_sec\": \"%s\"}", 5);
}

static const char *const port_specs[] = {
        "8080:80",
        "127.0.0.1:8443:443/tcp",
        "5353:53/udp",
        "9000-9009:9000-9009",
        "[::1]:5353:53/udp",
        "0:80",
        "80",
        "80:80/sctp",
        "9000-9009:80",
        "1-2000:1-2000",
        "::1:80:80",
        "10.1:80:80",
        "65535:65535",
        "8080:80 ",
        "",
};

TEST(test_publish) {
        unsigned accepted = 0, refused = 0;

        for (size_t i = 0; i < ELEMENTSOF(port_specs); i++) {
                const char *v = port_specs[i];
                both_ways(v, config_verdict("{" BASE ", \"network\": {\"publish\": [\"%s\"]}}", v),
                          sidecar_option_verdict("publish", 'a', v),
                          "web.json: network.publish[0]: ", "Option 'publish': ", &accepted, &refused);
        }
        ASSERT(accepted >= 4 && refused >= 8);
}
