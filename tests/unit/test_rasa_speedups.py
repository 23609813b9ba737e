"""addons/rasa_speedups.py: the action response is validated as before, only faster."""
import time

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from addons import rasa_speedups

RESPONSES = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "topic", "value": "duur"}],
     "responses": [{"text": "Twintig minuten.", "buttons": []}]},
    {"events": [{"event": "slot", "name": "safety_signs", "value": ["fever"]},
                {"event": "followup", "name": "action_listen"}],
     "responses": [{"response": "utter_red_flag_reason__fever"}]},
    {},
    # invalid ones
    {"events": "not a list"},
    {"events": [{"event": "slot"}]},
    {"events": [{"name": "no event type"}]},
    {"responses": [{"text": "x"}, "not an object"]},
    ["not", "an", "object"],
]


def stock_verdict(result) -> bool:
    try:
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
        return True
    except jsonschema.ValidationError:
        return False


def test_applied_once_for_rasa_36():
    assert rasa_speedups.apply() is True
    patched = RemoteAction._validate_action_result
    assert rasa_speedups.apply() is True
    assert RemoteAction._validate_action_result is patched


@pytest.mark.parametrize("result", RESPONSES)
def test_same_verdict_and_error_as_rasa(result):
    rasa_speedups.apply()
    action = RemoteAction("action_answer_question", None)
    if stock_verdict(result):
        assert action._validate_action_result(result) is True
    else:
        with pytest.raises(jsonschema.ValidationError) as error:
            action._validate_action_result(result)
        assert "Failed to validate Action server response" in error.value.message


def test_faster_than_revalidating_the_schema():
    rasa_speedups.apply()
    action, result = RemoteAction("action_answer_question", None), RESPONSES[1]
    t0 = time.perf_counter()
    for _ in range(20):
        action._validate_action_result(result)
    patched = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(20):
        stock_verdict(result)
    assert patched * 5 < time.perf_counter() - t0


# --- the sequential graph runner -------------------------------------------------------

from typing import Any, Dict  # noqa: E402

from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode  # noqa: E402
from rasa.engine.runner.dask import DaskGraphRunner  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402

CALLS: list = []


class Upper(GraphComponent):
    @classmethod
    def create(cls, config: Dict[str, Any], model_storage, resource, execution_context):
        return cls()

    def run(self, text: str) -> str:
        CALLS.append("upper")
        return text.upper()


class Join(GraphComponent):
    @classmethod
    def create(cls, config: Dict[str, Any], model_storage, resource, execution_context):
        return cls()

    def run(self, left: str, right: str) -> str:
        CALLS.append("join")
        return f"{left}+{right}"


class Fail(GraphComponent):
    @classmethod
    def create(cls, config: Dict[str, Any], model_storage, resource, execution_context):
        return cls()

    def run(self, text: str) -> str:
        raise ValueError("broken component")


def _schema() -> GraphSchema:
    return GraphSchema({
        "upper": SchemaNode(needs={"text": "__text__"}, uses=Upper, fn="run",
                            constructor_name="create", config={}),
        "join": SchemaNode(needs={"left": "upper", "right": "__other__"}, uses=Join, fn="run",
                           constructor_name="create", config={}, is_target=True),
        "unused": SchemaNode(needs={"text": "__text__"}, uses=Fail, fn="run",
                             constructor_name="create", config={}),
    })


def _runners(tmp_path):
    schema = _schema()
    out = []
    for i, cls in enumerate((DaskGraphRunner, rasa_speedups.sequential_runner_class())):
        storage = LocalModelStorage(tmp_path / str(i))
        out.append(cls.create(schema, storage, ExecutionContext(schema, "test")))
    return out


def test_sequential_runner_gives_dasks_results(tmp_path):
    dask_runner, sequential = _runners(tmp_path)
    inputs = {"__text__": "pijn", "__other__": "prik"}
    for targets in (None, ["join"], ["upper"], ["upper", "join"]):
        CALLS.clear()
        expected = dask_runner.run(inputs=inputs, targets=targets)
        dask_calls = sorted(CALLS)
        CALLS.clear()
        assert sequential.run(inputs=inputs, targets=targets) == expected
        # only what the targets need, each node once (the failing node is never run)
        assert sorted(CALLS) == dask_calls
    assert sequential.run(inputs=inputs) == {"join": "PIJN+prik"}


def test_sequential_runner_raises_like_dask(tmp_path):
    from rasa.engine.exceptions import GraphComponentException, GraphRunError
    dask_runner, sequential = _runners(tmp_path)
    for runner in (dask_runner, sequential):
        with pytest.raises(GraphComponentException):
            runner.run(inputs={"__text__": "x", "__other__": "y"}, targets=["unused"])
        with pytest.raises(GraphRunError):
            runner.run(inputs={"__text__": "upper", "__other__": "y"}, targets=["join"])


def test_the_server_loads_its_model_with_the_sequential_runner():
    import rasa.core.processor
    rasa_speedups.apply()
    assert rasa.core.processor.DaskGraphRunner is rasa_speedups.sequential_runner_class()


# --- one kept-alive session per endpoint -------------------------------------------------

def test_endpoint_calls_reuse_one_connection():
    import asyncio

    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    rasa_speedups.apply()
    peers = []

    async def handler(request):
        peers.append(request.transport.get_extra_info("peername"))
        body = await request.json()
        return web.json_response({"echo": body["n"]})

    async def scenario():
        app = web.Application()
        app.router.add_post("/webhook", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        endpoint = EndpointConfig(url=f"http://127.0.0.1:{port}/webhook")
        answers = [await endpoint.request(json={"n": i}, method="post") for i in range(5)]
        session = endpoint.__dict__["_shared_session"]
        assert not session.closed  # `async with` did not close the shared session
        await session.close()
        # a closed session is replaced, not reused
        assert (await endpoint.request(json={"n": 9}, method="post")) == {"echo": 9}
        await endpoint.__dict__["_shared_session"].close()
        await runner.cleanup()
        return answers

    answers = asyncio.run(scenario())
    assert answers == [{"echo": i} for i in range(5)]
    assert len(set(peers[:5])) == 1  # one connection for the five calls
    assert len(peers) == 6
