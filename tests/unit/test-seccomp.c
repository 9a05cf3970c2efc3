/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The default seccomp filter as the programs load it: the BPF program embedded at build
 * time is exactly what libseccomp makes of the rules, and, loaded, it denies what the
 * rules say with EPERM while the rest works. */

#include <linux/filter.h>
#include <stdbool.h>
#include <linux/personality.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "creds.h"
#include "seccomp-bpf.h"
#include "seccomp-filter.h"
#include "tests.h"

TEST(test_embedded_is_exported) {
        scmp_filter_ctx ctx = NULL;
        struct sock_filter insn;
        size_t n = 0;
        int fd;

        ASSERT_EQ(seccomp_filter_build(&ctx), 0);
        fd = memfd_create("bpf", MFD_CLOEXEC);
        ASSERT(fd >= 0);
        ASSERT_EQ(seccomp_export_bpf(ctx, fd), 0);
        seccomp_release(ctx);
        ASSERT_EQ(lseek(fd, 0, SEEK_SET), 0);
        while (read(fd, &insn, sizeof(insn)) == (ssize_t)sizeof(insn)) {
                ASSERT(n < ELEMENTSOF(seccomp_default_filter));
                ASSERT_EQ(memcmp(&insn, &seccomp_default_filter[n], sizeof(insn)), 0);
                n++;
        }
        ASSERT_EQ(n, ELEMENTSOF(seccomp_default_filter));
        close(fd);
}

/* -errno of a raw system call, 0 on success. */
static long sys_result(long r) {
        return r < 0 ? -errno : 0;
}

#if defined(__x86_64__)
/* Whether this kernel has the i386 entry through int 0x80: with IA32 emulation off
 * (CONFIG_IA32_EMULATION=n, or ia32_emulation=0 on the command line) the instruction
 * faults with SIGSEGV. Tried in a child, without a filter: getpid is 20 there. */
static bool ia32_entry_works(void) {
        int status;
        pid_t pid = fork();

        ASSERT(pid >= 0);
        if (pid == 0) {
                long ret;
                __asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
                _exit(ret == getpid() ? 0 : 1);
        }
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}
#endif

/* Loads the default filter into this process (a forked child). */
static void filter_load(void) {
        Config config = {.seccomp = true};
        Failure f = {};

        /* Unprivileged loading needs no_new_privs; the helper sets it (or has CAP_SYS_ADMIN). */
        ASSERT_EQ(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
        ASSERT_EQ(seccomp_apply(&config, &f), 0);
}

/* Runs 'checks' in a child under the loaded filter; the child must exit 0. */
static void under_filter(void (*checks)(void)) {
        int status;
        pid_t pid = fork();

        ASSERT(pid >= 0);
        if (pid == 0) {
                filter_load();
                checks();
                _exit(0);
        }
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT(WIFEXITED(status));
        ASSERT_EQ(WEXITSTATUS(status), 0);
}

static void native_checks(void) {
        ASSERT_EQ(sys_result(syscall(SYS_keyctl, 0, 0, 0, 0, 0)), -EPERM);
        ASSERT_EQ(sys_result(syscall(SYS_bpf, 0, NULL, 0)), -EPERM);
        ASSERT_EQ(sys_result(syscall(SYS_open_by_handle_at, -1, NULL, 0)), -EPERM);
        ASSERT_EQ(sys_result(syscall(SYS_personality, ADDR_NO_RANDOMIZE)), -EPERM);
        ASSERT_EQ(sys_result(syscall(SYS_personality, 0x80000000UL)), -EPERM);
        /* The query and a plain personality stay allowed. */
        ASSERT(syscall(SYS_personality, 0xffffffffUL) >= 0);
        ASSERT(syscall(SYS_personality, PER_LINUX) >= 0);
        /* TIOCSTI is denied whatever the upper 32 bits of the request say. */
        ASSERT_EQ(sys_result(syscall(SYS_ioctl, 0, (unsigned long)TIOCSTI, "x")), -EPERM);
        ASSERT_EQ(sys_result(syscall(SYS_ioctl, 0, (unsigned long)TIOCSTI | (1UL << 32), "x")), -EPERM);
        ASSERT(getpid() > 0);
}

TEST(test_loaded_filter) {
        under_filter(native_checks);
}

#if defined(__x86_64__)
static void ia32_checks(void) {
        long ret;

        /* The i386 ABI through int 0x80: keyctl is 288 there. */
        __asm__ volatile("int $0x80" : "=a"(ret) : "a"(288L), "b"(0), "c"(0), "d"(0) : "memory");
        ASSERT_EQ(ret, -EPERM);
}
#endif

TEST(test_loaded_filter_ia32) {
#if defined(__x86_64__)
        if (!ia32_entry_works())
                TEST_SKIP("this kernel has no IA32 entry: the i386 keyctl through int 0x80 is not checked");
        under_filter(ia32_checks);
#else
        TEST_SKIP("not an x86-64 build: no i386 ABI to check");
#endif
}
