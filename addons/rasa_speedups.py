"""Behaviour-preserving fixes of two Rasa 3.6 hot paths (docs/benchmark.md, "Where the
time went").

1. Rasa checks every response of the action server with ``jsonschema.validate(result,
schema)``. That function first validates the *schema itself* against the JSON Schema
meta-schema, on every call: 20-90 ms of CPU per custom action on this machine with
jsonschema 4.17, the largest single cost of a turn that runs one of our actions (the
stock ``rasa init`` bot has no custom actions and never pays it). Here the validator is
built, and its schema checked, once. A valid response is accepted exactly as before; an
invalid one goes through Rasa's own method unchanged (same ``ValidationError``, same
message).

2. Rasa runs the model's graph (the NLU pipeline on every message, the policies on every
prediction) through dask's scheduler: building a dask graph, ordering it and running it
task by task costs about 1.5 ms per turn on this machine, for graphs of a dozen nodes
that always run in the same order. ``SequentialGraphRunner`` calls the same nodes with
the same inputs in one fixed dependency order (computed once per set of targets) and
returns the same results (tests/unit/test_rasa_speedups.py runs a graph both ways).

3. Rasa opens a new HTTP client session, and so a new connection, for every call to the
action server. ``EndpointConfig.session`` now hands out one long-lived session per
endpoint and event loop (same headers, authentication and timeout), so calls reuse a
kept-alive connection. Idle connections are closed after ``KEEP_ALIVE_S`` seconds, before
the action server (Sanic, 5 s) would close them under a request.

``apply()`` is idempotent and is called when the Rasa server imports its stores
(``addons/stores.py``, named in endpoints.yml). It only patches Rasa 3.6.x, the version
it was written and tested for (tests/unit/test_rasa_speedups.py).
"""
from __future__ import annotations

import functools
import logging
from typing import Any, Dict, Text

logger = logging.getLogger(__name__)

_PATCHED = "_patient_assistant_cached_validator"


@functools.lru_cache(maxsize=1)
def response_validator() -> Any:
    """The validator of Rasa's action response schema, built and checked once."""
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def apply() -> bool:
    """Apply the three patches above (once); True if they are (now) applied."""
    import rasa
    from rasa.core.actions.action import RemoteAction

    current = RemoteAction._validate_action_result
    if getattr(current, _PATCHED, False):
        return True
    if not rasa.__version__.startswith("3.6."):
        logger.warning("rasa %s: the action response validation is not sped up "
                       "(addons/rasa_speedups.py is for Rasa 3.6)", rasa.__version__)
        return False
    original = current

    def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
        if response_validator().is_valid(result):
            return True
        return original(self, result)  # raises Rasa's own ValidationError

    setattr(_validate_action_result, _PATCHED, True)
    _validate_action_result.__doc__ = original.__doc__
    RemoteAction._validate_action_result = _validate_action_result
    # the server loads its model after it created its stores (this module's caller)
    import rasa.core.processor
    rasa.core.processor.DaskGraphRunner = sequential_runner_class()
    from rasa.utils.endpoints import EndpointConfig
    EndpointConfig.session = _shared_session
    return True


KEEP_ALIVE_S = 2.0


class _Borrowed:
    """``async with`` over a shared session that does not close it at the end."""

    def __init__(self, session: Any) -> None:
        self._session = session

    async def __aenter__(self) -> Any:
        return self._session

    async def __aexit__(self, *exc: Any) -> None:
        return None


def _shared_session(self: Any) -> Any:
    """EndpointConfig.session: one kept-alive client session per endpoint and loop."""
    import asyncio

    import aiohttp
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT

    loop = asyncio.get_running_loop()
    session = self.__dict__.get("_shared_session")
    if session is None or session.closed or self.__dict__.get("_shared_loop") is not loop:
        auth = None
        if self.basic_auth:
            auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
        session = aiohttp.ClientSession(
            headers=self.headers, auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEP_ALIVE_S))
        self.__dict__["_shared_session"] = session
        self.__dict__["_shared_loop"] = loop
    return _Borrowed(session)


@functools.lru_cache(maxsize=1)
def sequential_runner_class() -> type:
    """A GraphRunner that runs the graph's nodes one after the other, without dask."""
    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.runner.dask import DaskGraphRunner

    class SequentialGraphRunner(DaskGraphRunner):
        """Same nodes, same inputs, same results as DaskGraphRunner; no scheduler."""

        _plans: Dict[Any, Any]

        def _plan(self, targets: Any) -> Any:
            plans = self.__dict__.setdefault("_plans", {})
            if targets not in plans:
                schema = self._graph_schema.minimal_graph_schema(list(targets))
                order, done = [], set()

                def visit(name: Text) -> None:
                    if name in done or name not in schema.nodes:
                        return
                    done.add(name)
                    for needed in schema.nodes[name].needs.values():
                        visit(needed)
                    order.append((name, tuple(schema.nodes[name].needs.values())))

                for name in schema.nodes:
                    visit(name)
                plans[targets] = order
            return plans[targets]

        def run(self, inputs: Dict[Text, Any] | None = None,
                targets: list | None = None) -> Dict[Text, Any]:
            run_targets = targets if targets else self._graph_schema.target_names
            values: Dict[Text, Any] = {}
            for name, value in (inputs or {}).items():
                if isinstance(value, str) and value in self._graph_schema.nodes:
                    raise GraphRunError(
                        f"Input value '{value}' clashes with a node name. Make sure "
                        f"that none of the input names passed to the `run` method are "
                        f"the same as node names in the graph schema.")
                values[name] = (name, value)
            try:
                for name, needs in self._plan(tuple(run_targets)):
                    values[name] = self._instantiated_nodes[name](
                        *(values[n] for n in needs))
            except RuntimeError as e:
                raise GraphRunError("Error running runner.") from e
            return dict(values[target] for target in run_targets)

    return SequentialGraphRunner
