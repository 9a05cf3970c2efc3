/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <seccomp.h>

/* seccomp-filter.c — the default filter's rules as a libseccomp context, for the build
 * step that exports its BPF (seccomp-export.c) and for the test that checks what was
 * embedded. Returns 0 with *ret to seccomp_release(), or -errno. */
int seccomp_filter_build(scmp_filter_ctx *ret);
