/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <string.h>

#include "generator.h"
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
static bool value_is_safe(const char *s) {
        for (const unsigned char *p = (const unsigned char *)s; *p; p++)
                if (*p < ' ' || *p == 0x7f)
                        return false;
        return true;
}

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
        if (!value || value_is_safe(value))
                return 0;
        if (ret_error &&
            asprintf(ret_error, "%s: %s: contains a control character, which a unit file cannot hold", file,
                     what) < 0)
                *ret_error = NULL;
        return -EINVAL;
}

int dropin_render(const Config *c, const char *path, const char *snapshot, char **ret, char **ret_error) {
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
                text_put_unit(&t, "Requires", *n);
        STRV_FOREACH (n, c->wants)
                text_put_unit(&t, "Wants", *n);

        text_puts(&t, "\n[Service]\n");
        text_put_env(&t, "NSCONTAIN_CONFIG", snapshot);
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

        buf = t.buf;
        if (t.error < 0)
                return t.error;
        *ret = TAKE_PTR(buf);
        return 0;
}
