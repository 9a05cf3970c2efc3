/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The top level of a config file: its table of keys, the checks between keys, and the
 * entry points (config_parse(), config_load_file()). The sections are in
 * config-SECTION.c, the machinery in config-dispatch.c and config-error.c. */
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "config-parse.h"
#include "fileio.h"
#include "image.h"
#include "strv.h"

/* "image": an OCI image instead of "rootfs" (nscontain(1), "image import"). */
static int dispatch_image(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                          const ConfigField *f) {
        _cleanup_(image_source_done) ImageSource src = {};
        _cleanup_free_ char *why = NULL;
        int r;

        r = image_source_parse(v->string, &src, &why);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return config_error(p, path, "%s", why);
        if (src.path && src.path[0] != '/')
                return config_error(p, path, "the path of %s must be absolute", v->string);
        return free_and_strdup(dest, v->string);
}

static int dispatch_rootfs(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                           const ConfigField *f) {
        if (v && p->config->image)
                return config_error(
                        p, JP_KEY(NULL, "image"),
                        "cannot be combined with \"rootfs\": the root is one or the other; remove one");
        if (!v && p->config->image)
                return 0;
        if (!v)
                return config_error(p, path,
                                    "required: the directory holding the container's root filesystem, e.g. "
                                    "\"/var/lib/machines/%s\" (or \"image\": an OCI image)",
                                    p->config->name);
        return config_dispatch_path(p, path, v, dest, f);
}

#define PATH_WHAT  "a string (an absolute path)"
#define NAMES_WHAT "an array of container names, e.g. [\"db\"]"

/* The top level, in the order the keys are checked: a key that looks at another's
 * value comes after it ("command" is required unless "boot"; "user_namespace" is
 * refused when "namespaces" turned it off; the veth keys need the mode). */
static const ConfigField top_fields[] = {
        {"image", JSON_STRING, dispatch_image, offsetof(Config, image), 0,
         "a string, e.g. \"oci:/srv/images/web:1.4\""},
        {"rootfs", JSON_STRING, dispatch_rootfs, offsetof(Config, rootfs), CONFIG_FIELD_ABSENT, PATH_WHAT,
         "/var/lib/machines/web"},
        {"ephemeral", JSON_BOOLEAN, config_dispatch_bool, offsetof(Config, ephemeral)},
        {"args", JSON_ARRAY, config_dispatch_args, offsetof(Config, args), 0, "an array of strings"},
        {"boot", JSON_BOOLEAN, config_dispatch_bool, offsetof(Config, boot)},
        {"command", JSON_ARRAY, config_dispatch_command, offsetof(Config, command), CONFIG_FIELD_ABSENT,
         "an array of strings, e.g. [\"/bin/sh\", \"-c\", \"echo hello\"]",
         "[\"/bin/sh\", \"-c\", \"echo hello\"]"},
        {"env", JSON_OBJECT, config_dispatch_env, offsetof(Config, env), 0,
         "an object of strings, e.g. {\"LANG\": \"C.UTF-8\"}"},
        {"user", JSON_ANY, config_dispatch_user, offsetof(Config, user)},
        {"workdir", JSON_STRING, config_dispatch_workdir, offsetof(Config, workdir), 0, PATH_WHAT, "/srv"},
        {"hostname", JSON_STRING, config_dispatch_hostname, offsetof(Config, hostname), CONFIG_FIELD_ABSENT,
         "a string"},
        {"readonly", JSON_BOOLEAN, config_dispatch_bool, offsetof(Config, readonly)},
        {"init", JSON_BOOLEAN, config_dispatch_bool, offsetof(Config, init)},
        {"mounts", JSON_ARRAY, config_dispatch_mounts, offsetof(Config, mounts), 0, "an array of objects"},
        {"namespaces", JSON_ANY, config_dispatch_namespaces, offsetof(Config, namespaces)},
        {"user_namespace", JSON_ANY, config_dispatch_user_namespace, offsetof(Config, user_namespace)},
        {"network", JSON_ANY, config_dispatch_network, offsetof(Config, network)},
        {"capabilities", JSON_ANY, config_dispatch_capabilities, 0},
        {"no_new_privileges", JSON_BOOLEAN, config_dispatch_bool, offsetof(Config, no_new_privileges)},
        {"seccomp", JSON_BOOLEAN, config_dispatch_bool, offsetof(Config, seccomp)},
        {"resources", JSON_ANY, config_dispatch_resources, offsetof(Config, resources)},
        {"restart", JSON_STRING, config_dispatch_enum_string, offsetof(Config, restart), 0,
         "a string, e.g. \"on-failure\"", &config_restart_values},
        {"restart_sec", JSON_ANY, config_dispatch_timespan_text, offsetof(Config, restart_sec)},
        {"stop_signal", JSON_STRING, config_dispatch_stop_signal, offsetof(Config, stop_signal), 0,
         "a string (a signal name such as \"SIGTERM\")"},
        {"stop_timeout", JSON_ANY, config_dispatch_timespan_usec, offsetof(Config, stop_timeout_usec), 0,
         NULL, "infinity"},
        {"autostart", JSON_BOOLEAN, config_dispatch_bool, offsetof(Config, autostart)},
        {"after", JSON_ARRAY, config_dispatch_names, offsetof(Config, after), 0, NAMES_WHAT},
        {"requires", JSON_ARRAY, config_dispatch_names, offsetof(Config, requires), 0, NAMES_WHAT},
        {"wants", JSON_ARRAY, config_dispatch_names, offsetof(Config, wants), 0, NAMES_WHAT},
        {"notify", JSON_BOOLEAN, config_dispatch_bool, offsetof(Config, notify)},
        {"watchdog_sec", JSON_ANY, config_dispatch_watchdog, offsetof(Config, watchdog_sec)},
        {"health", JSON_ANY, config_dispatch_health, offsetof(Config, health)},
        {"credentials", JSON_OBJECT, config_dispatch_credentials, 0, 0,
         "an object of paths, e.g. {\"tls.key\": \"/etc/web/tls.key\"}"},
        {"env_files", JSON_ARRAY, config_dispatch_paths, offsetof(Config, env_files), 0,
         "an array of paths, e.g. [\"/etc/web/env\"]", "/etc/web/env"},
        {"rlimits", JSON_OBJECT, config_dispatch_rlimits, offsetof(Config, rlimits), 0,
         "an object, e.g. {\"nofile\": 4096}"},
        {"sysctl", JSON_OBJECT, config_dispatch_sysctl, 0, 0,
         "an object of strings, e.g. {\"net.ipv4.ip_unprivileged_port_start\": \"0\"}"},
        {"devices", JSON_ARRAY, config_dispatch_devices, 0, 0, "an array, e.g. [\"/dev/fuse\"]"},
        {"service", JSON_OBJECT, config_dispatch_service, 0, 0,
         "an object of strings, e.g. {\"OOMScoreAdjust\": \"500\"}"},
};

static const ConfigObject top_object = CONFIG_OBJECT("a JSON object", top_fields, false);

/* The checks between sections, once every key has been read. */
static int check_combinations(Parser *p) {
        Config *c = p->config;
        char q[QUOTE_MAX];

        if (c->boot && c->init)
                return config_error(
                        p, JP_KEY(NULL, "init"),
                        "cannot be combined with \"boot\": true (the booted init is PID 1 itself)");
        if (c->boot && !c->namespaces.pid)
                return config_error(
                        p, JP_KEY(JP_KEY(NULL, "namespaces"), "pid"),
                        "must not be false with \"boot\": true (the init system must run as PID 1)");
        if (c->network.mode == NETWORK_HOST) {
                if (p->net_given && c->namespaces.net)
                        return config_error(p, JP_KEY(JP_KEY(NULL, "namespaces"), "net"),
                                            "is true, but \"network\": {\"mode\": \"host\"} uses the host's "
                                            "network namespace; remove one of them");
                c->namespaces.net = false;
        } else if (!c->namespaces.net) {
                if (p->mode_given)
                        return config_error(p, JP_KEY(JP_KEY(NULL, "network"), "mode"),
                                            "is %s, but \"namespaces\": {\"net\": false} means no network "
                                            "namespace; use \"mode\": \"host\" or remove \"net\": false",
                                            config_quote(c->network.mode == NETWORK_VETH ? "veth" : "none",
                                                         q, sizeof(q)));
                c->network.mode = NETWORK_HOST;
        }
        /* systemd as PID 1 of a container stops on SIGRTMIN+3 (its container interface). */
        if (c->boot && !p->stop_signal_given)
                c->stop_signal = SIGRTMIN + 3;
        return config_check_network(p) ?: config_check_service(p);
}

static int parse_root(Parser *p, const JsonValue *root) {
        int r;

        if (root->type != JSON_OBJECT)
                return config_error(p, NULL,
                                    "the top level must be a JSON object ({ \"rootfs\": ..., ... }), not %s",
                                    config_type_phrase(root));
        r = config_dispatch(p, NULL, root, &top_object, p->config);
        if (r < 0)
                return r;
        return check_combinations(p);
}

static const char *path_basename(const char *path) {
        const char *s = strrchr(path, '/');
        return s ? s + 1 : path;
}

static int parse_text(Parser *p, const char *name, const char *path, const char *text, size_t size,
                      Config **ret) {
        _cleanup_config_free_ Config *c = NULL;
        _cleanup_(json_tree_done) JsonTree tree = {};
        int r;

        if (!config_name_is_valid(name)) {
                char q[QUOTE_MAX], why[160];
                return config_error(p, NULL, "invalid container name %s: %s",
                                    config_quote(name, q, sizeof(q)),
                                    config_name_invalid_reason(name, true, why, sizeof(why)));
        }
        if (size == 0)
                return config_error(p, NULL,
                                    "empty file (an empty file masks the container); write a JSON object");

        r = json_parse(p->file, text, size, &tree, &p->error);
        if (r < 0)
                return r;

        c = config_new(name, path);
        if (!c)
                return -ENOMEM;
        p->config = c;

        r = parse_root(p, &tree.values[0]);
        if (r < 0)
                return r;

        config_env_sort(c->env);
        *ret = TAKE_PTR(c);
        return 0;
}

int config_parse(const char *name, const char *path, const char *text, size_t size, Config **ret,
                 char **ret_error) {
        _cleanup_free_ char *file = NULL;
        Parser p = {};
        int r;

        assert(name && text && ret);

        if (path)
                file = strdup(path_basename(path));
        else if (asprintf(&file, "%s.json", name) < 0)
                file = NULL;
        if (!file)
                return -ENOMEM;
        p.file = file;

        r = parse_text(&p, name, path, text, size, ret);
        if (r < 0 && ret_error)
                *ret_error = TAKE_PTR(p.error);
        free(p.error);
        return r;
}

static int load_error(const char *file, char **ret_error, int r, const char *fmt, ...) _printf_(4, 5);
static int load_error(const char *file, char **ret_error, int r, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;

        va_start(ap, fmt);
        int k = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        if (ret_error && asprintf(ret_error, "%s: %s", file, msg) < 0)
                return -ENOMEM;
        return r;
}

static const char *file_type_phrase(mode_t m) {
        if (S_ISFIFO(m))
                return "a FIFO";
        if (S_ISSOCK(m))
                return "a socket";
        if (S_ISCHR(m))
                return "a character device";
        if (S_ISBLK(m))
                return "a block device";
        return "not a regular file";
}

int config_load_file(const char *path, const char *name, Config **ret, char **ret_error) {
        return config_load_file_text(path, name, ret, NULL, NULL, ret_error);
}

int config_load_file_text(const char *path, const char *name, Config **ret, char **ret_text,
                          size_t *ret_size, char **ret_error) {
        _cleanup_free_ char *derived = NULL, *text = NULL;
        const char *file;
        char q[QUOTE_MAX];
        size_t size;
        struct stat st;
        int r;

        assert(path && ret);

        file = path_basename(path);
        if (!name) {
                size_t l = strlen(file);
                if (l < STRLEN(".json") || !streq(file + l - STRLEN(".json"), ".json"))
                        return load_error(file, ret_error, -EINVAL, "file name must be NAME.json");
                derived = strndup(file, l - STRLEN(".json"));
                if (!derived)
                        return -ENOMEM;
                name = derived;
        }
        if (!config_name_is_valid(name)) {
                char why[160];
                return load_error(file, ret_error, -EINVAL, "invalid container name %s: %s",
                                  config_quote(name, q, sizeof(q)),
                                  config_name_invalid_reason(name, true, why, sizeof(why)));
        }

        r = read_full_file_at(AT_FDCWD, path, CONFIG_FILE_SIZE_MAX, &text, &size);
        switch (r) {
        case 0:
                break;
        case -ENOENT:
                return load_error(file, ret_error, r, "no such file");
        case -EACCES:
        case -EPERM:
                return load_error(file, ret_error, r, "cannot read: permission denied");
        case -EISDIR:
                return load_error(file, ret_error, r, "is a directory, not a config file");
        case -ELOOP:
                return load_error(file, ret_error, r, "too many levels of symbolic links (a symlink loop?)");
        case -ENOTDIR:
                return load_error(file, ret_error, r, "a component of the path is not a directory");
        case -EFBIG:
                if (stat(path, &st) >= 0)
                        return load_error(file, ret_error, r,
                                          "file too large (%llu bytes): a config may be at most %d bytes",
                                          (unsigned long long)st.st_size, CONFIG_FILE_SIZE_MAX);
                return load_error(file, ret_error, r, "file too large: a config may be at most %d bytes",
                                  CONFIG_FILE_SIZE_MAX);
        case -ENXIO: /* open(2) of a socket */
        case -EBADFD:
                if (stat(path, &st) >= 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3))
                        return load_error(file, ret_error, -ERFKILL, "masked (a symlink to /dev/null)");
                if (stat(path, &st) >= 0)
                        return load_error(file, ret_error, r, "is %s, not a regular file",
                                          file_type_phrase(st.st_mode));
                return load_error(file, ret_error, r, "not a regular file");
        default:
                if (r < 0)
                        return load_error(file, ret_error, r, "cannot read: %s", strerror(-r));
        }

        if (size == 0)
                return load_error(file, ret_error, -ERFKILL, "masked (an empty file)");

        r = config_parse(name, path, text, size, ret, ret_error);
        if (r >= 0 && ret_text) {
                *ret_text = TAKE_PTR(text);
                *ret_size = size;
        }
        return r;
}
