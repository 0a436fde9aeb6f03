"""The README stays what a newcomer needs: short, and free of history (a commit hash dates a sentence)."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_is_at_most_200_lines():
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 200


def test_readme_names_no_commit():
    # a word of 7 to 40 hex digits holding both a digit and a letter reads as a commit hash
    words = re.findall(r"\b[0-9a-f]{7,40}\b", README.read_text(encoding="utf-8"))
    assert [w for w in words if re.search(r"\d", w) and re.search(r"[a-f]", w)] == []
