"""The Chinese catalogue: every string translated, in the office's words (docs/glossary.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
GLOSSARY = ROOT / "docs" / "glossary.md"

# Wordings staff stumbled on, each with why it is wrong; none may come back.
BANNED = {
    "周末": "周末 is the weekend; the end of a reporting period is 期末",
    "升级队列": "the trade calls the escalation queue 督办队列",
    "升级级别": "an escalation's level is its 督办级别",
    "记录回复": "a callback is 回电 (回复 is confused with 回访, the follow-up visit)",
    "约定回复": "an agreed callback is 约定回电",
    "首次回复": "the first callback is 首次回电",
    "下次回复": "the next callback is 下次回电",
    "回复时间": "a callback's time is 回电时间",
    "回复记录": "callbacks are 回电记录",
    "回复电话": "the number to call back on is 回电电话",
    "按时回复": "callbacks on time are 首次回电及时率",
    "基本满意": "the follow-up's second rating is 较满意",
    "已联系上业主": "a tenant may answer the call: 业户",
    "业主陈述": "a tenant may complain too: 业户陈述",
    "业主诉求": "a tenant may complain too: 业户诉求",
    "业主不满意": "a tenant may be unsatisfied too: 业户不满意",
}


@dataclass(frozen=True)
class Term:
    chinese: str
    english: str
    context: str


def catalogue() -> polib.POFile:
    return polib.pofile(str(CATALOGUE))


def glossary() -> list[Term]:
    terms = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in ("中文", "---"):
            continue
        terms.append(Term(chinese=cells[0], english=cells[1], context=cells[3]))
    return terms


def translations(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return list(entry.msgstr_plural.values())
    return [entry.msgstr]


def test_every_string_has_a_chinese_translation():
    missing = [
        (entry.msgctxt, entry.msgid)
        for entry in catalogue()
        if not entry.obsolete and (not entry.translated() or "fuzzy" in entry.flags)
    ]
    assert missing == []


def test_the_glossary_has_the_domain_terms():
    terms = glossary()
    assert len(terms) > 80
    english = {(term.english, term.context) for term in terms}
    for expected in [
        ("intake", "complaint status"),
        ("intake", "procedure stage"),
        ("Escalation queue", ""),
        ("Open at end", "weekly summary"),
        ("made by", ""),
        ("resident", ""),
    ]:
        assert expected in english


def test_each_glossary_term_is_translated_with_its_chinese_word():
    entries: dict[tuple[str, str], list[polib.POEntry]] = {}
    for entry in catalogue():
        entries.setdefault((entry.msgid, entry.msgctxt or ""), []).append(entry)
    unused, wrong = [], []
    for term in glossary():
        found = entries.get((term.english, term.context), [])
        if not found:
            unused.append(term)
        for entry in found:
            for msgstr in translations(entry):
                if term.chinese not in msgstr:
                    wrong.append((term.english, term.context, term.chinese, msgstr))
    # A row that matches no msgid checks nothing: the glossary follows the code.
    assert unused == []
    assert wrong == []


@pytest.mark.parametrize("word", sorted(BANNED))
def test_no_translation_uses_a_banned_wording(word):
    using = [
        entry.msgid
        for entry in catalogue()
        if not entry.obsolete and any(word in msgstr for msgstr in translations(entry))
    ]
    assert using == [], BANNED[word]


def test_placeholders_survive_translation():
    """A translation that drops or misspells a %(name)s fails at run time, in Chinese only."""
    placeholder = re.compile(r"%\((\w+)\)[sd]")
    broken = []
    for entry in catalogue():
        if entry.obsolete or "python-format" not in entry.flags:
            continue
        wanted = set(placeholder.findall(entry.msgid + entry.msgid_plural))
        for msgstr in translations(entry):
            if set(placeholder.findall(msgstr)) - wanted:
                broken.append((entry.msgid, msgstr))
    assert broken == []
