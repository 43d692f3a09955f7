"""Reading requirements files and setup.py: what moves, what refuses, and why."""

from __future__ import annotations

import re

import pytest
from redpanda_migrate.codemods.pyproject_dependencies.requirements_file import (
    group_name,
    read_requirements_file,
)
from redpanda_migrate.codemods.pyproject_dependencies.setup_py import (
    SetupProblem,
    drop_keywords,
    read_setup_py,
)


@pytest.mark.parametrize(
    ("path", "group"),
    [
        ("requirements.txt", ""),
        ("requirements.in", ""),
        ("requirements/base.txt", ""),
        ("requirements-dev.txt", "dev"),
        ("requirements_test.txt", "test"),
        ("requirements/development.txt", "dev"),
        ("requirements/local.txt", "dev"),
        ("requirements/tests.txt", "test"),
        ("requirements/prod.txt", "production"),
        ("requirements-docs.txt", "docs"),
        ("requirements/ci_extra.txt", "ci-extra"),
    ],
)
def test_group_names(path: str, group: str) -> None:
    assert group_name(path) == group


def test_includes_constraints_hashes_and_the_default_index() -> None:
    text = (
        "-i https://pypi.org/simple/\n"
        "-rbase.txt\n"
        "--requirement=extra.txt\n"
        "-c ../constraints.txt\n"
        "-e .\n"
        "django==5.2.7 \\\n"
        "    --hash=sha256:00 \\\n"
        "    --hash=sha256:11\n"
        "celery[redis]>=5.3 ; python_version >= '3.10'  # broker\n"
    )
    read = read_requirements_file("requirements/dev.txt", text)
    assert [(i.target, i.constraint) for i in read.includes] == [
        ("requirements/base.txt", False),
        ("requirements/extra.txt", False),
        ("constraints.txt", True),
    ]
    assert [line.text for line in read.requirements] == [
        "django==5.2.7",
        "celery[redis]>=5.3 ; python_version >= '3.10'",
    ]
    assert read.hashed and not read.problems and not read.fully_pinned


def test_what_pyproject_cannot_hold_is_a_problem_with_its_line() -> None:
    text = (
        "--extra-index-url https://user:secret@example.com/simple\n"
        "-e git+https://github.com/a/b.git#egg=b\n"
        "-e ../sibling\n"
        "./vendor/pkg\n"
        "git+https://github.com/a/c.git@abc\n"
        "django>=5.2 --no-binary django\n"
        "git+https://github.com/a/d.git@abc#egg=d-pkg\n"
    )
    read = read_requirements_file("requirements.txt", text)
    assert [(p.line, p.message.split(":", 1)[0]) for p in read.problems] == [
        (n, "cannot move to pyproject.toml") for n in (1, 2, 3, 4, 5, 6)
    ]
    assert "secret" not in " ".join(p.message for p in read.problems)
    assert [line.text for line in read.requirements] == [
        "d-pkg @ git+https://github.com/a/d.git@abc#egg=d-pkg"
    ]


def test_setup_py_literals_and_module_constants_are_read_without_running_it() -> None:
    call = read_setup_py(
        "import setuptools\n"
        "REQUIRES = ['django>=4.2']\n"
        "setuptools.setup(name='x', version='1.0', install_requires=REQUIRES, url='u')\n"
    )
    assert call is not None
    assert call.values == {"name": "x", "version": "1.0", "install_requires": ["django>=4.2"]}
    assert call.dynamic_fields() == ["urls"]
    assert not call.only_call  # REQUIRES stays: setup.py is kept


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("setup(install_requires=open('r.txt').read().split())", "computes install_requires"),
        ("R = []\nR.append('x')\nsetup(install_requires=R)", "computes install_requires"),
        ("R = ['a']\nR = ['b']\nsetup(install_requires=R)", "computes install_requires"),
        ("setup(**options)", "positional or **keyword"),
        ("import sys\nsetup(version=sys.argv[1])", "computes version"),
    ],
)
def test_computed_values_are_refused_with_the_reason(source: str, reason: str) -> None:
    with pytest.raises(SetupProblem, match=re.escape(reason)):
        read_setup_py("from setuptools import setup\n" + source + "\n")


def test_dropping_keywords_keeps_the_rest_of_the_call_byte_for_byte() -> None:
    text = (
        "setup(\n"
        '    name="x",  # the name\n'
        "    packages=find_packages(),\n"
        '    install_requires=["a"],\n'
        ")\n"
    )
    assert drop_keywords(text, {"name", "install_requires"}) == (
        "setup(\n    packages=find_packages(),\n)\n"
    )
