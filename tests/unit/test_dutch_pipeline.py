"""The Dutch spaCy pipeline: visible fallback, stored in the model, mismatch refused."""
from importlib import metadata

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from actions.lib.dutch_nlp import OFFICIAL_MODEL, load_dutch, pipeline_info
from addons.dutch_tokenizer import PIPELINE_FILE, DutchPipelineMismatch, DutchSpacyTokenizer


def official_installed() -> bool:
    try:
        metadata.version(OFFICIAL_MODEL)
        return True
    except metadata.PackageNotFoundError:
        return False


@pytest.fixture
def storage(tmp_path):
    return LocalModelStorage(tmp_path)


def context():
    return ExecutionContext(GraphSchema({}), "test")


def trained_tokenizer(storage):
    resource = Resource("tokenizer")
    config = DutchSpacyTokenizer.get_default_config()
    tokenizer = DutchSpacyTokenizer.create(config, storage, resource, context())
    tokenizer.train(TrainingData())
    return config, resource


def test_pipeline_is_named_honestly():
    info = pipeline_info()
    if official_installed():
        assert info.kind == "official" and info.pipeline_id.startswith(OFFICIAL_MODEL)
    else:
        assert info.kind == "fallback" and "FALLBACK" in info.description
        assert OFFICIAL_MODEL not in info.pipeline_id  # never pretends to be the official model


def test_model_remembers_the_pipeline_and_loads_with_the_same(storage):
    config, resource = trained_tokenizer(storage)
    with storage.read_from(resource) as directory:
        assert (directory / PIPELINE_FILE).read_text() == pipeline_info().pipeline_id
    DutchSpacyTokenizer.load(config, storage, resource, context())


def test_model_refuses_a_different_pipeline(storage):
    config, resource = trained_tokenizer(storage)
    with storage.write_to(resource) as directory:
        (directory / PIPELINE_FILE).write_text("nl_core_news_sm-3.4.0")
    if pipeline_info().pipeline_id == "nl_core_news_sm-3.4.0":
        pytest.skip("this machine has exactly that pipeline")
    with pytest.raises(DutchPipelineMismatch, match="make train"):
        DutchSpacyTokenizer.load(config, storage, resource, context())


def test_lemmas_and_delexicalised_treatments(storage):
    config, resource = trained_tokenizer(storage)
    tokenizer = DutchSpacyTokenizer.load(config, storage, resource, context())
    message = Message(data={"text": "Mag ik na de facetinfiltratie autorijden? Ik kreeg Xarelto"})
    tokens = tokenizer.tokenize(message, "text")
    lemmas = {t.text: t.lemma for t in tokens}
    assert lemmas["facetinfiltratie"] == "__treatment__"
    assert lemmas["Xarelto"] == "__medication__"
    assert lemmas["kreeg"] == "krijgen"  # lookup lemmatizer (spacy-lookups-data) or the model


@pytest.mark.skipif(not official_installed(),
                    reason="needs nl_core_news_sm (not installable offline; fallback has no tagger)")
def test_official_model_gives_part_of_speech_tags():
    doc = load_dutch()("Ik heb koorts sinds de behandeling")
    assert [t.pos_ for t in doc][:2] == ["PRON", "VERB"]
