// Codec findings of the fuzz targets (fuzz/), one case each, named after the target and the
// first 6 hex digits of the sha256 of the input kept in fuzz/corpus/<target>/. Each case
// states the invariant the input broke, so it passes whichever way the bug is fixed.
#include "codec_helpers.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

namespace {

// The round-trip invariant of fuzz_roundtrip for a packet the encoder accepts.
void check_round_trip(const packet& p, protocol_version v) {
  std::vector<std::uint8_t> wire;
  const result<std::size_t> n = encode(p, v, wire);
  CHECK_MESSAGE(n, (n ? "" : n.error().message()));
  if (!n) return;
  packet back;
  const result<std::size_t> r = decode(wire, v, back);
  CHECK_MESSAGE(r, (r ? std::string() : describe(r.error(), wire)));
  if (!r) return;
  CHECK(*r == wire.size());
  CHECK_MESSAGE(back == p, "decode(encode(p)) != p; encoded as " << to_hex(wire));
}

}  // namespace

TEST_SUITE("codec v5") {

// Input d7000060 2060000000 (structured mode): a QoS 0 PUBLISH built with packet id 1. The
// encoder accepted it and wrote 30 04 0001 61 00, dropping the id, so the decoded packet has
// packet id 0.
TEST_CASE("regression: a QoS 0 PUBLISH with a packet identifier is refused or round-trips [MQTT-2.2.1-2] "
          "(fuzz_roundtrip 149adf)") {
  publish p;
  p.topic = "a";
  p.packet_id = 1;  // QoS 0: no Packet Identifier on the wire [MQTT-2.2.1-2]
  for (protocol_version v : {protocol_version::v3_1_1, protocol_version::v5}) {
    CAPTURE(static_cast<int>(v));
    std::vector<std::uint8_t> wire;
    const result<std::size_t> n = encode(p, v, wire);
    if (!n) {
      CHECK(n.error().code == errc::invalid_packet);
      CHECK(wire.empty());
      continue;
    }
    check_round_trip(p, v);
  }
}

}  // TEST_SUITE

TEST_SUITE("codec v311") {

// Input 01000000 100c00044d5154540400003c0000 (bytes mode, level 4): decode() accepts a 3.1.1
// CONNECT with a zero-byte client identifier and Clean Session 0, and encode() refuses it.
// That asymmetry is the standard's: a client must not send it [MQTT-3.1.3-7 v3.1.1], a server
// must read it and answer CONNACK 0x02 [MQTT-3.1.3-8 v3.1.1] (tested with the connection), so
// fuzz_roundtrip now expects the refusal for this one packet. 3.1 ("MQIsdp") is the same.
TEST_CASE("regression: a CONNECT with an empty client identifier and Clean Session 0 decodes but is "
          "refused by the encoder [MQTT-3.1.3-7 v3.1.1] [MQTT-3.1.3-8 v3.1.1] (fuzz_roundtrip c4a5bf)") {
  const auto wire = hex("10 0c"            // CONNECT, remaining length 12
                        "00 04 4d515454"   // protocol name "MQTT"
                        "04"               // protocol level 4 (3.1.1)
                        "00"               // connect flags: Clean Session 0
                        "00 3c"            // keep alive 60 s
                        "00 00");          // client identifier "" (zero bytes)
  const auto wire31 = hex("10 0e"             // CONNECT, remaining length 14
                          "00 06 4d5149736470" // protocol name "MQIsdp"
                          "03"                // protocol level 3 (3.1)
                          "00"                // connect flags: Clean Session 0
                          "00 3c"             // keep alive 60 s
                          "00 00");           // client identifier "" (zero bytes)
  for (const auto& [w, v] : {std::pair{wire, protocol_version::v3_1_1}, std::pair{wire31, protocol_version::v3_1}}) {
    const result<packet> p = decode_one(w, v);
    REQUIRE(p);
    CHECK(std::get<connect>(*p).client_id.empty());
    std::vector<std::uint8_t> out;
    const result<std::size_t> n = encode(*p, v, out);
    REQUIRE_FALSE(n);
    CHECK(n.error().code == errc::invalid_packet);
    CHECK(out.empty());
  }
}

}  // TEST_SUITE
