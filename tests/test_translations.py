"""The French, Spanish and German catalogues are complete and current: every string the
product's code and templates mark for translation is in each, translated and not fuzzy,
with the same placeholders; and the compiled catalogues are what the site serves."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["fr", "es", "de"]
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]")
# What makemessages reads (scripts/translations.py ignores the rest).
SOURCES = ["manage.py", "openapp_site", "tables", "ordering", "pos_bridge", "templates", "locale"]


def catalogue(root: Path, language: str) -> polib.POFile:
    return polib.pofile(str(root / "locale" / language / "LC_MESSAGES" / "django.po"))


def msgids(po: polib.POFile) -> set[tuple[str, str]]:
    return {(entry.msgctxt or "", entry.msgid) for entry in po if not entry.obsolete}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated_and_none_is_fuzzy(language: str) -> None:
    po = catalogue(ROOT, language)
    assert len(po) > 50  # the catalogue is the product's, not an empty file
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert not untranslated, f"{language}: untranslated (translate them): {untranslated}"
    assert not fuzzy, f"{language}: fuzzy (check the translation, drop the flag): {fuzzy}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder(language: str) -> None:
    for entry in catalogue(ROOT, language):
        wanted = set(PLACEHOLDER.findall(entry.msgid))
        if not entry.msgid_plural:
            assert set(PLACEHOLDER.findall(entry.msgstr)) == wanted, (language, entry.msgid)
            continue
        # A plural form may name the count the singular leaves out ("one diner" / "split
        # %(diners)s ways"), but keeps every other placeholder and invents none.
        allowed = wanted | set(PLACEHOLDER.findall(entry.msgid_plural))
        for text in entry.msgstr_plural.values():
            found = set(PLACEHOLDER.findall(text))
            assert wanted <= found <= allowed, (language, entry.msgid, text)


def test_the_catalogues_hold_exactly_what_the_sources_mark_for_translation(tmp_path: Path) -> None:
    """makemessages over a copy of the sources finds no string missing from the catalogues
    and none they hold that the sources no longer have (make messages brings them up to date)."""
    if not (shutil.which("xgettext") and shutil.which("msgmerge")):
        if os.environ.get("CI"):
            pytest.fail("GNU gettext (xgettext, msgmerge) is missing: make test installs it")
        pytest.skip("needs GNU gettext's xgettext and msgmerge (apt-get install gettext)")
    copy = tmp_path / "checkout"
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            copy.mkdir(exist_ok=True)
            shutil.copy(source, copy / name)
    env = {**os.environ, "SQLITE_PATH": str(tmp_path / "var" / "db.sqlite3")}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "translations.py"), "extract", "--root", str(copy)],
        check=True,
        env=env,
        timeout=120,
    )
    for language in LANGUAGES:
        ours, fresh = msgids(catalogue(ROOT, language)), msgids(catalogue(copy, language))
        assert fresh - ours == set(), f"{language}: not in the catalogue yet (make messages)"
        assert ours - fresh == set(), f"{language}: no longer in the sources (make messages)"


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_catalogue_is_compiled_as_it_is_now(language: str) -> None:
    """make install compiles the catalogues; the compiled one says what the .po says."""
    po_path = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), "not compiled: make install (scripts/translations.py compile)"
    compiled = {entry.msgid: entry.msgstr for entry in polib.mofile(str(mo_path)) if entry.msgid}
    wanted = {
        entry.msgid: entry.msgstr
        for entry in polib.pofile(str(po_path)).translated_entries()
        if not entry.msgid_plural
    }
    assert {msgid: compiled.get(msgid) for msgid in wanted} == wanted
