"""A long fuzz run of the whole pipeline: generated Python, mutated YAML, nginx and TOML.

The same properties as ``tests/engine/test_fuzz.py`` (no crash, outputs re-parse, a second run
changes nothing; see ``tests/fuzzing.py``), with a bigger budget and a seed of your choice.
Prints, per kind, how many inputs ran and the first failure hypothesis found (shrunk), and
exits 1 when one failed.

    python benchmarks/fuzz.py [--examples N] [--seed S] [--kinds python,yaml,nginx,toml]
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import hypothesmith  # noqa: E402
from fuzzing import PYTHON_PLACES, check_mutation, check_python, mutated, seeds  # noqa: E402
from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

KINDS = ("python", "yaml", "nginx", "toml")


def fuzz(kind: str, examples: int, random_seed: int) -> tuple[int, str | None]:
    """Run one kind's fuzzing; return the inputs tried and the failure, if any."""
    tried = 0
    budget = settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    if kind == "python":

        @seed(random_seed)
        @budget
        @given(source=hypothesmith.from_grammar(), place=st.sampled_from(PYTHON_PLACES))
        def run(source: str, place: str) -> None:
            nonlocal tried
            tried += 1
            check_python(source, place)

    else:
        candidates = seeds(kind)

        @seed(random_seed)
        @budget
        @given(data=st.data())
        def run(data: st.DataObject) -> None:
            nonlocal tried
            tried += 1
            chosen = data.draw(st.sampled_from(candidates), label="seed")
            text = (chosen.case / chosen.path).read_text(encoding="utf-8")
            check_mutation(chosen, data.draw(mutated(text), label="mutated"))

    try:
        run()
    except Exception:  # the report is the point: print it, go on with the other kinds
        return tried, traceback.format_exc(limit=3)
    return tried, None


def main() -> int:
    """Parse the arguments, fuzz each kind, print a summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--kinds", default=",".join(KINDS))
    arguments = parser.parse_args()
    warnings.simplefilter("ignore")  # generated code and broken YAML warn by the hundred
    failed = False
    for kind in arguments.kinds.split(","):
        started = time.monotonic()
        tried, failure = fuzz(kind, arguments.examples, arguments.seed)
        took = time.monotonic() - started
        print(f"{kind}: {tried} inputs in {took:.1f} s: {'FAILED' if failure else 'ok'}")
        if failure:
            failed = True
            print(failure)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
