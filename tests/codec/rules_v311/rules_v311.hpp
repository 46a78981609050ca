// Helpers shared by the MQTT 3.1 and 3.1.1 codec rule tests (test_rules_v31*.cpp): decode and
// encode verdicts at a given level, and CONNECT fixtures for level 3 ("MQIsdp") and 4 ("MQTT").
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "codec_helpers.hpp"

namespace mqttconn::test::inline rules_v311 {

inline constexpr protocol_version levels[] = {protocol_version::v3_1, protocol_version::v3_1_1};

// Protocol name and level of a CONNECT at each level, and the offset of its Connect Flags.
struct connect_level {
  protocol_version v;
  const char* name_and_level;
  std::uint64_t flags_at;
};
inline constexpr connect_level connect_levels[] = {
    {protocol_version::v3_1, "00 06 4d 51 49 73 64 70  03", 11},  // "MQIsdp", level 3
    {protocol_version::v3_1_1, "00 04 4d 51 54 54  04", 9},       // "MQTT", level 4
};

// CONNECT at level l: fixed header, protocol name and level, then `rest` (from the flags on).
inline std::vector<std::uint8_t> connect_at(const connect_level& l, std::string_view rest) {
  const std::string body = std::string(l.name_and_level) + " " + std::string(rest);
  const std::size_t n = hex(body).size();
  REQUIRE(n < 128);
  static const char* digits = "0123456789abcdef";
  const char length[] = {digits[n >> 4], digits[n & 15], ' ', 0};
  return hex("10 " + std::string(length) + body);  // CONNECT, remaining length n
}

// The smallest legal CONNECT: clean session, keep alive 60 s, client id "a".
inline std::vector<std::uint8_t> minimal(const connect_level& l) { return connect_at(l, "02 00 3c 00 01 61"); }

// A Will with message "m".
inline will_message make_will(std::string_view topic, qos q = qos::at_most_once) {
  will_message w;
  w.topic = topic;
  w.payload = bin("m");
  w.qos = q;
  return w;
}

// A PUBLISH with only its topic, QoS and packet id set.
inline publish make_publish(std::string_view topic, qos q = qos::at_most_once, std::uint16_t id = 0) {
  publish p;
  p.topic = topic;
  p.qos = q;
  p.packet_id = id;
  return p;
}

// A packet of kind P with only its packet id set.
template <class P>
P with_id(std::uint16_t id) {
  P p;
  p.packet_id = id;
  return p;
}

inline std::vector<std::uint8_t> concat(std::vector<std::uint8_t> a, const std::vector<std::uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// decode() must reject `in` with `code`, MQTT 5 reason code `rc`, at byte `at`.
inline void check_rejected(bytes in, protocol_version v, errc code, std::uint8_t rc, std::uint64_t at,
                           const decode_options& o = {}) {
  INFO("level ", static_cast<int>(v), ": ", to_hex(in));
  const result<packet> r = decode_one(in, v, o);
  REQUIRE_FALSE(r.has_value());
  INFO(r.error().message());
  CHECK(r.error().code == code);
  CHECK(r.error().reason_code == rc);
  CHECK(r.error().offset == at);
}
inline void check_malformed(bytes in, protocol_version v, std::uint64_t at) {
  check_rejected(in, v, errc::malformed_packet, 0x81, at);
}

// decode() must accept `in` as one P; views point into `in`. A CONNECT must also carry level v.
template <class P>
P accepted(bytes in, protocol_version v, const decode_options& o = {}) {
  INFO("level ", static_cast<int>(v), ": ", to_hex(in));
  const result<packet> r = decode_one(in, v, o);
  REQUIRE_MESSAGE(r.has_value(), (r ? std::string() : r.error().message()));
  REQUIRE(std::holds_alternative<P>(*r));
  const P p = std::get<P>(*r);
  if constexpr (std::is_same_v<P, connect>) CHECK(p.version == v);
  return p;
}

// The encoders must refuse `p` at level v and write nothing.
template <class P>
void check_refused(const P& p, protocol_version v) {
  INFO("level ", static_cast<int>(v));
  std::vector<std::uint8_t> out;
  const result<std::size_t> n = encode(p, v, out);
  REQUIRE_FALSE(n.has_value());
  CHECK(n.error().code == errc::invalid_packet);
  CHECK(out.empty());
  std::vector<std::uint8_t> span_out(256, 0xEE);
  const result<std::size_t> m = encode(p, v, std::span<std::uint8_t>(span_out));
  REQUIRE_FALSE(m.has_value());
  CHECK(m.error().code == errc::invalid_packet);
  CHECK(span_out == std::vector<std::uint8_t>(256, 0xEE));
  CHECK_FALSE(encoded_size(p, v).has_value());
}

// `good` then `bad` on one stream, split every way: one packet, then bad's error at its offset.
inline void check_stream_rejects(const std::vector<std::uint8_t>& good, const std::vector<std::uint8_t>& bad,
                                 protocol_version v, errc code, std::uint8_t rc, std::uint64_t at) {
  const std::vector<std::uint8_t> stream = concat(good, bad);
  const stream_outcome o = check_split_invariance(stream, v);
  CHECK(o.packets == 1);
  REQUIRE(o.failure.has_value());
  CHECK(o.failure->code == code);
  CHECK(o.failure->reason_code == rc);
  CHECK(o.failure->offset == good.size() + at);
}

// The smallest legal CONNECT at level l then `bad`, the same way.
inline void check_stream_rejects(const connect_level& l, const std::vector<std::uint8_t>& bad, errc code,
                                 std::uint8_t rc, std::uint64_t at) {
  check_stream_rejects(minimal(l), bad, l.v, code, rc, at);
}

}  // namespace mqttconn::test::inline rules_v311
