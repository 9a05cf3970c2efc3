#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# check-citations.sh SRCDIR: the code, build and test files cite only documents of
# the repository (docs/ARCHITECTURE.md, docs/SECURITY.md, the manual pages, the
# README's sections). Fails on a mention of the design notes the project started from,
# which the repository does not contain (DESIGN.md, TESTING.md, STYLE.md, ../shared),
# on a bare "SECURITY.md" (it is docs/SECURITY.md), and on a docs/*.md that does not
# exist.
set -uo pipefail

src=${1:?usage: check-citations.sh SRCDIR}
cd "$src" || exit 1

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        mapfile -d '' files < <(git ls-files -z --cached --others --exclude-standard -- . ':!:*.md' \
                ':!:tests/check-citations.sh')
else
        mapfile -d '' files < <(find . -path './build*' -prune -o -path ./.git -prune -o \
                -type f ! -name '*.md' ! -path ./tests/check-citations.sh -print0)
fi
((${#files[@]} > 10)) || { echo "FAIL: found only ${#files[@]} files under $src"; exit 1; }

bad=$(grep -nIE '(^|[^A-Za-z_/])(DESIGN|TESTING|STYLE|SECURITY)\.md|\.\./shared' -- "${files[@]}" 2>/dev/null)
if [[ -n $bad ]]; then
        echo "FAIL: citations of files outside the repository (cite docs/ARCHITECTURE.md,"
        echo "docs/SECURITY.md, a manual page or a README section instead):"
        echo "$bad"
        exit 1
fi

rc=0
while IFS=: read -r file line doc; do
        if [[ ! -f $doc ]]; then
                echo "FAIL: $file:$line cites $doc, which does not exist"
                rc=1
        fi
done < <(grep -noIE 'docs/[A-Za-z0-9_-]+\.md' -- "${files[@]}" 2>/dev/null)
((rc == 0)) && echo "ok: ${#files[@]} files cite only documents of the repository"
exit $rc
