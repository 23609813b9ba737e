"""The per-message fast paths give exactly the numbers of the plain computation
(docs/benchmark.md, "Where the time went"): the intent classifier's weight layout, the
answer retriever's similarity and batched ranking, the vocabulary's skipped phrases."""
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

from actions.lib import vocabulary
from actions.lib.retrieval import NONE, TopicRetriever
from actions.lib.retrieval import fast_weight_layout as fast_layout

QUESTIONS = [
    ("Mag ik na de facetinfiltratie autorijden?", "drive"),
    ("mag ik daarna zelf naar huis rijden", "drive"),
    ("Met de wagen naar huis na de prik?", "drive"),
    ("Hoe lang duurt de behandeling?", "duration"),
    ("hoeveel tijd neemt het in beslag", "duration"),
    ("Hoelang ben ik bezig in het ziekenhuis?", "duration"),
    ("Moet ik nuchter komen?", "fasting"),
    ("mag ik eten voor de ingreep", "fasting"),
    ("Hallo", NONE), ("dank je wel", NONE), ("Wat voor weer wordt het?", NONE),
]
MESSAGES = ["mag ik autorijden na dry needling?", "Ik heb napijn. Hoe lang duurt dat?",
            "moet ik nuchter zijn", "goedemorgen", "", "hoe lang? en mag ik rijden?"]


def test_fast_weight_layout_gives_the_same_probabilities():
    rng = np.random.default_rng(0)
    X = sp.random(60, 500, density=0.05, format="csr", random_state=1)
    y = rng.integers(0, 4, 60)
    plain = LogisticRegression(max_iter=500).fit(X, y)
    fast = fast_layout(LogisticRegression(max_iter=500).fit(X, y))
    assert fast.coef_.flags["F_CONTIGUOUS"] and not plain.coef_.flags["F_CONTIGUOUS"]
    queries = sp.random(20, 500, density=0.05, format="csr", random_state=2)
    assert np.array_equal(plain.predict_proba(queries), fast.predict_proba(queries))


def test_fast_weight_layout_leaves_an_untrained_classifier_alone():
    assert not hasattr(fast_layout(LogisticRegression()), "coef_")


@pytest.fixture(scope="module")
def retriever():
    return TopicRetriever(c=1.0).fit([q for q, _ in QUESTIONS], [u for _, u in QUESTIONS])


def test_similarity_is_the_cosine_to_the_nearest_example(retriever):
    matrix = retriever.model["matrix"]
    labels = retriever.model["labels"]
    from actions.lib.retrieval import prepare
    for text in MESSAGES:
        query = normalize(retriever.model["features"].transform([prepare(text)])).tocsr()
        sims = (matrix @ query.T).toarray().ravel()
        expected = {}
        for i in sims.argsort()[::-1]:
            expected.setdefault(str(labels[i]), float(sims[i]))
        got = retriever._similarities(query)
        assert got.keys() == expected.keys()
        for label, value in expected.items():
            assert got[label] == pytest.approx(value, abs=1e-12)


def test_batched_ranking_equals_one_by_one(retriever):
    texts = MESSAGES + MESSAGES[:2]
    batched = retriever.rank_many(texts, k=3)
    assert batched == [retriever.rank(t, k=3) for t in texts]
    assert batched[0][0][0] == "drive"
    assert batched[2][0][0] == "fasting"


def test_a_reloaded_retriever_ranks_the_same(retriever):
    again = TopicRetriever.from_bytes(retriever.to_bytes())
    assert again.rank_many(MESSAGES, k=4) == retriever.rank_many(MESSAGES, k=4)


def _brute_force(words):
    """The vocabulary search without the skip: every phrase at every position."""
    taken, found = [False] * len(words), []
    for entity, value, phrase in vocabulary._lexicon():
        n = len(phrase)
        for i in range(len(words) - n + 1):
            if any(taken[i:i + n]):
                continue
            if all(vocabulary._word_matches(words[i + k][0], phrase[k]) for k in range(n)):
                found.append((entity, value, i, i + n - 1))
                for k in range(n):
                    taken[i + k] = True
    return found, taken


@pytest.mark.parametrize("text", [
    "Mag ik na de facetinfiltratie autorijden?",
    "ik krijg een trigerpoint injectie in het Franciscus",
    "dry needlin en daarna een facetdenervatie, ik neem xarelto en ook wat ibuprofen",
    "RF behandeling van de facetten in het Heilig Hart Leuven",
    "de prik in mijn nek met cortisone, a b c",
    "hallo",
    "",
])
def test_skipping_phrases_that_cannot_match_finds_the_same(text):
    norm = vocabulary.normalise(text)
    words = [(m.group(0), m.start(), m.end()) for m in vocabulary._WORD.finditer(norm)]
    taken = [False] * len(words)
    found = vocabulary._phrase_matches(words, taken)
    assert (found, taken) == _brute_force(words)
    if "facetinfiltratie" in text or "trigerpoint" in text:
        assert found


def test_one_message_matrix_equals_rasas():
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message

    from addons.intent_classifier import FastLogisticRegressionClassifier

    message = Message(data={"text": "mag ik autorijden"})
    counts = sp.coo_matrix(np.array([[0, 2, 0, 1, 0, 0, 3]], dtype=np.int64))
    message.add_features(Features(counts, "sentence", "text", "CountVectorsFeaturizer"))
    ours = FastLogisticRegressionClassifier._create_X(None, [message])
    rasas = LogisticRegressionClassifier._create_X(None, [message])
    assert ours.dtype == rasas.dtype and ours.shape == rasas.shape
    assert (ours != rasas).nnz == 0


@pytest.mark.parametrize("options", [
    dict(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
    dict(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b"),
    dict(analyzer="word", use_idf=False),
    dict(analyzer="word", norm=None, sublinear_tf=False),
])
def test_tfidf_transform_equals_sklearns(options):
    from sklearn.feature_extraction.text import TfidfVectorizer

    from actions.lib.retrieval import idf_weights, tfidf_transform
    vectoriser = TfidfVectorizer(**options).fit([q for q, _ in QUESTIONS])
    ours = tfidf_transform(vectoriser, MESSAGES, idf_weights(vectoriser))
    theirs = vectoriser.transform(MESSAGES)
    assert ours.shape == theirs.shape
    # equal up to the order in which the norm sums its squares (last bit)
    assert np.allclose(ours.toarray(), theirs.toarray(), rtol=1e-12, atol=1e-15)
    assert (ours != 0).nnz == (theirs != 0).nnz
