"""Reading the chat ahead (app/assistant/warmer.py), alone and in the assistant's controller: what is
read, when, and that a request never waits for a stale warm-up. Exact expectations throughout."""

import asyncio

from engine_fakes import FakeEngine
from fakes import CPU, GPU, NO, Rig, run

from app.assistant.warmer import LIST_CHANGE_DELAY_S, ChatWarmer
from app.assistant.engines.names import WLLAMA
from app.assistant.requests.plan import answer_prefix
from app.assistant.engines.sampling import DEFAULT_SAMPLING
from app.todos.model import Todo

PREFIX = [{"role": "system", "content": "rules and list"}]
OTHER = [{"role": "system", "content": "rules and another list"}]
CPU_MODEL = "Qwen2.5-0.5B-Instruct-Q8_0-GGUF"


async def settle():
    for _ in range(5):
        await asyncio.sleep(0)


def prefix_of(rig):
    return answer_prefix(rig.todos, rig.controller.history, context_tokens=4096,
                         answer_tokens=DEFAULT_SAMPLING.max_tokens)


async def cpu_ready(**options):
    rig = Rig(webllm=NO, wllama=CPU, **options)
    await rig.controller.open()
    await rig.controller.load()
    await settle()
    assert rig.controller.state == "ready" and rig.controller.loaded_engine is rig.wllama
    return rig


async def cpu_reading_ahead():
    """A CPU model just loaded, its first reading ahead held in progress (until release_prefill())."""
    rig = Rig(webllm=NO, wllama=CPU)
    rig.wllama.hold_prefill = True
    await rig.controller.open()
    await rig.controller.load()
    await rig.wllama.prefill_pending.wait()
    return rig


# The warmer alone


def test_the_same_prefix_is_read_once():
    async def scenario():
        engine, warmer = FakeEngine(WLLAMA), ChatWarmer()
        warmer.warm(engine, PREFIX, DEFAULT_SAMPLING)
        await settle()
        warmer.warm(engine, PREFIX, DEFAULT_SAMPLING)
        await settle()
        assert engine.prefilled == [PREFIX] and warmer.warmed == 1

    run(scenario)


def test_a_new_prefix_cancels_the_reading_in_progress_and_reads_the_new_one():
    async def scenario():
        engine, warmer = FakeEngine(WLLAMA), ChatWarmer()
        engine.hold_prefill = True
        warmer.warm(engine, PREFIX, DEFAULT_SAMPLING)
        await engine.prefill_pending.wait()
        engine.hold_prefill = False
        warmer.warm(engine, OTHER, DEFAULT_SAMPLING)
        await settle()
        assert [c[1] for c in engine.calls] == ["prefill", "cancel_prefill", "prefill"]
        assert engine.prefilled == [PREFIX, OTHER] and warmer.prefix == OTHER

    run(scenario)


def test_a_request_for_the_prefix_being_read_waits_for_it_without_cancelling():
    async def scenario():
        engine, warmer = FakeEngine(WLLAMA), ChatWarmer()
        engine.hold_prefill = True
        warmer.warm(engine, PREFIX, DEFAULT_SAMPLING)
        await engine.prefill_pending.wait()
        waiting = asyncio.ensure_future(warmer.before(engine, PREFIX + [{"role": "user", "content": "Q?"}]))
        await settle()
        assert not waiting.done()
        engine.release_prefill()
        await waiting
        assert [c[1] for c in engine.calls] == ["prefill"] and warmer.warmed == 1  # no cancel_prefill

    run(scenario)


def test_a_request_for_another_prompt_cancels_the_warm_up_first():
    async def scenario():
        engine, warmer = FakeEngine(WLLAMA), ChatWarmer()
        engine.hold_prefill = True
        warmer.warm(engine, PREFIX, DEFAULT_SAMPLING)
        await engine.prefill_pending.wait()
        await warmer.before(engine, OTHER + [{"role": "user", "content": "Add bread"}])
        assert [c[1] for c in engine.calls] == ["prefill", "cancel_prefill"] and warmer.prefix is None

    run(scenario)


def test_a_delayed_warm_up_replaced_before_its_time_never_reads():
    async def scenario():
        engine, waits = FakeEngine(WLLAMA), []

        async def sleep(seconds):
            waits.append(seconds)
            await asyncio.Event().wait()  # never wakes: only cancelling ends it

        warmer = ChatWarmer(sleep=sleep)
        warmer.warm(engine, PREFIX, DEFAULT_SAMPLING, delay_s=1.0)
        await settle()
        warmer.forget(engine)
        await settle()
        assert waits == [1.0] and engine.prefilled == [] and engine.calls == []  # nothing to cancel in the engine
        warmer.warm(engine, PREFIX, DEFAULT_SAMPLING)  # without a delay, the same warmer reads
        await settle()
        assert engine.prefilled == [PREFIX]

    run(scenario)


def test_an_engine_that_cannot_prefill_is_never_asked():
    async def scenario():
        engine, warmer = FakeEngine("webllm"), ChatWarmer()
        warmer.warm(engine, PREFIX, DEFAULT_SAMPLING)
        await settle()
        await warmer.before(engine, PREFIX + [{"role": "user", "content": "Q?"}])
        assert engine.prefilled == [] and engine.calls == []
        cpu = FakeEngine(WLLAMA)  # the same warmer reads for an engine that can
        warmer.warm(cpu, PREFIX, DEFAULT_SAMPLING)
        await settle()
        assert cpu.prefilled == [PREFIX]

    run(scenario)


# In the controller


def test_a_loaded_cpu_model_reads_the_next_questions_prompt_ahead():
    async def scenario():
        rig = await cpu_ready()
        assert rig.wllama.prefilled == [prefix_of(rig)]
        assert '- "File taxes" (done)\n(2 to-dos: 1 open, 1 done)' in rig.wllama.prefilled[0][0]["content"]

    run(scenario)


def test_a_gpu_model_reads_nothing_ahead():
    async def scenario():
        rig = Rig(webllm=GPU)
        await rig.controller.open()
        await rig.controller.load()
        await settle()
        assert rig.controller.loaded_engine is rig.webllm and "prefill" not in rig.calls("webllm")
        rig.controller.select(CPU_MODEL)  # a CPU model on the same controller is read ahead
        await rig.controller.load()
        await settle()
        assert rig.controller.loaded_engine is rig.wllama and "prefill" in rig.calls("wllama")

    run(scenario)


def test_a_question_is_sent_with_the_prefix_it_was_read_with_and_after_it():
    async def scenario():
        rig = await cpu_ready()
        rig.wllama.chunks = ["Two."]
        assert await rig.controller.ask("How many are open?") is True
        (messages, _), = rig.wllama.sent
        assert messages[:-1] == rig.wllama.prefilled[0]
        await settle()
        assert rig.wllama.prefilled[1] == prefix_of(rig)  # the chat moved on: read again
        assert rig.wllama.prefilled[1][-2:] == [{"role": "user", "content": "How many are open?"},
                                                {"role": "assistant", "content": "Two."}]

    run(scenario)


def test_a_question_asked_while_its_prefix_is_read_waits_for_that_reading():
    async def scenario():
        rig = await cpu_reading_ahead()
        asking = asyncio.ensure_future(rig.controller.ask("What is left on my list?"))
        await settle()
        assert "generate" not in rig.calls("wllama")
        rig.wllama.hold_prefill = False
        rig.wllama.release_prefill()
        assert await asking is True
        calls = rig.calls("wllama")
        assert "cancel_prefill" not in calls and calls.index("prefill") < calls.index("generate")

    run(scenario)


def test_a_change_request_cancels_the_reading_ahead_before_it_is_sent():
    async def scenario():
        rig = await cpu_reading_ahead()
        rig.wllama.hold_prefill = False
        rig.wllama.chunks = ['{"changes": [{"op": "complete", "todo": "Buy milk"}]}']
        assert await rig.controller.ask("I bought the milk") is True
        calls = rig.calls("wllama")
        assert calls.index("cancel_prefill") < calls.index("generate")

    run(scenario)


def test_a_list_change_is_read_ahead_once_it_settles():
    async def scenario():
        rig = await cpu_ready()
        waits = []

        async def sleep(seconds):
            waits.append(seconds)

        rig.controller.warmer._sleep = sleep
        rig.todos.append(Todo("3", "Call mum"))
        rig.controller.list_changed()
        await settle()
        assert waits == [LIST_CHANGE_DELAY_S]
        assert rig.wllama.prefilled[-1] == prefix_of(rig) and '"Call mum"' in rig.wllama.prefilled[-1][0]["content"]

    run(scenario)


def test_a_new_chat_reads_the_empty_chat_ahead():
    async def scenario():
        rig = await cpu_ready()
        await rig.controller.ask("What is left on my list?")
        await settle()
        await rig.controller.new_chat()
        await settle()
        assert rig.wllama.prefilled[-1] == prefix_of(rig) == rig.wllama.prefilled[0]

    run(scenario)
