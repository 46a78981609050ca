"""The peers of the interop tests: brokers and clients, each a separate process (or, for
paho, a client in this process) on 127.0.0.1, started on a free port and stopped by pid.

Brokers: mosquitto (a temporary config file) and our mqttconn-broker (-p 0 prints the port).
Clients: the command-line ones, ours (mqttconn-client pub/sub) and mosquitto_pub/sub, which
share their flags, and paho-mqtt (paho_peer.py). Every client adapter offers the same few
operations (subscribe, publish, will_client, connect_disconnect), so one scenario runs against
every pairing.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid

LEVELS = ("v31", "v311", "v5")
CLI_LEVEL = {"v31": "mqttv31", "v311": "mqttv311", "v5": "mqttv5"}


def env_path(name, default):
    path = os.environ.get(name) or default
    if path and os.sep not in path:
        path = shutil.which(path) or path
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"exited with {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"not listening on port {port} after {timeout} s")


def unique(prefix):
    return f"{prefix}/{uuid.uuid4().hex[:12]}"


def short_id(tag):
    """A client id that MQTT 3.1 accepts too (at most 23 characters)."""
    return f"{tag[:8]}-{uuid.uuid4().hex[:12]}"


class LineReader:
    """Collects a process's output lines on a thread, so a test can wait for one."""

    def __init__(self, stream):
        self.lines = []
        self.cond = threading.Condition()
        self.closed = False
        self.thread = threading.Thread(target=self._run, args=(stream,), daemon=True)
        self.thread.start()

    def _run(self, stream):
        for raw in iter(stream.readline, b""):
            with self.cond:
                self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def wait_for(self, predicate, timeout):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for line in self.lines:
                    if predicate(line):
                        return line
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    return None
                self.cond.wait(left)

    def text(self):
        with self.cond:
            return "\n".join(self.lines)


class Process:
    """A started program; stop() kills it by its pid if it is still running."""

    def __init__(self, argv, stdin=None):
        self.argv = argv
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if stdin is not None:
            threading.Thread(target=self._feed, args=(stdin,), daemon=True).start()
        self.out = LineReader(self.proc.stdout)

    def _feed(self, data):
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.close()
        except OSError:
            pass

    @property
    def pid(self):
        return self.proc.pid

    def wait(self, timeout):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self, sig=signal.SIGKILL):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
        self.proc.wait(10)

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            if self.wait(5) is None:
                self.kill()
        self.out.thread.join(5)

    def describe(self):
        return f"$ {' '.join(self.argv[:12])}{' ...' if len(self.argv) > 12 else ''}\n{self.out.text()[-3000:]}"


# --- Brokers ------------------------------------------------------------------------------

class Broker:
    name = ""

    def __init__(self):
        self.port = None
        self.process = None

    def alive(self):
        return self.process is not None and self.process.proc.poll() is None

    def stop(self):
        if self.process is not None:
            self.process.stop()


class MosquittoBroker(Broker):
    name = "mosquitto"

    def start(self):
        self.port = free_port()
        self.conf = tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False)
        self.conf.write(f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
                        "log_type all\n")
        self.conf.close()
        self.process = Process([env_path("MOSQUITTO", "/usr/sbin/mosquitto"), "-c", self.conf.name])
        wait_port(self.port, self.process.proc)
        return self

    def stop(self):
        super().stop()
        os.unlink(self.conf.name)


class OurBroker(Broker):
    name = "our-broker"

    def start(self):
        exe = env_path("MQTTCONN_BROKER", "")
        if not exe or not os.path.exists(exe):
            raise RuntimeError("set MQTTCONN_BROKER to the mqttconn-broker binary")
        self.process = Process([exe, "-p", "0", "-b", "127.0.0.1"])
        line = self.process.out.wait_for(lambda l: l.startswith("listening on "), 10)
        if line is None:
            raise RuntimeError(f"mqttconn-broker did not print its port:\n{self.process.describe()}")
        self.port = int(line.rsplit(":", 1)[1].split()[0])
        wait_port(self.port, self.process.proc)
        return self


# --- Clients ------------------------------------------------------------------------------

class Message:
    def __init__(self, topic, payload, qos=0, retain=False, props=None):
        self.topic, self.payload, self.qos, self.retain = topic, payload, qos, retain
        self.props = props or {}

    def __repr__(self):
        return f"Message({self.topic!r}, {self.payload[:40]!r}, qos={self.qos}, retain={self.retain})"


# The subscriber's -F format: a marker, then the fields, '|' between them; the payload last.
CLI_FORMAT = "MSG|%q|%r|%P|%C|%R|%D|%E|%F|%t|%p"
CLI_PROP_FIELDS = ("user_properties", "content_type", "response_topic", "correlation_data",
                   "message_expiry_interval", "payload_format_indicator")


def parse_cli_message(line):
    parts = line.split("|", 10)
    props = dict(zip(CLI_PROP_FIELDS, parts[3:9]))
    return Message(parts[9], parts[10].encode(), int(parts[1]), parts[2] == "1",
                   {k: v for k, v in props.items() if v != ""})


class CliSubscriber:
    def __init__(self, process, ready_marker="received SUBACK"):
        self.process = process
        self.ready_marker = ready_marker

    def ready(self, timeout=10, after=None):
        marker = after or self.ready_marker
        return self.process.out.wait_for(lambda l: marker in l, timeout) is not None

    def messages(self):
        return [parse_cli_message(l) for l in self.process.out.lines if l.startswith("MSG|")]

    def wait_messages(self, n, timeout):
        deadline = time.monotonic() + timeout
        while len(self.messages()) < n and time.monotonic() < deadline:
            if self.process.out.wait_for(lambda l: False, 0.05) is None and self.process.proc.poll() is not None:
                break
        return self.messages()

    def count(self, text):
        return sum(1 for l in list(self.process.out.lines) if text.lower() in l.lower())

    def kill(self):
        self.process.kill()

    def stop(self):
        self.process.stop()

    def describe(self):
        return self.process.describe()


class CliClient:
    """mqttconn-client or mosquitto_pub/mosquitto_sub: the same flags."""

    def __init__(self, name, pub_cmd, sub_cmd, min_keep_alive):
        self.name = name
        self.pub_cmd, self.sub_cmd = pub_cmd, sub_cmd
        self.min_keep_alive = min_keep_alive

    def _common(self, broker, level, keep_alive=None, client_id=None):
        args = ["-h", "127.0.0.1", "-p", str(broker.port), "-V", CLI_LEVEL[level],
                "-i", client_id or short_id("c")]
        if keep_alive is not None:
            args += ["-k", str(keep_alive)]
        return args

    def will_client(self, broker, level, topic, payload, qos):
        """A subscriber with a will, ready once subscribed; the test kills it."""
        args = self.sub_cmd + self._common(broker, level) + [
            "-d", "-t", unique("interop/idle"), "--will-topic", topic, "--will-payload", payload,
            "--will-qos", str(qos)]
        return CliSubscriber(Process(args))

    def subscribe(self, broker, level, topics, qos=0, count=None, keep_alive=None, unsubscribe=(),
                  timeout=30):
        args = self.sub_cmd + self._common(broker, level, keep_alive) + ["-d", "-q", str(qos), "-F", CLI_FORMAT]
        for t in topics:
            args += ["-t", t]
        for t in unsubscribe:
            args += ["-U", t]
        if count is not None:
            args += ["-C", str(count)]
        args += ["-W", str(timeout)]
        return CliSubscriber(Process(args))

    def publish(self, broker, level, topic, payload=b"", qos=0, retain=False, props=None, lines=None,
                tmp_path=None, timeout=20):
        args = self.pub_cmd + self._common(broker, level) + ["-d", "-q", str(qos), "-t", topic]
        if retain:
            args.append("-r")
        for key, value in (props or {}).items():
            if key == "user_properties":
                for name, val in value:
                    args += ["-D", "publish", "user-property", name, val]
            else:
                args += ["-D", "publish", key.replace("_", "-"), str(value)]
        stdin = None
        if lines is not None:
            args.append("-l")
            stdin = b"".join(l + b"\n" for l in lines)
        elif not payload:
            args.append("-n")
        elif len(payload) > 65536:
            path = tmp_path / "payload.bin"
            path.write_bytes(payload)
            args += ["-f", str(path)]
        else:
            args += ["-m", payload.decode()]
        p = Process(args, stdin=stdin)
        rc = p.wait(timeout)
        if rc is None:
            p.kill()
        p.out.thread.join(5)
        return rc, p.describe()

    def connect_disconnect(self, broker, level):
        """Connects, subscribes (so the exchange is not empty) and disconnects: -E."""
        args = self.sub_cmd + self._common(broker, level) + ["-d", "-t", unique("interop/cd"), "-E"]
        p = Process(args)
        rc = p.wait(20)
        if rc is None:
            p.kill()
        p.out.thread.join(5)
        return rc, p.out.text()


def cli_clients():
    ours = env_path("MQTTCONN_CLIENT", "")
    line_buffered = env_path("STDBUF", "stdbuf")
    return {
        "our-client": CliClient("our-client", [ours, "pub"], [ours, "sub"], 1),
        # mosquitto_sub buffers its output into a pipe: stdbuf makes it line by line, so a test
        # sees "received SUBACK" when it happens. libmosquitto refuses keep-alives below 5 s.
        "mosquitto-clients": CliClient("mosquitto-clients",
                                       [line_buffered, "-oL", env_path("MOSQUITTO_PUB", "mosquitto_pub")],
                                       [line_buffered, "-oL", env_path("MOSQUITTO_SUB", "mosquitto_sub")], 5),
    }
