// One test per conn-layer statement of the MQTT 3.1.1 checklist: DISCONNECT, errors and the
// direction of each packet, at levels 4 and 3. Nothing is ever sent for a violation here: a
// 3.x connection past CONNECT just closes.
#include <memory_resource>
#include <new>

#include "transition_sweep.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

namespace {

// A memory resource that throws std::bad_alloc once `fail` is set.
class failing_resource : public std::pmr::memory_resource {
 public:
  bool fail = false;

 private:
  void* do_allocate(std::size_t n, std::size_t align) override {
    if (fail) throw std::bad_alloc();
    return std::pmr::new_delete_resource()->allocate(n, align);
  }
  void do_deallocate(void* p, std::size_t n, std::size_t align) override {
    std::pmr::new_delete_resource()->deallocate(p, n, align);
  }
  bool do_is_equal(const std::pmr::memory_resource& o) const noexcept override { return this == &o; }
};

}  // namespace

TEST_SUITE("conn v311") {

// --- 3.14: DISCONNECT ------------------------------------------------------------------------

TEST_CASE("after sending DISCONNECT the client is closed [MQTT-3.14.4-1 v3.1.1]") {
  for (protocol_version v : levels_3x) {
    INFO("level ", name(v));
    link l;
    l.open(v);
    expect_sent(l.client, hex("e0 00"), connection_state::closed, [&] { return l.client.disconnect(); });
    CHECK_FALSE(l.client.failure().has_value());
    const result<std::size_t> r = l.client.receive(hex("d0 00"));  // PINGRESP
    REQUIRE_FALSE(r.has_value());
    CHECK(name(r.error().code) == name(errc::closed));
    const std::vector<std::uint8_t> in = drain(l.client);
    expect_event(l.server, in);
    CHECK(name(l.server.state()) == name(connection_state::closed));
  }
}

TEST_CASE("after sending DISCONNECT the client sends nothing more [MQTT-3.14.4-2 v3.1.1]") {
  for (protocol_version v : levels_3x) {
    INFO("level ", name(v));
    link l;
    l.open(v);
    ok(l.client.disconnect());
    for (packet_type t : all_kinds) {
      INFO(name(t));
      const packet p = sample(t, v);
      expect_refused(l.client, errc::closed, [&] { return l.client.send(p); });
    }
  }
}

// --- 4.8: errors -----------------------------------------------------------------------------

TEST_CASE("a side closes the connection on a protocol violation without sending anything [MQTT-4.8.0-1 v3.1.1]") {
  for (protocol_version v : levels_3x) {
    INFO("level ", name(v));
    link l;
    l.open(v);
    expect_violation(l.server, hex("90 03 0001 00"),  // SUBACK id 1, QoS 0: wrong direction
                     {errc::protocol_error, 0x82, packet_type::suback, ""});
    link m;
    m.open(v);
    expect_violation(m.client, hex("c0 00"),  // PINGREQ: wrong direction
                     {errc::protocol_error, 0x82, packet_type::pingreq, ""});
    link n;
    n.open(v);
    expect_violation(n.client, hex("30 04 0009 74 78"),  // PUBLISH whose topic runs past the end
                     {errc::malformed_packet, 0x81, packet_type::publish, ""});
  }
}

TEST_CASE("a side closes the connection when it cannot take an inbound packet [MQTT-4.8.0-2 v3.1.1]") {
  constexpr protocol_version v = protocol_version::v3_1_1;
  SUBCASE("larger than the buffer it allows") {
    link l(connection_options{.max_packet_size = 16});
    l.open(v);
    const auto in = hex("30 10 0001 74" "78787878 78787878 78787878 78");  // PUBLISH, 18 bytes
    expect_violation(l.server, in, {errc::packet_too_large, 0x95, packet_type::publish, ""});
  }
  SUBCASE("out of memory") {
    failing_resource mr;
    link l(connection_options{}, &mr);
    l.open(v);
    mr.fail = true;
    const auto in = hex("30 04 0001");  // the first bytes of a PUBLISH, to be buffered
    bool reported = false;
    try {
      const result<std::size_t> r = l.server.receive(in);
      reported = !r.has_value();
    } catch (const std::bad_alloc&) {
      reported = true;
    }
    mr.fail = false;
    CHECK(reported);
    CHECK(name(l.server.state()) == name(connection_state::closed));
    CHECK(l.server.output_size() == 0);
  }
}

// --- Rules without an id ----------------------------------------------------------------------

TEST_CASE("a 3.x server never sends DISCONNECT and neither side sends a packet of the other direction [V311-U05]") {
  for (protocol_version v : levels_3x) {
    INFO("level ", name(v));
    link l;
    l.open(v);
    for (packet_type t : {packet_type::connack, packet_type::suback, packet_type::unsuback, packet_type::pingresp}) {
      INFO("client sends ", name(t));
      const packet p = sample(t, v);
      expect_refused(l.client, errc::wrong_state, [&] { return l.client.send(p); });
    }
    for (packet_type t : {packet_type::connect, packet_type::subscribe, packet_type::unsubscribe,
                          packet_type::pingreq, packet_type::disconnect}) {
      INFO("server sends ", name(t));
      const packet p = sample(t, v);
      expect_refused(l.server, errc::wrong_state, [&] { return l.server.send(p); });
    }
  }
}

TEST_CASE("a 3.x client closes without a reply on DISCONNECT and both sides on a packet of the other direction [V311-U05]") {
  for (protocol_version v : levels_3x) {
    for (packet_type t : {packet_type::connect, packet_type::subscribe, packet_type::unsubscribe,
                          packet_type::pingreq, packet_type::disconnect}) {
      INFO("level ", name(v), ", client receives ", name(t));
      link l;
      l.open(v);
      expect_violation(l.client, wire(sample(t, v), v), {errc::protocol_error, 0x82, t, ""});
    }
    for (packet_type t : {packet_type::connack, packet_type::suback, packet_type::unsuback, packet_type::pingresp}) {
      INFO("level ", name(v), ", server receives ", name(t));
      link l;
      l.open(v);
      expect_violation(l.server, wire(sample(t, v), v), {errc::protocol_error, 0x82, t, ""});
    }
  }
}

}  // TEST_SUITE
