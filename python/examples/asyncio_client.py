"""A small MQTT client on asyncio streams, driven by the mqttconn binding.

The binding does the protocol (encoding, decoding, the rules of each state); this file does
the I/O and the bookkeeping an application wants: futures for acknowledgements, a queue of
received messages, the QoS 1 and 2 flows in both directions.

    python3 asyncio_client.py --port 1883 [--protocol-version 4|5] [--topic mqttconn/demo]

connects, subscribes to TOPIC/# at QoS 2, publishes one message at each QoS (with a user
property at level 5), waits for the three to come back, pings, disconnects, and prints each
received message as a JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys

import mqttconn


class Client:
    """An MQTT client over one asyncio connection."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self._reader = reader
        self._writer = writer
        self._conn = mqttconn.Connection(role="client")
        self._ids = itertools.cycle(range(1, 65536))
        self._waiting = {}  # (packet kind, packet id) -> future of the packet that answers
        self.messages: asyncio.Queue = asyncio.Queue()
        self._task = None
        self.closed = asyncio.get_running_loop().create_future()

    @classmethod
    async def open(cls, host: str, port: int) -> "Client":
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    # ---- Plumbing ---------------------------------------------------------------------

    async def _flush(self) -> None:
        data = self._conn.data_to_send()
        if data:
            self._writer.write(data)
            await self._writer.drain()

    def _expect(self, kind: str, packet_id: int = 0) -> asyncio.Future:
        fut = asyncio.get_running_loop().create_future()
        self._waiting[(kind, packet_id)] = fut
        return fut

    def _answer(self, kind: str, packet_id: int, packet) -> None:
        fut = self._waiting.pop((kind, packet_id), None)
        if fut is not None and not fut.done():
            fut.set_result(packet)

    async def _read_loop(self) -> None:
        try:
            while True:
                data = await self._reader.read(65536)
                if not data:
                    break
                for packet in self._conn.receive_data(data):
                    self._dispatch(packet)
                await self._flush()  # acknowledgements queued by _dispatch
        except mqttconn.ProtocolError as e:
            for packet in e.packets:
                self._dispatch(packet)
            await self._flush()  # the DISCONNECT that says why, at level 5
            self._fail(e)
        except Exception as e:  # connection reset, ...
            self._fail(e)
        else:
            self._fail(ConnectionError("the server closed the connection"))

    def _fail(self, exc: BaseException) -> None:
        for fut in self._waiting.values():
            if not fut.done():
                fut.set_exception(exc)
        self._waiting.clear()
        if not self.closed.done():
            self.closed.set_result(exc)

    def _dispatch(self, p) -> None:
        if isinstance(p, mqttconn.Publish):
            if p.qos == 1:
                self._conn.puback(packet_id=p.packet_id)
            elif p.qos == 2:
                self._conn.pubrec(packet_id=p.packet_id)
            self.messages.put_nowait(p)
        elif isinstance(p, mqttconn.Pubrel):  # QoS 2 inbound, step 2
            self._conn.pubcomp(packet_id=p.packet_id)
        elif isinstance(p, mqttconn.Pubrec):  # QoS 2 outbound, step 1
            self._conn.pubrel(packet_id=p.packet_id)
        elif isinstance(p, (mqttconn.Puback, mqttconn.Pubcomp, mqttconn.Suback, mqttconn.Unsuback)):
            self._answer(p.cmd, p.packet_id, p)
        elif isinstance(p, (mqttconn.Connack, mqttconn.Pingresp)):
            self._answer(p.cmd, 0, p)
        elif isinstance(p, mqttconn.Disconnect):
            self._fail(ConnectionError(f"the server disconnected, reason code {p.reason_code:#x}"))

    # ---- The client's operations ------------------------------------------------------

    async def connect(self, client_id: str, protocol_version: int = 4, keep_alive: int = 60, **kw):
        """Sends CONNECT and returns the CONNACK (raises if it refuses)."""
        self._conn.connect(client_id=client_id, protocol_version=protocol_version, keep_alive=keep_alive, **kw)
        answer = self._expect("connack")
        self._task = asyncio.get_running_loop().create_task(self._read_loop())
        await self._flush()
        connack = await answer
        if connack.reason_code != 0:
            raise ConnectionError(f"CONNACK refused: {connack.reason_code:#x}")
        return connack

    async def subscribe(self, topic_filter: str, qos: int = 0, **kw):
        pid = next(self._ids)
        self._conn.subscribe(packet_id=pid, subscriptions=[mqttconn.Subscription(topic_filter, qos)], **kw)
        answer = self._expect("suback", pid)
        await self._flush()
        return await answer

    async def publish(self, topic: str, payload: bytes, qos: int = 0, retain: bool = False, **kw):
        """Publishes; at QoS 1 returns the PUBACK, at QoS 2 the PUBCOMP (after PUBREC/PUBREL)."""
        pid = next(self._ids) if qos else 0
        self._conn.publish(topic=topic, payload=payload, qos=qos, retain=retain, packet_id=pid, **kw)
        answer = self._expect("puback" if qos == 1 else "pubcomp", pid) if qos else None
        await self._flush()
        return await answer if answer is not None else None

    async def ping(self):
        self._conn.pingreq()
        answer = self._expect("pingresp")
        await self._flush()
        return await answer

    async def disconnect(self, **kw) -> None:
        self._conn.disconnect(**kw)
        await self._flush()
        self._writer.close()
        await self._writer.wait_closed()
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass


async def demo(host: str, port: int, protocol_version: int, topic: str, out=sys.stdout) -> list:
    """The run described at the top; returns the received messages."""
    client = await Client.open(host, port)
    await client.connect(f"mqttconn-demo-{protocol_version}", protocol_version=protocol_version)
    await client.subscribe(topic + "/#", qos=2)
    extra = {"user_properties": [("origin", "mqttconn"), ("origin", "asyncio")]} if protocol_version == 5 else {}
    for qos in (0, 1, 2):
        await client.publish(f"{topic}/qos{qos}", f"message at QoS {qos}".encode(), qos=qos, **extra)
    received = []
    for _ in range(3):
        received.append(await asyncio.wait_for(client.messages.get(), 10))
    await client.ping()
    await client.disconnect()
    for m in sorted(received, key=lambda m: m.topic):
        out.write(json.dumps({"topic": m.topic, "payload": m.payload.decode(), "qos": m.qos,
                              "userProperties": list(m.properties.user_properties)}) + "\n")
    return received


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=1883)
    ap.add_argument("--protocol-version", type=int, choices=(3, 4, 5), default=4)
    ap.add_argument("--topic", default="mqttconn/demo")
    a = ap.parse_args(argv)
    asyncio.run(demo(a.host, a.port, a.protocol_version, a.topic))
    return 0


if __name__ == "__main__":
    sys.exit(main())
