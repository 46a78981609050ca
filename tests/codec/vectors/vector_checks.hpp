// Checks shared by the byte-exact vectors. A vector is a hex fixture and the packet it stands
// for, both written by hand from the standard; these helpers hold the codec to both directions.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "codec_helpers.hpp"

namespace mqttconn::test {

// The level of the MQTT 5.0 vectors (test_vectors_v5*.cpp).
inline constexpr protocol_version v5 = protocol_version::v5;

// `wire` must decode at level `v` to exactly one packet equal to `expected`. Returns the decoded
// packet (its views point into `wire`) so a test can also check fields one by one.
template <class P>
P decodes_to(const std::vector<std::uint8_t>& wire, protocol_version v, const P& expected) {
  const result<packet> d = decode_one(wire, v);
  REQUIRE_MESSAGE(d, (d ? std::string() : d.error().message()));
  const P* got = std::get_if<P>(&*d);
  REQUIRE_MESSAGE(got != nullptr, "decoded a " << to_string(type_of(*d)));
  CHECK(*got == expected);
  return *got;
}

// `p` must encode at level `v` to exactly `wire`.
template <class P>
void encodes_to(const P& p, protocol_version v, const std::vector<std::uint8_t>& wire) {
  const result<std::vector<std::uint8_t>> enc = encode_bytes(p, v);
  REQUIRE_MESSAGE(enc, (enc ? std::string() : enc.error().message()));
  CHECK_MESSAGE(*enc == wire, "encoded  " << to_hex(*enc) << "\nexpected " << to_hex(wire));
}

// A stream of whole packets gives `count` packets and no error, however it is split
// [MQTT-6.0.0-2].
inline void stream_gives(const std::vector<std::uint8_t>& wire, protocol_version v, std::size_t count) {
  const stream_outcome s = check_split_invariance(wire, v);
  CHECK(s.packets == count);
  CHECK_MESSAGE(!s.failure, (s.failure ? s.failure->message() : std::string()));
}

// Both directions and every split. Returns the decoded packet for field checks.
template <class P>
P round_trips(const std::vector<std::uint8_t>& wire, protocol_version v, const P& expected) {
  P got = decodes_to(wire, v, expected);
  encodes_to(expected, v, wire);
  stream_gives(wire, v, 1);
  return got;
}

// The elements of a list, for element-wise checks and order checks.
template <class T>
std::vector<T> items(const wire_list<T>& l) {
  std::vector<T> out;
  for (const T& x : l) out.push_back(x);
  return out;
}

// An acknowledgement-like packet with only its packet id set.
template <class P>
P with_id(std::uint16_t id) {
  P p;
  p.packet_id = id;
  return p;
}

// Concatenates fixtures into one stream.
inline std::vector<std::uint8_t> concat(std::initializer_list<std::vector<std::uint8_t>> parts) {
  std::vector<std::uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

}  // namespace mqttconn::test
