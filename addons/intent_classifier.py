"""Rasa's LogisticRegressionClassifier, laid out for fast prediction (same numbers).

scikit-learn predicts with ``X @ coef_.T``. With the weights in their trained (C) order,
scipy copies the whole transposed weight matrix (intents x every n-gram of the three
featurizers, tens of MB) on every message before multiplying: about 4 ms of the
classifier's 6 ms per message on this machine (docs/benchmark.md). Stored in Fortran
order, ``coef_.T`` is already laid out as the product reads it and nothing is copied.
A message with sparse features only is also turned into a matrix without the empty
dense block Rasa stacks beside it. Training, the stored model and every probability are
Rasa's own (tests/unit/test_intent_classifier.py).
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix

from actions.lib.retrieval import fast_weight_layout


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FastLogisticRegressionClassifier(LogisticRegressionClassifier):
    def train(self, training_data: TrainingData) -> Resource:
        resource = super().train(training_data)
        fast_weight_layout(self.clf)
        return resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any
             ) -> "FastLogisticRegressionClassifier":
        component = super().load(config, model_storage, resource, execution_context, **kwargs)
        fast_weight_layout(component.clf)
        return component

    def _create_X(self, messages: List[Message]) -> csr_matrix:
        if len(messages) == 1:
            sparse = messages[0].get_sparse_features(attribute=TEXT)[1]
            dense = messages[0].get_dense_features(attribute=TEXT)[1]
            if sparse is not None and dense is None:
                return csr_matrix(sparse.features, dtype=np.float64)
        return super()._create_X(messages)
