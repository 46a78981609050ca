// stream_decoder: incremental feeds, zero copy, bounded memory, sticky errors.
#include "codec_helpers.hpp"
#include "counting_resource.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

namespace {

std::vector<std::uint8_t> publish_bytes(std::string_view topic, std::size_t payload, protocol_version v) {
  static std::vector<std::uint8_t> body(1 << 20, 0x42);
  publish p;
  p.topic = topic;
  p.payload = binary(body.data(), payload);
  std::vector<std::uint8_t> out;
  REQUIRE(encode(p, v, out));
  return out;
}

}  // namespace

TEST_SUITE("codec stream") {

TEST_CASE("a packet that arrives whole is a view of the caller's bytes") {
  const auto wire = publish_bytes("a/b", 100, protocol_version::v3_1_1);
  stream_decoder d(protocol_version::v3_1_1);
  bytes in = wire;
  packet p;
  REQUIRE(d.next(in, p));
  const publish& pub = std::get<publish>(p);
  CHECK(pub.payload.data() == wire.data() + wire.size() - 100);
  CHECK(pub.topic.data() == reinterpret_cast<const char*>(wire.data() + 4));
  CHECK(in.empty());
  CHECK(d.buffered() == 0);
  CHECK(d.offset() == wire.size());
}

TEST_CASE("a packet split across feeds is reassembled and the next packet's bytes are left to the caller") {
  auto wire = publish_bytes("a/b", 300, protocol_version::v5);
  const auto second = hex("c0 00");  // PINGREQ
  wire.insert(wire.end(), second.begin(), second.end());
  stream_decoder d(protocol_version::v5);
  packet p;
  bytes first_part(wire.data(), 100);
  CHECK(d.next(first_part, p).error().code == errc::need_more);
  CHECK(first_part.empty());
  CHECK(d.buffered() == 100);
  bytes rest(wire.data() + 100, wire.size() - 100);
  REQUIRE(d.next(rest, p));
  CHECK(std::get<publish>(p).payload.size() == 300);
  CHECK(rest.size() == 2);  // PINGREQ untouched
  REQUIRE(d.next(rest, p));
  CHECK(std::holds_alternative<pingreq>(p));
  CHECK(d.offset() == wire.size());
}

TEST_CASE("a claimed length of 268435455 costs nothing until its bytes arrive") {
  counting_resource mr;
  stream_decoder d(protocol_version::v5, {}, &mr);
  const auto head = hex("30 ff ff ff 7f");  // PUBLISH, remaining length 268,435,455
  bytes in = head;
  packet p;
  CHECK(d.next(in, p).error().code == errc::need_more);
  CHECK(mr.bytes_peak < 64);  // the five header bytes, not the announced size
}

TEST_CASE("the maximum packet size is enforced from the fixed header before the body is buffered") {
  counting_resource mr;
  decode_options o;
  o.max_packet_size = 1024;
  stream_decoder d(protocol_version::v5, o, &mr);
  const auto head = hex("30 81 08");  // PUBLISH, remaining length 1025
  bytes in = head;
  packet p;
  const result<void> r = d.next(in, p);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::packet_too_large);
  CHECK(r.error().reason_code == 0x95);
  CHECK(r.error().offset == 0);
  CHECK(mr.allocations == 0);
}

TEST_CASE("the maximum packet size counts the whole packet including its fixed header") {
  decode_options o;
  o.max_packet_size = 10;
  packet p;
  const auto ten = hex("30 08 00 01 61 00 00 00 00 00");  // 2 + 8 = 10 bytes
  CHECK(decode(ten, protocol_version::v3_1_1, p, o));
  const auto eleven = hex("30 09 00 01 61 00 00 00 00 00 00");
  const result<std::size_t> r = decode(eleven, protocol_version::v3_1_1, p, o);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::packet_too_large);
}

TEST_CASE("steady-state decoding allocates nothing") {
  counting_resource mr;
  std::vector<std::uint8_t> stream;
  for (int i = 0; i < 200; ++i) {
    const auto one = publish_bytes("sensors/room1/temp", 32 + (i % 7) * 100, protocol_version::v5);
    stream.insert(stream.end(), one.begin(), one.end());
  }
  stream_decoder d(protocol_version::v5, {}, &mr);
  packet p;
  std::size_t packets = 0, after_warmup = 0;
  for (std::size_t pos = 0; pos < stream.size(); pos += 97) {
    bytes in(stream.data() + pos, std::min<std::size_t>(97, stream.size() - pos));
    while (d.next(in, p)) ++packets;
    if (packets == 20) after_warmup = mr.allocations;
  }
  CHECK(packets == 200);
  CHECK(mr.allocations == after_warmup);
  CHECK(mr.allocations <= 8);
}

TEST_CASE("errors are sticky and packets before the bad one are all delivered") {
  const auto wire = hex("c0 00"   // PINGREQ
                        "d0 00"   // PINGRESP
                        "c1 00"   // PINGREQ with a reserved flag bit set [MQTT-2.1.3-1]
                        "c0 00");
  stream_decoder d(protocol_version::v5);
  bytes in = wire;
  packet p;
  REQUIRE(d.next(in, p));
  REQUIRE(d.next(in, p));
  const result<void> bad = d.next(in, p);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == errc::malformed_packet);
  CHECK(bad.error().offset == 4);
  CHECK(bad.error().packet == 12);
  CHECK(d.failed());
  const auto more = hex("c0 00");
  bytes again = more;
  const result<void> later = d.next(again, p);
  REQUIRE_FALSE(later);
  CHECK(later.error() == bad.error());
  check_split_invariance(wire, protocol_version::v5);
}

TEST_CASE("error offsets count from the first byte ever fed") {
  auto wire = publish_bytes("x", 10, protocol_version::v3_1_1);
  const auto bad = hex("30 03 00 01 2b");  // PUBLISH to topic "+": a wildcard [MQTT-3.3.2-2]
  wire.insert(wire.end(), bad.begin(), bad.end());
  const stream_outcome out = check_split_invariance(wire, protocol_version::v3_1_1);
  CHECK(out.packets == 1);
  REQUIRE(out.failure);
  CHECK(out.failure->code == errc::topic_name_invalid);
  CHECK(out.failure->reason_code == 0x90);
  CHECK(out.failure->offset == wire.size() - 3);  // the topic's length prefix
}

TEST_CASE("a Remaining Length of five bytes is malformed as soon as the fourth byte is seen [V5-U03]") {
  stream_decoder d(protocol_version::v5);
  const auto wire = hex("30 ff ff ff ff");
  bytes in(wire.data(), 4);
  packet p;
  CHECK(d.next(in, p).error().code == errc::need_more);
  bytes last(wire.data() + 4, 1);
  const result<void> r = d.next(last, p);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::malformed_packet);
  CHECK(r.error().offset == 4);
  check_split_invariance(wire, protocol_version::v5);
}

TEST_CASE("a Remaining Length not in its shortest form is malformed [MQTT-1.5.5-1]") {
  const auto wire = hex("c0 80 00");  // PINGREQ, remaining length 0 written in two bytes
  const stream_outcome out = check_split_invariance(wire, protocol_version::v5);
  REQUIRE(out.failure);
  CHECK(out.failure->code == errc::malformed_packet);
  CHECK(out.failure->offset == 2);
}

TEST_CASE("every proper prefix of a packet needs more bytes") {
  auto wire = publish_bytes("sensors/room1/temp", 200, protocol_version::v5);
  for (std::size_t n = 0; n < wire.size(); ++n) {
    packet p;
    const result<std::size_t> r = decode(bytes(wire.data(), n), protocol_version::v5, p);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::need_more);
  }
}

TEST_CASE("a server decoder switches to the level of the CONNECT it received") {
  const auto wire = hex("10 10"                 // CONNECT
                        "00 06 4d 51 49 73 64 70"  // "MQIsdp"
                        "03"                    // level 3
                        "02"                    // clean session
                        "00 3c"                 // keep alive 60
                        "00 02 63 31"           // client id "c1"
                        "6a 02 00 07");         // PUBREL with DUP: legal only at level 3 [V31-D06]
  const stream_outcome out = check_split_invariance(wire, protocol_version::v5);
  CHECK(out.packets == 2);
  CHECK_FALSE(out.failure);
}

}  // TEST_SUITE
