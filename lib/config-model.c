/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Config object: a new one holds every default of nscontain.json(5); the parser
 * overwrites what the file sets. */
#include <signal.h>
#include <string.h>

#include "config-parse.h"
#include "strv.h"

Config *config_new(const char *name, const char *path) {
        Config *c = calloc(1, sizeof(Config));
        if (!c)
                return NULL;

        c->name = strdup(name);
        c->path = path ? strdup(path) : NULL;
        c->user = strdup("0");
        c->workdir = strdup("/");
        c->restart = strdup("no");
        c->network.bridge = strdup(DEFAULT_BRIDGE);
        if (!c->name || (path && !c->path) || !c->user || !c->workdir || !c->restart || !c->network.bridge ||
            strv_extend(&c->env, DEFAULT_PATH_ENV) < 0 || strv_extend(&c->env, "container=nscontain") < 0)
                return config_free(c);

        c->namespaces = (Namespaces){
                .net = true, .ipc = true, .uts = true, .pid = true, .user = true, .cgroup = true};
        c->user_namespace = (UserNamespace){
                .base_auto = true, .size = DEFAULT_USERNS_SIZE, .ownership = OWNERSHIP_IDMAP};
        c->network.mode = NETWORK_VETH;
        c->network.ipv6 = true;
        c->no_new_privileges = true;
        c->seccomp = true;
        c->stop_signal = SIGTERM;
        c->stop_timeout_usec = DEFAULT_STOP_TIMEOUT;
        c->health = (Health){
                .interval_usec = DEFAULT_HEALTH_INTERVAL,
                .timeout_usec = DEFAULT_HEALTH_TIMEOUT,
                .retries = DEFAULT_HEALTH_RETRIES,
        };
        return c;
}

Config *config_free(Config *c) {
        if (!c)
                return NULL;
        free(c->name);
        free(c->path);
        free(c->rootfs);
        free(c->image);
        strv_free(c->args);
        strv_free(c->env_given);
        strv_free(c->command);
        strv_free(c->env);
        free(c->user);
        free(c->workdir);
        free(c->hostname);
        for (size_t i = 0; i < c->n_mounts; i++) {
                free(c->mounts[i].source);
                free(c->mounts[i].target);
                free(c->mounts[i].options);
        }
        free(c->mounts);
        free(c->network.bridge);
        free(c->network.address);
        free(c->network.gateway);
        free(c->network.address6);
        strv_free(c->network.publish);
        strv_free(c->network.dns_servers);
        free(c->resources.memory_max);
        free(c->resources.memory_high);
        free(c->resources.cpu_weight);
        free(c->resources.cpu_quota);
        free(c->resources.tasks_max);
        free(c->resources.io_weight);
        free(c->restart);
        free(c->restart_sec);
        strv_free(c->after);
        strv_free(c->requires);
        strv_free(c->wants);
        free(c->watchdog_sec);
        strv_free(c->health.command);
        config_pairs_free(c->credentials, c->n_credentials);
        strv_free(c->env_files);
        free(c->rlimits);
        config_pairs_free(c->sysctl, c->n_sysctl);
        config_pairs_free(c->devices, c->n_devices);
        config_pairs_free(c->service, c->n_service);
        free(c);
        return NULL;
}
