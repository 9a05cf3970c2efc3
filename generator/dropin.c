/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <string.h>

#include "config-snapshot.h"
#include "escape.h"
#include "generator.h"
#include "parse-util.h"
#include "strv.h"
#include "unit-name.h"

/* A growing string; the first failure sticks so callers check once at the end. */
typedef struct Text {
        char *buf;
        size_t len, allocated;
        int error;
} Text;

static void text_append(Text *t, const char *s, size_t n) {
        if (t->error < 0)
                return;
        if (t->len + n + 1 > t->allocated) {
                /* A typical drop-in fits the first allocation. */
                size_t a = MAX(t->allocated * 2, t->len + n + 1);
                a = MAX(a, (size_t)1024);
                char *b = realloc(t->buf, a);
                if (!b) {
                        t->error = -ENOMEM;
                        return;
                }
                t->buf = b;
                t->allocated = a;
        }
        memcpy(t->buf + t->len, s, n);
        t->len += n;
        t->buf[t->len] = 0;
}

static void text_puts(Text *t, const char *s) {
        text_append(t, s, strlen(s));
}

/* Unit-file values go through specifier expansion: a literal '%' must be "%%". */
static void text_put_value(Text *t, const char *s) {
        for (const char *p = s; *p;) {
                size_t n = strcspn(p, "%");
                text_append(t, p, n);
                p += n;
                if (*p == '%') {
                        text_append(t, "%%", 2);
                        p++;
                }
        }
}

/* Environment= splits at whitespace and unquotes: quote an assignment whose value
 * holds whitespace, quotes or backslashes, escaping the last two. */
static void text_put_env(Text *t, const char *key, const char *value) {
        bool quote = value[strcspn(value, " \t\"'\\")] != 0;
        const char *special = quote ? "%\"\\" : "%";

        text_puts(t, "Environment=");
        if (quote)
                text_puts(t, "\"");
        text_puts(t, key);
        text_puts(t, "=");
        for (const char *p = value; *p;) {
                size_t n = strcspn(p, special);
                text_append(t, p, n);
                p += n;
                if (!*p)
                        break;
                /* '%' doubled, '"' and '\\' escaped. */
                text_append(t, *p == '%' ? "%" : "\\", 1);
                text_append(t, p, 1);
                p++;
        }
        if (quote)
                text_puts(t, "\"");
        text_puts(t, "\n");
}

/* Only some settings expand specifiers (SourcePath=, Description=, Environment=):
 * for the others ("CPUQuota=150%") a doubled '%' would be wrong. */
static void text_put_setting(Text *t, const char *key, const char *value, bool specifiers) {
        text_puts(t, key);
        text_puts(t, "=");
        if (specifiers)
                text_put_value(t, value);
        else
                text_puts(t, value);
        text_puts(t, "\n");
}

static void text_put_unit(Text *t, const char *key, const char *name) {
        text_puts(t, key);
        text_puts(t, "=" CONTAINER_UNIT_PREFIX);
        text_puts(t, name);
        text_puts(t, CONTAINER_UNIT_SUFFIX "\n");
}

/* Whether *n already appeared earlier in lists[0..i] (one After= per container is
 * enough; lists are short, a linear scan is cheapest). */
static bool already_listed(char *const *const *lists, size_t i, char *const *n) {
        for (size_t j = 0; j <= i; j++)
                STRV_FOREACH (m, lists[j]) {
                        if (m == n)
                                return false;
                        if (streq(*m, *n))
                                return true;
                }
        return false;
}

/* A unit file is line based: a value with a line break or other control character
 * would end the setting early and smuggle in settings of its own. The config model
 * validates values already; this keeps the renderer safe on its own. */
void format_usec(uint64_t usec, char buf[static 32]) {
        const char *unit = "us";
        char digits[20];
        size_t n = 0, k = 0;

        if (usec == UINT64_MAX) {
                strcpy(buf, "infinity");
                return;
        }
        if (usec % 1000000 == 0) {
                usec /= 1000000;
                unit = "s";
        } else if (usec % 1000 == 0) {
                usec /= 1000;
                unit = "ms";
        }
        /* By hand: this runs for every container, and printf() is most of its cost. */
        do {
                digits[n++] = (char)('0' + usec % 10);
                usec /= 10;
        } while (usec > 0);
        while (n > 0)
                buf[k++] = digits[--n];
        strcpy(buf + k, unit);
}

static int check_value(const char *file, const char *what, const char *value, char **ret_error) {
        if (!value || string_is_one_line(value))
                return 0;
        if (ret_error &&
            asprintf(ret_error, "%s: %s: contains a control character, which a unit file cannot hold", file,
                     what) < 0)
                *ret_error = NULL;
        return -EINVAL;
}

static void text_put_rlimit_value(Text *t, uint64_t v) {
        char buf[DECIMAL_MAX];

        text_puts(t, v == RLIM_INFINITY ? "infinity" : decimal_format(v, buf));
}

/* The service contract (nscontain.json(5)): the watchdog, what systemd hands the
 * helper for the payload (credentials, raised limits, device access), and the
 * [Service] settings the config passes through as written. */
static void dropin_render_service(Text *t, const Config *c) {
        char span[32];

        if (c->watchdog_sec)
                text_put_setting(t, "WatchdogSec", c->watchdog_sec, false);
        /* READY=1 waits for the first passing check: the start timeout must leave the
         * check its start period on top of systemd's default. */
        if (c->health.command && c->health.ready_when_healthy) {
                uint64_t start =
                        c->health.start_period_usec + c->health.interval_usec + c->health.timeout_usec;
                format_usec(start > UINT64_MAX - DEFAULT_START_TIMEOUT_USEC
                                    ? UINT64_MAX
                                    : start + DEFAULT_START_TIMEOUT_USEC,
                            span);
                text_put_setting(t, "TimeoutStartSec", span, false);
        }
        for (size_t i = 0; i < c->n_credentials; i++) {
                /* A fallback: systemd fails a unit whose LoadCredential= source is missing
                 * without naming it; with a SetCredential= of the same NAME it starts the
                 * helper instead, which fails naming the file (nscontain-helper(8),
                 * "CREDENTIALS"). No value of a secret is ever written here. */
                text_puts(t, "SetCredential=");
                text_put_value(t, c->credentials[i].key);
                text_puts(t, ":" CREDENTIAL_MISSING_MARKER "\n");
                /* LoadCredential= expands specifiers: '%' doubled. */
                text_puts(t, "LoadCredential=");
                text_put_value(t, c->credentials[i].key);
                text_puts(t, ":");
                text_put_value(t, c->credentials[i].value);
                text_puts(t, "\n");
        }
        for (int i = 0; c->rlimits && i < CONFIG_RLIMIT_MAX; i++) {
                const ConfigRlimit *l = &c->rlimits[i];
                if (!l->set)
                        continue;
                text_puts(t, rlimit_to_setting(i));
                text_puts(t, "=");
                text_put_rlimit_value(t, l->soft);
                if (l->hard != l->soft) {
                        text_puts(t, ":");
                        text_put_rlimit_value(t, l->hard);
                }
                text_puts(t, "\n");
        }
        for (size_t i = 0; i < c->n_devices; i++) {
                text_puts(t, "DeviceAllow=");
                text_put_value(t, c->devices[i].key);
                text_puts(t, " ");
                text_puts(t, c->devices[i].value);
                text_puts(t, "\n");
        }
        if (c->n_service > 0)
                text_puts(t, "# \"service\" of the config, as written\n");
        for (size_t i = 0; i < c->n_service; i++)
                text_put_setting(t, c->service[i].key, c->service[i].value, false);
}

int dropin_render(const Config *c, const char *path, const char *snapshot, uint64_t offset,
                  char *const *absent, char **ret,
                  char **ret_error) {
        _cleanup_free_ char *buf = NULL;
        const char *file;
        char timeout[32];
        int r;

        assert(c && c->name && path && snapshot && ret);

        file = strrchr(path, '/');
        file = file ? file + 1 : path;

        const struct {
                const char *key, *what, *value;
        } resources[] = {
                {"MemoryMax", "resources.memory_max", c->resources.memory_max},
                {"MemoryHigh", "resources.memory_high", c->resources.memory_high},
                {"CPUWeight", "resources.cpu_weight", c->resources.cpu_weight},
                {"CPUQuota", "resources.cpu_quota", c->resources.cpu_quota},
                {"TasksMax", "resources.tasks_max", c->resources.tasks_max},
                {"IOWeight", "resources.io_weight", c->resources.io_weight},
        };

        r = check_value(file, "path", path, ret_error);
        if (r >= 0)
                r = check_value(file, "snapshot path", snapshot, ret_error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(resources); i++) {
                r = check_value(file, resources[i].what, resources[i].value, ret_error);
                if (r < 0)
                        return r;
        }
        /* The keys that reach the drop-in as written: the parser refuses control
         * characters already; this keeps the renderer safe on its own. */
        for (size_t i = 0; i < c->n_service; i++) {
                r = check_value(file, "service", c->service[i].value, ret_error);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < c->n_credentials; i++) {
                r = check_value(file, "credentials", c->credentials[i].value, ret_error);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < c->n_devices; i++) {
                r = check_value(file, "devices", c->devices[i].key, ret_error);
                if (r < 0)
                        return r;
        }
        r = check_value(file, "watchdog_sec", c->watchdog_sec, ret_error);
        if (r < 0)
                return r;
        r = check_value(file, "restart", c->restart, ret_error);
        if (r >= 0)
                r = check_value(file, "restart_sec", c->restart_sec, ret_error);
        if (r < 0)
                return r;

        Text t = {};

        text_puts(&t, "# Automatically generated by nscontain-generator from ");
        text_puts(&t, file);
        text_puts(&t, "\n\n[Unit]\n");
        text_put_setting(&t, "SourcePath", path, true);
        text_puts(&t, "Description=Container ");
        text_puts(&t, c->name);
        text_puts(&t, "\n");

        /* Like podman's quadlet: a requirement or a want also orders this container
         * after the other, which is what "I need the database" means in practice. */
        char *const *order[] = {c->after, c->requires, c->wants};
        for (size_t i = 0; i < ELEMENTSOF(order); i++)
                STRV_FOREACH (n, order[i])
                        if (!already_listed(order, i, n))
                                text_put_unit(&t, "After", *n);
        STRV_FOREACH (n, c->requires)
                if (!strv_contains(absent, *n))
                        text_put_unit(&t, "Requires", *n);
        STRV_FOREACH (n, c->wants)
                text_put_unit(&t, "Wants", *n);

        text_puts(&t, "\n[Service]\n");
        text_put_env(&t, CONFIG_SNAPSHOT_ENV, snapshot);
        char number[DECIMAL_MAX];
        text_put_env(&t, CONFIG_SNAPSHOT_OFFSET_ENV, decimal_format(offset, number));
        for (size_t i = 0; i < ELEMENTSOF(resources); i++)
                if (resources[i].value)
                        text_put_setting(&t, resources[i].key, resources[i].value, false);
        text_put_setting(&t, "Restart", c->restart ?: "no", false);
        if (c->restart_sec)
                text_put_setting(&t, "RestartSec", c->restart_sec, false);

        if (c->stop_timeout_usec == UINT64_MAX ||
            c->stop_timeout_usec > UINT64_MAX - 1 - STOP_TIMEOUT_MARGIN_USEC)
                format_usec(UINT64_MAX, timeout);
        else
                format_usec(c->stop_timeout_usec + STOP_TIMEOUT_MARGIN_USEC, timeout);
        text_puts(&t, "TimeoutStopSec=");
        text_puts(&t, timeout);
        text_puts(&t, "\n");

        dropin_render_service(&t, c);

        buf = t.buf;
        if (t.error < 0)
                return t.error;
        *ret = TAKE_PTR(buf);
        return 0;
}
