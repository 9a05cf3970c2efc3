/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The default seccomp filter's rules: allow everything except what no container needs, which
 * fails with EPERM (a deny list, like systemd-nspawn's, rather than docker's allow
 * list: new syscalls keep working, and the capability bounding set remains the main
 * barrier). Denied:
 *
 *   kexec_load kexec_file_load — replacing the host kernel. (reboot stays ALLOWED:
 *        in a pid namespace the kernel turns reboot(2) into killing the namespace's
 *        init, which the supervisor sees as its exit; that is how a booted container's
 *        systemd powers off or restarts, and what systemd-nspawn allows too.)
 *   init_module finit_module delete_module create_module query_module get_kernel_syms
 *        — kernel modules are global.
 *   bpf perf_event_open — large kernel attack surface, global observability.
 *   keyctl add_key request_key — the kernel keyrings are not namespaced.
 *   open_by_handle_at — opens any inode of a file system by handle, bypassing the
 *        mount tree ("shocker"). name_to_handle_at stays allowed: it only produces a
 *        handle, and systemd uses it to identify mounts.
 *   iopl ioperm — raw port I/O.  swapon swapoff acct — host-global.
 *   lookup_dcookie nfsservctl uselib vm86 vm86old — obsolete, attack surface only.
 *   userfaultfd — used to widen race windows in kernel exploits.
 *   io_uring_setup io_uring_enter io_uring_register — a steady source of kernel
 *        privilege escalations; docker denies them too.
 *   quotactl quotactl_fd syslog — host-global.
 *   settimeofday stime clock_settime clock_settime64 clock_adjtime clock_adjtime64 —
 *        the clock is global. adjtimex stays allowed: read-only use (modes 0) is how
 *        programs ask whether the clock is synchronized, and setting needs CAP_SYS_TIME
 *        in the initial user namespace anyway.
 *   personality with ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, MMAP_PAGE_ZERO,
 *        ADDR_COMPAT_LAYOUT, ADDR_LIMIT_32BIT or ADDR_LIMIT_3GB (weaken ASLR / NX);
 *        plain personalities (PER_LINUX32 for 32-bit userlands, UNAME26) and the query
 *        0xffffffff remain allowed.
 *   ioctl TIOCSTI (docs/SECURITY.md row 8, CVE-2017-5226: pushing input into the terminal
 *        of whoever owns it) and TIOCLINUX (the same through the Linux console).
 *
 * Allowed on purpose: ptrace and process_vm_* (CAP_SYS_PTRACE and the pid namespace
 * gate them), mount and the new mount API (CAP_SYS_ADMIN gates them, and a container
 * given it may mount), unshare/clone/setns including CLONE_NEWUSER: docker denies new
 * user namespaces, but Debian lets every unprivileged host user create them, so the
 * container gains no attack surface an ordinary host user lacks, and systemd in a
 * booted container needs them for PrivateUsers= and friends (clone3 could not be
 * filtered by flags anyway).
 *
 * Every ABI the CPU can run is covered (x86_64 + x86 + x32, aarch64 + arm, …): a
 * filter for the native ABI only would be bypassed through int 0x80 and the like. */

#include <errno.h>
#include <linux/personality.h>
#include <sys/ioctl.h>

#include "macro.h"
#include "seccomp-filter.h"

static const char *const denied_syscalls[] = {
        "kexec_load",
        "kexec_file_load",
        "init_module",
        "finit_module",
        "delete_module",
        "create_module",
        "query_module",
        "get_kernel_syms",
        "bpf",
        "perf_event_open",
        "keyctl",
        "add_key",
        "request_key",
        "open_by_handle_at",
        "iopl",
        "ioperm",
        "swapon",
        "swapoff",
        "acct",
        "lookup_dcookie",
        "nfsservctl",
        "uselib",
        "vm86",
        "vm86old",
        "userfaultfd",
        "io_uring_setup",
        "io_uring_enter",
        "io_uring_register",
        "quotactl",
        "quotactl_fd",
        "syslog",
        "settimeofday",
        "stime",
        "clock_settime",
        "clock_settime64",
        "clock_adjtime",
        "clock_adjtime64",
};

/* Personality flags that weaken address-space protections. */
static const uint32_t dangerous_personality_flags[] = {
        ADDR_NO_RANDOMIZE,  READ_IMPLIES_EXEC, MMAP_PAGE_ZERO,
        ADDR_COMPAT_LAYOUT, ADDR_LIMIT_32BIT,  ADDR_LIMIT_3GB,
};

#define DENY SCMP_ACT_ERRNO(EPERM)

static int add_secondary_archs(scmp_filter_ctx ctx) {
        static const struct {
                uint32_t native;
                uint32_t extra;
        } table[] = {
                {SCMP_ARCH_X86_64, SCMP_ARCH_X86},      {SCMP_ARCH_X86_64, SCMP_ARCH_X32},
                {SCMP_ARCH_AARCH64, SCMP_ARCH_ARM},     {SCMP_ARCH_PPC64LE, SCMP_ARCH_PPC64},
                {SCMP_ARCH_PPC64LE, SCMP_ARCH_PPC},     {SCMP_ARCH_S390X, SCMP_ARCH_S390},
                {SCMP_ARCH_MIPSEL64, SCMP_ARCH_MIPSEL},
        };
        uint32_t native = seccomp_arch_native();

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                if (table[i].native != native)
                        continue;
                int r = seccomp_arch_add(ctx, table[i].extra);
                if (r < 0 && r != -EEXIST)
                        return r;
        }
        return 0;
}

/* personality(2) takes an unsigned int: only the low 32 bits count, so every
 * comparison is masked to them (an argument with junk in the upper half must not slip
 * through). Denied: any dangerous flag while bit 31 is clear, and every value with
 * bit 31 set except the query 0xffffffff — expressed as "bit 31 set and bit k clear"
 * for each other bit k, because one libseccomp rule may test an argument only once. */
static int add_personality_rules(scmp_filter_ctx ctx) {
        int r;

        for (size_t i = 0; i < ELEMENTSOF(dangerous_personality_flags); i++) {
                uint32_t flag = dangerous_personality_flags[i];
                r = seccomp_rule_add(ctx, DENY, SCMP_SYS(personality), 1,
                                     SCMP_A0(SCMP_CMP_MASKED_EQ, flag | UINT32_C(0x80000000), flag));
                if (r < 0)
                        return r;
        }
        for (unsigned k = 0; k < 31; k++) {
                r = seccomp_rule_add(ctx, DENY, SCMP_SYS(personality), 1,
                                     SCMP_A0(SCMP_CMP_MASKED_EQ, UINT32_C(0x80000000) | (UINT32_C(1) << k),
                                             UINT32_C(0x80000000)));
                if (r < 0)
                        return r;
        }
        return 0;
}

int seccomp_filter_build(scmp_filter_ctx *ret) {
        scmp_filter_ctx ctx;
        int r;

        ctx = seccomp_init(SCMP_ACT_ALLOW);
        if (!ctx)
                return -ENOMEM;

        /* no_new_privileges is the config's decision, not libseccomp's: it would set it
         * on load by default. The caller holds CAP_SYS_ADMIN when it is off. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (r >= 0)
                r = add_secondary_archs(ctx);

        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(denied_syscalls); i++) {
                int nr = seccomp_syscall_resolve_name(denied_syscalls[i]);
                if (nr == __NR_SCMP_ERROR)
                        continue; /* unknown to this libseccomp: no ABI has it */
                r = seccomp_rule_add(ctx, DENY, nr, 0);
        }

        /* The ioctl request is an unsigned int for the kernel: mask the comparison to 32
         * bits, or TIOCSTI with a bit set in the upper half would pass the filter yet
         * still reach the tty driver (the bypass once found in flatpak's filter). */
        static const unsigned long denied_ioctls[] = {TIOCSTI, TIOCLINUX};
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(denied_ioctls); i++)
                r = seccomp_rule_add(ctx, DENY, SCMP_SYS(ioctl), 1,
                                     SCMP_A1(SCMP_CMP_MASKED_EQ, UINT32_C(0xffffffff), denied_ioctls[i]));

        if (r >= 0)
                r = add_personality_rules(ctx);
        if (r < 0) {
                seccomp_release(ctx);
                return r;
        }
        *ret = ctx;
        return 0;
}
