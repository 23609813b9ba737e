"""config/synonyms.yml: the retriever's query expansion, reviewable by staff."""
from pathlib import Path

import yaml

from actions.lib.retrieval import expand_synonyms, normalise

ROOT = Path(__file__).resolve().parents[2]
GROUPS = yaml.safe_load((ROOT / "config" / "synonyms.yml").read_text(encoding="utf-8"))["groups"]


def test_every_group_has_words_and_a_note():
    for gid, group in GROUPS.items():
        assert gid == gid.lower() and group.get("words") and group.get("note"), gid


def test_a_word_is_in_one_group_only():
    seen = {}
    for gid, group in GROUPS.items():
        for word in group["words"]:
            w = normalise(str(word))
            assert seen.get(w, gid) == gid, f"{word!r} in {seen.get(w)} and {gid}"
            seen[w] = gid


def test_expansion_joins_different_words_for_one_thing():
    a = expand_synonyms(normalise("mag ik met de wagen naar huis"))
    b = expand_synonyms(normalise("mag ik autorijden"))
    tokens = lambda t: {w for w in t.split() if w.startswith("syn")}  # noqa: E731
    assert tokens(a) & tokens(b)
