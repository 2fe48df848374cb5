"""IMPORT_ONE_PER_LINE: one proto import per line; one name per Python import."""

from __future__ import annotations

import re

from presubmit import imports
from presubmit.context import LintContext
from presubmit.finding import Edit
from presubmit.finding import Finding
from presubmit.source import FILE_DEPENDENCY
from presubmit.source import SourceFile

_IMPORT_WORD = re.compile(rb"import\b")


def _two_on_a_line(raw: bytes) -> bool:
    """Does some line hold the word `import` twice?

    Only such files can break the rule, and finding them in the raw text
    spares building the location index of all the others.
    """
    prev = -1
    for m in _IMPORT_WORD.finditer(raw):
        if prev >= 0 and raw.find(b"\n", prev, m.start()) < 0:
            return True
        prev = m.start()
    return False


class ImportOnePerLine:
    id = "IMPORT_ONE_PER_LINE"
    purpose = "One import statement per line in protos; one imported name per Python import."
    per_file = True

    def check(self, ctx: LintContext) -> list[Finding]:
        found: list[Finding] = []
        for sf in ctx.files_for(self.id):
            if len(sf.proto.dependency) > 1 and _two_on_a_line(sf.raw):
                found += self._proto(sf)
        if ctx.config.python:
            for rel in ctx.python_files:
                if ctx.config.enabled(self.id, rel):
                    found += self._python(ctx, rel)
        return found

    def _proto(self, sf: SourceFile) -> list[Finding]:
        by_line: dict[int, list[tuple[int, int, int]]] = {}
        for i in range(len(sf.proto.dependency)):
            loc = sf.location((FILE_DEPENDENCY, i))
            if loc is None or len(loc.span) != 3:
                continue  # a statement over several lines is not this rule's business
            by_line.setdefault(loc.span[0], []).append((loc.span[1], loc.span[2], i))
        found: list[Finding] = []
        for line0, stmts in sorted(by_line.items()):
            if len(stmts) < 2:
                continue
            stmts.sort()
            start = sf.line_starts()[line0]
            spans = [
                (sf.offset(line0, a) - start, sf.offset(line0, b) - start) for a, b, _ in stmts
            ]
            edits = imports.split_proto_line(sf.line_bytes(line0), spans)
            for (col0, _, i), (a, b, text) in zip(stmts[1:], edits, strict=True):
                dep = sf.proto.dependency[i]
                found.append(
                    Finding(
                        sf.name,
                        line0 + 1,
                        col0 + 1,
                        self.id,
                        f'import "{dep}" shares line {line0 + 1} with another import; '
                        "give it a line of its own",
                        sf.name,
                        fixes=(Edit(sf.name, start + a, start + b, text),),
                        anchor=(FILE_DEPENDENCY, i),
                    )
                )
        return found

    def _python(self, ctx: LintContext, rel: str) -> list[Finding]:
        data = ctx.read(rel)
        try:
            stmts = imports.python_imports(data)
        except (SyntaxError, ValueError) as exc:
            ctx.warnings.append(f"{rel}: skipped by {self.id}: not parseable Python ({exc})")
            return []
        found: list[Finding] = []
        for st in stmts:
            fixes = () if st.replacement is None else (Edit(rel, st.start, st.end, st.replacement),)
            note = "" if fixes else " (comments inside: split it by hand)"
            found.append(
                Finding(
                    rel,
                    st.line,
                    st.column,
                    self.id,
                    f"import of {len(st.names)} names ({', '.join(st.names)}); "
                    f"import one name per statement{note}",
                    rel,
                    fixes=fixes,
                )
            )
        return found


RULE = ImportOnePerLine()
