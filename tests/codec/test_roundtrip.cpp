// decode(encode(p)) == p for random packets of every kind and level, and the encoding is
// canonical: encoding the decoded packet gives the same bytes.
#include "codec_helpers.hpp"
#include "random_packets.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

namespace {

constexpr protocol_version levels[] = {protocol_version::v3_1, protocol_version::v3_1_1, protocol_version::v5};

bool exists_at(packet_type t, protocol_version v) { return t != packet_type::auth || v == protocol_version::v5; }

}  // namespace

TEST_SUITE("codec roundtrip") {

TEST_CASE("random packets of every kind and level survive encode then decode") {
  packet_generator gen(20261125);
  for (protocol_version v : levels) {
    for (int t = 1; t <= 15; ++t) {
      const auto type = static_cast<packet_type>(t);
      if (!exists_at(type, v)) continue;
      for (int i = 0; i < 200; ++i) {
        const packet p = gen.make(type, v);
        CAPTURE(t);
        CAPTURE(static_cast<int>(v));
        const result<std::size_t> size = encoded_size(p, v);
        REQUIRE_MESSAGE(size, (size ? "" : size.error().message()));
        std::vector<std::uint8_t> wire;
        REQUIRE(encode(p, v, wire));
        CHECK(wire.size() == *size);
        const result<packet> back = decode_one(wire, v);
        REQUIRE_MESSAGE(back, (back ? std::string() : describe(back.error(), wire)));
        CHECK(*back == p);
        std::vector<std::uint8_t> again;
        REQUIRE(encode(*back, v, again));
        CHECK(again == wire);
      }
    }
  }
}

TEST_CASE("decode() into a packet that held a PUBLISH keeps nothing of it") {
  // decode() resets only what a PUBLISH body does not overwrite (the packet identifier, the
  // property block): a QoS 0 packet after a QoS 1 one, a 3.x packet after a 5.0 one with
  // properties, and every other order of random PUBLISHes.
  packet_generator gen(20261126);
  packet reused;
  for (int i = 0; i < 3000; ++i) {
    const protocol_version v = levels[static_cast<std::size_t>(i * 7 + i / 3) % 3];
    const packet p = gen.make(packet_type::publish, v);
    CAPTURE(i);
    std::vector<std::uint8_t> wire;
    REQUIRE(encode(p, v, wire));
    const result<std::size_t> n = decode(bytes(wire), v, reused);
    REQUIRE(n);
    CHECK(*n == wire.size());
    CHECK(reused == p);
  }
}

TEST_CASE("a stream of random packets of every kind decodes the same however it is split [MQTT-6.0.0-2]") {
  packet_generator gen(7);
  for (protocol_version v : levels) {
    std::vector<std::uint8_t> stream;
    std::size_t count = 0;
    for (int round = 0; round < 3; ++round) {
      for (int t = 1; t <= 15; ++t) {
        if (!exists_at(static_cast<packet_type>(t), v)) continue;
        // CONNECT names its own level, so the stream keeps the level it starts with.
        const packet p = gen.make(static_cast<packet_type>(t), v);
        REQUIRE(encode(p, v, stream));
        ++count;
      }
    }
    const stream_outcome out = check_split_invariance(stream, v);
    CHECK(out.packets == count);
    CHECK_FALSE(out.failure.has_value());
  }
}

TEST_CASE("the encoder writes nothing when it refuses a packet") {
  publish p;
  p.topic = "a/+";  // wildcard in a Topic Name [MQTT-3.3.2-2]
  std::vector<std::uint8_t> out{1, 2, 3};
  const result<std::size_t> r = encode(p, protocol_version::v5, out);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::invalid_packet);
  CHECK(r.error().reason_code == 0x90);
  CHECK(r.error().packet == 3);
  CHECK(out == std::vector<std::uint8_t>{1, 2, 3});
}

TEST_CASE("encoding into a span that is too small fails and writes nothing") {
  publish p;
  p.topic = "sensors/room1/temp";
  p.payload = bin("hello");
  std::uint8_t buf[8];
  std::fill(std::begin(buf), std::end(buf), 0xAA);
  const result<std::size_t> r = encode(p, protocol_version::v3_1_1, std::span<std::uint8_t>(buf));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::buffer_too_small);
  for (std::uint8_t b : buf) CHECK(b == 0xAA);
}

TEST_CASE("a PUBLISH header plus its payload reference equals the whole packet") {
  std::vector<std::uint8_t> payload(70000, 0x5A);
  for (protocol_version v : levels) {
    publish p;
    p.qos = qos::exactly_once;
    p.packet_id = 9;
    p.topic = "bulk/data";
    p.payload = binary(payload.data(), payload.size());
    if (v == protocol_version::v5) p.props.set_content_type("application/octet-stream");
    std::vector<std::uint8_t> whole;
    REQUIRE(encode(p, v, whole));
    const result<std::size_t> hs = publish_header_size(p, v);
    REQUIRE(hs);
    std::vector<std::uint8_t> head(*hs);
    const result<std::size_t> n = encode_publish_header(p, v, head);
    REQUIRE(n);
    CHECK(*n == *hs);
    head.insert(head.end(), payload.begin(), payload.end());
    CHECK(head == whole);
  }
}

TEST_CASE("a remaining length over 268435455 is refused by the encoder") {
  // A payload view of 268,435,456 bytes; the encoder refuses it before touching the data.
  static const std::uint8_t byte = 0;
  publish p;
  p.topic = "t";
  p.payload = binary(&byte, 268'435'456);
  const result<std::size_t> r = encoded_size(p, protocol_version::v3_1_1);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::invalid_packet);
  CHECK(r.error().reason_code == 0x95);
}

}  // TEST_SUITE
