#include "conn_pair.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

TEST_SUITE("conn v5") {

TEST_CASE("a client and a server complete a 5.0 conversation") {
  connection client = make_client();
  connection server = make_server();
  connect c;
  c.client_id = "c1";
  c.keep_alive = 30;
  c.props.set_session_expiry_interval(60).set_receive_maximum(10);
  REQUIRE(client.connect(c));
  CHECK(client.state() == connection_state::connecting);
  transfer_one<connect>(client, server, [&](const connect& got) {
    CHECK(got == c);
  });
  CHECK(server.state() == connection_state::connecting);
  CHECK(server.version() == protocol_version::v5);

  connack a;
  a.props.set_topic_alias_maximum(5);
  REQUIRE(server.connack(a));
  CHECK(server.state() == connection_state::connected);
  transfer_one<connack>(server, client, [&](const connack& got) { CHECK(got == a); });
  CHECK(client.state() == connection_state::connected);

  const subscription subs[] = {{"a/+", qos::at_least_once}};
  subscribe s;
  s.packet_id = 7;
  s.subscriptions = subs;
  REQUIRE(client.subscribe(s));
  transfer_one<subscribe>(client, server, [&](const subscribe& got) { CHECK(got == s); });

  const std::uint8_t granted[] = {1};
  suback sa;
  sa.packet_id = 7;
  sa.reason_codes = binary(granted, 1);
  REQUIRE(server.suback(sa));
  transfer_one<suback>(server, client, [&](const suback& got) { CHECK(got == sa); });

  publish p;
  p.topic = "a/b";
  p.qos = qos::at_least_once;
  p.packet_id = 1;
  p.payload = binary(std::string_view("hi"));
  REQUIRE(server.publish(p));
  transfer_one<publish>(server, client, [&](const publish& got) { CHECK(got == p); });
  puback ack;
  ack.packet_id = 1;
  REQUIRE(client.puback(ack));
  transfer_one<puback>(client, server, [&](const puback& got) { CHECK(got == ack); });

  REQUIRE(client.pingreq());
  transfer_one<pingreq>(client, server, [](const pingreq&) {});
  REQUIRE(server.pingresp());
  transfer_one<pingresp>(server, client, [](const pingresp&) {});

  REQUIRE(client.disconnect());
  CHECK(client.closed());
  transfer_one<disconnect>(client, server, [](const disconnect& d) { CHECK(d.reason_code == 0); });
  CHECK(server.closed());
  CHECK(client.publish(p).error().code == errc::closed);
  const std::uint8_t more[] = {0xC0, 0x00};
  CHECK(server.receive(bytes(more)).error().code == errc::closed);
}

TEST_CASE("input_buffered() counts the kept bytes of a packet not yet whole") {
  connection client = make_client();
  connection server = make_server();
  connect c;
  c.client_id = "c1";
  REQUIRE(client.connect(c));
  const std::vector<std::uint8_t> wire(client.output().begin(), client.output().end());
  client.consume_output(wire.size());
  CHECK(server.input_buffered() == 0);
  for (std::size_t k = 0; k + 1 < wire.size(); ++k) {
    REQUIRE(server.receive(bytes(&wire[k], 1)));
    CHECK(server.input_buffered() == k + 1);
  }
  REQUIRE(server.receive(bytes(&wire.back(), 1)));
  CHECK(server.input_buffered() == 0);  // whole: it is the pending event
  REQUIRE(server.next_event() != nullptr);
  CHECK(server.input_buffered() == 0);
  REQUIRE(server.connack({}));
  // Three bytes of a SUBSCRIBE, then the rest, whose topic filter runs past the end of the
  // packet: malformed, closed, nothing kept.
  const std::uint8_t head[] = {0x82, 0x04, 0x00};
  const result<std::size_t> taken = server.receive(bytes(head));
  REQUIRE(taken);
  CHECK(*taken == 3);
  CHECK(server.input_buffered() == 3);
  const std::uint8_t rest[] = {0x01, 0x00, 0x05};
  CHECK_FALSE(server.receive(bytes(rest)));
  CHECK(server.closed());
  CHECK(server.input_buffered() == 0);
}

}  // TEST_SUITE
