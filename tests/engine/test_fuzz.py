"""A small, deterministic fuzz run in every test run (``benchmarks/fuzz.py`` runs a long one)."""

from __future__ import annotations

import hypothesmith
import pytest
from fuzzing import PYTHON_PLACES, check_mutation, check_python, mutated, seeds
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

# derandomized: the same examples on every run, so a failure here is never a fluke
SMALL_BUDGET = settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],  # a failure is shown as found, not shrunk
)


@SMALL_BUDGET
@given(source=hypothesmith.from_grammar(), place=st.sampled_from(PYTHON_PLACES))
def test_generated_python_never_crashes_and_converges(source: str, place: str) -> None:
    check_python(source, place)


@pytest.mark.parametrize("kind", ["yaml", "nginx", "toml"])
def test_mutated_configuration_never_crashes_and_converges(kind: str) -> None:
    candidates = seeds(kind)
    assert len(candidates) >= 5, kind  # the fixtures are the corpus

    @SMALL_BUDGET
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        seed = data.draw(st.sampled_from(candidates), label="seed")
        text = (seed.case / seed.path).read_text(encoding="utf-8")
        check_mutation(seed, data.draw(mutated(text), label="mutated"))

    run()
