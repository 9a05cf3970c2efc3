/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>

#include "build-config.h"
#include "config.h"
#include "log.h"
#include "spawn.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

#define SEALS_REQUIRED (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

static const char *arg_config = NULL;
static const char *arg_name = NULL;

static void help(void) {
        printf("%s [OPTIONS...] NAME\n\n"
               "Runs the container NAME: the main process of container@NAME.service.\n\n"
               "  -h --help          Show this help\n"
               "     --version       Show the version\n"
               "  -c --config=FILE   Use FILE instead of $NSCONTAIN_CONFIG or the search path\n"
               "                     (runs in the foreground when not started by systemd)\n\n"
               "See nscontain-helper(8).\n",
               program_invocation_short_name);
}

/* Returns 1 to go on, 0 to exit successfully, <0 on a usage error (logged). */
static int parse_argv(int argc, char *argv[]) {
        enum { ARG_VERSION = 0x100 };
        static const struct option options[] = {
                {"help", no_argument, NULL, 'h'},
                {"version", no_argument, NULL, ARG_VERSION},
                {"config", required_argument, NULL, 'c'},
                {},
        };
        int c;

        while ((c = getopt_long(argc, argv, "hc:", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("nscontain-helper %s\n", PACKAGE_VERSION);
                        return 0;
                case 'c':
                        arg_config = optarg;
                        break;
                default:
                        return -EINVAL;
                }

        if (optind + 1 != argc) {
                log_error("Expected exactly one argument, the container NAME (see --help).");
                return -EINVAL;
        }
        arg_name = argv[optind];
        if (!config_name_is_valid(arg_name)) {
                log_error(
                        "Invalid container name '%s': 1-64 of [A-Za-z0-9_.-], not starting with '.' or '-'.",
                        arg_name);
                return -EINVAL;
        }
        return 1;
}

static int helper_load_config(const char *name, Config **ret) {
        _cleanup_free_ char *found = NULL, *error = NULL;
        const char *path = arg_config ?: getenv("NSCONTAIN_CONFIG");
        int r;

        /* The generator's drop-in names the file it validated; by hand, --config. */
        if (isempty(path)) {
                r = config_find(name, &found);
                if (r == -ENOENT)
                        return log_error_errno(r, "%s: No configuration %s.json found in %s.", name, name,
                                               getenv("NSCONTAIN_CONFIG_PATH") ?: CONFIG_SEARCH_PATH);
                if (r == -ERFKILL)
                        return log_error_errno(r, "%s: The configuration %s.json is masked.", name, name);
                if (r < 0)
                        return log_error_errno(r, "%s: Failed to look for %s.json: %m", name, name);
                path = found;
        }

        /* The same validation as the generator's, and its message verbatim on one line,
         * so that "systemctl status" says why a config that changed since is refused. */
        r = config_load_file(path, name, ret, &error);
        if (r < 0) {
                if (error)
                        log_error("%s", error);
                else
                        log_error_errno(r, "%s: Failed to load '%s': %m", name, path);
                return r;
        }
        return 0;
}

/* The one place that knows what the sidecar provides: a uid range for "auto" and the
 * veth network. Until nscontain-sidecar exists those configs are refused here, before
 * anything is created. Fills c->uid_base/uid_size and the network facts. */
static int container_acquire_resources(Container *c) {
        const Config *config = c->config;

        if (config->namespaces.user) {
                if (config->user_namespace.base_auto) {
                        log_error("%s: user_namespace.base \"auto\" needs nscontain-sidecar, which is not "
                                  "available; "
                                  "set a fixed \"base\" (e.g. 524288)",
                                  c->name);
                        return -EOPNOTSUPP;
                }
                c->uid_base = config->user_namespace.base;
                c->uid_size = config->user_namespace.size;
        }

        if (config->network.mode == NETWORK_VETH && config->namespaces.net) {
                log_error("%s: network.mode \"veth\" needs nscontain-sidecar, which is not available; "
                          "set network.mode \"none\" or \"host\"",
                          c->name);
                return -EOPNOTSUPP;
        }
        return 0;
}

/* CVE-2019-5736: a payload that runs /proc/self/exe (a "#!/proc/self/exe" script as
 * its command is enough) executes the helper's own binary inside the container, and
 * may then reopen it for writing and replace the host's runtime.
 *
 * With a user namespace this cannot happen: the binary belongs to the host's root,
 * which is unmapped in the container, so no capability there allows writing it (and
 * it is ETXTBSY while we run). Without one, container root is host root: there we
 * re-execute from a sealed memfd first, so the only binary the container can reach
 * through /proc/PID/exe is an anonymous copy that nobody can write. */
static int exe_is_sealed(void) {
        _cleanup_close_ int fd = -EBADF;
        int seals;

        fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        seals = fcntl(fd, F_GET_SEALS);
        return seals >= 0 && (seals & SEALS_REQUIRED) == SEALS_REQUIRED;
}

static int reexec_from_sealed_memfd(char *argv[]) {
        _cleanup_close_ int exe = -EBADF, memfd = -EBADF;
        struct stat st;
        off_t offset = 0;

        exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        if (exe < 0)
                return negative_errno();
        if (fstat(exe, &st) < 0)
                return negative_errno();

        /* MFD_EXEC: kernels with vm.memfd_noexec would otherwise make it non-executable. */
        memfd = memfd_create("nscontain-helper", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
        if (memfd < 0 && errno == EINVAL)
                memfd = memfd_create("nscontain-helper", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (memfd < 0)
                return negative_errno();

        while (offset < st.st_size) {
                ssize_t n = sendfile(memfd, exe, &offset, (size_t)(st.st_size - offset));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (n == 0)
                        return -EIO;
        }
        if (fcntl(memfd, F_ADD_SEALS, SEALS_REQUIRED) < 0)
                return negative_errno();

        fexecve(memfd, argv, environ);
        return negative_errno();
}

int main(int argc, char *argv[]) {
        _cleanup_config_free_ Config *config = NULL;
        _cleanup_close_ int pidfd = -EBADF;
        Supervisor s = {};
        Failure f = {};
        sigset_t mask;
        pid_t pid;
        int r;

        log_setup("nscontain-helper", LOG_TARGET_STDERR);
        log_parse_environment();

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_SETUP_FAILED : 0;

        r = helper_load_config(arg_name, &config);
        if (r < 0)
                return EXIT_SETUP_FAILED;

        if (config->boot) {
                log_error("%s: \"boot\" is not supported by this version of nscontain-helper", arg_name);
                return EXIT_SETUP_FAILED;
        }

        Container c = {
                .config = config,
                .name = arg_name,
                .userns = config->namespaces.user,
                .root_tree_fd = -EBADF,
                .sync_fd = -EBADF,
        };

        r = container_acquire_resources(&c);
        if (r < 0)
                return EXIT_SETUP_FAILED;

        if (!c.userns) {
                r = exe_is_sealed();
                if (r == 0)
                        r = reexec_from_sealed_memfd(argv);
                else if (r > 0)
                        /* The kernel named us after the memfd; ps should show the helper. */
                        (void) prctl(PR_SET_NAME, program_invocation_short_name, 0, 0, 0);
                if (r < 0) {
                        log_error_errno(r, "%s: Failed to re-execute the helper from a sealed copy: %m",
                                        arg_name);
                        return EXIT_SETUP_FAILED;
                }
        }

        /* From here on a stop request waits for the supervisor (see helper_signal_set()). */
        helper_signal_set(&mask);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0) {
                log_error_errno(errno, "%s: Failed to block signals: %m", arg_name);
                return EXIT_SETUP_FAILED;
        }

        r = container_spawn(&c, &pid, &pidfd, &f);
        if (r < 0) {
                failure_log(arg_name, &f);
                return f.exit_code > 0 ? f.exit_code : EXIT_SETUP_FAILED;
        }

        s = (Supervisor){
                .pid = pid,
                .pidfd = pidfd,
                .stop_signal = config->stop_signal,
                .stop_timeout_usec = config->stop_timeout_usec,
        };
        snprintf(s.name, sizeof(s.name), "%s", arg_name);

        /* The supervisor lives as long as the container: give back what setup used. */
        config = config_free(config);
        (void)malloc_trim(0);

        return supervisor_run(&s);
}
