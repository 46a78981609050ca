// Codec rules of MQTT 3.1.1 (../shared/spec/conformance-v311.md), section 3.1.2 CONNECT
// variable header: protocol name and Connect Flags. Each check runs at level 3 ("MQIsdp") and 4.
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

// The smallest legal CONNECT: clean session, keep alive 60 s, client id "a".
std::vector<std::uint8_t> minimal(const connect_level& l) { return connect_at(l, "02 00 3c 00 01 61"); }

// A Will with message "m".
will_message make_will(std::string_view topic, qos q = qos::at_most_once) {
  will_message w;
  w.topic = topic;
  w.payload = bin("m");
  w.qos = q;
  return w;
}

// decode() must reject `in` with `code`, MQTT 5 reason code `rc`, at byte `at`.
void check_rejected(bytes in, protocol_version v, errc code, std::uint8_t rc, std::uint64_t at) {
  INFO("level ", static_cast<int>(v), ": ", to_hex(in));
  const result<packet> r = decode_one(in, v);
  REQUIRE_FALSE(r.has_value());
  INFO(r.error().message());
  CHECK(r.error().code == code);
  CHECK(r.error().reason_code == rc);
  CHECK(r.error().offset == at);
}
void check_malformed(bytes in, protocol_version v, std::uint64_t at) {
  check_rejected(in, v, errc::malformed_packet, 0x81, at);
}

// decode() must accept `in` as one CONNECT; views point into `in`.
connect accepted(bytes in, protocol_version v) {
  INFO("level ", static_cast<int>(v), ": ", to_hex(in));
  const result<packet> r = decode_one(in, v);
  REQUIRE_MESSAGE(r.has_value(), (r ? std::string() : r.error().message()));
  REQUIRE(std::holds_alternative<connect>(*r));
  const connect c = std::get<connect>(*r);
  CHECK(c.version == v);
  return c;
}

// The encoders must refuse `p` and write nothing.
void check_refused(const connect& p, protocol_version v) {
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
}

// A good CONNECT then `bad` on one stream, split every way: one packet, then bad's error.
void check_stream_rejects(const connect_level& l, const std::vector<std::uint8_t>& bad, errc code,
                          std::uint8_t rc, std::uint64_t at) {
  std::vector<std::uint8_t> stream = minimal(l);
  const std::uint64_t first = stream.size();
  stream.insert(stream.end(), bad.begin(), bad.end());
  const stream_outcome o = check_split_invariance(stream, l.v);
  CHECK(o.packets == 1);
  REQUIRE(o.failure.has_value());
  CHECK(o.failure->code == code);
  CHECK(o.failure->reason_code == rc);
  CHECK(o.failure->offset == first + at);
}

}  // namespace

TEST_SUITE("codec v311") {

TEST_CASE("closes on a protocol name other than MQTT or MQIsdp [MQTT-3.1.2-1 v3.1.1]") {
  const auto mqtx = hex("10 0d"              // CONNECT, remaining length 13
                        "00 04 4d 51 54 58"  // protocol name "MQTX" (bad)
                        "04"                 // protocol level 4
                        "02"                 // connect flags: clean session
                        "00 3c"              // keep alive 60 s
                        "00 01 61");         // client id "a"
  const auto lower = hex("10 0d"              // CONNECT, remaining length 13
                         "00 04 6d 71 74 74"  // protocol name "mqtt" (bad: names are exact)
                         "04"                 // protocol level 4
                         "02"                 // connect flags: clean session
                         "00 3c"              // keep alive 60 s
                         "00 01 61");         // client id "a"
  const auto mqisdx = hex("10 0f"                    // CONNECT, remaining length 15
                          "00 06 4d 51 49 73 64 78"  // protocol name "MQIsdx" (bad)
                          "03"                       // protocol level 3
                          "02"                       // connect flags: clean session
                          "00 3c"                    // keep alive 60 s
                          "00 01 61");               // client id "a"
  for (const connect_level& l : connect_levels) {
    check_rejected(mqtx, l.v, errc::unsupported_protocol_version, 0x84, 2);
    check_rejected(lower, l.v, errc::unsupported_protocol_version, 0x84, 2);
    check_rejected(mqisdx, l.v, errc::unsupported_protocol_version, 0x84, 2);
    CHECK(accepted(minimal(l), l.v).client_id == "a");  // "MQIsdp" + 3 is the 3.1 profile
    check_stream_rejects(l, mqtx, errc::unsupported_protocol_version, 0x84, 2);
  }
}

TEST_CASE("rejects a CONNECT whose reserved flag is set [MQTT-3.1.2-3 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    const auto bad = connect_at(l, "03"          // connect flags: clean session + reserved (bad)
                                   "00 3c"       // keep alive 60 s
                                   "00 01 61");  // client id "a"
    const auto reserved_only = connect_at(l, "01"          // connect flags: reserved bit (bad)
                                             "00 3c"       // keep alive 60 s
                                             "00 01 61");  // client id "a"
    check_malformed(bad, l.v, l.flags_at);
    check_malformed(reserved_only, l.v, l.flags_at);
    check_stream_rejects(l, bad, errc::malformed_packet, 0x81, l.flags_at);
    CHECK(accepted(minimal(l), l.v).clean_start);
    CHECK_FALSE(accepted(connect_at(l, "00 00 3c 00 01 61"), l.v).clean_start);
  }
}

TEST_CASE("needs Will Topic and Will Message when the Will Flag is set [MQTT-3.1.2-9 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    const auto good = connect_at(l, "06"          // connect flags: Will, clean session
                                    "00 3c"       // keep alive 60 s
                                    "00 01 61"    // client id "a"
                                    "00 01 74"    // Will Topic "t"
                                    "00 01 6d");  // Will Message "m"
    const auto no_message = connect_at(l, "06"          // connect flags: Will, clean session
                                          "00 3c"       // keep alive 60 s
                                          "00 01 61"    // client id "a"
                                          "00 01 74");  // Will Topic "t", then no Will Message (bad)
    const auto no_topic = connect_at(l, "06"          // connect flags: Will, clean session
                                        "00 3c"       // keep alive 60 s
                                        "00 01 61");  // client id "a", then no Will (bad)
    const connect c = accepted(good, l.v);
    REQUIRE(c.will.has_value());
    CHECK(c.will->topic == "t");
    CHECK(c.will->payload == bin("m"));
    CHECK(c.will->qos == qos::at_most_once);
    CHECK_FALSE(c.will->retain);
    check_malformed(no_message, l.v, l.flags_at + 9);
    check_malformed(no_topic, l.v, l.flags_at + 6);
    check_stream_rejects(l, no_message, errc::malformed_packet, 0x81, l.flags_at + 9);
    const auto out = encode_bytes(c, l.v);  // the encoder writes both
    REQUIRE(out);
    CHECK(*out == good);
    connect empty_topic = c;
    empty_topic.will->topic = "";
    check_refused(empty_topic, l.v);
  }
}

TEST_CASE("rejects Will QoS Will Retain or Will fields without the Will Flag [MQTT-3.1.2-11 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    const auto qos1 = connect_at(l, "0a"          // connect flags: Will QoS 1 without Will (bad)
                                    "00 3c"       // keep alive 60 s
                                    "00 01 61");  // client id "a"
    const auto retain = connect_at(l, "22"          // connect flags: Will Retain without Will (bad)
                                      "00 3c"       // keep alive 60 s
                                      "00 01 61");  // client id "a"
    const auto fields = connect_at(l, "02"          // connect flags: clean session, no Will
                                      "00 3c"       // keep alive 60 s
                                      "00 01 61"    // client id "a"
                                      "00 01 74"    // a Will Topic "t" (bad)
                                      "00 01 6d");  // a Will Message "m" (bad)
    check_malformed(qos1, l.v, l.flags_at);
    check_malformed(retain, l.v, l.flags_at);
    check_malformed(fields, l.v, l.flags_at + 6);
    CHECK_FALSE(accepted(minimal(l), l.v).will.has_value());
  }
}

TEST_CASE("rejects a Will QoS other than 0 without the Will Flag [MQTT-3.1.2-13 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    for (const char* flags : {"0a", "12", "1a"}) {  // Will QoS 1, 2 and 3 without the Will Flag
      const auto bad = connect_at(l, std::string(flags) + " 00 3c 00 01 61");
      check_malformed(bad, l.v, l.flags_at);
    }
    CHECK_FALSE(accepted(minimal(l), l.v).will.has_value());
  }
}

TEST_CASE("rejects Will QoS 3 [MQTT-3.1.2-14 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    const auto bad = connect_at(l, "1e"          // connect flags: Will QoS 3, Will, clean (bad)
                                   "00 3c"       // keep alive 60 s
                                   "00 01 61"    // client id "a"
                                   "00 01 74"    // Will Topic "t"
                                   "00 01 6d");  // Will Message "m"
    check_malformed(bad, l.v, l.flags_at);
    const char* flags[] = {"06", "0e", "16"};  // Will QoS 0, 1, 2
    for (int q = 0; q < 3; ++q) {
      const auto good = connect_at(l, std::string(flags[q]) + " 00 3c 00 01 61 00 01 74 00 01 6d");
      const connect c = accepted(good, l.v);
      REQUIRE(c.will.has_value());
      CHECK(c.will->qos == static_cast<qos>(q));
    }
    connect c;
    c.version = l.v;
    c.client_id = "a";
    c.will = make_will("t", static_cast<qos>(3));
    check_refused(c, l.v);
  }
}

TEST_CASE("rejects Will Retain without the Will Flag [MQTT-3.1.2-15 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    const auto bad = connect_at(l, "22"          // connect flags: Will Retain, clean, no Will (bad)
                                   "00 3c"       // keep alive 60 s
                                   "00 01 61");  // client id "a"
    const auto good = connect_at(l, "26"          // connect flags: Will Retain, Will, clean
                                    "00 3c"       // keep alive 60 s
                                    "00 01 61"    // client id "a"
                                    "00 01 74"    // Will Topic "t"
                                    "00 01 6d");  // Will Message "m"
    check_malformed(bad, l.v, l.flags_at);
    const connect c = accepted(good, l.v);
    REQUIRE(c.will.has_value());
    CHECK(c.will->retain);
  }
}

TEST_CASE("rejects a user name when the User Name Flag is 0 [MQTT-3.1.2-18 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    const auto bad = connect_at(l, "02"          // connect flags: clean session, no user name
                                   "00 3c"       // keep alive 60 s
                                   "00 01 61"    // client id "a"
                                   "00 01 75");  // a user name "u" (bad: leftover bytes)
    check_malformed(bad, l.v, l.flags_at + 6);
    CHECK_FALSE(accepted(minimal(l), l.v).username.has_value());
  }
}

TEST_CASE("needs a user name when the User Name Flag is 1 [MQTT-3.1.2-19 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    const auto bad = connect_at(l, "82"          // connect flags: user name, clean session
                                   "00 3c"       // keep alive 60 s
                                   "00 01 61");  // client id "a", then no user name (bad)
    const auto good = connect_at(l, "82"          // connect flags: user name, clean session
                                    "00 3c"       // keep alive 60 s
                                    "00 01 61"    // client id "a"
                                    "00 01 75");  // user name "u"
    check_malformed(bad, l.v, l.flags_at + 6);
    const connect c = accepted(good, l.v);
    CHECK(c.username == std::optional<std::string_view>("u"));
    CHECK_FALSE(c.password.has_value());
  }
}

TEST_CASE("rejects a password when the Password Flag is 0 [MQTT-3.1.2-20 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    const auto bad = connect_at(l, "82"          // connect flags: user name, clean, no password
                                   "00 3c"       // keep alive 60 s
                                   "00 01 61"    // client id "a"
                                   "00 01 75"    // user name "u"
                                   "00 01 70");  // a password "p" (bad: leftover bytes)
    check_malformed(bad, l.v, l.flags_at + 9);
  }
}

TEST_CASE("needs a password when the Password Flag is 1 [MQTT-3.1.2-21 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    const auto bad = connect_at(l, "c2"          // connect flags: user name, password, clean
                                   "00 3c"       // keep alive 60 s
                                   "00 01 61"    // client id "a"
                                   "00 01 75");  // user name "u", then no password (bad)
    const auto good = connect_at(l, "c2"          // connect flags: user name, password, clean
                                    "00 3c"       // keep alive 60 s
                                    "00 01 61"    // client id "a"
                                    "00 01 75"    // user name "u"
                                    "00 01 70");  // password "p"
    check_malformed(bad, l.v, l.flags_at + 9);
    const connect c = accepted(good, l.v);
    REQUIRE(c.password.has_value());
    CHECK(*c.password == bin("p"));
  }
}

TEST_CASE("rejects password without user name on level 4 [MQTT-3.1.2-22 v3.1.1]") {
  for (const connect_level& l : connect_levels) {
    const auto bad = connect_at(l, "42"          // connect flags: password without user name (bad)
                                   "00 3c"       // keep alive 60 s
                                   "00 01 61"    // client id "a"
                                   "00 01 70");  // password "p"
    check_malformed(bad, l.v, l.flags_at);
    check_stream_rejects(l, bad, errc::malformed_packet, 0x81, l.flags_at);
    connect c;
    c.version = l.v;
    c.client_id = "a";
    c.password = bin("p");
    check_refused(c, l.v);
    c.username = "u";
    const auto out = encode_bytes(c, l.v);
    REQUIRE(out);
    CHECK(accepted(*out, l.v).password == std::optional<binary>(bin("p")));
  }
}

}  // TEST_SUITE
