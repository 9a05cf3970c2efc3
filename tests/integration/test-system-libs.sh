#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The installed build against the system it runs on: every installed ELF program finds
# its shared libraries (and their symbol versions) in the booted test system, each
# program runs there (--version), and the dlopen()ed libsystemd.so.0 the helper uses is
# the system's. With TSD_SYSTEM_ROOT (tests/matrix/run) that system is another Debian
# release than the one the build was made on: this is the check that a Debian 12 build
# runs on it. $NSC_TEST_SYSTEMD_VERSION, when set, is the systemd major version the
# booted PID 1 must report (so a matrix run that booted the host's systemd instead fails).
set -eu
. "$(dirname "$0")/../lib/testsystemd.sh"

tsd_setup helper cli

tsd_install
tsd_boot

step "the systemd that was booted"
version=$(tsd_run busctl get-property org.freedesktop.systemd1 /org/freedesktop/systemd1 \
        org.freedesktop.systemd1.Manager Version) || fail "PID 1's Version property could not be read"
echo "test system: PID 1 is systemd $version, root ${TSD_SYSTEM_ROOT}" >&2
assert_match "$version" '^s "[0-9]+' "PID 1's version"
if [[ -n ${NSC_TEST_SYSTEMD_VERSION:-} ]]; then
        major=${version#s \"}
        major=${major%%[!0-9]*}
        assert_eq "$major" "$NSC_TEST_SYSTEMD_VERSION" "the systemd the matrix asked for"
fi

step "every installed ELF program loads"
mapfile -t installed < <(meson introspect "$NSC_BUILD_DIR" --installed |
        python3 -c 'import json, sys; print("\n".join(sorted(set(json.load(sys.stdin).values()))))')
((${#installed[@]} > 0)) || fail "meson introspect lists no installed files"
root=$(tsd_root)
programs=0
for f in "${installed[@]}"; do
        [[ -f $root$f && $(head -c 4 "$root$f" | od -An -c | tr -d ' ') == 177ELF ]] || continue
        programs=$((programs + 1))
        # ldd of a static program says so and exits 1: only dynamic ones are checked.
        out=$(tsd_run ldd "$f" 2>&1) || {
                assert_contains "$out" "not a dynamic executable" "ldd $f"
                continue
        }
        assert_not_contains "$out" "not found" "ldd $f in the test system"
done
# The generator, the helper, the sidecar, the stub and nscontain.
assert_eq "$programs" 5 "installed ELF programs"

for p in /usr/lib/systemd/system-generators/nscontain-generator /usr/libexec/nscontain/nscontain-helper \
        /usr/libexec/nscontain/nscontain-sidecar /usr/bin/nscontain; do
        out=$(tsd_run "$p" --version 2>&1) || fail "$p --version failed in the test system: $out"
        assert_match "$out" "^${p##*/} [0-9]" "$p --version"
done

step "the helper's dlopen() of libsystemd.so.0 finds the system's"
out=$(tsd_run sh -c 'ldconfig -p | grep -F "libsystemd.so.0 "') || fail "libsystemd.so.0 is not in the test system's ld.so cache"
assert_contains "$out" "libsystemd.so.0" "ld.so cache"

test_done
