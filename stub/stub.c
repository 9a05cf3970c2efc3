/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nscontain-stub: the last program before a container's command, and its minimal init.
 *
 * CVE-2019-5736: whatever execs the command inside a container is what a "#!/proc/self/exe"
 * command (or an ELF whose interpreter is /proc/self/exe) runs again in there, and the
 * container may then reopen that binary through /proc/PID/exe for writing. If it were the
 * helper or the nscontain command, container root could replace the host's runtime. So
 * neither execs the command itself: after all setup they execveat() this program from a
 * sealed memfd (lib/exec.c), and it execs the command. Its /proc/self/exe is a copy
 * nobody can write, and at a few KiB it costs nothing to copy per start (the helper used
 * to re-execute itself from a sealed copy of its whole binary).
 *
 * Built without a libc (stub/meson.build): no dynamic loader, no constructors, nothing
 * that runs before main but the kernel's ELF loader. Everything it gets comes from the
 * process that set up the container, already confined (credentials, capabilities,
 * seccomp filter, root):
 *
 *   argv[0]  "nscontain-exec": exec the command;
 *            "nscontain-init": fork it and be its PID 1 (reap every zombie, pass every
 *            signal on, exit with its status; for "init": true)
 *   argv[1]  the sync socket's fd number (decimal): SYNC_EXEC goes there right before
 *            the command's execve, SYNC_FAILURE if it fails (lib/sync.h)
 *   argv[2]  the command's resolved path
 *   argv[3…] the command's argv
 *   envp     the command's environment */

#include <asm/unistd.h>
#include <linux/fcntl.h>
#include <linux/prctl.h>
#include <linux/wait.h>
#include <stddef.h>
#include <stdint.h>

#include "sync.h"

#define SIGKILL_      9
#define SIGCHLD_      17
#define EINTR_        4
#define ENOENT_       2
#define ENOTDIR_      20
#define MSG_NOSIGNAL_ 0x4000

#if defined(__x86_64__)
__asm__(".text\n"
        ".global _start\n"
        "_start:\n"
        "        xor %rbp, %rbp\n"
        "        mov %rsp, %rdi\n"
        "        and $-16, %rsp\n"
        "        call stub_main\n"
        "        hlt\n");

static long syscall6(long n, long a, long b, long c, long d, long e, long f) {
        register long r10 __asm__("r10") = d;
        register long r8 __asm__("r8") = e;
        register long r9 __asm__("r9") = f;
        long ret;

        __asm__ volatile("syscall"
                         : "=a"(ret)
                         : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                         : "rcx", "r11", "memory");
        return ret;
}
#elif defined(__aarch64__)
__asm__(".text\n"
        ".global _start\n"
        "_start:\n"
        "        mov x29, #0\n"
        "        mov x30, #0\n"
        "        mov x0, sp\n"
        "        bl stub_main\n"
        "        brk #0\n");

static long syscall6(long n, long a, long b, long c, long d, long e, long f) {
        register long x8 __asm__("x8") = n;
        register long x0 __asm__("x0") = a;
        register long x1 __asm__("x1") = b;
        register long x2 __asm__("x2") = c;
        register long x3 __asm__("x3") = d;
        register long x4 __asm__("x4") = e;
        register long x5 __asm__("x5") = f;

        __asm__ volatile("svc 0"
                         : "+r"(x0)
                         : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
                         : "memory");
        return x0;
}
#else
#error "stub/stub.c: no system call entry for this architecture (x86_64 and aarch64 are supported)"
#endif

#define sys(n, a, b, c, d) syscall6(__NR_##n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

static SyncMessage message; /* in .bss: 1 KiB we need not clear */
#define failure message.failure

static _Noreturn void stub_exit(int code) {
        for (;;)
                sys(exit_group, code, 0, 0, 0);
}

static int streq(const char *a, const char *b) {
        while (*a && *a == *b)
                a++, b++;
        return *a == *b;
}

static void append(size_t *n, const char *s) {
        while (*s && *n < sizeof(failure.message) - 1)
                failure.message[(*n)++] = *s++;
}

/* Reports a failed step the way the helper's child does, then exits with code. */
static _Noreturn void stub_fail(int sync_fd, int error, int code, const char *what, const char *path) {
        size_t n = 0;

        failure.error = error;
        failure.exit_code = code;
        append(&n, what);
        if (path) {
                append(&n, " '");
                append(&n, path);
                append(&n, "'");
        }
        failure.message[n] = 0;
        message.magic = SYNC_MAGIC;
        message.type = SYNC_FAILURE;
        sys(sendto, sync_fd, &message, sizeof(message), MSG_NOSIGNAL_);
        stub_exit(code);
}

static _Noreturn void stub_exec(int sync_fd, char *path, char **argv, char **envp) {
        long r;

        /* From here on the sync socket closes with the exec, and only the exec. */
        r = sys(fcntl, sync_fd, F_SETFD, FD_CLOEXEC, 0);
        if (r < 0)
                stub_fail(sync_fd, (int)-r, EXIT_SETUP_FAILED,
                          "Failed to mark the sync socket close-on-exec", NULL);
        message.magic = SYNC_MAGIC;
        message.type = SYNC_EXEC;
        sys(sendto, sync_fd, &message, sizeof(message), MSG_NOSIGNAL_);
        r = sys(execve, path, argv, envp, 0);
        stub_fail(sync_fd, (int)-r, r == -ENOENT_ || r == -ENOTDIR_ ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC,
                  "Failed to execute", path);
}

static int exit_code_from_status(int status) {
        if ((status & 0x7f) == 0) /* exited */
                return (status >> 8) & 0xff;
        return 128 + (status & 0x7f); /* killed; stopped children are not reported to us */
}

/* "init": true. A payload rarely expects to be PID 1: the kernel drops signals without a
 * handler sent to PID 1 (SIGTERM to "sleep" does nothing), and orphans stay zombies
 * unless PID 1 reaps them. We are that PID 1. Signals stay blocked here and are taken
 * with sigtimedwait (a blocked signal is queued even for PID 1), then passed on. */
/* What ps and "systemctl status" show of the init: "nscontain-init COMMAND ARGS…", not
 * our protocol's fd number and path. The kernel reads /proc/PID/cmdline from the argument
 * strings in our memory (contiguous, argv[0] first), so we move the command's over ours;
 * the forked payload has its own copy. Byte by byte through a volatile pointer: no
 * memmove() to call, and none for the compiler to make of the loop. */
static void init_show_command(char **stub_argv) {
        volatile char *dst = stub_argv[1];
        const char *src = stub_argv[3], *end;
        size_t i = 3;

        while (stub_argv[i + 1])
                i++;
        for (end = stub_argv[i]; *end; end++)
                ;
        end++; /* past the last NUL */
        while (src < end)
                *dst++ = *src++;
        while ((const char *)dst < end)
                *dst++ = 0;
}

static _Noreturn void stub_init(int sync_fd, char **stub_argv, char **envp) {
        char *path = stub_argv[2], **argv = stub_argv + 3;
        uint64_t all = ~UINT64_C(0), none = 0;
        long payload, r;

        r = sys(rt_sigprocmask, 2 /* SIG_SETMASK */, &all, NULL, sizeof(all));
        if (r < 0)
                stub_fail(sync_fd, (int)-r, EXIT_SETUP_FAILED,
                          "Failed to block signals in the container's init", NULL);
        /* Without a pid namespace we are not PID 1: become the reaper of orphans anyway. */
        if (sys(getpid, 0, 0, 0, 0) != 1) {
                r = sys(prctl, PR_SET_CHILD_SUBREAPER, 1, 0, 0);
                if (r < 0)
                        stub_fail(sync_fd, (int)-r, EXIT_SETUP_FAILED,
                                  "Failed to become the child subreaper", NULL);
        }

        /* fork(): no new stack, so the child returns here on a copy of ours. */
        payload = sys(clone, SIGCHLD_, 0, 0, 0);
        if (payload < 0)
                stub_fail(sync_fd, (int)-payload, EXIT_SETUP_FAILED,
                          "Failed to fork the payload from the container's init", NULL);
        if (payload == 0) {
                /* fork() clears the death signal: the payload dies with its init. */
                sys(prctl, PR_SET_PDEATHSIG, SIGKILL_, 0, 0);
                sys(rt_sigprocmask, 2, &none, NULL, sizeof(none));
                stub_exec(sync_fd, path, argv, envp);
        }

        /* Our copy of the sync socket goes, or the helper would wait for an EOF only our
         * exit brings; the payload's copy closes at its exec. */
        sys(prctl, PR_SET_NAME, "nscontain-init", 0, 0);
        init_show_command(stub_argv);
        sys(close, sync_fd, 0, 0, 0);

        for (;;) {
                int info[32]; /* siginfo_t: si_signo first */
                int status;

                r = sys(rt_sigtimedwait, &all, info, NULL, sizeof(all));
                if (r == -EINTR_)
                        continue;
                if (r < 0) /* cannot happen; stay a reaper without signals */
                        for (;;) {
                                long p = sys(wait4, -1, &status, 0, NULL);
                                if (p == payload)
                                        stub_exit(exit_code_from_status(status));
                                if (p < 0 && p != -EINTR_)
                                        stub_exit(EXIT_SETUP_FAILED);
                        }
                if (info[0] != SIGCHLD_) {
                        sys(kill, payload, info[0], 0, 0);
                        continue;
                }
                for (;;) {
                        long p = sys(wait4, -1, &status, WNOHANG, NULL);
                        if (p == -EINTR_)
                                continue;
                        if (p <= 0)
                                break;
                        if (p == payload)
                                /* As PID 1 our exit takes the rest of the namespace with us. */
                                stub_exit(exit_code_from_status(status));
                }
        }
}

__attribute__((used)) _Noreturn void stub_main(long *sp);
__attribute__((used)) _Noreturn void stub_main(long *sp) {
        long argc = sp[0];
        char **argv = (char **)(sp + 1), **envp = argv + argc + 1;
        int sync_fd = 0;

        /* Our exec made us dumpable again, while we still hold the sync socket and, for
         * "nscontain exec", the caller's stdio: nothing in the container may ptrace us or
         * open our /proc/PID/fd. The command becomes dumpable with its own exec; the init
         * stays as it is. */
        sys(prctl, PR_SET_DUMPABLE, 0, 0, 0);
        if (argc < 4)
                stub_exit(EXIT_SETUP_FAILED);
        for (const char *p = argv[1]; *p; p++) {
                if (*p < '0' || *p > '9' || sync_fd > 100000)
                        stub_exit(EXIT_SETUP_FAILED);
                sync_fd = sync_fd * 10 + (*p - '0');
        }

        if (streq(argv[0], "nscontain-init"))
                stub_init(sync_fd, argv, envp);
        stub_exec(sync_fd, argv[2], argv + 3, envp);
}
