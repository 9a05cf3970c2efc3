#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The generator writes a new drop-in as an O_TMPFILE linked into place, and one that
# exists already (a second run into the same directory) by a temporary file renamed
# over it. Both ways: the same files, mode 0644 whatever the caller's umask (0600 for
# the snapshot nscontain.snapshot, which may hold what a config's own mode keeps private), nothing
# else left behind (no temporary files), and a changed config replaces the old text.
#
#   check-rerun.sh GENERATOR CASES-DIR
set -eu
generator=$(realpath "${1:?usage: check-rerun.sh GENERATOR CASES-DIR}")
cases=${2:?}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-rerun.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cp "$cases"/dependencies/*.json "$cases"/autostart/*.json "$tmp"/ 2>/dev/null || true
mkdir "$tmp/in"
mv "$tmp"/*.json "$tmp/in"/
export NSCONTAIN_CONFIG_PATH=$tmp/in SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_LEVEL=info

listing() { (cd "$1" && find . -printf '%y %m %p\n' | sort && find . -type f -exec cat {} +); }

(umask 077 && "$generator" "$tmp/out1") || fail "first run"
listing "$tmp/out1" >"$tmp/first"
[[ -s $tmp/first ]] || fail "nothing written"
grep -q '^f 644 ./container@.*/50-nscontain.conf$' "$tmp/first" || fail "no drop-in: $(cat "$tmp/first")"
grep -qx 'f 600 ./nscontain.snapshot' "$tmp/first" || fail "no snapshot of mode 0600: $(cat "$tmp/first")"
if grep -E '^f ' "$tmp/first" | grep -v '^f 600 ./nscontain.snapshot$' | grep -vq '^f 644 '; then
        fail "files not 0644: $(grep -E '^f ' "$tmp/first")"
fi

# Again into the same directory: every file exists, so every one is replaced.
(umask 077 && "$generator" "$tmp/out1") || fail "second run"
listing "$tmp/out1" >"$tmp/second"
diff -u "$tmp/first" "$tmp/second" || fail "a second run into the same directory changed the output"

# A changed config: its drop-in is replaced, not kept.
f=$(find "$tmp/in" -name '*.json' | sort | head -1)
name=$(basename "$f" .json)
sed -i 's/"command"/"restart": "always", "command"/' "$f"
"$generator" "$tmp/out1" || fail "third run"
grep -qx 'Restart=always' "$tmp/out1/container@$name.service.d/50-nscontain.conf" || fail "drop-in of $name not replaced"
offset=$(sed -n 's/^Environment=NSCONTAIN_CONFIG_OFFSET=//p' "$tmp/out1/container@$name.service.d/50-nscontain.conf")
header="nscontain-snapshot $name $(stat -c %s "$f")"
[[ $(tail -c +$((offset + 1)) "$tmp/out1/nscontain.snapshot" | head -n 1) == "$header" ]] ||
        fail "snapshot record of $name not at its offset $offset"
tail -c +$((offset + ${#header} + 2)) "$tmp/out1/nscontain.snapshot" | head -c "$(stat -c %s "$f")" | cmp -s - "$f" ||
        fail "snapshot of $name not replaced"
if find "$tmp/out1" -name '.#*' | grep -q .; then
        fail "temporary files left: $(find "$tmp/out1" -name '.#*')"
fi
echo "ok"
