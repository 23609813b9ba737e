"""Load and check the safety rulebook (``config/safety/``).

The rulebook is data: the sign files (``signs/*.yml``), the context words
(``context.yml``) and the reading of words (``lexicon.yml``); README.md there
explains the format. Loading is strict: a typo in a file (an unknown sign, an
unknown ``@GROUP``, a malformed pattern, a word list the engine does not know or
misses) raises :class:`RulebookError` naming the file and the entry, so a broken
rulebook stops the assistant at start-up instead of silently missing alarms.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .signs import BENIGN, BUILDING_BLOCKS, SIGNS

DEFAULT_DIR = Path(__file__).resolve().parents[3] / "config" / "safety"

_SIGN_FILE_KEYS = ("groups", "patterns", "words", "phrases", "keyword_scan",
                   "emergency_upgrades", "subsumes", "temperature")
_ALLOWED_KEYS = {
    "context.yml": ("groups", "words", "phrases"),
    "lexicon.yml": ("characters", "spoken", "words", "inflection_endings", "final_devoicing",
                    "typo_targets", "lexicon_includes", "no_lemma"),
}
_TEMPERATURE_KEYS = ("fever_from", "plausible", "plausible_without_unit", "below_lowers_by")
_GROUP_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
_WORD_NAME = re.compile(r"[a-z][a-z0-9_]*")
_GAP = re.compile(r"~([1-9])?")

try:  # the C loader is much faster when PyYAML has it
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


class RulebookError(ValueError):
    """A mistake in the rulebook files (the message names the file and the entry)."""


@dataclass(frozen=True)
class Token:
    """One pattern token: a gap of up to ``gap`` words, or one word out of ``words``
    and the words of ``groups`` (optional when ``optional``)."""
    gap: int = 0
    words: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    optional: bool = False


@dataclass(frozen=True)
class Pattern:
    sign: str
    text: str
    file: str
    tokens: tuple[Token, ...]


@dataclass(frozen=True)
class Upgrade:
    signs: tuple[str, ...]
    words: str   # name of the word list that must be in the sentence
    to: str


class Phrases(frozenset):
    """A set of phrases (tuples of words); ``lengths`` = the phrase lengths, longest first."""
    lengths: tuple[int, ...] = ()


class Vocabulary(dict):
    """Named word lists (or phrase lists); remembers which names the engine read."""

    def __init__(self, kind: str, sets: dict, sources: dict[str, str]) -> None:
        super().__init__(sets)
        self.kind = kind
        self.sources = sources
        self.used: set[str] = set()

    def __getitem__(self, name: str):
        try:
            value = super().__getitem__(name)
        except KeyError:
            raise RulebookError(
                f"config/safety: the engine needs the {self.kind} list '{name}', "
                "but no rulebook file defines it") from None
        self.used.add(name)
        return value

    def fixed(self, name: str, n: int):
        """A phrase list whose phrases must all have ``n`` words."""
        value = self[name]
        for phrase in value:
            if len(phrase) != n:
                raise RulebookError(f"{self.sources[name]}: phrases -> {name}: every phrase must have "
                                    f"{n} words, '{' '.join(phrase)}' has {len(phrase)}")
        return value

    def one(self, name: str) -> str:
        """The single word of a list that must hold exactly one."""
        value = self[name]
        if len(value) != 1:
            raise RulebookError(f"{self.sources[name]}: {name}: must be exactly one word, "
                                f"has {len(value)}")
        return next(iter(value))


@dataclass
class Rulebook:
    directory: Path
    groups: dict[str, frozenset[str]] = field(default_factory=dict)
    patterns: list[Pattern] = field(default_factory=list)
    words: Vocabulary = None  # type: ignore[assignment]
    phrases: Vocabulary = None  # type: ignore[assignment]
    keyword_scan: dict[str, str] = field(default_factory=dict)
    subsumes: dict[str, str] = field(default_factory=dict)
    upgrades: list[Upgrade] = field(default_factory=list)
    temperature: dict[str, object] = field(default_factory=dict)
    characters: dict[str, str] = field(default_factory=dict)
    spoken: dict[str, str] = field(default_factory=dict)
    inflection_endings: tuple[str, ...] = ()
    final_devoicing: dict[str, str] = field(default_factory=dict)
    typo_target_groups: tuple[str, ...] = ()
    typo_target_words: frozenset[str] = frozenset()
    lexicon_includes: tuple[str, ...] = ()
    no_lemma: tuple[str, ...] = ()

    def check_all_used(self) -> None:
        """Every word / phrase list in the files is read by the engine (else it is
        probably a typo in its name, and editing it would change nothing)."""
        unused = [(vocab.sources[n], n) for vocab in (self.words, self.phrases)
                  for n in vocab if n not in vocab.used]
        if unused:
            where = ", ".join(f"{f}: {n}" for f, n in sorted(unused))
            raise RulebookError(f"word lists that the engine does not know (a typo in the name?): {where}")


# --------------------------------------------------------------------------- #
# reading values
# --------------------------------------------------------------------------- #
def _text_items(value, where: str) -> list[str]:
    """A word list: a string, or a list of strings (each may hold several words)."""
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if not isinstance(item, str):
            raise RulebookError(f"{where}: {item!r} is not text (YAML read it as "
                                f"{type(item).__name__}; put it in quotes)")
        out.append(item)
    return out


def _check_word(word: str, where: str) -> None:
    if word != word.lower():
        raise RulebookError(f"{where}: '{word}' has capitals; words are matched in lower case")
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))
    if plain != word:
        raise RulebookError(f"{where}: '{word}' has an accent; texts are read without accents "
                            f"(write '{plain}')")


def _word_set(value, where: str) -> frozenset[str]:
    words: list[str] = []
    for item in _text_items(value, where):
        words.extend(w for w in item.split(" ") if w)
    if not words:
        raise RulebookError(f"{where}: the list is empty")
    seen: set[str] = set()
    for w in words:
        _check_word(w, where)
        if w in seen:
            raise RulebookError(f"{where}: '{w}' is listed twice")
        seen.add(w)
    return frozenset(words)


def _phrase_set(value, where: str) -> Phrases:
    items = value if isinstance(value, list) else [value]
    flat: list = []
    for item in items:
        flat.extend(item if isinstance(item, list) else [item])
    phrases = []
    for item in _text_items(flat, where):
        phrase = tuple(w for w in item.split(" ") if w)
        if not phrase:
            raise RulebookError(f"{where}: an empty phrase")
        for w in phrase:
            _check_word(w, where)
        if phrase in phrases:
            raise RulebookError(f"{where}: '{item}' is listed twice")
        phrases.append(phrase)
    if not phrases:
        raise RulebookError(f"{where}: the list is empty")
    out = Phrases(phrases)
    out.lengths = tuple(sorted({len(p) for p in phrases}, reverse=True))
    return out


def _named_lists(section, file: str, key: str, parse, into: dict, sources: dict) -> None:
    """`name: list` or `name: {part: list}` (stored as "name.part")."""
    if not isinstance(section, dict):
        raise RulebookError(f"{file}: {key}: expected 'name: words' entries")
    for name, value in section.items():
        if not isinstance(name, str) or not _WORD_NAME.fullmatch(name):
            raise RulebookError(f"{file}: {key}: '{name}' is no valid name (lower case, digits, _)")
        entries = {}
        if isinstance(value, dict):
            for part, sub in value.items():
                if not isinstance(part, str) or not _WORD_NAME.fullmatch(part):
                    raise RulebookError(f"{file}: {key} -> {name}: '{part}' is no valid name")
                entries[f"{name}.{part}"] = sub
        else:
            entries[name] = value
        for full, sub in entries.items():
            if full in sources:
                raise RulebookError(f"{file}: {key} -> {full}: already defined in {sources[full]}")
            into[full] = parse(sub, f"{file}: {key} -> {full}")
            sources[full] = file


def _section(data: dict, key: str, rel: str, kind: type = dict):
    """A section of a file, checked to be a mapping (or a list)."""
    value = data.get(key)
    if value is None:
        return kind()
    if not isinstance(value, kind):
        raise RulebookError(f"{rel}: {key}: expected {'name: value entries' if kind is dict else 'a list'}")
    return value


def _sign_name(sign, where: str) -> str:
    if sign in SIGNS:
        return sign
    raise RulebookError(f"{where}: unknown sign '{sign}' (known signs: {', '.join(SIGNS)})")


# --------------------------------------------------------------------------- #
# patterns
# --------------------------------------------------------------------------- #
def parse_pattern(text, groups: dict[str, frozenset[str]], where: str) -> tuple[Token, ...]:
    """Check one pattern and split it into tokens (see config/safety/README.md)."""
    if not isinstance(text, str) or not text.strip():
        raise RulebookError(f"{where}: a pattern must be a non-empty text, got {text!r}")
    tokens: list[Token] = []
    for raw in text.split():
        if raw.startswith("~"):
            m = _GAP.fullmatch(raw)
            if not m:
                raise RulebookError(f"{where}: '{raw}' is no gap; write '~' (up to 2 words) or "
                                    "'~1' .. '~9'")
            tokens.append(Token(gap=int(m.group(1) or 2)))
            continue
        optional = raw.endswith("?")
        body = raw[:-1] if optional else raw
        if not body or "?" in body or "~" in body:
            raise RulebookError(f"{where}: '{raw}' is malformed ('?' only once at the end, "
                                "'~' only as a token of its own)")
        words: list[str] = []
        refs: list[str] = []
        for alt in body.split("|"):
            if not alt:
                raise RulebookError(f"{where}: '{raw}' has an empty alternative ('||' or a '|' "
                                    "at the start or end)")
            if alt.startswith("@"):
                name = alt[1:]
                if name not in groups:
                    raise RulebookError(f"{where}: unknown group @{name} (known groups: "
                                        f"{', '.join(sorted(groups))})")
                if name in refs:
                    raise RulebookError(f"{where}: '{raw}' lists @{name} twice")
                refs.append(name)
            else:
                if "@" in alt:
                    raise RulebookError(f"{where}: '{alt}' in '{raw}': '@' only at the start of a group name")
                _check_word(alt, where)
                if alt in words:
                    raise RulebookError(f"{where}: '{raw}' lists '{alt}' twice")
                words.append(alt)
        tokens.append(Token(words=tuple(words), groups=tuple(refs), optional=optional))
    if tokens[0].gap or tokens[-1].gap:
        raise RulebookError(f"{where}: a pattern cannot start or end with a gap '~'")
    if all(t.gap or t.optional for t in tokens):
        raise RulebookError(f"{where}: a pattern needs at least one word that is not optional")
    return tuple(tokens)


def _pattern_sign(sign, where: str) -> str:
    if not isinstance(sign, str):
        raise RulebookError(f"{where}: '{sign}' is no sign name")
    if sign.startswith(BENIGN):
        _sign_name(sign[len(BENIGN):], where)
        return sign
    if sign.startswith("_"):
        if sign in BUILDING_BLOCKS:
            return sign
        raise RulebookError(f"{where}: unknown building block '{sign}' (known: "
                            f"{', '.join(sorted(BUILDING_BLOCKS))}, or '{BENIGN}<sign>')")
    return _sign_name(sign, where)


# --------------------------------------------------------------------------- #
# loading
# --------------------------------------------------------------------------- #
def _read(path: Path, rel: str) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise RulebookError(f"{rel}: not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RulebookError(f"{rel}: expected sections such as 'groups:', 'patterns:', 'words:'")
    return data


def load_rulebook(directory: str | Path = DEFAULT_DIR) -> Rulebook:
    """Read and check every file of the rulebook in ``directory``."""
    directory = Path(directory)
    files = [("context.yml", directory / "context.yml"), ("lexicon.yml", directory / "lexicon.yml")]
    sign_files = sorted((directory / "signs").glob("*.yml"))
    if not sign_files:
        raise RulebookError(f"{directory}/signs: no sign files (*.yml)")
    files += [(f"signs/{p.name}", p) for p in sign_files]
    docs = {}
    for rel, path in files:
        if not path.exists():
            raise RulebookError(f"{directory}: {rel} is missing")
        data = _read(path, rel)
        allowed = _ALLOWED_KEYS.get(rel, _SIGN_FILE_KEYS)
        for key in data:
            if key not in allowed:
                raise RulebookError(f"{rel}: unknown section '{key}' (allowed here: {', '.join(allowed)})")
        docs[rel] = data

    rb = Rulebook(directory=directory)
    group_files: dict[str, str] = {}
    words: dict = {}
    phrases: dict = {}
    sources: dict[str, str] = {}
    for rel, data in docs.items():  # groups and word lists first: patterns refer to them
        for name, value in _section(data, "groups", rel).items():
            if not isinstance(name, str) or not _GROUP_NAME.fullmatch(name):
                raise RulebookError(f"{rel}: groups: '{name}' is no valid group name (UPPER_CASE)")
            if name in group_files:
                raise RulebookError(f"{rel}: groups -> {name}: already defined in {group_files[name]}")
            rb.groups[name] = _word_set(value, f"{rel}: groups -> {name}")
            group_files[name] = rel
        if "words" in data:
            _named_lists(data["words"], rel, "words", _word_set, words, sources)
        if "phrases" in data:
            _named_lists(data["phrases"], rel, "phrases", _phrase_set, phrases, sources)
    rb.words = Vocabulary("word", words, sources)
    rb.phrases = Vocabulary("phrase", phrases, sources)

    pattern_files: dict[str, str] = {}
    for rel, data in docs.items():
        for sign, entries in _section(data, "patterns", rel).items():
            where = f"{rel}: patterns -> {sign}"
            _pattern_sign(sign, where)
            if sign in pattern_files:
                raise RulebookError(f"{where}: this sign has patterns in {pattern_files[sign]} already; "
                                    "keep a sign's patterns in one file")
            pattern_files[sign] = rel
            if not isinstance(entries, list) or not entries:
                raise RulebookError(f"{where}: expected a list of patterns")
            for i, text in enumerate(entries, 1):
                tokens = parse_pattern(text, rb.groups, f"{where} -> entry {i} {text!r}")
                rb.patterns.append(Pattern(sign, text, rel, tokens))
        _load_sign_extras(rb, rel, data)
    rb.keyword_scan = {s: rb.keyword_scan[s] for s in SIGNS if s in rb.keyword_scan}
    _load_lexicon(rb, docs["lexicon.yml"])
    if not rb.temperature:
        raise RulebookError(f"{directory}/signs: no file has the 'temperature' section (fever thresholds)")
    return rb


def _load_sign_extras(rb: Rulebook, rel: str, data: dict) -> None:
    for sign, rx in _section(data, "keyword_scan", rel).items():
        where = f"{rel}: keyword_scan -> {sign}"
        _sign_name(sign, where)
        if sign in rb.keyword_scan:
            raise RulebookError(f"{where}: defined twice")
        try:
            compiled = re.compile(rx)
        except (re.error, TypeError) as exc:
            raise RulebookError(f"{where}: not a valid regular expression: {exc}") from None
        if compiled.groups < 1:
            raise RulebookError(f"{where}: put the keywords in one group: '\\b(word|other word)\\b'")
        rb.keyword_scan[sign] = rx
    for big, small in _section(data, "subsumes", rel).items():
        where = f"{rel}: subsumes -> {big}"
        _sign_name(big, where)
        _sign_name(small, where)
        if big in rb.subsumes:
            raise RulebookError(f"{where}: defined twice")
        rb.subsumes[big] = small
    for i, up in enumerate(_section(data, "emergency_upgrades", rel, list), 1):
        where = f"{rel}: emergency_upgrades -> entry {i}"
        if not isinstance(up, dict) or set(up) != {"from", "when_sentence_has", "to"}:
            raise RulebookError(f"{where}: expected 'from', 'when_sentence_has' and 'to'")
        froms = up["from"] if isinstance(up["from"], list) else [up["from"]]
        signs = tuple(_sign_name(s, where) for s in froms)
        rb.words[up["when_sentence_has"]]  # must exist (and counts as used)
        rb.upgrades.append(Upgrade(signs, up["when_sentence_has"], _sign_name(up["to"], where)))
    if "temperature" in data:
        t = data["temperature"]
        where = f"{rel}: temperature"
        if not isinstance(t, dict) or set(t) != set(_TEMPERATURE_KEYS):
            raise RulebookError(f"{where}: expected exactly {', '.join(_TEMPERATURE_KEYS)}")
        for k, v in t.items():
            vals = v if isinstance(v, list) else [v]
            if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in vals) \
                    or (isinstance(v, list) and (len(v) != 2 or v[0] >= v[1])):
                raise RulebookError(f"{where} -> {k}: expected a number (or [low, high]), got {v!r}")
        rb.temperature = dict(t)


def _load_lexicon(rb: Rulebook, data: dict) -> None:
    rel = "lexicon.yml"
    for key in ("characters", "spoken", "final_devoicing"):
        mapping = data.get(key)
        if not isinstance(mapping, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
            raise RulebookError(f"{rel}: {key}: expected 'text: text' entries (quote odd characters)")
        setattr(rb, key, dict(mapping))
    for k in rb.characters:
        if len(k) != 1:
            raise RulebookError(f"{rel}: characters -> {k!r}: one character per entry")
    for k, v in rb.spoken.items():
        _check_word(k, f"{rel}: spoken -> {k}")
        _check_word(v, f"{rel}: spoken -> {k}")
    endings = data.get("inflection_endings")
    if not isinstance(endings, list) or not all(isinstance(e, str) and e.isalpha() for e in endings):
        raise RulebookError(f"{rel}: inflection_endings: expected a list of letter endings")
    rb.inflection_endings = tuple(endings)
    tt = data.get("typo_targets")
    if not isinstance(tt, dict) or set(tt) != {"groups", "words"}:
        raise RulebookError(f"{rel}: typo_targets: expected 'groups' and 'words'")
    for g in tt["groups"]:
        if g not in rb.groups:
            raise RulebookError(f"{rel}: typo_targets -> groups: unknown group {g}")
    rb.typo_target_groups = tuple(tt["groups"])
    rb.typo_target_words = _word_set(tt["words"], f"{rel}: typo_targets -> words")
    for key in ("lexicon_includes", "no_lemma"):
        names = data.get(key)
        if not isinstance(names, list):
            raise RulebookError(f"{rel}: {key}: expected a list of word list names")
        for n in names:
            if n not in rb.words:
                raise RulebookError(f"{rel}: {key}: unknown word list '{n}'")
            rb.words[n]  # counts as used
        setattr(rb, key, tuple(names))


RULEBOOK = load_rulebook()
