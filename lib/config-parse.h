/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The config parser's insides, shared by its files and by nothing else
 * (docs/ARCHITECTURE.md, "Where a change belongs"):
 *
 *   config-error.c     where a value is (JPath) and the one message a parse reports
 *   config-dispatch.c  the dispatch tables: a key is one ConfigField row; type checks,
 *                      unknown keys and "did you mean" come from the table
 *   config-model.c     the Config object: defaults and freeing
 *   config-values.c    checks of single values (names, paths, hostnames, users)
 *   config.c           the top-level table, the checks between keys, the entry points
 *   config-SECTION.c   one table (and its callbacks) per section of the file
 *
 * A new key is a row in its section's table plus, when no generic callback fits, one
 * callback that checks the value and stores it. */

#include "config.h"
#include "escape.h"
#include "ifname.h"
#include "json-check.h"
#include "sidecar-bus.h"

/* Room for a quoted value in a message: config_quote() shows at most 64 characters. */
#define QUOTE_MAX QUOTE_BUF_SIZE

typedef struct Parser {
        const char *file; /* basename, for messages */
        char *error;      /* the first error: the one reported */
        Config *config;
        bool net_given;  /* "namespaces": {"net": ...} was written */
        bool mode_given; /* "network": {"mode": ...} was written */
        bool stop_signal_given;
} Parser;

/* Where a value is, for messages: a chain of keys and indexes up to the top level
 * (NULL), kept on the stack and turned into text ("mounts[1].target") only when an
 * error is reported, so that a valid config costs no formatting. */
typedef struct JPath {
        const struct JPath *parent;
        const char *key; /* NULL: an array element */
        size_t index;
} JPath;
#define JP_KEY(parent, k)   (&(const JPath){(parent), (k), 0})
#define JP_INDEX(parent, i) (&(const JPath){(parent), NULL, (i)})

/* config-error.c */

/* Records "FILE: PATH: MESSAGE" as the parse's error (the first one wins) and returns
 * -EINVAL (-ENOMEM when even that failed). */
_printf_(3, 4) int config_error(Parser *p, const JPath *path, const char *fmt, ...);
/* A value as it may be shown in a message: lib/escape.c's quote() (in double quotes,
 * JSON-escaped, cut at 64 characters). 'buf' holds at least QUOTE_MAX bytes. */
const char *config_quote(const char *s, char *buf, size_t size);
/* "a string", "a number", "true", "an object", ... */
const char *config_type_phrase(const JsonValue *v);
/* The candidate closest to s, if it is close enough to be a likely typo (NULL entries
 * are skipped). */
const char *config_closest(const char *s, const char *const *candidates, size_t n);
/* "\"a\", \"b\", \"c\"" */
int config_join_quoted(const char *const *l, size_t n, char **ret);

/* config-dispatch.c */

typedef struct ConfigField ConfigField;

/* Checks one value and stores it at 'dest' (the row's offset in the object being
 * filled). 'v' is NULL only for a CONFIG_FIELD_ABSENT row whose key is missing. */
typedef int (*ConfigDispatchFunc)(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                                  const ConfigField *f);

typedef enum ConfigFieldFlags {
        /* The callback also runs when the key is absent, with v = NULL: a required key
         * says so, a default computed from other keys is filled in. */
        CONFIG_FIELD_ABSENT = 1 << 0,
        /* Not a key but a known mistake: refused (with 'what' as the message) before the
         * unknown keys are looked at, in table order; never listed or suggested. */
        CONFIG_FIELD_REFUSED = 1 << 1,
} ConfigFieldFlags;

/* Any JSON type: the callback checks. */
#define JSON_ANY ((JsonType)-1)

struct ConfigField {
        const char *name;
        JsonType type; /* checked before the callback: "must be WHAT, not TYPE" (booleans
                        * say "true or false") */
        ConfigDispatchFunc callback;
        size_t offset; /* of the destination in the object the table fills */
        ConfigFieldFlags flags;
        const char *what; /* the value in messages: "a string (an absolute path)" */
        const void *arg;  /* the callback's own parameter (an example, a range, an enum) */
};

typedef struct ConfigObject {
        const char *what; /* the object in the type check's message: "an object, e.g. {...}" */
        const ConfigField *fields;
        size_t n_fields;
        bool list_known; /* an unknown key's message lists the valid keys (small objects) */
        /* The order in which the rows run when it is not the table's (which is also the
         * order of the keys in messages): a key that checks another's value runs later. */
        const uint8_t *order;
        size_t n_order;
} ConfigObject;

#define CONFIG_OBJECT(w, f, l) \
        { .what = (w), .fields = (f), .n_fields = ELEMENTSOF(f), .list_known = (l) }
#define CONFIG_OBJECT_ORDERED(w, f, l, o)                                                               \
        {                                                                                               \
                .what = (w), .fields = (f), .n_fields = ELEMENTSOF(f), .list_known = (l), .order = (o), \
                .n_order = ELEMENTSOF(o)                                                                \
        }
#define CONFIG_FIELDS_MAX 64

/* The whole table: the object's type, refused and unknown keys, then every row in
 * table order (the order in which errors are found). */
int config_dispatch(Parser *p, const JPath *path, const JsonValue *v, const ConfigObject *o, void *base);
/* The first half: the object's type and its keys; given[i] is the member for row i or
 * NULL. For objects whose rows run in an order that depends on a value (mounts). */
int config_dispatch_keys(Parser *p, const JPath *path, const JsonValue *v, const ConfigObject *o,
                         const JsonValue **given);
/* One row: its type check and callback (or nothing, for an absent key). */
int config_dispatch_field(Parser *p, const JPath *parent, const JsonValue *v, const ConfigField *f,
                          void *base);

/* The row type check, for callbacks that must look at something else first. */
int config_check_type(Parser *p, const JPath *path, const JsonValue *v, JsonType type, const char *what);

/* A value of an object of strings (env, sysctl, service): a number or a boolean gets
 * "write \"1\"" as the hint. */
int config_check_string_value(Parser *p, const JPath *path, const JsonValue *v);

/* Generic callbacks. */
int config_dispatch_bool(Parser *p, const JPath *path, const JsonValue *v, void *dest, const ConfigField *f);
int config_dispatch_string(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                           const ConfigField *f);
/* An absolute path, normalized; arg: an example for the message ("/srv"). */
int config_dispatch_path(Parser *p, const JPath *path, const JsonValue *v, void *dest, const ConfigField *f);

typedef struct ConfigRange {
        uint64_t min, max;
} ConfigRange;
/* A uint32_t in the ConfigRange 'arg'; out of range: "must be WHAT". */
int config_dispatch_uint32(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                           const ConfigField *f);

typedef struct ConfigEnum {
        const char *const *names; /* index = value */
        size_t n;
        const char *noun; /* "unknown NOUN \"x\", did you mean \"y\"?" */
        /* Without a close name: "unknown NOUN \"x\": must be LIST" when 'unknown_first',
         * else "must be LIST, not \"x\""; LIST NULL: "one of" and every name. */
        const char *list;
        bool unknown_first;
} ConfigEnum;
/* A name of the ConfigEnum 'arg', stored as its index (an int). */
int config_dispatch_enum(Parser *p, const JPath *path, const JsonValue *v, void *dest, const ConfigField *f);
/* The same, stored as a copy of the name (char *). */
int config_dispatch_enum_string(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                                const ConfigField *f);
/* The index of s in the enum, or the error. */
int config_enum_lookup(Parser *p, const JPath *path, const char *s, const ConfigEnum *e);

/* A time span as text for the unit (finite; "5" → "5s"), or in µs (char * / uint64_t;
 * arg non-NULL: "infinity" allowed). */
int config_dispatch_timespan_text(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                                  const ConfigField *f);
int config_dispatch_timespan_usec(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                                  const ConfigField *f);
/* An array of other containers' names (char **; empty → NULL). */
int config_dispatch_names(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                          const ConfigField *f);
/* A nested object: arg is its ConfigObject, dest the struct it fills. */
int config_dispatch_object(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                           const ConfigField *f);

/* Replaces *dst by a copy of s. */
int free_and_strdup(char **dst, const char *s);

/* config-model.c */
Config *config_new(const char *name, const char *path);

/* config-values.c: single values, no messages */
int path_normalize(const char *in, char **ret);
bool env_name_is_valid(const char *s);
bool hostname_is_valid(const char *s);
int hostname_from_name(const char *name, char **ret);
bool user_is_valid(const char *s);

/* The sections (config-*.c): the row callbacks config.c's table names. */
/* arg: an example for the message ("[\"/bin/sh\", \"-c\", \"echo hello\"]"). */
int config_dispatch_argv(Parser *p, const JPath *path, const JsonValue *v, void *dest, const ConfigField *f);
int config_dispatch_command(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                            const ConfigField *f);
int config_dispatch_env(Parser *p, const JPath *path, const JsonValue *v, void *dest, const ConfigField *f);
int config_dispatch_user(Parser *p, const JPath *path, const JsonValue *v, void *dest, const ConfigField *f);
int config_dispatch_workdir(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                            const ConfigField *f);
int config_dispatch_args(Parser *p, const JPath *path, const JsonValue *v, void *dest, const ConfigField *f);
int config_dispatch_hostname(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                             const ConfigField *f);
int config_env_sort(char **env);
int config_dispatch_mounts(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                           const ConfigField *f);
int config_dispatch_namespaces(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                               const ConfigField *f);
int config_dispatch_user_namespace(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                                   const ConfigField *f);
int config_dispatch_capabilities(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                                 const ConfigField *f);
int config_dispatch_network(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                            const ConfigField *f);
int config_dispatch_resources(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                              const ConfigField *f);
extern const ConfigEnum config_restart_values;
int config_dispatch_stop_signal(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                                const ConfigField *f);
int config_dispatch_watchdog(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                             const ConfigField *f);
int config_dispatch_health(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                           const ConfigField *f);
int config_dispatch_credentials(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                                const ConfigField *f);
int config_dispatch_paths(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                          const ConfigField *f);
int config_dispatch_service(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                            const ConfigField *f);
int config_dispatch_rlimits(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                            const ConfigField *f);
int config_dispatch_sysctl(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                           const ConfigField *f);
int config_dispatch_devices(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                            const ConfigField *f);
/* The service contract's checks between keys, after every key was read. */
int config_check_service(Parser *p);
/* config-network.c: the network keys that need "ipv6". */
int config_check_network(Parser *p);
/* Appends a pair (copies of key and value) to an array of pairs. */
int config_pairs_add(ConfigPair **pairs, size_t *n, const char *key, const char *value);
void config_pairs_free(ConfigPair *pairs, size_t n);
