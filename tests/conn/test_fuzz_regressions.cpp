// Connection findings of the fuzz targets (fuzz/), one case each, named after the target and
// the first 6 hex digits of the sha256 of the input kept in fuzz/corpus/<target>/.
#include "transition_sweep.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

TEST_SUITE("conn v5") {

// Input 020000ff004f 0500 0801800002 08020003021302 (REPLY: CONNECT without Topic Alias
// Maximum, so no aliases; PEER CONNACK 0x00; TAKE; PEER PUBLISH with a Topic Alias): the
// client delivers the PUBLISH as an event. The server side of
// the connection refuses the same thing with 0x94 (rules.cpp); the client side never looks.
TEST_CASE("regression: client refuses a Topic Alias above the Topic Alias Maximum of its CONNECT "
          "[MQTT-3.1.2-26] (fuzz_conn_client ed629f)") {
  for (std::uint16_t advertised : {0, 2}) {
    CAPTURE(advertised);
    mqttconn::connect c = make_connect(protocol_version::v5);
    if (advertised != 0) c.props.set_topic_alias_maximum(advertised);
    link l;
    l.connect(c);
    l.connack();
    REQUIRE(l.client.state() == connection_state::connected);
    publish p;
    p.topic = "a";
    p.props.set_topic_alias(static_cast<std::uint16_t>(advertised + 1));
    expect_violation(l.client, wire(p, protocol_version::v5),
                     {errc::topic_alias_invalid, 0x94, packet_type::publish, "e0 01 94"});
  }
}

// Input 6fff79fa0200 0800010080 02 6202000d02fa02 (PEER CONNECT; TAKE; PEER PUBLISH with
// Topic Alias 2): before its CONNACK the server has given no Topic Alias Maximum, so the
// client may use none (absent means 0, 5.0 §3.2.2.3.8, and this library's own client refuses
// to send one before CONNACK), yet the server delivers the PUBLISH as an event. After CONNACK
// the same PUBLISH is refused with 0x94.
TEST_CASE("regression: server refuses a Topic Alias in a PUBLISH that comes before its CONNACK "
          "[MQTT-3.2.2-17] (fuzz_conn_server b019c0)") {
  link l;
  l.connect(make_connect(protocol_version::v5));
  REQUIRE(l.server.state() == connection_state::connecting);
  publish p;
  p.topic = "a";
  p.props.set_topic_alias(2);
  const std::vector<std::uint8_t> in = wire(p, protocol_version::v5);
  const result<std::size_t> r = l.server.receive(in);
  if (r) {
    CHECK(l.server.next_event() != nullptr);
    FAIL_CHECK("the PUBLISH was accepted: " << to_hex(in));
    return;
  }
  CHECK(int{r.error().reason_code} == 0x94);
  CHECK(l.server.closed());
}

// Input 02000801721b 0502 03f2000000 8b00 03f2690201 0108 03f2000d000101 08 (REPLY: CONNECT;
// three SENDs of 46 PUBLISHes whose payloads are borrowed, two segments each; PEER: a CONNECT
// from the server, a violation): the harness read the queue into 256 segments and stopped
// there (fixed in conn_driver.hpp). The library was right; this keeps what it got right: a
// backlog of hundreds of segments, then the DISCONNECT for the violation after all of them.
TEST_CASE("regression: a backlog of more than 255 output segments keeps every segment and then the "
          "DISCONNECT of a violation (fuzz_conn_client fc602b)") {
  connection_options o;
  o.borrow_payloads_from = 1;
  connection c(o);
  ok(c.connect(make_connect(protocol_version::v5)));
  static constexpr std::uint8_t payload[] = {'x'};
  publish p;
  p.topic = "a";
  p.payload = binary(payload, 1);
  for (int i = 0; i < 140; ++i) ok(c.publish(p));
  std::vector<bytes> segs(c.output_size() + 1);
  CHECK(c.output_segments(segs) > 255);
  expect_violation(c, wire(make_connect(protocol_version::v5), protocol_version::v5),
                   {errc::protocol_error, 0x82, packet_type::connect, "e0 01 82"});
}

}  // TEST_SUITE

TEST_SUITE("conn v311") {

// The client, idle, took the first bytes of an AUTH (F0 F0 3B ...) at the default level 5,
// then sent a CONNECT at 3.1.1, which switched its decoder in the middle of that packet: a
// packet type judged at one level and its body at another. Nothing that arrives before the
// CONNECT is sent is kept now, not even a partial packet.
TEST_CASE("regression: a client that has not sent CONNECT refuses even a partial packet "
          "(fuzz_capi a096e9)") {
  connection c(connection_options{.role = role::client});
  const std::uint8_t auth_start[] = {0xF0, 0xF0, 0x3B, 0x0F};
  const result<std::size_t> r = c.receive(bytes(auth_start, sizeof auth_start));
  REQUIRE(!r);
  CHECK(r.error().code == errc::protocol_error);
  CHECK(r.error().reason_code == 0x82);
  CHECK(r.error().packet == 15);
  CHECK(c.state() == connection_state::closed);
  CHECK(c.output_size() == 0);  // nothing to say to a server that was never sent CONNECT
  CHECK(!c.connect(make_connect(protocol_version::v3_1_1)));
  // An empty feed is no packet at all.
  connection fresh(connection_options{.role = role::client});
  CHECK(fresh.receive(bytes()).value() == 0);
  CHECK(fresh.state() == connection_state::idle);
}

}  // TEST_SUITE
