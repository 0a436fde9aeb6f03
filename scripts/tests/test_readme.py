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


def test_readme_kernel_example_and_builder_lists_match_the_registry():
    """README's `Kernel::new("simd-f64", ...)` example makes the registry entry's builder calls, in order, and
    README and ARCHITECTURE.md name every builder call `Kernel` has (`prepared_by` was missing)."""
    repo = README.parent
    registry = (repo / "crates" / "registry" / "src" / "lib.rs").read_text()
    entry = registry[registry.index('"simd-f64",'):]
    entry = entry[:entry.index("Kernel::new(")]
    example = README.read_text()
    example = example[example.index('Kernel::new("simd-f64"'):]
    example = example[:example.index("```")]
    calls = lambda text: re.findall(r"^\s*\.(\w+)\(", text, re.M)  # noqa: E731
    assert calls(example) == calls(entry) and "prepared_by" in calls(entry), (calls(example), calls(entry))
    kernel = (repo / "crates" / "core" / "src" / "kernel.rs").read_text()
    builders = set(re.findall(r"pub const fn (\w+)\(mut self", kernel))
    assert "prepared_by" in builders, builders
    for doc in (README, repo / "ARCHITECTURE.md"):
        text = doc.read_text()
        for name in builders:
            assert f"`{name}" in text or f".{name}(" in text, (doc.name, name)
