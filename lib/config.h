/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The container config model (nscontain.json(5)): one place that reads,
 * validates and fills in defaults, used by the generator, the helper and the CLI.
 * Library code: never logs. Errors come back as a negative errno plus one message
 * of the form "web.json: mounts[1].target: must be an absolute path". */

#include <stdint.h>
#include <sys/resource.h>
#include <time.h>

#include "macro.h"

#define CONFIG_NAME_MAX      64
#define CONFIG_FILE_SIZE_MAX (1024 * 1024) /* a config is small; refuse anything larger */
#define CONFIG_DEPTH_MAX     16            /* deepest legal nesting is 3 */
#define CONFIG_STRING_MAX    4096          /* bytes in any one string (PATH_MAX) */
#define CONFIG_ARRAY_MAX     1024          /* elements of any array, keys of any object */
#define CONFIG_MOUNTS_MAX    256

/* The search path, highest precedence first (systemd's: /etc over /run over /usr/lib).
 * $NSCONTAIN_CONFIG_PATH (colon-separated) replaces it, for tests and debugging. */
#define CONFIG_SEARCH_PATH "/etc/nscontain.d:/run/nscontain.d:/usr/lib/nscontain.d"

#define DEFAULT_PATH_ENV     "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define DEFAULT_BRIDGE       "nsc0"
#define DEFAULT_USERNS_SIZE  65536U
#define DEFAULT_STOP_TIMEOUT (10ULL * 1000000ULL) /* µs */

typedef enum MountType {
        MOUNT_BIND,
        MOUNT_TMPFS,
} MountType;

typedef struct MountSpec {
        MountType type;
        char *source;  /* bind: absolute host path */
        char *target;  /* absolute path inside the container */
        bool readonly; /* bind */
        bool idmap;    /* bind: idmapped when the container has a user namespace (default true) */
        char *options; /* tmpfs: mount options string, or NULL */
} MountSpec;

typedef enum NetworkMode {
        NETWORK_VETH,
        NETWORK_NONE,
        NETWORK_HOST,
} NetworkMode;

typedef enum Ownership {
        OWNERSHIP_IDMAP,
        OWNERSHIP_CHOWN,
} Ownership;

typedef struct Namespaces {
        bool net, ipc, uts, pid, user, cgroup; /* mount is always new */
} Namespaces;

typedef struct UserNamespace {
        bool base_auto; /* "auto": the sidecar allocates */
        uint32_t base;  /* when !base_auto */
        uint32_t size;
        Ownership ownership;
} UserNamespace;

/* network.dns: what the container's /etc/resolv.conf is (nscontain.json(5)). */
typedef enum NetworkDns {
        NETWORK_DNS_AUTO, /* the host's upstream name servers */
        NETWORK_DNS_HOST, /* the host's /etc/resolv.conf as it is */
        NETWORK_DNS_NONE, /* the image's own */
        NETWORK_DNS_LIST, /* exactly dns_servers */
} NetworkDns;

#define NETWORK_DNS_SERVERS_MAX 16U

typedef struct Network {
        NetworkMode mode;
        char *bridge;   /* veth: default "nsc0" */
        char *address;  /* veth: CIDR, or NULL for "auto" */
        char *gateway;  /* veth: address, or NULL for "auto" */
        uint32_t mtu;   /* veth: 0 = the bridge's */
        char **publish; /* veth: strv of port specs in their canonical form (lib/port-spec.h) */
        NetworkDns dns;
        char **dns_servers; /* NETWORK_DNS_LIST: addresses as inet_ntop(3) writes them */
        bool ipv6;      /* veth: an address of the sidecar's IPv6 pool too (default true) */
        char *address6; /* veth: IPv6 address, or NULL for "auto" */
} Network;

/* Values are stored as systemd spells them, ready for the unit ("512M", "50%",
 * "infinity"); NULL = not set. */
typedef struct Resources {
        char *memory_max, *memory_high, *cpu_weight, *cpu_quota, *tasks_max, *io_weight;
} Resources;

typedef enum HealthOnFailure {
        HEALTH_ON_FAILURE_NONE,    /* shown as unhealthy, nothing else */
        HEALTH_ON_FAILURE_KILL,    /* the container ends with EXIT_UNHEALTHY */
        HEALTH_ON_FAILURE_RESTART, /* the same, and the unit's Restart= restarts it */
} HealthOnFailure;

#define DEFAULT_HEALTH_INTERVAL (30ULL * 1000000ULL) /* µs */
#define DEFAULT_HEALTH_TIMEOUT  (10ULL * 1000000ULL)
#define DEFAULT_HEALTH_RETRIES  3U

typedef struct Health {
        char **command; /* strv; NULL: no health check */
        uint64_t interval_usec, timeout_usec, start_period_usec;
        uint32_t retries; /* failures in a row that make it unhealthy */
        HealthOnFailure on_failure;
        bool ready_when_healthy; /* READY=1 waits for the first passing check */
} Health;

/* A key and its value as the file wrote them: credentials (NAME, host path), sysctl
 * (key, value), service (setting, value), devices (path, "rw"...). */
typedef struct ConfigPair {
        char *key, *value;
} ConfigPair;

/* The value of the drop-in's SetCredential=NAME: fallback beside LoadCredential=NAME:PATH
 * (systemd uses it when PATH cannot be read, and would otherwise fail the unit without
 * naming PATH): the helper refuses a credential holding exactly this, naming PATH. systemd
 * 252 refuses an empty SetCredential= value. */
#define CREDENTIAL_MISSING_MARKER "nscontain-helper: the source could not be read"

typedef struct ConfigRlimit {
        bool set;
        uint64_t soft, hard; /* RLIM_INFINITY for "infinity" */
} ConfigRlimit;

#define CONFIG_RLIMIT_MAX RLIMIT_NLIMITS

typedef struct Config {
        char *name; /* NAME, from the file name */
        char *path; /* the file it came from */

        char *rootfs;
        char *image;      /* instead of rootfs: a transport or NAME[:TAG] (nscontain(1), "image import") */
        bool ephemeral;   /* the container's writes go to a tmpfs, gone at stop */
        char **args;      /* with image: replaces the image's Cmd */
        char **env_given; /* the file's own env entries: the image's Env goes under them */
        bool user_given, workdir_given; /* else the image's User, WorkingDir apply */
        char **command;                 /* strv; NULL only with boot */
        bool boot;
        char **env; /* strv of "KEY=VALUE": defaults merged, config wins, sorted by key */
        char *user; /* "0", "name", "uid:gid", ... unresolved */
        char *workdir;
        char *hostname;
        bool readonly;
        bool init;
        MountSpec *mounts;
        size_t n_mounts;
        Namespaces namespaces;
        UserNamespace user_namespace;
        Network network;
        uint64_t caps_add; /* bit mask of CAP_* numbers */
        uint64_t caps_drop;
        bool no_new_privileges;
        bool seccomp;
        Resources resources;
        char *restart;     /* systemd Restart= value, default "no" */
        char *restart_sec; /* systemd time span as written, or NULL */
        int stop_signal;   /* default SIGTERM */
        uint64_t stop_timeout_usec;
        bool autostart;
        char **after, **requires, **wants; /* NAMEs */

        /* The service contract (nscontain.json(5), "The service contract"). */
        bool notify;        /* the payload speaks sd_notify through $NOTIFY_SOCKET */
        char *watchdog_sec; /* systemd time span as written, or NULL */
        Health health;
        ConfigPair *credentials; /* NAME → absolute host path, sorted by NAME */
        size_t n_credentials;
        char **env_files; /* absolute paths, read at start before "env" */
        ConfigRlimit *rlimits; /* CONFIG_RLIMIT_MAX of them with the key, else NULL */
        ConfigPair *sysctl; /* namespaced keys only ("net.ipv4.ip_forward" → "1"), sorted */
        size_t n_sysctl;
        ConfigPair *devices; /* "/dev/fuse" → "rw" (a DeviceAllow= access string) */
        size_t n_devices;
        ConfigPair *service; /* extra [Service] settings, in the file's order */
        size_t n_service;
} Config;

Config *config_free(Config *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(Config *, config_free);
#define _cleanup_config_free_ _cleanup_(config_freep)

/* Parses 'size' bytes of JSON text as the config of 'name'. 'path' names the file in
 * messages (its basename is used) and is stored in Config.path. On error returns
 * -EINVAL (or -ENOMEM) and, if ret_error is non-NULL, a message starting with the
 * file name, e.g. "web.json: hostname: must be a string". */
int config_parse(const char *name, const char *path, const char *text, size_t size, Config **ret,
                 char **ret_error);

/* Reads and parses a file. The name comes from the file name (NAME.json) unless
 * 'name' is given. Unreadable, oversized, non-regular files fail with a message. */
int config_load_file(const char *path, const char *name, Config **ret, char **ret_error);
/* The same, also returning the exact bytes parsed (ret_text NUL-terminated, free() it):
 * what the generator snapshots for the helper. */
int config_load_file_text(const char *path, const char *name, Config **ret, char **ret_text,
                          size_t *ret_size, char **ret_error);

/* Whether NAME is a valid container name: a valid machine name, as systemd-machined
 * requires (1–64 of A–Z a–z 0–9 - . in labels joined by single dots, none starting or
 * ending with '-'; no '_'). */
bool config_name_is_valid(const char *name);
#define CONFIG_NAME_RULE                                                                                   \
        "a machine name is 1–64 of A–Z a–z 0–9 - . (no '_'), not starting or ending with - or ., " \
        "without .. -. or .-"

/* Why NAME is not a valid container name, as the end of a message that starts
 * "invalid container name \"NAME\": ", written into buf; NULL when it is valid. With
 * from_file (NAME comes from NAME.json) the hint says what to rename the file to:
 * "'_' is not allowed in a machine name: rename the file to my-web.json". Every program
 * that refuses a name words it with this. */
const char *config_name_invalid_reason(const char *name, bool from_file, char *buf, size_t size);

/* The effective search path as a strv (see CONFIG_SEARCH_PATH). */
int config_search_path(char ***ret);

/* Finds NAME.json along the search path. Returns 0 and the path, -ENOENT when there
 * is none, -ERFKILL when the highest-precedence entry masks it (empty file or
 * symlink to /dev/null). */
int config_find(const char *name, char **ret_path);

typedef struct ConfigEntry {
        char *name; /* NAME (may be invalid: check config_name_is_valid) */
        char *path; /* the file that wins for NAME */
        bool masked;
} ConfigEntry;

/* Every *.json along the search path, one entry per NAME (the winner), sorted by
 * NAME. Masked entries are included with masked=true. */
int config_enumerate(ConfigEntry **ret, size_t *ret_n);
/* The same without a stat() of every regular file: an empty one comes back with
 * masked=false, and config_load_file() reports it (-ERFKILL, "masked (an empty
 * file)"). For callers that load every entry anyway: one system call less each. */
int config_enumerate_unchecked(ConfigEntry **ret, size_t *ret_n);
void config_entries_free(ConfigEntry *e, size_t n);

/* Renders the config with every default filled in, as pretty JSON (for
 * "nscontain cat" and tests). */
int config_to_json(const Config *c, char **ret);

/* The names of setrlimit(2)'s resources without RLIMIT_, lower case ("nofile"), and
 * systemd's settings for them ("LimitNOFILE"); NULL for an unknown resource. */
const char *rlimit_to_string(int resource);
const char *rlimit_to_setting(int resource);
int rlimit_from_string(const char *s);

/* Helpers shared by the parser and its users. */
int signal_from_string(const char *s);                 /* "SIGTERM", "TERM", "15", "SIGRTMIN+3" */
const char *signal_to_string(int sig);                 /* "SIGTERM"; static buffer for RT signals */
int parse_timespan(const char *s, uint64_t *ret_usec); /* "10s", "1min 30s", "500ms", "5" (s) */
int format_timespan(uint64_t usec, char *buf, size_t size);
/* The time of clock (CLOCK_MONOTONIC, CLOCK_REALTIME) in µs; 0 when it cannot be read. */
uint64_t now_usec(clockid_t clock);
int capability_from_string(const char *s); /* "CAP_NET_ADMIN" or "net_admin" → number */
const char *capability_to_string(int cap); /* "CAP_NET_ADMIN"; NULL when unknown */
int capability_last(void);                 /* highest capability number known */
uint64_t capability_default_set(void);     /* nscontain.json(5)'s default set as a mask */
