// Helpers shared by the MQTT 5.0 codec rule tests (test_rules_v5_*.cpp): decode and encode
// verdicts at level 5, and byte builders for hand-made packets.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "codec_helpers.hpp"

namespace mqttconn::test::inline rules_v5 {

inline constexpr protocol_version v5 = protocol_version::v5;
using byte_vec = std::vector<std::uint8_t>;

// decode() rejects `in` with this error; a stream holding a PINGREQ and then `in` yields the
// PINGREQ and then the same error, two bytes further on, however it is split.
inline void check_rejects(const byte_vec& in, errc code, std::uint8_t rc, std::uint64_t offset,
                          const decode_options& o = {}) {
  const std::string input = to_hex(in);
  INFO("input: ", input);
  const result<packet> r = decode_one(in, v5, o);
  if (r) {
    FAIL_CHECK("the packet was accepted");
    return;
  }
  const error& e = r.error();
  const std::string message = e.message();
  INFO("error: ", message);
  CHECK(e.code == code);
  CHECK(e.reason_code == rc);
  CHECK(e.offset == offset);
  CHECK(e.packet == in[0] >> 4);
  CHECK(*e.field != '\0');
  CHECK(*e.what != '\0');
  byte_vec stream = hex("c0 00");  // PINGREQ
  stream.insert(stream.end(), in.begin(), in.end());
  const stream_outcome s = check_split_invariance(stream, v5, o);
  CHECK(s.packets == 1);
  REQUIRE(s.failure);
  CHECK(s.failure->code == code);
  CHECK(s.failure->reason_code == rc);
  CHECK(s.failure->offset == offset + 2);
}

// Decodes `in`, which must be exactly one packet of kind P; views point into `in`.
template <class P>
P check_accepts(const byte_vec& in, const decode_options& o = {}) {
  const std::string input = to_hex(in);
  INFO("input: ", input);
  const result<packet> r = decode_one(in, v5, o);
  REQUIRE_MESSAGE(r, (r ? std::string() : r.error().message()));
  REQUIRE(std::holds_alternative<P>(*r));
  return std::get<P>(*r);
}

// The encoder refuses `p` with errc::invalid_packet and writes nothing.
template <class P>
void check_refused(const P& p) {
  const auto r = encode_bytes(p, v5);  // checks that nothing was appended
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::invalid_packet);
  CHECK(*r.error().field != '\0');
  CHECK(*r.error().what != '\0');
  byte_vec buf(64, 0xEE);
  const result<std::size_t> n = encode(p, v5, std::span<std::uint8_t>(buf));
  REQUIRE_FALSE(n);
  CHECK(n.error().code == errc::invalid_packet);
  CHECK(std::all_of(buf.begin(), buf.end(), [](std::uint8_t b) { return b == 0xEE; }));
}

template <class P>
byte_vec check_encodes(const P& p) {
  const auto r = encode_bytes(p, v5);
  REQUIRE_MESSAGE(r, (r ? std::string() : r.error().message()));
  return *r;
}

// A packet: first byte, Remaining Length, body.
inline byte_vec frame(std::uint8_t first, const byte_vec& body) {
  byte_vec out;
  out.reserve(5 + body.size());
  out.push_back(first);
  std::uint32_t n = static_cast<std::uint32_t>(body.size());
  do {
    const std::uint8_t b = n & 0x7F;
    n >>= 7;
    out.push_back(static_cast<std::uint8_t>(n != 0 ? (b | 0x80) : b));
  } while (n != 0);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

// A two-byte length, then the bytes.
inline byte_vec field(const byte_vec& b) {
  byte_vec out;
  out.reserve(2 + b.size());
  out.push_back(static_cast<std::uint8_t>(b.size() >> 8));
  out.push_back(static_cast<std::uint8_t>(b.size()));
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

// A QoS 0 PUBLISH with no properties whose Topic Name holds `topic`; the topic starts at byte 4.
inline byte_vec publish_with_topic(const byte_vec& topic) {
  byte_vec body = field(topic);
  body.push_back(0x00);  // property length
  return frame(0x30, body);
}

// A packet of kind P with only its Packet Identifier set.
template <class P>
P with_id(std::uint16_t id = 1) {
  P p;
  p.packet_id = id;
  return p;
}

inline std::string_view sv(const byte_vec& b) { return text(b); }

// decode() accepts `in` as one packet.
inline void check_decodes(const byte_vec& in) {
  const std::string input = to_hex(in);
  INFO("input: ", input);
  const result<packet> r = decode_one(in, v5);
  CHECK_MESSAGE(r, (r ? std::string() : r.error().message()));
}

}  // namespace mqttconn::test::inline rules_v5
