/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* "mounts": binds and tmpfs mounts. A mount's "type" decides which of the other keys
 * it takes, so its rows run in an order chosen by the type. */
#include <string.h>

#include "config-parse.h"
#include "strv.h"

static const char *const tmpfs_options[] = {
        "size", "nr_blocks", "nr_inodes", "mode",    "uid",    "gid",
        "huge", "mpol",      "inode32",   "inode64", "noswap",
};

static bool tmpfs_option_is_known(const char *key) {
        for (size_t i = 0; i < ELEMENTSOF(tmpfs_options); i++)
                if (streq(key, tmpfs_options[i]))
                        return true;
        return false;
}

static int check_tmpfs_options(Parser *p, const JPath *path, const char *s) {
        char q[QUOTE_MAX];

        for (const char *c = s; *c;) {
                size_t l = strcspn(c, ",");
                size_t kl = strcspn(c, "=,");
                char key[32], opt[160];

                snprintf(opt, sizeof(opt), "%.*s", (int)MIN(l, sizeof(opt) - 1), c);
                if (l == 0)
                        return config_error(p, path,
                                            "empty option in %s: separate options with single commas",
                                            config_quote(s, q, sizeof(q)));
                if (kl >= sizeof(key) ||
                    !tmpfs_option_is_known((snprintf(key, sizeof(key), "%.*s", (int)kl, c), key))) {
                        _cleanup_free_ char *known = NULL;
                        if (config_join_quoted(tmpfs_options, ELEMENTSOF(tmpfs_options), &known) < 0)
                                return -ENOMEM;
                        return config_error(p, path, "unknown tmpfs option %s; known options are %s",
                                            config_quote(opt, q, sizeof(q)), known);
                }
                if (kl < l) {
                        /* A value: plain characters only, no mount flags smuggled in. */
                        if (kl + 1 == l)
                                return config_error(p, path, "option %s has an empty value",
                                                    config_quote(opt, q, sizeof(q)));
                        for (size_t i = kl + 1; i < l; i++) {
                                char ch = c[i];
                                if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                                      (ch >= '0' && ch <= '9') || ch == '%' || ch == ':' || ch == '.' ||
                                      ch == '_' || ch == '+' || ch == '-'))
                                        return config_error(p, path, "option %s has an invalid value",
                                                            config_quote(opt, q, sizeof(q)));
                        }
                        if (streq(key, "mode")) {
                                if (l - kl - 1 > 4 || strspn(c + kl + 1, "01234567") < l - kl - 1)
                                        return config_error(
                                                p, path, "option %s: mode must be octal, e.g. \"mode=1777\"",
                                                config_quote(opt, q, sizeof(q)));
                        }
                }
                c += l;
                if (*c == ',') {
                        c++;
                        if (!*c)
                                return config_error(p, path, "trailing comma in %s",
                                                    config_quote(s, q, sizeof(q)));
                }
        }
        return 0;
}

static bool path_is_under(const char *path, const char *prefix) {
        size_t l = strlen(prefix);
        return strncmp(path, prefix, l) == 0 && (path[l] == 0 || path[l] == '/');
}

static int dispatch_target(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                           const ConfigField *f) {
        char **target = dest;
        int r;

        if (!v)
                return config_error(p, path,
                                    "required: where to mount inside the container, e.g. \"/data\"");
        r = config_dispatch_path(p, path, v, dest, f);
        if (r < 0)
                return r;
        if (streq(*target, "/"))
                return config_error(p, path, "must not be \"/\": the container's root is \"rootfs\"");
        if (path_is_under(*target, "/proc") || path_is_under(*target, "/sys"))
                return config_error(
                        p, path,
                        "must not be on /proc or /sys: the runtime mounts those (and masks parts of them)");
        return 0;
}

/* The rows below run with the mount's type already known: the MountSpec they fill
 * is the whole mount, found from the field's own offset. */
#define MOUNT_OF(dest, member) ((MountSpec *)((uint8_t *)(dest)-offsetof(MountSpec, member)))

static int dispatch_source(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                           const ConfigField *f) {
        int r;

        if (MOUNT_OF(dest, source)->type == MOUNT_TMPFS)
                return v ? config_error(p, path, "not used by \"type\": \"tmpfs\"; remove it") : 0;
        if (!v)
                return config_error(p, path, "required for a bind mount: the host path, e.g. \"/srv/data\"");
        r = config_check_type(p, path, v, JSON_STRING, "a string (an absolute path)");
        if (r < 0)
                return r;
        return config_dispatch_path(p, path, v, dest, f);
}

static int dispatch_idmap(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                          const ConfigField *f) {
        int r;

        if (MOUNT_OF(dest, idmap)->type == MOUNT_TMPFS)
                return config_error(p, path, "only for bind mounts; remove it");
        r = config_check_type(p, path, v, JSON_BOOLEAN, NULL);
        if (r < 0)
                return r;
        return config_dispatch_bool(p, path, v, dest, f);
}

static int dispatch_options(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                            const ConfigField *f) {
        int r;

        if (MOUNT_OF(dest, options)->type == MOUNT_BIND)
                return config_error(p, path, "only for \"type\": \"tmpfs\"; remove it");
        r = config_check_type(p, path, v, JSON_STRING,
                              "a string of tmpfs options, e.g. \"size=64m,mode=1777\"");
        if (r < 0)
                return r;
        r = check_tmpfs_options(p, path, v->string);
        if (r < 0)
                return r;
        return isempty(v->string) ? 0 : free_and_strdup(dest, v->string);
}

static const ConfigEnum mount_types = {
        .names = (const char *const[]){[MOUNT_BIND] = "bind", [MOUNT_TMPFS] = "tmpfs"},
        .n = 2,
        .noun = "type",
        .list = "\"bind\" or \"tmpfs\"",
        .unknown_first = true,
};

enum {
        MOUNT_FIELD_TYPE,
        MOUNT_FIELD_SOURCE,
        MOUNT_FIELD_TARGET,
        MOUNT_FIELD_READONLY,
        MOUNT_FIELD_IDMAP,
        MOUNT_FIELD_OPTIONS,
};

static const ConfigField mount_fields[] = {
        [MOUNT_FIELD_TYPE] = {"type", JSON_STRING, config_dispatch_enum, offsetof(MountSpec, type), 0,
                              "\"bind\" or \"tmpfs\"", &mount_types},
        [MOUNT_FIELD_SOURCE] = {"source", JSON_ANY, dispatch_source, offsetof(MountSpec, source),
                                CONFIG_FIELD_ABSENT, NULL, "/srv/data"},
        [MOUNT_FIELD_TARGET] = {"target", JSON_STRING, dispatch_target, offsetof(MountSpec, target),
                                CONFIG_FIELD_ABSENT, "a string (an absolute path)", "/data"},
        [MOUNT_FIELD_READONLY] = {"readonly", JSON_BOOLEAN, config_dispatch_bool,
                                  offsetof(MountSpec, readonly)},
        [MOUNT_FIELD_IDMAP] = {"idmap", JSON_ANY, dispatch_idmap, offsetof(MountSpec, idmap)},
        [MOUNT_FIELD_OPTIONS] = {"options", JSON_ANY, dispatch_options, offsetof(MountSpec, options)},
};

static const ConfigObject mount_object = CONFIG_OBJECT(
        "an object, e.g. {\"source\": \"/srv/data\", \"target\": \"/data\"}", mount_fields, true);

/* The order in which a mount's rows run (and so which of two errors is reported). */
static const uint8_t bind_order[] = {MOUNT_FIELD_TARGET, MOUNT_FIELD_OPTIONS, MOUNT_FIELD_SOURCE,
                                     MOUNT_FIELD_IDMAP, MOUNT_FIELD_READONLY};
static const uint8_t tmpfs_order[] = {MOUNT_FIELD_TARGET, MOUNT_FIELD_SOURCE, MOUNT_FIELD_IDMAP,
                                      MOUNT_FIELD_OPTIONS, MOUNT_FIELD_READONLY};

static int dispatch_mount(Parser *p, const JPath *path, const JsonValue *v, MountSpec *m) {
        const JsonValue *given[CONFIG_FIELDS_MAX] = {};
        int r;

        r = config_dispatch_keys(p, path, v, &mount_object, given);
        if (r < 0)
                return r;

        m->type = MOUNT_BIND;
        r = config_dispatch_field(p, path, given[MOUNT_FIELD_TYPE], &mount_fields[MOUNT_FIELD_TYPE], m);
        if (r < 0)
                return r;
        m->idmap = m->type == MOUNT_BIND;

        const uint8_t *order = m->type == MOUNT_BIND ? bind_order : tmpfs_order;
        for (size_t i = 0; i < ELEMENTSOF(bind_order); i++) {
                r = config_dispatch_field(p, path, given[order[i]], &mount_fields[order[i]], m);
                if (r < 0)
                        return r;
        }
        return 0;
}

int config_dispatch_mounts(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                           const ConfigField *f) {
        Config *c = p->config;
        char q[QUOTE_MAX];
        size_t i = 0;
        int r;

        if (v->n > CONFIG_MOUNTS_MAX)
                return config_error(p, path, "more than %d mounts", CONFIG_MOUNTS_MAX);
        if (v->n == 0)
                return 0;

        c->mounts = calloc(v->n, sizeof(MountSpec));
        if (!c->mounts)
                return -ENOMEM;
        JSON_FOREACH(e, v) {
                const JPath *jp = JP_INDEX(path, i);
                c->n_mounts = i + 1; /* so config_free() frees what a failed entry holds */
                r = dispatch_mount(p, jp, e, &c->mounts[i]);
                if (r < 0)
                        return r;
                for (size_t j = 0; j < i; j++)
                        if (streq(c->mounts[j].target, c->mounts[i].target))
                                return config_error(p, JP_KEY(jp, "target"),
                                                    "%s is already the target of mounts[%zu]",
                                                    config_quote(c->mounts[i].target, q, sizeof(q)), j);
                i++;
        }
        return 0;
}
