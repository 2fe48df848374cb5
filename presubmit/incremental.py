# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""What an earlier run's findings can stand for in this one, and what to keep of this one.

A file whose row is found (presubmit/findings_cache.py) is neither parsed
nor checked: its findings, suppression applied, come from the row. A
package whose files all kept their keys keeps its row too (the rules whose
findings follow from one package, ONE_SERVICE_PER_PACKAGE); any other
package is checked again, over all its files.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path

from core.cached_compile import Prepared
from presubmit import findings_cache
from presubmit import report_memo
from presubmit.config import Config
from presubmit.finding import Finding
from presubmit.findings_cache import FileRow
from presubmit.findings_cache import FindingsCache
from presubmit.rule import Rule
from presubmit.spec import Reuse


class Recall:
    """One run's view of the findings cache of its tree."""

    def __init__(
        self,
        folder: Path,
        config: Config,
        rules: Sequence[Rule],
        explicit: bool,
        prepared: Prepared,
    ) -> None:
        self.cache = FindingsCache(folder)
        self.fingerprint = findings_cache.fingerprint(config, [r.id for r in rules], explicit)
        self.file_rules = frozenset(r.id for r in rules if r.spec.reuse is Reuse.FILE)
        self.package_rules = frozenset(r.id for r in rules if r.spec.reuse is Reuse.PACKAGE)
        self.raw = prepared.raw
        # Each target's row key, as far as its descriptor key is known.
        self.keys = {
            name: findings_cache.file_key(self.fingerprint, key)
            for name, key in prepared.keys.items()
            if key is not None
        }
        self._lines: dict[str, int] = {}
        self._rows: dict[str, bytes] | None = None
        self.rows: dict[str, bytes] = {}  # what this run found, to be written
        self._packages: set[str] = set()  # the row keys of this run's packages
        self._unsound = False  # keep nothing of this run

    @property
    def _stored(self) -> dict[str, bytes]:
        """Every stored row (read once, when first needed: a run whose report
        is kept reads one row only)."""
        if self._rows is None:
            self._rows = self.cache.read_all()
        return self._rows

    def _all_keyed(self) -> bool:
        return all(name in self.keys for name in self.raw)

    def report(self, form: str) -> tuple[str, int] | None:
        """The report and exit code a run over these very inputs printed in
        `form`, if kept (presubmit/report_memo.py)."""
        if not self._all_keyed():
            return None
        payload = self.cache.get(report_memo.key(self.fingerprint, self.keys, form))
        return report_memo.decode(payload) if payload is not None else None

    def keep_report(self, form: str, text: str, code: int) -> None:
        """Keep this run's report for the next run over the same inputs."""
        if not self._unsound and self._all_keyed():
            key = report_memo.key(self.fingerprint, self.keys, form)
            self.rows[key] = report_memo.encode(text, code)

    def lines(self, name: str) -> int:
        if name not in self._lines:
            self._lines[name] = self.raw[name].count(b"\n") + 1
        return self._lines[name]

    def files(self) -> dict[str, FileRow]:
        """The targets whose rows are stored and sound."""
        stored = self._stored
        named = [(name, stored[key]) for name, key in self.keys.items() if key in stored]
        values = findings_cache.parse_all([payload for _, payload in named])
        found: dict[str, FileRow] = {}
        for (name, _), value in zip(named, values, strict=True):
            row = findings_cache.decode_file(value, name, self.file_rules, self.lines(name))
            if row is not None:
                found[name] = row
        return found

    def learn_keys(self, keys: Mapping[str, str | None]) -> None:
        """The descriptor keys of files the compile keyed anew (their content was new)."""
        for name, key in keys.items():
            if key is not None and name in self.raw and name not in self.keys:
                self.keys[name] = findings_cache.file_key(self.fingerprint, key)

    def keep_files(self, findings: Iterable[Finding], checked: Mapping[str, str]) -> None:
        """Rows for the files `checked` (name -> package) from their fresh findings.

        A finding of a file rule on a file that was not checked would be
        lost on the next run: then nothing is kept."""
        by_file: dict[str, list[Finding]] = {name: [] for name in checked}
        for f in findings:
            if f.path not in by_file:
                self.drop()
                return
            by_file[f.path].append(f)
        if self._unsound:
            return
        for name, found in by_file.items():
            key = self.keys.get(name)
            if key is not None:
                self.rows[key] = findings_cache.encode_file(checked[name], found)

    def package_keys(self, package_of: Mapping[str, str]) -> dict[str, str | None]:
        """Each package's row key (None when a file of it has no key)."""
        members: dict[str, list[str]] = {}
        for name, package in package_of.items():
            members.setdefault(package, []).append(name)
        keys: dict[str, str | None] = {}
        for package, names in members.items():
            if all(n in self.keys for n in names):
                pairs = [(n, self.keys[n]) for n in names]
                key = findings_cache.package_key(self.fingerprint, package, pairs)
                keys[package] = key
                self._packages.add(key)
            else:
                keys[package] = None
        return keys

    def packages(
        self, package_of: Mapping[str, str], keys: Mapping[str, str | None]
    ) -> dict[str, tuple[Finding, ...]]:
        """The packages whose rows are stored and sound, with their findings."""
        found: dict[str, tuple[Finding, ...]] = {}
        lines_of: dict[str, dict[str, int]] = {}
        for name, package in package_of.items():
            lines_of.setdefault(package, {})[name] = self.lines(name)
        for package, key in keys.items():
            payload = self._stored.get(key) if key is not None else None
            if payload is None:
                continue
            row = findings_cache.decode_package(payload, lines_of[package], self.package_rules)
            if row is not None:
                found[package] = row
        return found

    def keep_packages(
        self,
        findings: Iterable[Finding],
        package_of: Mapping[str, str],
        keys: Mapping[str, str | None],
        checked: Iterable[str],
    ) -> None:
        """Rows for the packages `checked`, from their fresh findings."""
        by_package: dict[str, list[Finding]] = {p: [] for p in checked}
        for f in findings:
            package = package_of.get(f.path)
            if package is None or package not in by_package:
                self.drop()
                return
            by_package[package].append(f)
        if self._unsound:
            return
        for package, found in by_package.items():
            key = keys.get(package)
            if key is not None:
                self.rows[key] = findings_cache.encode_package(found)

    def drop(self) -> None:
        """Keep nothing of this run (a rule warned: the warning must come again)."""
        self._unsound = True
        self.rows.clear()

    def write(self, whole_tree: bool) -> None:
        """Store the rows; on a run over the whole tree, drop every other row."""
        if self._unsound:
            self.cache.close()
            return
        try:
            live: set[str] | None = None
            if whole_tree:
                live = set(self.keys.values()) | self._packages | set(self.rows)
            self.cache.write(self.rows, live)
        finally:
            self.cache.close()
