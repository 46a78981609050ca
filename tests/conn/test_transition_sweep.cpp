// The transition sweep: every role x level x state x packet kind, sent and received, against
// a table of the one outcome each cell must have. Sending either succeeds (and lands in the
// state the table names) or fails with a documented code and changes nothing; receiving
// either yields the event or is the peer's violation with a reason code. Each cell starts
// from a fresh link brought to its state by real exchanges (reach()).
#include <cstdio>
#include <string_view>

#include "transition_sweep.hpp"

using namespace mqttconn;
using namespace mqttconn::test;

namespace {

// Send outcomes:
//   C  sent, now connecting     N  sent, now connected     o  sent, state unchanged
//   X  sent, now closed         w  refused: errc::wrong_state
//   c  refused: errc::closed
// Receive outcomes:
//   g  event, now connecting    k  event, now connected    e  event, state unchanged
//   x  event, now closed        p  protocol error 0x82     m  malformed packet 0x81
//   c  errc::closed, no event
//
// Columns: the 15 packet kinds in type order, grouped as the comment over the table shows.
// Incoming packets are encoded at the connection's level: 5.0 while idle (the level is not
// known yet), the CONNECT's level afterwards; a CONNECT always at its own level. Below 5.0
// AUTH arrives as "f0 00", which the codec rejects as malformed [V311-U04].
struct row {
  role who;
  connection_state state;
  bool v5;  // the row for level 5, or for levels 3 and 4
  std::string_view send;
  std::string_view receive;
};

// clang-format off
constexpr row table[] = {
  //                                                   CONNECT CONNACK
  //                                                   |  PUBLISH PUBACK PUBREC PUBREL PUBCOMP
  //                                                   |  |     SUBSCRIBE SUBACK UNSUBSCRIBE UNSUBACK
  //                                                   |  |     |    PINGREQ PINGRESP
  //                                                   |  |     |    |  DISCONNECT AUTH
  //                                                   |  |     |    |  |
  {role::client, connection_state::idle,       true,  "Cw wwwww wwww ww ww", "pp ppppp pppp pp pp"},
  {role::client, connection_state::idle,       false, "Cw wwwww wwww ww ww", "pp ppppp pppp pp pp"},
  {role::client, connection_state::connecting, true,  "ww ooooo owow ow Xw", "pk ppppp pppp pp pp"},
  {role::client, connection_state::connecting, false, "ww ooooo owow ow Xw", "pk ppppp pppp pp pm"},
  {role::client, connection_state::connected,  true,  "ww ooooo owow ow Xw", "pp eeeee pepe pe xp"},
  {role::client, connection_state::connected,  false, "ww ooooo owow ow Xw", "pp eeeee pepe pe pm"},
  {role::client, connection_state::closed,     true,  "cc ccccc cccc cc cc", "cc ccccc cccc cc cc"},
  {role::client, connection_state::closed,     false, "cc ccccc cccc cc cc", "cc ccccc cccc cc cc"},

  {role::server, connection_state::idle,       true,  "ww wwwww wwww ww ww", "gp ppppp pppp pp pp"},
  {role::server, connection_state::idle,       false, "ww wwwww wwww ww ww", "gp ppppp pppp pp pp"},
  {role::server, connection_state::connecting, true,  "wN wwwww wwww ww ww", "pp eeeee epep ep xp"},
  {role::server, connection_state::connecting, false, "wN wwwww wwww ww ww", "pp eeeee epep ep xm"},
  {role::server, connection_state::connected,  true,  "ww ooooo wowo wo Xw", "pp eeeee epep ep xp"},
  {role::server, connection_state::connected,  false, "ww ooooo wowo wo ww", "pp eeeee epep ep xm"},
  {role::server, connection_state::closed,     true,  "cc ccccc cccc cc cc", "cc ccccc cccc cc cc"},
  {role::server, connection_state::closed,     false, "cc ccccc cccc cc cc", "cc ccccc cccc cc cc"},
};
// clang-format on

// The outcome letters of a table string, spaces dropped.
std::string letters(std::string_view s) {
  std::string out;
  for (char ch : s) {
    if (ch != ' ') out.push_back(ch);
  }
  return out;
}

const row& row_for(role who, connection_state s, protocol_version v) {
  for (const row& r : table) {
    if (r.who == who && r.state == s && r.v5 == (v == protocol_version::v5)) return r;
  }
  FAIL("no table row");
  return table[0];
}

connection& under_test(link& l, role who) { return who == role::client ? l.client : l.server; }

// What a connection queues for its peer after a violation (../shared/spec/README.md): a server
// that has not answered the CONNECT yet sends CONNACK with the reason (5.0; 3.x has no return
// code for 0x81 or 0x82), a 5.0 connection past CONNECT sends DISCONNECT with it, and nothing
// is sent before CONNECT (a first packet that is not CONNECT is closed on without a reply).
std::string reply_to_violation(role who, connection_state s, protocol_version v, std::uint8_t reason) {
  if (v != protocol_version::v5 || s == connection_state::idle) return "";
  char buf[32];
  if (who == role::server && s == connection_state::connecting) {
    std::snprintf(buf, sizeof buf, "20 03 00 %02x 00", reason);  // CONNACK, reason, no properties
  } else {
    std::snprintf(buf, sizeof buf, "e0 01 %02x", reason);  // DISCONNECT, reason
  }
  return buf;
}

connection_state sent_state(char outcome, connection_state before) {
  switch (outcome) {
    case 'C': return connection_state::connecting;
    case 'N': return connection_state::connected;
    case 'X': return connection_state::closed;
    default: return before;
  }
}

connection_state received_state(char outcome, connection_state before) {
  switch (outcome) {
    case 'g': return connection_state::connecting;
    case 'k': return connection_state::connected;
    case 'x': return connection_state::closed;
    default: return before;
  }
}

void sweep_send(role who, protocol_version v, connection_state s, packet_type t, char outcome) {
  INFO(name(who), " at level ", name(v), " in state ", name(s),
       ", sending ", name(t), ", expected outcome '", std::string(1, outcome), "'");
  link l = reach(s, v);
  connection& c = under_test(l, who);
  REQUIRE(name(c.state()) == name(s));
  const packet p = sample(t, v);
  switch (outcome) {
    case 'C': case 'N': case 'o': case 'X': {
      expect_sent(c, wire(p, v), sent_state(outcome, s), [&] { return c.send(p); });
      CHECK(name(c.version()) == name(v));  // a CONNECT sets the level; nothing else changes it
      break;
    }
    case 'w': expect_refused(c, errc::wrong_state, [&] { return c.send(p); }); break;
    case 'c': expect_refused(c, errc::closed, [&] { return c.send(p); }); break;
    default: FAIL("bad send outcome in the table");
  }
}

void sweep_receive(role who, protocol_version v, connection_state s, packet_type t, char outcome) {
  INFO(name(who), " at level ", name(v), " in state ", name(s),
       ", receiving ", name(t), ", expected outcome '", std::string(1, outcome), "'");
  link l = reach(s, v);
  connection& c = under_test(l, who);
  REQUIRE(name(c.state()) == name(s));
  // A CONNECT names its own level; everything else comes at the level the connection decodes.
  const std::vector<std::uint8_t> in = t == packet_type::connect ? wire(sample(t, v), v) : incoming(t, c.version());
  INFO("bytes: ", to_hex(in));
  switch (outcome) {
    case 'g': case 'k': case 'e': case 'x': {
      const packet& got = expect_event(c, in);
      CHECK(name(type_of(got)) == name(t));
      CHECK(name(c.state()) == name(received_state(outcome, s)));
      CHECK_FALSE(c.failure().has_value());
      CHECK(c.output_size() == 0);  // receiving queues nothing by itself
      if (outcome == 'g') CHECK(name(c.version()) == name(v));
      break;
    }
    case 'p': {
      const std::string reply = reply_to_violation(who, s, v, 0x82);
      expect_violation(c, in, {errc::protocol_error, 0x82, t, reply});
      break;
    }
    case 'm': {
      const std::string reply = reply_to_violation(who, s, v, 0x81);
      expect_violation(c, in, {errc::malformed_packet, 0x81, t, reply});
      break;
    }
    case 'c': {
      const result<std::size_t> r = c.receive(in);
      REQUIRE_FALSE(r.has_value());
      CHECK(name(r.error().code) == name(errc::closed));
      CHECK(c.next_event() == nullptr);
      CHECK(c.closed());
      CHECK_FALSE(c.failure().has_value());  // closed cleanly, not by a violation
      CHECK(c.output_size() == 0);
      break;
    }
    default: FAIL("bad receive outcome in the table");
  }
}

void sweep(role who, protocol_version v) {
  for (connection_state s : all_states) {
    const row& r = row_for(who, s, v);
    const std::string send = letters(r.send);
    const std::string receive = letters(r.receive);
    REQUIRE(send.size() == std::size(all_kinds));
    REQUIRE(receive.size() == std::size(all_kinds));
    for (std::size_t k = 0; k < std::size(all_kinds); ++k) {
      sweep_send(who, v, s, all_kinds[k], send[k]);
      sweep_receive(who, v, s, all_kinds[k], receive[k]);
    }
  }
}

}  // namespace

TEST_SUITE("conn sweep") {

TEST_CASE("client at level 5: every packet kind sent and received in every state has its one outcome [MQTT-3.1.0-1] [MQTT-3.2.0-2] [V5-U05]") {
  sweep(role::client, protocol_version::v5);
}

TEST_CASE("client at level 4: every packet kind sent and received in every state has its one outcome [MQTT-3.1.0-1 v3.1.1] [V311-U05]") {
  sweep(role::client, protocol_version::v3_1_1);
}

TEST_CASE("client at level 3: every packet kind sent and received in every state has its one outcome [MQTT-3.1.0-1 v3.1.1] [V311-U05]") {
  sweep(role::client, protocol_version::v3_1);
}

TEST_CASE("server at level 5: every packet kind sent and received in every state has its one outcome [MQTT-3.1.0-2] [MQTT-3.2.0-1] [V5-U05]") {
  sweep(role::server, protocol_version::v5);
}

TEST_CASE("server at level 4: every packet kind sent and received in every state has its one outcome [MQTT-3.1.0-2 v3.1.1] [MQTT-3.2.0-1 v3.1.1] [V311-U05]") {
  sweep(role::server, protocol_version::v3_1_1);
}

TEST_CASE("server at level 3: every packet kind sent and received in every state has its one outcome [MQTT-3.1.0-2 v3.1.1] [MQTT-3.2.0-1 v3.1.1] [V311-U05]") {
  sweep(role::server, protocol_version::v3_1);
}

TEST_CASE("a connection closed by a violation refuses every send and repeats the failure on every receive [MQTT-4.13.1-1] [MQTT-4.8.0-1 v3.1.1]") {
  for (protocol_version v : all_levels) {
    for (role who : {role::client, role::server}) {
      INFO(name(who), " at level ", name(v));
      link l = reach(connection_state::connected, v);
      connection& c = under_test(l, who);
      // A packet of the wrong direction: SUBACK to a server, SUBSCRIBE to a client.
      const packet_type wrong = who == role::client ? packet_type::subscribe : packet_type::suback;
      expect_violation(c, incoming(wrong, v),
                       {errc::protocol_error, 0x82, wrong, reply_to_violation(who, connection_state::connected, v, 0x82)});
      const error failure = *c.failure();
      for (packet_type t : all_kinds) {
        INFO(name(t));
        const packet p = sample(t, v);
        expect_refused(c, errc::closed, [&] { return c.send(p); });
        const std::vector<std::uint8_t> in = incoming(t, v);
        const result<std::size_t> r = c.receive(in);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error() == failure);
        CHECK(c.next_event() == nullptr);
      }
    }
  }
}

}  // TEST_SUITE
