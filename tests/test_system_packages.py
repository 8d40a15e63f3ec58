"""deploy/system-packages.sh, run for real with a PATH of fake tools.

The PATH holds only what each test puts there: `id` answers the uid the test chooses,
`apt-get` records its arguments (and, on install, puts the installed commands on the
PATH, as the real packages would), `python3` answers the version and whether ensurepip
and Python's headers are there. The script cannot see the machine's own java, kcat,
gcc or apt-get.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers.paths import REPO_ROOT

SCRIPT = REPO_ROOT / "deploy" / "system-packages.sh"
README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")

# The commands each Debian package brings; the fake apt-get creates them on install.
PACKAGE_COMMANDS = {
    "openjdk-17-jre-headless": ["java"],
    "maven": ["mvn"],
    "kcat": ["kcat"],
    "prometheus": ["prometheus", "promtool"],
    "python3": ["python3"],
    "gcc": ["gcc"],
}
RUN_PACKAGES = ["openjdk-17-jre-headless", "maven"]
TEST_PACKAGES = [*RUN_PACKAGES, "kcat", "prometheus"]

# The fakes run the machine's own tools (cat, grep...): only the script's PATH is fake.
FAKE_PYTHON = """#!/bin/bash
# Answers the script's four questions: -V, the version check, import ensurepip, Python.h.
PATH=/usr/bin:/bin
version=$(cat "$(dirname "$0")/.python-version")
minor=${version#3.}
case "$*" in
  -V) echo "Python $version" ;;
  *version_info*) [ "${minor%%.*}" -ge 11 ] ;;
  *ensurepip*) [ -e "$(dirname "$0")/.ensurepip" ] ;;
  *Python.h*) [ -e "$(dirname "$0")/.headers" ] ;;
  *) exit 99 ;;
esac
"""

FAKE_APT_GET = """#!/bin/bash
PATH=/usr/bin:/bin
bin=$(dirname "$0")
echo "DEBIAN_FRONTEND=${DEBIAN_FRONTEND:-} $*" >> "$bin/.apt-get.log"
[ "$1" = install ] || exit 0
for package in "$@"; do
  case "$package" in
    -*) ;;
    python3-venv) touch "$bin/.ensurepip" ;;
    python3-dev) touch "$bin/.headers" ;;
    *) grep "^$package " "$bin/.provides" | cut -d' ' -f2- | tr ' ' '\\n' | while read -r tool; do
         [ -e "$bin/$tool" ] || printf '#!/bin/bash\\n' > "$bin/$tool"; chmod +x "$bin/$tool"
       done ;;
  esac
done
"""


@dataclass
class FakeMachine:
    bin: Path

    def has(self, *tools: str) -> None:
        for tool in tools:
            if tool == "python3":
                self._write("python3", FAKE_PYTHON)
            else:
                self._write(tool, "#!/bin/bash\n")

    def python(self, version: str = "3.11.2", *, ensurepip: bool = True, compiler: bool = True) -> None:
        """Python `version`; `compiler`: gcc and Python's headers, for setup.py's compiled modules."""
        self.has("python3")
        (self.bin / ".python-version").write_text(version)
        for marker, present in ((".ensurepip", ensurepip), (".headers", compiler)):
            if present:
                (self.bin / marker).touch()
            else:
                (self.bin / marker).unlink(missing_ok=True)
        if compiler:
            self.has("gcc")
        else:
            (self.bin / "gcc").unlink(missing_ok=True)

    def uid(self, uid: int) -> None:
        self._write("id", f'#!/bin/bash\n[ "$1" = -u ] && echo {uid}\n')

    def apt(self, *, provides: bool = True) -> None:
        self._write("apt-get", FAKE_APT_GET)
        lines = (
            [f"{package} {' '.join(tools)}" for package, tools in PACKAGE_COMMANDS.items()]
            if provides
            else []
        )
        (self.bin / ".provides").write_text("".join(f"{line}\n" for line in lines))

    def apt_calls(self) -> list[str]:
        log = self.bin / ".apt-get.log"
        return log.read_text().splitlines() if log.exists() else []

    def run(self, profile: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [shutil.which("bash") or "/bin/bash", str(SCRIPT), profile],
            env={"PATH": str(self.bin)},
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    def _write(self, name: str, text: str) -> None:
        path = self.bin / name
        path.write_text(text)
        path.chmod(0o755)


@pytest.fixture
def machine(tmp_path: Path) -> FakeMachine:
    fake = FakeMachine(tmp_path / "bin")
    fake.bin.mkdir()
    # The script's own helper; the rest of the PATH is what each test puts there.
    awk = shutil.which("awk")
    assert awk is not None, "awk is needed to run deploy/system-packages.sh"
    (fake.bin / "awk").symlink_to(awk)
    fake.python()
    fake.apt()
    return fake


def install_call(packages: list[str]) -> str:
    return f"DEBIAN_FRONTEND=noninteractive install -y -qq --no-install-recommends {' '.join(packages)}"


def assert_stops_with(result: subprocess.CompletedProcess[str], message: str) -> None:
    assert result.returncode == 1, result
    assert message in result.stderr


def test_nothing_missing_does_nothing(machine: FakeMachine) -> None:
    machine.uid(0)
    machine.has("java", "mvn", "kcat", "prometheus", "promtool")
    result = machine.run("test")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert machine.apt_calls() == []


def test_root_installs_only_what_is_missing_after_an_update(machine: FakeMachine) -> None:
    machine.uid(0)
    machine.has("java", "mvn")
    result = machine.run("test")
    assert result.returncode == 0, result.stderr
    assert machine.apt_calls() == [
        "DEBIAN_FRONTEND=noninteractive update -qq",
        install_call(["kcat", "prometheus"]),
    ]


def test_run_profile_leaves_out_the_test_tools(machine: FakeMachine) -> None:
    machine.uid(0)
    result = machine.run("run")
    assert result.returncode == 0, result.stderr
    assert machine.apt_calls()[-1] == install_call(RUN_PACKAGES)


def test_prometheus_package_counts_once_when_both_its_commands_are_missing(machine: FakeMachine) -> None:
    machine.uid(0)
    result = machine.run("test")
    assert result.returncode == 0, result.stderr
    assert machine.apt_calls()[-1] == install_call(TEST_PACKAGES)


def test_python_without_ensurepip_gets_python3_venv(machine: FakeMachine) -> None:
    # Debian's python3 without python3-venv: `python3 -m venv` fails for want of ensurepip.
    machine.uid(0)
    machine.python(ensurepip=False)
    result = machine.run("python")
    assert result.returncode == 0, result.stderr
    assert machine.apt_calls()[-1] == install_call(["python3-venv"])


def test_python_without_a_compiler_gets_gcc_and_the_headers(machine: FakeMachine) -> None:
    # setup.py compiles the engine's modules: gcc, and Python.h from python3-dev.
    machine.uid(0)
    machine.python(compiler=False)
    result = machine.run("python")
    assert result.returncode == 0, result.stderr
    assert machine.apt_calls()[-1] == install_call(["gcc", "python3-dev"])


def test_not_root_stops_with_the_command_to_run(machine: FakeMachine) -> None:
    machine.uid(1000)
    machine.python(ensurepip=False)
    machine.has("java", "mvn")
    command = (
        "sudo apt-get update && sudo apt-get install -y --no-install-recommends python3-venv kcat prometheus"
    )
    assert_stops_with(machine.run("test"), f"  {command}\n")
    assert machine.apt_calls() == []


def test_python_too_old_is_refused_without_installing(machine: FakeMachine) -> None:
    machine.uid(0)
    machine.python("3.9.2")
    assert_stops_with(machine.run("run"), "needs Python 3.11 or newer; python3 is Python 3.9.2")
    assert machine.apt_calls() == []


def test_a_package_that_does_not_bring_its_command_is_reported(machine: FakeMachine) -> None:
    machine.uid(0)
    machine.apt(provides=False)
    machine.has("java", "mvn")
    assert_stops_with(machine.run("test"), "still missing after apt-get install: kcat prometheus")


def test_without_apt_get_names_the_packages(machine: FakeMachine) -> None:
    machine.uid(0)
    (machine.bin / "apt-get").unlink()
    assert_stops_with(machine.run("run"), "needs: openjdk-17-jre-headless maven (Debian package names)")


def test_unknown_profile_is_a_usage_error(machine: FakeMachine) -> None:
    assert machine.run("deploy").returncode == 2


def test_readme_names_the_packages_the_script_installs(machine: FakeMachine) -> None:
    machine.uid(1000)
    machine.python(ensurepip=False, compiler=False)
    requested = re.search(r"--no-install-recommends (.*)", machine.run("test").stderr)
    assert requested is not None
    section = README.split("## The two commands", 1)[1].split("\n## ", 1)[0]
    named = re.search(r"looks for the Debian\npackages: (.*?) for `make test`", section, flags=re.DOTALL)
    assert named is not None, "README's two-commands section no longer lists the packages"
    assert re.findall(r"`([a-z0-9.+-]+)`", named.group(1)) == requested.group(1).split()


def test_make_run_and_make_test_call_the_script_and_ci_does_not_repeat_it() -> None:
    makefile = (REPO_ROOT / "Makefile").read_text()
    for target, needs in [
        ("run", "system-packages-run"),
        ("run-once", "system-packages-run"),
        ("test", "system-packages-test"),
    ]:
        assert re.search(rf"^{target}: {needs} venv\b", makefile, flags=re.MULTILINE), target
    assert "apt-get" not in (REPO_ROOT / ".ci" / "run").read_text()
