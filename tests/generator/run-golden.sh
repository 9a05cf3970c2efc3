#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs nscontain-generator on one golden case and compares everything it did with
# what the case expects (quadlet style: input and expected output side by side).
#
#   run-golden.sh GENERATOR UNITDIR CASEDIR [--update]
#
# A case directory holds:
#   *.json, subdirs  the input: copied to a temporary directory IN, which is the
#                    search path ($NSCONTAIN_CONFIG_PATH) unless 'search-path' says
#   search-path      optional: the search path, colon-separated, relative to IN
#   setup            optional: bash, run in IN to make inputs git cannot hold (a
#                    100 MB sparse file, a symlink loop, a mode-000 file, ...)
#   unprivileged     optional: as root, run the generator without CAP_DAC_OVERRIDE and
#                    CAP_DAC_READ_SEARCH, so file modes apply as to anyone else
#   args             optional: run "generator ARGS" in IN instead of "generator OUT",
#                    and compare standard output with 'stdout'; @OUT@, @EARLY@ and
#                    @LATE@ in ARGS are the three output directories (the last two
#                    must stay empty)
#   NAME.conf        the drop-in expected for container@NAME.service; the record its
#                    NSCONTAIN_CONFIG_OFFSET= points at in the generator's snapshot
#                    (nscontain.snapshot, mode 0600, written when there is any drop-in)
#                    must be byte for byte the file its SourcePath= names; no other
#                    drop-in, file or directory may appear in the output
#   symlinks         the symlinks expected, "PATH -> TARGET" (default: none)
#   stderr           exactly what is expected on standard error (default: nothing)
#   exit-code        the expected exit status (default: 0)
# In expected files @IN@ stands for IN and @UNITDIR@ for the unit directory.
# With --update the expected files are rewritten from what the generator did; review
# the diff before committing it.
set -u
set -o pipefail

generator=${1:?usage: run-golden.sh GENERATOR UNITDIR CASEDIR [--update]}
unitdir=${2:?}
casedir=${3:?}
update=${4:-}
generator=$(realpath "$generator")

case_name=${casedir##*/}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/golden-$case_name.XXXXXX") || exit 1
# A setup may leave modes that stop rm; make everything removable first.
trap 'chmod -R u+rwX "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
in=$tmp/in
out=$tmp/out
mkdir "$in" "$out" "$tmp/early" "$tmp/late"
chmod 755 "$tmp"

cp -a "$casedir"/. "$in"/
if [ -f "$casedir/setup" ]; then
        (cd "$in" && bash "$casedir/setup") || { echo "FAIL $case_name: setup failed"; exit 1; }
fi

search_path=$in
if [ -f "$casedir/search-path" ]; then
        search_path=$(<"$casedir/search-path")
fi

wrapper=()
if [ -f "$casedir/unprivileged" ] && [ "$(id -u)" = 0 ]; then
        # Root reads a mode-000 file anyway (CAP_DAC_OVERRIDE): drop the two
        # capabilities that bypass file modes, from every set an exec keeps.
        wrapper=(setpriv --inh-caps=-dac_override,-dac_read_search
                 --bounding-set=-dac_override,-dac_read_search --ambient-caps=-all)
fi

if [ -f "$casedir/args" ]; then
        a=$(<"$casedir/args")
        a=${a//@OUT@/$out}
        a=${a//@EARLY@/$tmp/early}
        a=${a//@LATE@/$tmp/late}
        read -r -a args <<<"$a"
else
        args=("$out")
fi

(
        cd "$in" || exit 1
        # The generator logs to stderr here, never to the kernel log; messages are
        # compared exactly, so no journal prefix and no debug noise either.
        env -u JOURNAL_STREAM NSCONTAIN_CONFIG_PATH="$search_path" SYSTEMD_LOG_TARGET=console \
                SYSTEMD_LOG_LEVEL=info ${wrapper[@]+"${wrapper[@]}"} "$generator" "${args[@]}" \
                >"$tmp/stdout" 2>"$tmp/stderr"
)
rc=$?

# Turn this run's paths back into the placeholders of the expected files.
normalize() {
        sed -e "s|$in|@IN@|g" -e "s|$out|@OUT@|g" -e "s|$unitdir|@UNITDIR@|g"
}

# What the generator produced: every file, directory and symlink under OUT.
(cd "$out" && find . -mindepth 1 -type d -printf '%P/\n' | sort) >"$tmp/actual-dirs"
(cd "$out" && find . -type f -printf '%P\n' | sort) >"$tmp/actual-files"
(cd "$out" && find . -type l -printf '%P -> %l\n' | sort | normalize) >"$tmp/actual-symlinks"
(cd "$out" && find . ! -type f ! -type d ! -type l -printf '%P\n') >"$tmp/actual-other"

if [ "$update" = --update ]; then
        rm -f "$casedir"/*.conf "$casedir/symlinks" "$casedir/stderr" "$casedir/exit-code"
        while read -r f; do
                [[ $f =~ ^container@(.*)\.service\.d/50-nscontain\.conf$ ]] || continue
                normalize <"$out/$f" >"$casedir/${BASH_REMATCH[1]}.conf"
        done <"$tmp/actual-files"
        [ -s "$tmp/actual-symlinks" ] && cp "$tmp/actual-symlinks" "$casedir/symlinks"
        [ -s "$tmp/stderr" ] && normalize <"$tmp/stderr" >"$casedir/stderr"
        [ "$rc" != 0 ] && echo "$rc" >"$casedir/exit-code"
        if [ -f "$casedir/args" ]; then
                normalize <"$tmp/stdout" >"$casedir/stdout"
        fi
        echo "updated $case_name"
        exit 0
fi

fail=0
problem() {
        echo "FAIL $case_name: $*"
        fail=1
}

expected_rc=0
[ -f "$casedir/exit-code" ] && expected_rc=$(<"$casedir/exit-code")
[ "$rc" = "$expected_rc" ] || problem "exit code $rc, expected $expected_rc"

normalize <"$tmp/stderr" >"$tmp/stderr.norm"
if ! diff -u --label expected-stderr --label actual-stderr \
        <(cat "$casedir/stderr" 2>/dev/null) "$tmp/stderr.norm"; then
        problem "standard error differs"
fi

if [ -f "$casedir/args" ]; then
        if ! diff -u --label expected-stdout --label actual-stdout "$casedir/stdout" \
                <(normalize <"$tmp/stdout"); then
                problem "standard output differs"
        fi
fi

# The expected tree, derived from the NAME.conf files and the symlinks list.
: >"$tmp/expected-files"
: >"$tmp/expected-dirs"
for conf in "$casedir"/*.conf; do
        [ -e "$conf" ] || continue
        name=${conf##*/}
        name=${name%.conf}
        echo "container@$name.service.d/50-nscontain.conf" >>"$tmp/expected-files"
        grep -qx nscontain.snapshot "$tmp/expected-files" || echo nscontain.snapshot >>"$tmp/expected-files"
        echo "container@$name.service.d/" >>"$tmp/expected-dirs"
done
if [ -f "$casedir/symlinks" ]; then
        sed -n 's|^\([^/]*\)/.* -> .*|\1/|p' "$casedir/symlinks" | sort -u >>"$tmp/expected-dirs"
fi
sort -o "$tmp/expected-files" "$tmp/expected-files"
sort -o "$tmp/expected-dirs" "$tmp/expected-dirs"

diff -u --label expected-files --label actual-files "$tmp/expected-files" "$tmp/actual-files" ||
        problem "the set of files written differs"
diff -u --label expected-dirs --label actual-dirs "$tmp/expected-dirs" "$tmp/actual-dirs" ||
        problem "the set of directories made differs"
diff -u --label expected-symlinks --label actual-symlinks \
        <(sort "$casedir/symlinks" 2>/dev/null) "$tmp/actual-symlinks" ||
        problem "the symlinks differ"
[ -s "$tmp/actual-other" ] && problem "unexpected files: $(cat "$tmp/actual-other")"
for d in early late; do
        [ -z "$(ls -A "$tmp/$d")" ] || problem "wrote into the $d directory: $(ls -A "$tmp/$d")"
done

for conf in "$casedir"/*.conf; do
        [ -e "$conf" ] || continue
        name=${conf##*/}
        name=${name%.conf}
        f=$out/container@$name.service.d/50-nscontain.conf
        [ -f "$f" ] || continue
        diff -u --label "expected $name.conf" --label "actual $name.conf" "$conf" <(normalize <"$f") ||
                problem "drop-in of $name differs"
        mode=$(stat -c %a "$f")
        [ "$mode" = 644 ] || problem "drop-in of $name has mode $mode, expected 644"
        snapshot=$out/nscontain.snapshot
        source=$(sed -n 's/^SourcePath=//p' "$f")
        source=${source//%%/%} # specifier escaping
        [ -f "$snapshot" ] || continue
        grep -qxF "Environment=NSCONTAIN_CONFIG=$snapshot" "$f" || problem "drop-in of $name does not name the snapshot"
        offset=$(sed -n 's/^Environment=NSCONTAIN_CONFIG_OFFSET=//p' "$f")
        header=$(tail -c +$((offset + 1)) "$snapshot" | head -n 1)
        size=$(stat -c %s "$source")
        [ "$header" = "nscontain-snapshot $name $size" ] ||
                problem "snapshot record of $name at $offset starts with '$header'"
        tail -c +$((offset + ${#header} + 2)) "$snapshot" | head -c "$size" | cmp -s - "$source" ||
                problem "snapshot record of $name differs from $source"
        mode=$(stat -c %a "$snapshot")
        [ "$mode" = 600 ] || problem "snapshot has mode $mode, expected 600"
done

[ $fail = 0 ] && echo "ok $case_name"
exit $fail
