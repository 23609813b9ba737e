"""Rasa tokenizer on the Dutch spaCy pipeline, remembering which pipeline it was trained with.

Tokens carry spaCy lemmas (for `CountVectorsFeaturizer(use_lemma=True)`) and,
with the official `nl_core_news_sm`, POS tags. With `delexicalise` on, a
treatment, hospital or medicine mention gets a placeholder lemma
(`__treatment__`...): the classifier then learns what is asked, not which
treatment happens to be named in the examples; the entity extractor keeps the value. The pipeline in use is logged at
training and at start-up, stored in the trained model, and checked on load: a
model trained with one Dutch pipeline refuses to run with another, because its
lemma vocabulary would silently differ.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.exceptions import RasaException
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from actions.lib.dutch_nlp import load_dutch, log_pipeline_in_use, pipeline_id
from actions.lib.vocabulary import find_entities

logger = logging.getLogger(__name__)

PIPELINE_FILE = "dutch_pipeline.txt"


class DutchPipelineMismatch(RasaException):
    """The model was trained with a different Dutch pipeline than this machine has."""


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True
)
class DutchSpacyTokenizer(Tokenizer):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # The pipeline the design asks for; used when installed.
            "model": "nl_core_news_sm",
            "delexicalise": True,
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[str]:
        # Retrain when the machine's Dutch pipeline changes.
        return pipeline_id()

    @staticmethod
    def required_packages() -> List[Text]:
        return ["spacy"]

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: Optional[ModelStorage] = None,
        resource: Optional[Resource] = None,
    ) -> None:
        super().__init__(config)
        self._model_storage = model_storage
        self._resource = resource
        self._with_pos = False

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "DutchSpacyTokenizer":
        info = log_pipeline_in_use("training")
        component = cls(config, model_storage, resource)
        component._with_pos = info.kind == "official"
        return component

    def train(self, training_data: TrainingData) -> Resource:
        with self._model_storage.write_to(self._resource) as directory:
            (directory / PIPELINE_FILE).write_text(pipeline_id(), encoding="utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "DutchSpacyTokenizer":
        info = log_pipeline_in_use("loading the model")
        try:
            with model_storage.read_from(resource) as directory:
                trained_with = (directory / PIPELINE_FILE).read_text(encoding="utf-8")
        except (ValueError, FileNotFoundError):
            # Only during training: the process node runs before train() wrote it.
            trained_with = info.pipeline_id
        if trained_with.strip() != info.pipeline_id:
            raise DutchPipelineMismatch(
                f"This model was trained with the Dutch pipeline '{trained_with}', "
                f"but this machine has '{info.pipeline_id}'. Retrain it here with "
                "`make train` (or install the same pipeline)."
            )
        component = cls(config, model_storage, resource)
        component._with_pos = info.kind == "official"
        return component

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        text = message.get(attribute) or ""
        doc = load_dutch()(text)
        spans = []
        if self._config.get("delexicalise") and attribute == "text":
            spans = [(f.start, f.end, f"__{f.entity}__") for f in find_entities(text)]
        tokens = []
        for t in doc:
            if not t.text.strip():
                continue
            lemma = t.lemma_ or t.lower_
            for start, end, placeholder in spans:
                if start <= t.idx < end:
                    lemma = placeholder
                    break
            data = {"pos": t.pos_} if self._with_pos else None
            tokens.append(Token(t.text, t.idx, lemma=lemma, data=data))
        return self._apply_token_pattern(tokens)
