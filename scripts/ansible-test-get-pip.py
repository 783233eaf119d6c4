"""Stand-in for ansible-test's pip bootstrap script (get-pip), for networks without its host.

ansible-test builds each sanity test's virtual environment without pip, then runs a bootstrap
script it downloads from ci-files.testing.ansible.com (get-pip-<version>.py) and caches at
~/.ansible/test/cache/get_pip_<version>.py. That host is not reachable here; PyPI is. This
script does the same job with what Python and PyPI provide: Python's own ensurepip puts a pip
into the environment, then that pip installs the packages ansible-test asked for (pip==24.2
among them). get-pip's own flags (--no-setuptools, --no-wheel) mean "do not add these": we add
nothing, so they are dropped. `make setup` installs this file into ansible-test's cache only
when no bootstrap script is cached there.
"""
import subprocess
import sys

GET_PIP_ONLY_FLAGS = {"--no-setuptools", "--no-wheel"}


def main() -> int:
    """Install pip with ensurepip, then the requested packages with that pip."""
    subprocess.run([sys.executable, "-m", "ensurepip", "--default-pip"], check=True, stdout=subprocess.DEVNULL)
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_FLAGS]
    return subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *args], check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
