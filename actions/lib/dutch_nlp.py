"""Which Dutch spaCy pipeline this machine has, and loading it once per process.

The design asks for the official `nl_core_news_sm` (3.4.x, matching spaCy 3.4).
Machines that cannot reach its release file fall back, visibly, to spaCy's own
Dutch language (`spacy.blank("nl")`) with the lookup lemmatizer from
`spacy-lookups-data`. Nothing here pretends the fallback is the official model:
`pipeline_id()` names exactly what is in use, the trained model records it and
refuses to run on a machine with a different one.

Set `DUTCH_PIPELINE=blank` to force the fallback even where the official model
is installed (for comparisons and tests).
"""
from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass
from importlib import metadata

logger = logging.getLogger(__name__)

OFFICIAL_MODEL = "nl_core_news_sm"


@dataclass(frozen=True)
class PipelineInfo:
    kind: str  # "official" or "fallback"
    pipeline_id: str
    description: str


def _official_version() -> str | None:
    if os.environ.get("DUTCH_PIPELINE", "").lower() == "blank":
        return None
    try:
        return metadata.version(OFFICIAL_MODEL)
    except metadata.PackageNotFoundError:
        return None


def pipeline_info() -> PipelineInfo:
    """Describe the Dutch pipeline this process will use (cheap, loads nothing)."""
    version = _official_version()
    if version:
        return PipelineInfo(
            kind="official",
            pipeline_id=f"{OFFICIAL_MODEL}-{version}",
            description=f"official spaCy pipeline {OFFICIAL_MODEL} {version} "
            "(tagger, lemmatizer, parser, NER)",
        )
    lookups = metadata.version("spacy-lookups-data")
    spacy_version = metadata.version("spacy")
    return PipelineInfo(
        kind="fallback",
        pipeline_id=f"spacy-{spacy_version}-blank-nl+lookups-{lookups}",
        description=f"FALLBACK spacy.blank('nl') {spacy_version} with the lookup "
        f"lemmatizer of spacy-lookups-data {lookups} ({OFFICIAL_MODEL} not installed)",
    )


def pipeline_id() -> str:
    return pipeline_info().pipeline_id


def log_pipeline_in_use(where: str) -> PipelineInfo:
    """The one log line, at training and at start-up, saying which pipeline runs."""
    info = pipeline_info()
    logger.info("Dutch language pipeline (%s): %s", where, info.description)
    return info


@functools.lru_cache(maxsize=1)
def load_dutch():
    """Return the loaded Dutch `spacy.Language`, once per process."""
    import spacy

    info = pipeline_info()
    if info.kind == "official":
        # The parser is not needed for tokens, lemmas and POS tags.
        return spacy.load(OFFICIAL_MODEL, disable=["parser"])
    nlp = spacy.blank("nl")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp
