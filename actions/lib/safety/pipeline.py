"""The Dutch spaCy pipeline used for tokens and lemmas (loaded once per process)."""
from __future__ import annotations

import functools
import logging

log = logging.getLogger("actions.lib.red_flags")

# components a full pipeline (e.g. nl_core_news_sm) may have that triage does not need
SKIP_COMPONENTS = frozenset({"parser", "ner", "senter", "textcat", "entity_ruler", "entity_linker"})


@functools.lru_cache(maxsize=1)
def nlp():
    """The Dutch pipeline used for tokenising and lemmatising (swap here)."""
    try:
        from actions.lib.dutch_nlp import load_dutch  # type: ignore

        loaded = load_dutch()
        if loaded is not None:
            return loaded
    except Exception:  # module missing or broken: fall back
        pass
    import spacy

    blank = spacy.blank("nl")
    try:
        blank.add_pipe("lemmatizer", config={"mode": "lookup"})
        blank.initialize()
    except Exception:  # lookups data missing: tokeniser only
        log.warning("red_flags: no Dutch lemma lookups, running without lemmatiser")
        blank = spacy.blank("nl")
    return blank
