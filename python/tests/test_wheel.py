"""The wheel: built by meson-python from a copy of the source tree, installed offline into a
throwaway venv (Debian's interpreter, its meson-python through --system-site-packages), then
used from outside the tree with nothing pointing at the build (no MQTTCONN_LIBRARY, no
PYTHONPATH). About 40 s on two cores."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("MQTTCONN_SOURCE_ROOT") or os.path.dirname(os.path.dirname(HERE))


def ignore(directory, names):
    skip = {".git", "__pycache__", ".pytest_cache"}
    if os.path.abspath(directory) == os.path.abspath(ROOT):  # build directories at the top
        skip |= {n for n in names if n.startswith("build") or n.startswith(".mesonpy")}
    return [n for n in names if n in skip]


def test_the_wheel_builds_installs_and_works_offline(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=ignore, symlinks=True)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items() if k not in ("MQTTCONN_LIBRARY", "PYTHONPATH")}
    py = str(venv / "bin" / "python")
    r = subprocess.run([py, "-m", "pip", "install", "--no-build-isolation", "--no-index", str(src)],
                       capture_output=True, env=env, timeout=900)
    assert r.returncode == 0, r.stdout.decode()[-3000:] + r.stderr.decode()[-3000:]
    script = (
        "import mqttconn, os\n"
        "assert mqttconn.library_path.startswith(os.path.realpath(os.environ['VIRTUAL_ENV_DIR'])), mqttconn.library_path\n"
        "p = mqttconn.Publish(topic='a/b', payload=b'x', qos=1, packet_id=3,"
        " properties=mqttconn.Properties(user_properties=(('k', 'v'),)))\n"
        "assert mqttconn.decode(mqttconn.encode(p, 5), 5) == [p]\n"
        "print('ok', mqttconn.__version__)\n")
    env["VIRTUAL_ENV_DIR"] = str(venv)
    r = subprocess.run([py, "-c", script], capture_output=True, env=env, cwd=str(tmp_path), timeout=60)
    assert r.returncode == 0, r.stderr.decode()
    assert r.stdout.decode().strip() == "ok 0.1.0"
    r = subprocess.run([py, "-m", "mqttconn", "decode", "--hex"], input=b"c000", capture_output=True, env=env,
                       cwd=str(tmp_path), timeout=60)
    assert r.returncode == 0 and r.stdout.decode().strip() == '{"cmd":"pingreq"}'
