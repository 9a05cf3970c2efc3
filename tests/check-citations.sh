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
# A section cited by name (docs/ARCHITECTURE.md, "The sync protocol") must be a heading
# of that document; a citation may run over comment lines.
python3 - "${files[@]}" <<'PY' || rc=1
import re, sys
heads = {}
def headings(doc):
    if doc not in heads:
        try:
            heads[doc] = {re.sub(r"\s+", " ", l.lstrip("#").strip())
                          for l in open(doc, encoding="utf-8") if l.startswith("#")}
        except OSError:
            heads[doc] = set()
    return heads[doc]
bad = 0
for f in sys.argv[1:]:
    try:
        text = open(f, encoding="utf-8", errors="replace").read()
    except OSError:
        continue
    # Comment leaders at line starts (" * ", "# ", "// ") become one space.
    flat = re.sub(r"\n[ \t]*(?:\*|#|//)?[ \t]*", " ", text)
    for m in re.finditer(r"(docs/[A-Za-z0-9_-]+\.md),?\s+\"([^\"]{3,80})\"", flat):
        doc, section = m.group(1), re.sub(r"\s+", " ", m.group(2))
        if section not in headings(doc):
            print(f"FAIL: {f} cites {doc}, \"{section}\", which is not a heading there")
            bad = 1
sys.exit(bad)
PY
((rc == 0)) && echo "ok: ${#files[@]} files cite only documents of the repository, and sections that exist"
exit $rc
