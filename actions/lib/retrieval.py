"""Which leaflet question (topic) a patient message asks: retrieval over the answer
library's example questions. Plain Python (scikit-learn), no Rasa.

Text is normalised and *delexicalised* first: treatment, hospital and medicine names become
placeholder words, so "mag ik na de RF autorijden?" and "mag ik na dry needling
autorijden?" look alike (the treatment picks the answer afterwards, not the topic).
Features: character n-grams within words (typos, Flemish spellings, compounds) and word
uni/bigrams; a multinomial logistic regression gives a probability per topic, with the
pseudo-topic NONE for messages that ask no leaflet question (greetings, off-topic).
"""
from __future__ import annotations

import functools
import pickle
import re
import unicodedata
from pathlib import Path
from dataclasses import dataclass

from actions.lib.vocabulary import find_entities

NONE = "__none__"
_ENTITY_WORD = {"treatment": "xbehandelingx", "location": "xziekenhuisx", "medication": "xmedicijnx"}
_SPACE = re.compile(r"\s+")
_QUESTION_WORDS = frozenset(
    "wat wie hoe wanneer waar waarom welke welk hoelang hoeveel hoe-lang waarvoor waardoor "
    "mag mogen kan kun kunt kunnen moet moeten is zijn ben heb heeft hebben krijg krijgt word "
    "wordt zal zou doet doen gaat werkt helpt bestaat klopt voel".split()
)


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return _SPACE.sub(" ", text).strip()


# Function words and question frames ("mag ik na de ... ?"): they say *that* something is
# asked, not *what*. Retrieval compares the remaining content words, so "mag ik douchen na
# de injectie?" is not mistaken for "mag ik autorijden na de injectie?".
STOPWORDS = frozenset("""
aan al alle alleen als altijd ben bent bij dan dat de deze die dit doe doen doet door dus
een eens en er erg even ge gewoon had heb hebben hebt heeft hem het hier hij hoe hun ik in is
ja je jij jou jouw kan kun kunnen kunt maar me meer men met mij mijn m'n mn moet moeten mogen
mag na naar niet nog nu of om omdat ons onze ook op over te tegen toch toe tot u uit uw van
veel voor want was wat we wel welk welke wie wij wil willen word wordt zal ze zelf zich zij
zijn zo zou zouden zullen iets dingen ding eigenlijk precies ongeveer graag even nou hoor
da wa nie ni k t 't ge gij uwe ne nen zijn zo'n zoiets echt beetje heel best zeker misschien
vraag vraagje vragen weten afvragen benieuwd dag hallo hoi goedemorgen goeiedag geachte
mevrouw meneer heer dokter
xbehandelingx xziekenhuisx
""".split())


def content_words(text: str) -> str:
    """The delexicalised text without function words (medicine placeholders kept)."""
    words = re.findall(r"[a-z0-9%]+", delexicalise(text))
    kept = [w for w in words if w not in STOPWORDS]
    return " ".join(kept) or " ".join(words)


@functools.lru_cache(maxsize=1)
def _synonyms():
    """config/synonyms.yml as (compiled pattern, canonical token) pairs."""
    import yaml
    path = Path(__file__).resolve().parents[2] / "config" / "synonyms.yml"
    if not path.exists():
        return ()
    groups = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("groups") or {}
    out = []
    for gid, group in groups.items():
        alternatives = []
        for word in group.get("words") or ():
            w = normalise(str(word))
            if w.endswith("*"):
                alternatives.append(re.escape(w[:-1]) + r"\w*")
            else:
                alternatives.append(re.escape(w))
        if alternatives:
            out.append((re.compile(r"\b(?:" + "|".join(alternatives) + r")\b"), f"syn{gid.replace('_', '')}"))
    return tuple(out)


def concept_ids() -> set:
    """Every synonym group's canonical token."""
    return {token for _, token in _synonyms()}


def concepts(text: str) -> set:
    """The synonym groups (canonical tokens) a text uses."""
    text = normalise(text)
    return {token for pattern, token in _synonyms() if pattern.search(text)}


def expand_synonyms(text: str) -> str:
    """Append the canonical token of every synonym group the text uses (query expansion:
    "met de wagen naar huis" and "autorijden" then share a feature)."""
    extra = [token for pattern, token in _synonyms() if pattern.search(text)]
    return f"{text} {' '.join(extra)}" if extra else text


def delexicalise(text: str) -> str:
    """Treatment / hospital / medicine names -> placeholder words (medicine name kept)."""
    out, last = [], 0
    for f in find_entities(text):
        out.append(text[last:f.start])
        word = _ENTITY_WORD.get(f.entity, "")
        out.append(f" {word} {f.value if f.entity == 'medication' else ''} ")
        last = f.end
    out.append(text[last:])
    return normalise("".join(out))


_INVERSION = re.compile(
    r"\b(mag|mogen|kan|kun|kunt|moet|moeten|zal|zou|word|wordt|heb|hebt|krijg|krijgt|ben|"
    r"is|ga|gaat|doe|doet|voel|merk|blijft|duurt|werkt|helpt|zit|lig|sta|kom|komt|neem|"
    r"loop|wacht|hoef|hoeft|breng|voelt|krijgen) (ik|je|jij|u|ge|gij|men|we|wij|"
    r"hij|zij|ze|het|dat|die|dit|er|mijn|m'n|mn|zo'n)\b")
_CLAUSE_START = re.compile(r"[,;:.!\n]+|\b(?:en|maar|of|want|dus|oja|trouwens)\b")


USE_SYNONYMS = True


def prepare(text: str) -> str:
    """What retrieval compares: delexicalised, with the synonym groups' tokens added."""
    text = delexicalise(text)
    return expand_synonyms(text) if USE_SYNONYMS else text


def looks_like_question(text: str) -> bool:
    """A question mark, a clause that starts like a Dutch question ("hoe lang ...",
    "en mag ik ..."), or an inverted verb-subject pair ("mag ik", "kan ze", "duurt het")."""
    if "?" in text:
        return True
    norm = normalise(text)
    if _INVERSION.search(norm):
        return True
    # words that ask wherever they stand ("xarelto hoeveel dagen stoppen")
    if re.search(r"\b(hoeveel|hoelang|hoe lang|waarom|welke|welk|wat is|wat zijn|wat doe|"
                 r"wat moet|wat mag|hoe vaak|hoe snel|hoe weet)\b", norm):
        return True
    # a request in a few words: "telefoonnummer heilig hart leuven", "openingsuren poli"
    if re.search(r"\b(telefoonnummer\w*|telefoonnr|tel nr|telnr|openingsuren|openingstijden|"
                 r"bereikbaarheid|nummer van)\b", norm):
        return True
    for sentence in _CLAUSE_START.split(norm):
        words = re.findall(r"[a-z']+", sentence or "")
        if words and words[0] in _QUESTION_WORDS:
            return True
        # "ik vroeg me af of ...", "ik wil weten ...", "graag info over ..."
        if re.search(r"\b(vraag me af|vroeg me af|vroeg ik me af|vraag ik me af|wil (graag )?weten|"
                     r"wilde? ik (graag |ook |nog )?(weten|vragen)|wou ik (graag |ook |nog )?(weten|vragen)|"
                     r"tevens|benieuwd|graag (info|informatie)|weet (u|jij|je|gij) )", sentence):
            return True
    return False


_CLAUSE_QUESTION = re.compile(
    r"(?:^|[,;:]\s*|\b(?:en|maar|of|dus|want|verder|ook|tevens|trouwens)\s+)"
    r"((?:mag|mogen|kan|kun|kunt|moet|moeten|hoe|hoelang|hoeveel|wat|wanneer|waar|welke|"
    r"is|zijn|wordt|word|krijg|ga|gaat|duurt|blijft)\s[^,;:]*)$", re.I)


def question_core(text: str) -> str:
    """The last clause of a sentence that asks something ("de pijn wordt erger en mag ik
    eigenlijk nog fietsen" -> "mag ik eigenlijk nog fietsen"); the text if none."""
    best = text
    for m in _CLAUSE_QUESTION.finditer(text or ""):
        best = m.group(1)
    return best if len(best.split()) >= 3 else text


def question_segments(text: str, max_segments: int = 4, context: bool = True) -> list[str]:
    """The questions of a message, each with the statement just before it as context
    ("Ik heb napijn. Hoe lang duurt dat?"), for messages with several questions or a
    question beside a report such as a red flag (`context=False`: the questions alone)."""
    parts = [p.strip() for p in re.split(r"(?<=[?.!])\s+|\n+", text or "") if p.strip()]
    out, before = [], ""
    for p in parts:
        if looks_like_question(p):
            out.append(f"{before} {p}".strip() if context else question_core(p))
            before = ""
        else:
            before = p
    return out[:max_segments]


def _features():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion([
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                  min_df=1, max_features=120000)),
        ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                                  token_pattern=r"(?u)\b\w+\b")),
    ])


def fast_weight_layout(clf):
    """A fitted linear model's weights in the memory order of its prediction product
    (values unchanged): scikit-learn computes ``X @ coef_.T``, and scipy copies a
    C-ordered transposed weight matrix on every call (classes x every n-gram)."""
    import numpy as np
    if getattr(clf, "coef_", None) is not None:
        clf.coef_ = np.asfortranarray(clf.coef_)
    return clf


def idf_weights(vectoriser):
    """A fitted TfidfVectorizer's idf vector (None without idf)."""
    tfidf = vectoriser._tfidf
    return tfidf._idf_diag.diagonal() if tfidf.use_idf else None


def tfidf_transform(vectoriser, docs: list[str], idf):
    """`vectoriser.transform(docs)` for a fitted TfidfVectorizer (the same numbers, up to
    the order in which the norm adds its squares):
    scikit-learn 1.1 rebuilds the whole idf vector from its diagonal matrix on every call
    (its fitted check) and multiplies by that matrix; here each count is weighted by its
    term's idf directly (tests/unit/test_fast_prediction.py)."""
    import numpy as np
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.preprocessing import normalize
    counts = CountVectorizer.transform(vectoriser, docs).astype(np.float64)
    tfidf = vectoriser._tfidf
    if tfidf.sublinear_tf:
        np.log(counts.data, counts.data)
        counts.data += 1
    if idf is not None:
        counts.data *= idf[counts.indices]
    if tfidf.norm:
        counts = normalize(counts, norm=tfidf.norm, copy=False)
    return counts


@dataclass
class TopicRetriever:
    """Ranks answer units (labels) for a message.

    A linear SVM over the n-gram features orders the units (it learns which words tell
    units apart); each unit's score is the cosine similarity of the message to that unit's
    nearest example question (0..1, comparable across messages: a threshold means "this
    close to a question we know"). `method="knn"` ranks by that similarity alone.
    """
    c: float = 0.5
    method: str = "hybrid"
    model: object = None

    def __post_init__(self) -> None:
        if self.model is not None:
            self._index()

    def fit(self, texts: list[str], labels: list[str]) -> "TopicRetriever":
        import numpy as np
        from sklearn.preprocessing import normalize
        features = _features()
        matrix = features.fit_transform([prepare(t) for t in texts])
        self.model = {"features": features, "matrix": normalize(matrix),
                      "labels": np.array(labels), "svm": None}
        if self.method == "hybrid":
            from sklearn.svm import LinearSVC
            self.model["svm"] = LinearSVC(C=self.c).fit(matrix, labels)
        self._index()
        return self

    def _index(self) -> None:
        """Lay the trained model out for fast queries (same numbers as before): the
        example matrix by feature, so that a query touches only the examples that share
        one of its n-grams; the examples grouped by unit, for each unit's best
        similarity in one step; the idf weights; the SVM weights in the order the
        prediction reads them. Derived, never stored."""
        import numpy as np
        self._by_feature = self.model["matrix"].T.tocsr()
        labels = np.asarray(self.model["labels"]).astype(str)
        names, codes = np.unique(labels, return_inverse=True)
        order = np.argsort(codes, kind="stable")
        self._units = (names.tolist(), order,
                       np.searchsorted(codes[order], np.arange(len(names))))
        self._idf = [idf_weights(v) for _, v in self.model["features"].transformer_list]
        fast_weight_layout(self.model.get("svm"))

    def _cosines(self, query):
        """Cosine similarity of the (normalised) query row to every example."""
        import numpy as np
        rows = self._by_feature[query.indices]
        return np.asarray(rows.T @ query.data).ravel()

    def _similarities(self, query, top: int = 400) -> dict:
        """Each unit's best cosine similarity, for the units among the `top` most
        similar examples (query and examples are L2-normalised)."""
        import numpy as np
        sims = self._cosines(query)
        names, order, starts = self._units
        best = np.maximum.reduceat(sims[order], starts)
        if len(sims) > top:
            cutoff = np.partition(sims, len(sims) - top)[len(sims) - top]
            kept = np.flatnonzero(best >= cutoff)
        else:
            kept = np.arange(len(names))
        kept = kept[np.argsort(-best[kept], kind="stable")]
        return {names[j]: float(best[j]) for j in kept}

    def rank(self, text: str, k: int = 5) -> list[tuple[str, float]]:
        return self.rank_many([text], k)[0]

    def rank_many(self, texts: list[str], k: int = 5) -> list[list[tuple[str, float]]]:
        """`rank` of several texts, featurised in one pass (a text asked twice is ranked
        once)."""
        if self.model is None:
            return [[] for _ in texts]
        from sklearn.preprocessing import normalize
        import scipy.sparse as sp
        unique = list(dict.fromkeys(texts))
        prepared = [prepare(t) for t in unique]
        # what FeatureUnion.transform computes, without its job dispatch and with the
        # idf weights read once (tfidf_transform)
        raw = sp.hstack([tfidf_transform(vectoriser, prepared, idf)
                         for (_, vectoriser), idf in zip(self.model["features"].transformer_list,
                                                         self._idf)]).tocsr()
        queries = normalize(raw).tocsr()
        svm = self.model.get("svm")
        decisions = svm.decision_function(raw) if svm is not None else None
        ranked = {}
        for row, text in enumerate(unique):
            similarity = self._similarities(queries[row])
            if svm is None:
                ranked[text] = sorted(similarity.items(), key=lambda kv: -kv[1])[:k]
                continue
            order = decisions[row].argsort()[::-1][:k]
            # SVM order, nearest-question similarity as the score (kept monotone in that
            # order). Measured against similarity order, similarity + SVM vote and SVM
            # margin alone on the question sets: this is best (docs/answers.md).
            out, ceiling = [], 1.0
            for i in order:
                label = str(svm.classes_[i])
                score = min(similarity.get(label, 0.0), ceiling)
                ceiling = score
                out.append((label, round(score, 4)))
            ranked[text] = out
        return [ranked[t] for t in texts]

    def rank_message(self, text: str, k: int = 5) -> list[tuple[str, float]]:
        """Rank a whole message. (Ranking only its question clause, or weighting it
        double, was measured and scored lower: the story around a question carries the
        topic words, e.g. "napijn ... hoe lang duurt dat?".)"""
        return self.rank(text, k)

    def to_bytes(self) -> bytes:
        return pickle.dumps((self.method, self.model))

    @classmethod
    def from_bytes(cls, data: bytes) -> "TopicRetriever":
        method, model = pickle.loads(data)
        return cls(method=method, model=model)
