"""Where a model runs: the CPU engine's GGUF models on a real GPU where it can, back on the CPU (and
remembered) where the GPU fails; and the context the engine reports bounds the prompt."""

import json

from fakes import NO, MemorySettings, Rig, run

from app.assistant.controller import CPU_ONLY_SETTING
from app.assistant.engines.port import Availability
from app.assistant.models.choice import GGUF_ON_GPU_GROUP, GROUP_LABELS
from app.assistant.requests.prompts import build_messages
from app.assistant.engines.sampling import DEFAULT_SAMPLING

GPU_CAPABLE_CPU = Availability(True, threads=1, gpu=True)
CPU_ONLY = Availability(True, threads=1)


async def loaded(rig):
    await rig.controller.open()
    await rig.controller.load()
    assert rig.controller.state == "ready" and rig.controller.loaded_engine is rig.wllama
    return rig


def test_where_the_cpu_engine_can_use_a_real_gpu_its_models_load_there():
    async def scenario():
        rig = await loaded(Rig(webllm=NO, wllama=GPU_CAPABLE_CPU))
        model = rig.controller.model
        assert rig.calls("wllama")[-1] == ("load", model.model_id, "gpu")
        assert rig.view.progress[-1] == (None, f"{model.label} is running on this device's GPU.")
        assert [label for label, _ in rig.view.groups] == [GGUF_ON_GPU_GROUP]

    run(scenario)


def test_without_a_usable_gpu_the_models_load_on_the_cpu():
    async def scenario():
        rig = await loaded(Rig(webllm=NO, wllama=CPU_ONLY))
        model = rig.controller.model
        assert rig.calls("wllama")[-1] == ("load", model.model_id)
        assert rig.view.progress[-1] == (None, f"{model.label} is running on this device.")
        assert [label for label, _ in rig.view.groups] == [GROUP_LABELS["wllama"]]

    run(scenario)


def test_a_model_the_gpu_cannot_run_runs_on_the_cpu_says_why_and_starts_there_next_time():
    async def scenario():
        settings = MemorySettings()
        rig = Rig(webllm=NO, wllama=GPU_CAPABLE_CPU, settings=settings)
        rig.wllama.gpu_error = "WGSL shader failed to compile"
        await loaded(rig)
        model = rig.controller.model
        assert rig.view.progress[-1] == (None, (
            f"{model.label} is running on this device's CPU: the GPU could not run it (WGSL shader failed to "
            "compile). It will start on the CPU from now on."))
        assert json.loads(settings.get(CPU_ONLY_SETTING)) == [model.model_id]
        assert rig.view.errors[-1][0] is None  # not an error: the model runs

        again = await loaded(Rig(webllm=NO, wllama=GPU_CAPABLE_CPU, settings=settings))
        assert again.calls("wllama")[-1] == ("load", model.model_id)  # straight to the CPU

    run(scenario)


def test_a_damaged_memory_of_failed_gpus_is_ignored():
    async def scenario():
        rig = Rig(webllm=NO, wllama=GPU_CAPABLE_CPU, settings=MemorySettings(**{CPU_ONLY_SETTING: "{not json"}))
        await loaded(rig)
        assert rig.calls("wllama")[-1][-1] == "gpu"

    run(scenario)


def test_the_context_the_engine_reports_bounds_the_prompt():
    async def scenario():
        rig = Rig(webllm=NO, wllama=CPU_ONLY)
        rig.wllama.context_window = 1024  # smaller than the catalogue's 4096
        await loaded(rig)
        await rig.controller.ask("What is left on my list?")
        (messages, _), = rig.wllama.sent
        assert messages == build_messages(rig.todos, [], "What is left on my list?", context_tokens=1024,
                                          answer_tokens=DEFAULT_SAMPLING.max_tokens)
        assert rig.controller.context_window == 1024

    run(scenario)
