/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The dispatch tables (systemd's sd_json_dispatch_field is the model): an object of
 * the config is a table of rows, a row is one key with its JSON type, the callback
 * that checks and stores its value, and where it goes. Unknown keys, "did you mean"
 * and the list of valid keys come from the table; the rows run in table order, so
 * that the first error reported is always the same one. */
#include <limits.h>
#include <string.h>

#include "config-parse.h"
#include "strv.h"

int free_and_strdup(char **dst, const char *s) {
        char *c = strdup(s);
        if (!c)
                return -ENOMEM;
        free(*dst);
        *dst = c;
        return 0;
}

static size_t field_names(const ConfigObject *o, const char *names[static CONFIG_FIELDS_MAX]) {
        size_t n = 0;

        for (size_t i = 0; i < o->n_fields; i++)
                if (!(o->fields[i].flags & CONFIG_FIELD_REFUSED))
                        names[n++] = o->fields[i].name;
        return n;
}

static int unknown_key(Parser *p, const JPath *path, const char *key, const ConfigObject *o) {
        const char *names[CONFIG_FIELDS_MAX];
        size_t n = field_names(o, names);
        const JPath *jp = JP_KEY(path, key);
        const char *guess = config_closest(key, names, n);

        if (guess)
                return config_error(p, jp, "unknown key, did you mean \"%s\"?", guess);
        if (o->list_known) {
                _cleanup_free_ char *l = NULL;
                if (config_join_quoted(names, n, &l) < 0)
                        return -ENOMEM;
                return config_error(p, jp, "unknown key; valid keys here are %s", l);
        }
        return config_error(p, jp, "unknown key (see nscontain.json(5) for the valid keys)");
}

int config_dispatch_keys(Parser *p, const JPath *path, const JsonValue *v, const ConfigObject *o,
                         const JsonValue **given) {
        assert(o->n_fields <= CONFIG_FIELDS_MAX);

        if (v->type != JSON_OBJECT)
                return config_error(p, path, "must be %s, not %s", o->what, config_type_phrase(v));

        /* Unknown keys are errors (a typo must not silently become a default). Duplicate
         * keys were refused by the JSON parser, so each row gets at most one member.
         * Known mistakes (refused rows) come first, whatever else the object holds: the
         * first in table order, then the first unknown key in the object's order. */
        size_t refused = SIZE_MAX;
        const char *unknown = NULL;
        JSON_FOREACH(m, v) {
                const char *key = m->key;
                size_t i;

                /* The first byte tells most keys apart without a call. */
                for (i = 0; i < o->n_fields; i++)
                        if (o->fields[i].name[0] == key[0] && streq(o->fields[i].name, key))
                                break;
                if (i == o->n_fields) {
                        if (!unknown)
                                unknown = key;
                } else if (o->fields[i].flags & CONFIG_FIELD_REFUSED)
                        refused = MIN(refused, i);
                else
                        given[i] = m;
        }
        if (refused != SIZE_MAX)
                return config_error(p, JP_KEY(path, o->fields[refused].name), "%s", o->fields[refused].what);
        if (unknown)
                return unknown_key(p, path, unknown, o);
        return 0;
}

int config_check_type(Parser *p, const JPath *path, const JsonValue *v, JsonType type, const char *what) {
        if (type == JSON_ANY || v->type == type)
                return 0;
        if (type == JSON_BOOLEAN) {
                if (v->type == JSON_STRING && (streq(v->string, "true") || streq(v->string, "false")))
                        return config_error(p, path,
                                            "must be true or false, not a string; write %s without quotes",
                                            v->string);
                return config_error(p, path, "must be true or false, not %s", config_type_phrase(v));
        }
        return config_error(p, path, "must be %s, not %s", what, config_type_phrase(v));
}

int config_check_string_value(Parser *p, const JPath *path, const JsonValue *v) {
        if (v->type == JSON_INTEGER || v->type == JSON_FRACTION || v->type == JSON_BOOLEAN)
                return config_error(p, path, "must be a string, not %s; write \"%s\"", config_type_phrase(v),
                                    v->string);
        return config_check_type(p, path, v, JSON_STRING, "a string");
}

int config_dispatch_field(Parser *p, const JPath *parent, const JsonValue *v, const ConfigField *f,
                          void *base) {
        const JPath *path = JP_KEY(parent, f->name);
        int r;

        if (f->flags & CONFIG_FIELD_REFUSED)
                return 0;
        if (!v) {
                if (!(f->flags & CONFIG_FIELD_ABSENT))
                        return 0;
        } else {
                r = config_check_type(p, path, v, f->type, f->what);
                if (r < 0)
                        return r;
        }
        return f->callback(p, path, v, (uint8_t *)base + f->offset, f);
}

int config_dispatch(Parser *p, const JPath *path, const JsonValue *v, const ConfigObject *o, void *base) {
        const JsonValue *given[CONFIG_FIELDS_MAX] = {};
        int r;

        r = config_dispatch_keys(p, path, v, o, given);
        if (r < 0)
                return r;
        assert(!o->order || o->n_order == o->n_fields);
        for (size_t k = 0; k < o->n_fields; k++) {
                size_t i = o->order ? o->order[k] : k;
                /* config_dispatch_field() would return at once: most rows are absent. */
                if (!given[i] && !(o->fields[i].flags & CONFIG_FIELD_ABSENT))
                        continue;
                r = config_dispatch_field(p, path, given[i], &o->fields[i], base);
                if (r < 0)
                        return r;
        }
        return 0;
}

int config_dispatch_object(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                           const ConfigField *f) {
        return config_dispatch(p, path, v, f->arg, dest);
}

int config_dispatch_bool(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                         const ConfigField *f) {
        *(bool *)dest = v->boolean;
        return 0;
}

int config_dispatch_string(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                           const ConfigField *f) {
        return free_and_strdup(dest, v->string);
}

int config_dispatch_path(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                         const ConfigField *f) {
        char *n;
        int r;

        r = path_normalize(v->string, &n);
        if (r == -EINVAL)
                return config_error(p, path, "must be an absolute path, e.g. \"%s\"", (const char *)f->arg);
        if (r == -ELOOP)
                return config_error(p, path,
                                    "must not contain \"..\" components; write the path without them");
        if (r == -ENAMETOOLONG)
                return config_error(p, path, "is longer than %d bytes", PATH_MAX - 1);
        if (r < 0)
                return r;
        free(*(char **)dest);
        *(char **)dest = n;
        return 0;
}

int config_dispatch_uint32(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                           const ConfigField *f) {
        const ConfigRange *range = f->arg;

        if (v->integer < 0 || (uint64_t)v->integer < range->min || (uint64_t)v->integer > range->max)
                return config_error(p, path, "must be %s", f->what);
        *(uint32_t *)dest = (uint32_t)v->integer;
        return 0;
}

int config_enum_lookup(Parser *p, const JPath *path, const char *s, const ConfigEnum *e) {
        _cleanup_free_ char *all = NULL;
        char q[QUOTE_MAX];

        for (size_t i = 0; i < e->n; i++)
                if (streq(s, e->names[i]))
                        return (int)i;

        const char *g = config_closest(s, e->names, e->n);
        if (g)
                return config_error(p, path, "unknown %s %s, did you mean \"%s\"?", e->noun,
                                    config_quote(s, q, sizeof(q)), g);
        const char *list = e->list;
        if (!list) {
                if (config_join_quoted(e->names, e->n, &all) < 0)
                        return -ENOMEM;
                list = all;
        }
        if (e->unknown_first)
                return config_error(p, path, "unknown %s %s: must be %s%s", e->noun,
                                    config_quote(s, q, sizeof(q)), e->list ? "" : "one of ", list);
        return config_error(p, path, "must be %s, not %s", list, config_quote(s, q, sizeof(q)));
}

int config_dispatch_enum(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                         const ConfigField *f) {
        int r = config_enum_lookup(p, path, v->string, f->arg);
        if (r < 0)
                return r;
        *(int *)dest = r;
        return 0;
}

int config_dispatch_enum_string(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                                const ConfigField *f) {
        int r = config_enum_lookup(p, path, v->string, f->arg);
        if (r < 0)
                return r;
        return free_and_strdup(dest, v->string);
}

#define TIMESPAN_HINT "a time span such as \"10s\", \"1min 30s\" or \"500ms\" (a plain number means seconds)"

static int get_timespan(Parser *p, const JPath *path, const JsonValue *o, bool allow_infinity,
                        uint64_t *ret_usec, char **ret_text) {
        char q[QUOTE_MAX];
        uint64_t usec;

        if (o->type == JSON_INTEGER) {
                int64_t v = o->integer;
                if (v < 0 || (uint64_t)v > UINT64_MAX / 1000000ULL - 1)
                        return config_error(p, path, "must be %s", TIMESPAN_HINT);
                if (ret_usec)
                        *ret_usec = (uint64_t)v * 1000000ULL;
                if (ret_text && asprintf(ret_text, "%llds", (long long)v) < 0)
                        return -ENOMEM;
                return 0;
        }
        if (o->type != JSON_STRING)
                return config_error(p, path, "must be %s, not %s", TIMESPAN_HINT, config_type_phrase(o));

        const char *s = o->string;
        if (parse_timespan(s, &usec) < 0)
                return config_error(p, path, "invalid time span %s: write %s", config_quote(s, q, sizeof(q)),
                                    TIMESPAN_HINT);
        if (usec == UINT64_MAX && !allow_infinity)
                return config_error(p, path, "must be a finite time span, not \"infinity\"");
        if (ret_usec)
                *ret_usec = usec;
        if (ret_text)
                return free_and_strdup(ret_text, s);
        return 0;
}

int config_dispatch_timespan_text(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                                  const ConfigField *f) {
        char **text = dest;
        free(*text);
        *text = NULL;
        return get_timespan(p, path, v, false, NULL, text);
}

int config_dispatch_timespan_usec(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                                  const ConfigField *f) {
        return get_timespan(p, path, v, f->arg != NULL, dest, NULL);
}

int config_dispatch_names(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                          const ConfigField *f) {
        _cleanup_strv_free_ char **l = NULL;
        char q[QUOTE_MAX];
        size_t i = 0;

        l = calloc(v->n + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        JSON_FOREACH(e, v) {
                const JPath *jp = JP_INDEX(path, i);
                if (e->type != JSON_STRING)
                        return config_error(p, jp, "must be a string (a container name), not %s",
                                            config_type_phrase(e));
                const char *s = e->string;
                if (!config_name_is_valid(s)) {
                        char why[160];
                        return config_error(p, jp, "invalid container name %s: %s",
                                            config_quote(s, q, sizeof(q)),
                                            config_name_invalid_reason(s, false, why, sizeof(why)));
                }
                if (streq(s, p->config->name))
                        return config_error(p, jp, "%s is this container itself",
                                            config_quote(s, q, sizeof(q)));
                if (strv_contains(l, s))
                        return config_error(p, jp, "%s is listed twice", config_quote(s, q, sizeof(q)));
                l[i] = strdup(s);
                if (!l[i])
                        return -ENOMEM;
                i++;
        }
        /* An empty list is an empty strv, as before: NULL. */
        strv_free(*(char ***)dest);
        *(char ***)dest = i > 0 ? TAKE_PTR(l) : NULL;
        return 0;
}
