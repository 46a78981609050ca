// Codec rules of MQTT 3.1.1 (../shared/spec/conformance-v311.md), data representation (1.5):
// UTF-8 strings and length-prefixed fields. Each check runs at level 3 ("MQIsdp") and 4 ("MQTT").
#include <string>
#include <vector>

#include "codec_helpers.hpp"

using namespace mqttconn;
using mqttconn::test::bin;
using mqttconn::test::check_split_invariance;
using mqttconn::test::decode_one;
using mqttconn::test::encode_bytes;
using mqttconn::test::hex;
using mqttconn::test::stream_outcome;
using mqttconn::test::to_hex;

namespace {

constexpr protocol_version levels[] = {protocol_version::v3_1, protocol_version::v3_1_1};

// Protocol name and level of a CONNECT at each level, and the offset of its Connect Flags.
struct connect_level {
  protocol_version v;
  const char* name_and_level;
  std::uint64_t flags_at;
};
const connect_level connect_levels[] = {
    {protocol_version::v3_1, "00 06 4d 51 49 73 64 70  03", 11},  // "MQIsdp", level 3
    {protocol_version::v3_1_1, "00 04 4d 51 54 54  04", 9},       // "MQTT", level 4
};

// CONNECT at level l: fixed header, protocol name and level, then `rest` (from the flags on).
std::vector<std::uint8_t> connect_at(const connect_level& l, std::string_view rest) {
  const std::string body = std::string(l.name_and_level) + " " + std::string(rest);
  const std::size_t n = hex(body).size();
  REQUIRE(n < 128);
  static const char* digits = "0123456789abcdef";
  const char length[] = {digits[n >> 4], digits[n & 15], ' ', 0};
  return hex("10 " + std::string(length) + body);  // CONNECT, remaining length n
}

std::vector<std::uint8_t> concat(std::vector<std::uint8_t> a, const std::vector<std::uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// decode() must reject `in` with `code`, MQTT 5 reason code `rc`, at byte `at`.
void check_rejected(bytes in, protocol_version v, errc code, std::uint8_t rc, std::uint64_t at,
                    const decode_options& o = {}) {
  INFO("level ", static_cast<int>(v), ": ", to_hex(in));
  const result<packet> r = decode_one(in, v, o);
  REQUIRE_FALSE(r.has_value());
  INFO(r.error().message());
  CHECK(r.error().code == code);
  CHECK(r.error().reason_code == rc);
  CHECK(r.error().offset == at);
}

// decode() must accept `in` as one P; views point into `in`.
template <class P>
P accepted(bytes in, protocol_version v, const decode_options& o = {}) {
  INFO("level ", static_cast<int>(v), ": ", to_hex(in));
  const result<packet> r = decode_one(in, v, o);
  REQUIRE_MESSAGE(r.has_value(), (r ? std::string() : r.error().message()));
  REQUIRE(std::holds_alternative<P>(*r));
  return std::get<P>(*r);
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
void check_stream_rejects(const std::vector<std::uint8_t>& good, const std::vector<std::uint8_t>& bad,
                          protocol_version v, errc code, std::uint8_t rc, std::uint64_t at) {
  const std::vector<std::uint8_t> stream = concat(good, bad);
  const stream_outcome o = check_split_invariance(stream, v);
  CHECK(o.packets == 1);
  REQUIRE(o.failure.has_value());
  CHECK(o.failure->code == code);
  CHECK(o.failure->reason_code == rc);
  CHECK(o.failure->offset == good.size() + at);
}

}  // namespace

TEST_SUITE("codec v311") {

TEST_CASE("rejects ill-formed UTF-8 and encoded surrogates in a text field [MQTT-1.5.3-1 v3.1.1]") {
  const auto good = hex("30 03"        // PUBLISH QoS 0, remaining length 3
                        "00 01 61");   // topic name "a"
  const auto surrogate = hex("30 06"               // PUBLISH QoS 0, remaining length 6
                             "00 04 61 ed a0 80");  // topic name "a" U+D800 (surrogate: bad)
  const auto overlong = hex("30 05"            // PUBLISH QoS 0, remaining length 5
                            "00 03 61 c0 af");  // topic name "a" then overlong '/' (bad)
  const auto cut = hex("30 04"         // PUBLISH QoS 0, remaining length 4
                       "00 02 61 e2");  // topic name "a" then a cut 3-byte sequence (bad)
  const auto euro = hex("30 06"               // PUBLISH QoS 0, remaining length 6
                        "00 04 61 e2 82 ac");  // topic name "a" U+20AC
  for (protocol_version v : levels) {
    check_rejected(surrogate, v, errc::malformed_packet, 0x81, 5);
    check_rejected(overlong, v, errc::malformed_packet, 0x81, 5);
    check_rejected(cut, v, errc::malformed_packet, 0x81, 5);
    CHECK(accepted<publish>(euro, v).topic == "a\xE2\x82\xAC");
    check_stream_rejects(good, surrogate, v, errc::malformed_packet, 0x81, 5);
    publish p;
    p.topic = "a\xED\xA0\x80";
    check_refused(p, v);
  }
}

TEST_CASE("rejects U+0000 in a text field [MQTT-1.5.3-2 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    const auto nul = connect_at(l, "02"             // connect flags: clean session
                                   "00 3c"          // keep alive 60 s
                                   "00 02 61 00");  // client id "a" U+0000 (bad)
    const auto overlong_nul = connect_at(l, "02"                // connect flags: clean session
                                            "00 3c"             // keep alive 60 s
                                            "00 03 61 c0 80");  // client id "a" C0 80 (bad)
    const auto good = connect_at(l, "02"          // connect flags: clean session
                                    "00 3c"       // keep alive 60 s
                                    "00 01 61");  // client id "a"
    check_rejected(nul, l.v, errc::malformed_packet, 0x81, l.flags_at + 6);
    check_rejected(overlong_nul, l.v, errc::malformed_packet, 0x81, l.flags_at + 6);
    CHECK(accepted<connect>(good, l.v).client_id == "a");
    check_stream_rejects(good, nul, l.v, errc::malformed_packet, 0x81, l.flags_at + 6);
    connect c;
    c.version = l.v;
    c.client_id = std::string_view("a\0", 2);
    check_refused(c, l.v);
  }
}

TEST_CASE("keeps EF BB BF as U+FEFF wherever it sits [MQTT-1.5.3-3 v3.1.1]") {
  const auto leading = hex("30 06"               // PUBLISH QoS 0, remaining length 6
                           "00 04 ef bb bf 61");  // topic name U+FEFF "a"
  const auto inside = hex("30 07"                  // PUBLISH QoS 0, remaining length 7
                          "00 05 61 ef bb bf 62");  // topic name "a" U+FEFF "b"
  decode_options strict;
  strict.reject_disallowed_code_points = true;  // U+FEFF is not a disallowed code point
  for (protocol_version v : levels) {
    CHECK(accepted<publish>(leading, v).topic == "\xEF\xBB\xBF" "a");
    CHECK(accepted<publish>(inside, v).topic == "a\xEF\xBB\xBF" "b");
    CHECK(accepted<publish>(leading, v, strict).topic == "\xEF\xBB\xBF" "a");
    publish p;
    p.topic = "\xEF\xBB\xBF" "a";
    const auto out = encode_bytes(p, v);
    REQUIRE(out);
    CHECK(*out == leading);
  }
}

TEST_CASE("rejects a string or binary field that runs past the end of the packet [V311-U01]") {
  const auto topic = hex("30 03"      // PUBLISH QoS 0, remaining length 3
                         "00 05 61");  // topic name of 5 bytes, only 1 left (bad)
  const auto length = hex("30 01"     // PUBLISH QoS 0, remaining length 1
                          "00");      // half a topic length (bad)
  for (protocol_version v : levels) {
    check_rejected(topic, v, errc::malformed_packet, 0x81, 2);
    check_rejected(length, v, errc::malformed_packet, 0x81, 2);
    check_stream_rejects(hex("30 03 00 01 61"), topic, v, errc::malformed_packet, 0x81, 2);
  }
  for (const connect_level& l : connect_levels) {
    const auto password = connect_at(l, "c2"         // connect flags: user name, password, clean
                                        "00 3c"      // keep alive 60 s
                                        "00 01 61"   // client id "a"
                                        "00 01 75"   // user name "u"
                                        "00 05 70");  // password of 5 bytes, only 1 left (bad)
    check_rejected(password, l.v, errc::malformed_packet, 0x81, l.flags_at + 9);
  }
}

TEST_CASE("accepts control characters and noncharacters unless told to reject them [V311-U02]") {
  const char* fixtures[] = {
      "30 05 00 03 61 01 62",     // PUBLISH, topic "a" U+0001 "b"
      "30 05 00 03 61 7f 62",     // PUBLISH, topic "a" U+007F "b"
      "30 05 00 03 61 c2 85",     // PUBLISH, topic "a" U+0085
      "30 06 00 04 61 ef bf bf",  // PUBLISH, topic "a" U+FFFF (noncharacter)
      "30 06 00 04 61 ef b7 90",  // PUBLISH, topic "a" U+FDD0 (noncharacter)
  };
  decode_options strict;
  strict.reject_disallowed_code_points = true;
  CHECK_FALSE(decode_options{}.reject_disallowed_code_points);
  for (protocol_version v : levels) {
    for (const char* f : fixtures) {
      const auto in = hex(f);
      CHECK(accepted<publish>(in, v).topic == mqttconn::test::text(in).substr(4));
      check_rejected(in, v, errc::malformed_packet, 0x81, 5, strict);
    }
  }
}

}  // TEST_SUITE
