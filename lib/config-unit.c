/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What becomes the unit's settings: "resources", "restart", "stop_signal". Values are
 * kept as systemd spells them, ready for the drop-in. */
#include <string.h>

#include "config-parse.h"
#include "parse-util.h"

/* The grammars are lib/parse-util.c's, shared with "nscontain run -p". */

/* A percentage of memory or tasks: more than 0, at most 100. */
static bool percent_of_total_is_valid(const char *s) {
        uint64_t v;
        return percent_parse(s, &v) >= 0 && v > 0 && v <= 10000;
}

static int dispatch_bytes(Parser *p, const JPath *path, const JsonValue *o, void *dest,
                          const ConfigField *f) {
        char **ret = dest;
        char q[QUOTE_MAX];

        if (o->type == JSON_INTEGER) {
                int64_t v = o->integer;
                if (v < 0)
                        return config_error(p, path, "must not be negative");
                if (asprintf(ret, "%lld", (long long)v) < 0)
                        return -ENOMEM;
                return 0;
        }
        if (o->type == JSON_STRING) {
                const char *s = o->string;
                size_t l = strlen(s);
                uint64_t bytes;

                if (size_parse(s, &bytes) >= 0 || percent_of_total_is_valid(s))
                        return free_and_strdup(ret, s);
                if (l > 1 && strchr("kmgtpe", s[l - 1])) {
                        _cleanup_free_ char *upper = strdup(s);
                        if (!upper)
                                return -ENOMEM;
                        upper[l - 1] = (char)(s[l - 1] - 'a' + 'A');
                        if (size_parse(upper, &bytes) >= 0)
                                return config_error(
                                        p, path,
                                        "invalid size %s: systemd wants an upper-case suffix, write \"%s\"",
                                        config_quote(s, q, sizeof(q)), upper);
                }
                return config_error(
                        p, path,
                        "invalid size %s: write bytes as a number, a size like \"512M\" or \"1G\" "
                        "(suffixes K M G T P E), a percentage like \"50%%\", or \"infinity\"",
                        config_quote(s, q, sizeof(q)));
        }
        return config_error(
                p, path,
                "must be a number of bytes or a string like \"512M\", \"50%%\" or \"infinity\", not %s",
                config_type_phrase(o));
}

/* arg non-NULL: "idle" is a weight too (CPUWeight=). */
static int dispatch_weight(Parser *p, const JPath *path, const JsonValue *o, void *dest,
                           const ConfigField *f) {
        bool allow_idle = f->arg;
        char **ret = dest;
        const char *what = allow_idle ? "a number from 1 to 10000 or \"idle\"" : "a number from 1 to 10000";
        uint64_t v;
        int r;

        if (o->type == JSON_STRING) {
                const char *s = o->string;
                if (allow_idle && streq(s, "idle"))
                        return free_and_strdup(ret, s);
                /* "100" in quotes is what the unit file will hold anyway. */
                if (weight_parse(s, &v) >= 0)
                        return free_and_strdup(ret, s);
                return config_error(p, path, "must be %s", what);
        }
        r = config_check_type(p, path, o, JSON_INTEGER, what);
        if (r < 0)
                return r;
        if (o->integer < 1 || o->integer > 10000)
                return config_error(p, path, "must be %s", what);
        v = (uint64_t)o->integer;
        if (asprintf(ret, "%llu", (unsigned long long)v) < 0)
                return -ENOMEM;
        return 0;
}

static int dispatch_cpu_quota(Parser *p, const JPath *path, const JsonValue *o, void *dest,
                              const ConfigField *f) {
        char q[QUOTE_MAX];
        const char *s;

        if (o->type == JSON_INTEGER || o->type == JSON_FRACTION)
                return config_error(
                        p, path,
                        "must be a string with a percent sign, e.g. \"50%%\" (100%% is one CPU), not %s",
                        config_type_phrase(o));
        if (o->type != JSON_STRING)
                return config_error(p, path, "must be a string like \"50%%\", not %s",
                                    config_type_phrase(o));
        s = o->string;
        /* systemd takes at most two decimals (CPUQuota= is in permyriad). */
        uint64_t permyriad;
        if (percent_parse(s, &permyriad) < 0 || permyriad == 0)
                return config_error(
                        p, path,
                        "invalid quota %s: write a percentage of one CPU, e.g. \"50%%\" or \"200%%\"",
                        config_quote(s, q, sizeof(q)));
        return free_and_strdup(dest, s);
}

static int dispatch_tasks_max(Parser *p, const JPath *path, const JsonValue *o, void *dest,
                              const ConfigField *f) {
        char **ret = dest;
        char q[QUOTE_MAX];
        uint64_t v;
        int r;

        if (o->type == JSON_STRING) {
                const char *s = o->string;
                if (streq(s, "infinity") || percent_of_total_is_valid(s) ||
                    (decimal_parse(s, strlen(s), UINT64_MAX - 1, &v) >= 0 && v > 0))
                        return free_and_strdup(ret, s);
                return config_error(
                        p, path,
                        "invalid value %s: write a number, a percentage like \"10%%\", or \"infinity\"",
                        config_quote(s, q, sizeof(q)));
        }
#define TASKS_WHAT "a positive number, a percentage like \"10%\", or \"infinity\""
        r = config_check_type(p, path, o, JSON_INTEGER, TASKS_WHAT);
        if (r < 0)
                return r;
        if (o->integer < 1)
                return config_error(p, path, "must be %s", TASKS_WHAT);
        v = (uint64_t)o->integer;
        if (asprintf(ret, "%llu", (unsigned long long)v) < 0)
                return -ENOMEM;
        return 0;
}

static const ConfigField resources_fields[] = {
        {"memory_max", JSON_ANY, dispatch_bytes, offsetof(Resources, memory_max)},
        {"memory_high", JSON_ANY, dispatch_bytes, offsetof(Resources, memory_high)},
        {"cpu_weight", JSON_ANY, dispatch_weight, offsetof(Resources, cpu_weight), 0, NULL, "idle"},
        {"cpu_quota", JSON_ANY, dispatch_cpu_quota, offsetof(Resources, cpu_quota)},
        {"tasks_max", JSON_ANY, dispatch_tasks_max, offsetof(Resources, tasks_max)},
        {"io_weight", JSON_ANY, dispatch_weight, offsetof(Resources, io_weight)},
};

static const ConfigObject resources_object =
        CONFIG_OBJECT("an object, e.g. {\"memory_max\": \"512M\"}", resources_fields, true);

int config_dispatch_resources(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                              const ConfigField *f) {
        return config_dispatch(p, path, v, &resources_object, dest);
}

const ConfigEnum config_restart_values = {
        .names = (const char *const[]){"no", "on-success", "on-failure", "on-abnormal", "on-watchdog",
                                       "on-abort", "always"},
        .n = 7,
        .noun = "value",
        .unknown_first = true,
};

int config_dispatch_stop_signal(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                                const ConfigField *f) {
        char q[QUOTE_MAX];
        const char *s = v->string;
        int sig;

        sig = signal_from_string(s);
        if (sig < 0) {
                const char *names[32] = {};
                char storage[32][16];
                _cleanup_free_ char *upper = strdup(s);
                if (!upper)
                        return -ENOMEM;
                for (char *c = upper; *c; c++)
                        if (*c >= 'a' && *c <= 'z')
                                *c = (char)(*c - 'a' + 'A');
                for (int i = 1; i < 32; i++) {
                        const char *n = signal_to_string(i);
                        if (n) {
                                snprintf(storage[i], sizeof(storage[i]), "%s",
                                         strncmp(upper, "SIG", 3) == 0 ? n : n + 3);
                                names[i] = storage[i];
                        }
                }
                const char *g = config_closest(upper, names, ELEMENTSOF(names));
                if (g)
                        return config_error(p, path, "unknown signal %s, did you mean \"%s%s\"?",
                                            config_quote(s, q, sizeof(q)),
                                            strncmp(g, "SIG", 3) == 0 ? "" : "SIG", g);
                return config_error(
                        p, path,
                        "unknown signal %s: write a name like \"SIGTERM\", \"SIGINT\" or \"SIGRTMIN+3\"",
                        config_quote(s, q, sizeof(q)));
        }
        *(int *)dest = sig;
        p->stop_signal_given = true;
        return 0;
}
