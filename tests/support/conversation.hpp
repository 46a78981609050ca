// Helpers for conversation tests: a scripted exchange between a client and a server connection,
// run live (each packet checked field by field at the far end) and replayed one side at a time
// with the received bytes cut at every point.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <sstream>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "codec_helpers.hpp"
#include "conn_pair.hpp"
#include "mqttconn/codec.hpp"
#include "random_packets.hpp"

namespace mqttconn::test {

// One packet of a conversation and who sends it.
struct step {
  bool from_client = true;
  packet p;
};
using script = std::vector<step>;

// The packet encoded at level v, in hex, for failure messages.
inline std::string wire_of(const packet& p, protocol_version v) {
  std::vector<std::uint8_t> out;
  const result<std::size_t> n = encode(p, v, out);
  if (!n) return "(not encodable: " + n.error().message() + ")";
  return to_hex(out);
}

inline std::string why(const result<void>& r) { return r ? std::string("ok") : r.error().message(); }

// Strings, not const char*: doctest prints a char pointer as an address.
inline std::string name_of(const packet& p) { return to_string(type_of(p)); }

// A received packet against the one sent: == on the packet compares every field.
inline void check_same(const packet& got, const packet& want, protocol_version v) {
  const bool same = got == want;
  CHECK_MESSAGE(same, name_of(want) << " differs at the far end: got " << name_of(got) << " "
                                    << wire_of(got, v) << ", sent " << wire_of(want, v));
}

// The level of a conversation: the one its CONNECT names.
inline protocol_version version_of(const script& s) {
  REQUIRE(!s.empty());
  const connect* c = std::get_if<connect>(&s.front().p);
  REQUIRE(c != nullptr);
  return c->version;
}

inline connection_options client_options() { return {.role = role::client}; }
inline connection_options server_options() { return {.role = role::server}; }

// --- Live run ---------------------------------------------------------------------------

struct live_run {
  connection client;
  connection server;
  std::vector<std::uint8_t> to_server;  // every byte the client wrote, in order
  std::vector<std::uint8_t> to_client;  // every byte the server wrote, in order
};

// Client and server back to back: each step is sent by its side, written out, fed whole to the
// other side, and must arrive there as exactly one packet equal to the one sent.
inline live_run run_live(const script& s, const connection_options& co = client_options(),
                         const connection_options& so = server_options()) {
  live_run r{connection(co), connection(so), {}, {}};
  const protocol_version v = version_of(s);
  for (std::size_t i = 0; i < s.size(); ++i) {
    const step& st = s[i];
    connection& from = st.from_client ? r.client : r.server;
    connection& to = st.from_client ? r.server : r.client;
    INFO("step " << i << ": " << name_of(st.p) << std::string(st.from_client ? " client to server" : " server to client"));
    const result<void> sent = from.send(st.p);
    REQUIRE_MESSAGE(sent.has_value(), why(sent));
    const std::vector<std::uint8_t> w = drain(from);
    CHECK(!w.empty());
    std::vector<std::uint8_t>& log = st.from_client ? r.to_server : r.to_client;
    log.insert(log.end(), w.begin(), w.end());
    std::size_t seen = 0;
    const delivery d = feed(to, w, w.size(), [&](const packet& got) {
      ++seen;
      check_same(got, st.p, v);
    });
    CHECK_MESSAGE(!d.failure.has_value(), (d.failure ? d.failure->message() : std::string()));
    CHECK(seen == 1);
  }
  return r;
}

// --- Replay -----------------------------------------------------------------------------

struct replay_outcome {
  std::size_t events = 0;
  std::optional<std::size_t> mismatch;  // first event that differed from the script
  std::optional<error> failure;         // from receive() or from one of the side's sends
  bool stuck = false;                   // receive() took nothing and gave no event, or too much
  std::vector<std::uint8_t> output;     // every byte the side wrote
  connection_state end = connection_state::idle;
};

// Plays side `as` of the conversation on a fresh connection against `wire`, the bytes the
// other side wrote, handed over as separate buffers cut at `cuts` (ascending, inside the
// wire). The side sends its own steps in script order, each as soon as the step before it
// has arrived, so it sends and receives in the same order as in the live run. Each buffer is
// overwritten once it has been fed: a view kept into it would show.
inline replay_outcome replay(const script& s, role as, bytes wire, std::span<const std::size_t> cuts,
                             const connection_options& o) {
  connection_options opts = o;
  opts.role = as;
  connection c(opts);
  const bool client = as == role::client;
  replay_outcome out;
  std::size_t next = 0;
  auto send_own = [&]() {  // the side's steps up to the next one it receives
    for (; next < s.size() && s[next].from_client == client; ++next) {
      if (const result<void> r = c.send(s[next].p); !r) {
        out.failure = r.error();
        return false;
      }
    }
    const std::vector<std::uint8_t> w = drain(c);
    out.output.insert(out.output.end(), w.begin(), w.end());
    return true;
  };
  bool going = send_own();
  std::vector<std::uint8_t> piece;
  for (std::size_t i = 0, from = 0; going && i <= cuts.size(); ++i) {
    const std::size_t to = i < cuts.size() ? cuts[i] : wire.size();
    piece.assign(wire.begin() + static_cast<std::ptrdiff_t>(from), wire.begin() + static_cast<std::ptrdiff_t>(to));
    from = to;
    for (bytes in(piece); going && !in.empty();) {
      const result<std::size_t> n = c.receive(in);
      if (!n) {
        out.failure = n.error();
        break;
      }
      if (*n > in.size()) {  // took more than it was given
        out.stuck = true;
        break;
      }
      in = in.subspan(*n);
      const packet* p = c.next_event();
      if (p == nullptr) {
        out.stuck = *n == 0;
        going = !out.stuck;
        continue;
      }
      const bool expected = next < s.size() && s[next].from_client != client && *p == s[next].p;
      if (!expected && !out.mismatch) out.mismatch = out.events;
      ++out.events;
      ++next;
      going = send_own();
    }
    going = going && !out.failure && !out.stuck;
    std::fill(piece.begin(), piece.end(), std::uint8_t{0xCC});
  }
  out.end = c.state();
  return out;
}

// Whole, byte by byte, split in two at every point and in a few fixed chunk sizes, each side of
// the live run replayed gives the same events (the script's), writes the same bytes and ends in
// the same state as live.
inline void check_replays(const script& s, const live_run& live, const connection_options& co = client_options(),
                          const connection_options& so = server_options()) {
  for (const role as : {role::client, role::server}) {
    const bool client = as == role::client;
    INFO(std::string(client ? "client side" : "server side"));
    const std::vector<std::uint8_t>& wire = client ? live.to_client : live.to_server;
    const std::vector<std::uint8_t>& own = client ? live.to_server : live.to_client;
    const connection_state end = client ? live.client.state() : live.server.state();
    const std::size_t expected = static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [&](const step& st) { return st.from_client != client; }));
    auto failed = [&](const std::vector<std::size_t>& cuts) -> std::optional<std::string> {
      const replay_outcome r = replay(s, as, wire, cuts, client ? co : so);
      std::ostringstream m;
      if (r.failure) m << " failure: " << r.failure->message() << ";";
      if (r.stuck) m << " receive() took nothing or more than it was given;";
      if (r.mismatch) m << " event " << *r.mismatch << " differs from the script;";
      if (r.events != expected) m << " " << r.events << " events, not " << expected << ";";
      if (r.output != own) m << " its output differs from the live run's;";
      if (r.end != end) m << " ends " << to_string(r.end) << ", not " << to_string(end) << ";";
      if (m.tellp() == 0) return std::nullopt;
      return m.str();
    };
    const auto whole = failed({});
    CHECK_MESSAGE(!whole, "whole:" << whole.value_or(""));
    for (const std::size_t chunk : {1u, 2u, 3u, 7u, 64u}) {  // 1: byte by byte
      std::vector<std::size_t> cuts;
      for (std::size_t k = chunk; k < wire.size(); k += chunk) cuts.push_back(k);
      const auto chunked = failed(cuts);
      CHECK_MESSAGE(!chunked, "chunks of " << chunk << ":" << chunked.value_or(""));
    }
    std::size_t bad = 0;
    std::ostringstream first;
    for (std::size_t k = 1; k < wire.size(); ++k) {
      if (const auto f = failed({k})) {
        if (bad++ == 0) first << "split at " << k << ":" << *f;
      }
    }
    CHECK_MESSAGE(bad == 0, bad << " of " << wire.size() - 1 << " split points fail; first " << first.str());
  }
}

// --- Random conversations ---------------------------------------------------------------

inline constexpr std::string_view random_auth_method = "rnd-auth";

// DISCONNECT codes only a server sends (5.0 Table 2-6).
inline bool server_only_disconnect_code(std::uint8_t rc) {
  static constexpr std::uint8_t codes[] = {0x87, 0x89, 0x8B, 0x8C, 0x8D, 0x8E, 0x8F, 0x9A,
                                           0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2};
  return std::find(std::begin(codes), std::end(codes), rc) != std::end(codes);
}

// A generated packet made legal for its direction on a connection that random_script's
// CONNECT and CONNACK set up.
inline packet random_packet(packet_generator& gen, packet_type t, protocol_version v, bool from_client) {
  packet p = gen.make(t, v);
  if (auto* pub = std::get_if<publish>(&p); pub != nullptr && from_client) {
    pub->props.clear(property_id::subscription_identifier);  // server only [MQTT-3.3.4-6]
  }
  if (auto* a = std::get_if<auth>(&p)) a->props.set_authentication_method(random_auth_method);
  if (auto* d = std::get_if<disconnect>(&p); d != nullptr && v == protocol_version::v5) {
    if (from_client) {
      if (server_only_disconnect_code(d->reason_code)) d->reason_code = reason::normal_disconnection;
      d->props.clear(property_id::server_reference);
    } else {
      if (d->reason_code == reason::disconnect_with_will_message) d->reason_code = reason::normal_disconnection;
      d->props.clear(property_id::session_expiry_interval);  // [MQTT-3.14.2-2]
    }
  }
  return p;
}

inline packet random_auth(packet_generator& gen, std::uint8_t reason_code) {
  packet p = random_packet(gen, packet_type::auth, protocol_version::v5, true);
  std::get<auth>(p).reason_code = reason_code;
  return p;
}

// CONNECT, (5.0: AUTH 0x18 both ways,) CONNACK, then `rounds` generated packets of every kind
// in every legal direction in random order (5.0 AUTH as whole re-authentications), then a
// generated DISCONNECT from the client or, in 5.0, the server. The packets view the generator.
inline script random_script(packet_generator& gen, protocol_version v, bool client_disconnects, int rounds) {
  const bool v5 = v == protocol_version::v5;
  script s;
  connect c;
  c.version = v;
  c.keep_alive = 60;
  c.client_id = "random-client";
  if (v5) {
    c.props.set_session_expiry_interval(3600).set_topic_alias_maximum(65535);
    c.props.set_authentication_method(random_auth_method);
  }
  s.push_back({true, c});
  if (v5) {
    s.push_back({false, random_auth(gen, reason::continue_authentication)});
    s.push_back({true, random_auth(gen, reason::continue_authentication)});
  }
  connack a;
  if (v5) a.props.set_topic_alias_maximum(65535).set_authentication_method(random_auth_method);
  s.push_back({false, a});

  using pt = packet_type;
  std::vector<std::pair<bool, pt>> order;
  for (int r = 0; r < rounds; ++r) {
    for (const pt t : {pt::publish, pt::puback, pt::pubrec, pt::pubrel, pt::pubcomp}) {
      order.insert(order.end(), {{true, t}, {false, t}});
    }
    order.insert(order.end(), {{true, pt::subscribe}, {false, pt::suback}, {true, pt::unsubscribe},
                               {false, pt::unsuback}, {true, pt::pingreq}, {false, pt::pingresp}});
    if (v5) order.emplace_back(true, pt::auth);
  }
  for (std::size_t i = order.size(); i > 1; --i) {
    std::swap(order[i - 1], order[gen.below(static_cast<std::uint32_t>(i))]);
  }
  for (const auto& [from_client, t] : order) {
    if (t != pt::auth) {
      s.push_back({from_client, random_packet(gen, t, v, from_client)});
      continue;
    }
    // Re-authentication [MQTT-4.12.1-1]: 0x19, then the server ends it at once or after a round.
    s.push_back({true, random_auth(gen, reason::re_authenticate)});
    if (gen.coin()) {
      s.push_back({false, random_auth(gen, reason::continue_authentication)});
      s.push_back({true, random_auth(gen, reason::continue_authentication)});
    }
    s.push_back({false, random_auth(gen, reason::success)});
  }
  s.push_back({client_disconnects, random_packet(gen, pt::disconnect, v, client_disconnects)});
  return s;
}

// --- Small conversations ------------------------------------------------------------------

// A CONNECT without Authentication Method at level v.
inline connect plain_connect(protocol_version v) {
  connect c;
  c.version = v;
  c.keep_alive = 30;
  c.client_id = "plain-client";
  return c;
}

// A client and a server after CONNECT and CONNACK 0x00 at level v: run_live(handshake(v)).
inline script handshake(protocol_version v) { return {{true, plain_connect(v)}, {false, connack{}}}; }

// A PUBLISH of `payload` (which the caller keeps alive).
inline publish make_pub(std::string_view topic, qos q, std::uint16_t id, binary payload) {
  publish p;
  p.topic = topic;
  p.qos = q;
  p.packet_id = id;
  p.payload = payload;
  return p;
}

// The packet's bytes at level v.
inline std::vector<std::uint8_t> encoded(const packet& p, protocol_version v) {
  std::vector<std::uint8_t> out;
  const result<std::size_t> n = encode(p, v, out);
  REQUIRE_MESSAGE(n.has_value(), (n ? std::string() : n.error().message()));
  return out;
}

// receive() on `in` must succeed and take `size` bytes; `in` moves past them.
inline void receive_bytes(connection& c, bytes& in, std::size_t size) {
  const result<std::size_t> n = c.receive(in);
  REQUIRE_MESSAGE(n.has_value(), (n ? std::string() : n.error().message()));
  CHECK(*n == size);
  in = in.subspan(*n);
}

// The same, then takes the event.
inline const packet* receive_one(connection& c, bytes& in, std::size_t size) {
  receive_bytes(c, in, size);
  return c.next_event();
}

// receive() must fail with `code`.
inline void check_refused(const result<std::size_t>& r, errc code) {
  REQUIRE(!r.has_value());
  CHECK(r.error().code == code);
}

// Sends one packet of every kind on `c`, which is closed: each is refused with errc::closed
// and nothing is queued.
inline void check_every_send_closed(connection& c, protocol_version v) {
  REQUIRE(c.closed());
  packet_generator gen(static_cast<std::uint64_t>(v) * 1000 + (c.role() == role::client ? 1 : 2));
  const std::size_t queued = c.output_size();
  for (int t = 1; t <= 15; ++t) {
    const packet p = gen.make(static_cast<packet_type>(t), v);
    INFO("sending " << name_of(p));
    const result<void> r = c.send(p);
    REQUIRE(!r);
    CHECK(r.error().code == errc::closed);
  }
  for (const result<void>& r : {c.pingreq(), c.pingresp(), c.disconnect()}) {
    REQUIRE(!r);
    CHECK(r.error().code == errc::closed);
  }
  CHECK(c.output_size() == queued);
}

// [V5-U28] [V311-U10]: CONNECT, PUBLISH and PINGREQ arrive in one buffer. receive() takes the
// CONNECT alone (the server learns the level from it); the rest follows, decoded at that level.
inline void check_bytes_after_connect(protocol_version v) {
  connection client = make_client();
  connection server = make_server();
  const packet sent[] = {plain_connect(v), make_pub("after/connect", qos::at_least_once, 7, binary(std::string_view("kept"))),
                         pingreq{}};
  for (const packet& x : sent) REQUIRE(client.send(x));
  const std::vector<std::uint8_t> wire = drain(client);
  bytes in(wire);
  for (const packet& x : sent) {
    const packet* e = receive_one(server, in, encoded(x, v).size());
    REQUIRE(e != nullptr);
    check_same(*e, x, v);
    CHECK(server.version() == v);
    CHECK(server.state() == connection_state::connecting);
  }
  CHECK(in.empty());
  REQUIRE(server.connack(connack{}));
  CHECK(server.state() == connection_state::connected);
}

// While an event waits, receive() gives errc::event_pending and changes nothing: not the
// state, not the output, not the pending packet (even one held in the reassembly buffer).
inline void check_event_pending(protocol_version v) {
  connection client = make_client();
  connection server = make_server();
  const connect c = plain_connect(v);
  REQUIRE(client.connect(c));
  REQUIRE(client.pingreq());
  const std::vector<std::uint8_t> wire = drain(client);
  bytes in(wire);
  receive_bytes(server, in, wire.size() - 2);  // the CONNECT, left pending
  check_refused(server.receive(in), errc::event_pending);
  check_refused(server.receive(bytes()), errc::event_pending);
  CHECK(server.state() == connection_state::connecting);
  CHECK(server.output_size() == 0);
  CHECK_FALSE(server.failure().has_value());
  const packet* e = server.next_event();
  REQUIRE(e != nullptr);
  check_same(*e, c, v);
  CHECK(server.next_event() == nullptr);
  e = receive_one(server, in, 2);
  REQUIRE(e != nullptr);
  CHECK(std::holds_alternative<pingreq>(*e));

  // A PUBLISH completed from the reassembly buffer, then PINGRESP in the same buffer.
  live_run pr = run_live(handshake(v));
  const std::uint8_t body[100] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const publish p = make_pub("pending/split", qos::exactly_once, 9, binary(body, sizeof body));
  REQUIRE(pr.server.publish(p));
  REQUIRE(pr.server.pingresp());
  const std::vector<std::uint8_t> down = drain(pr.server);
  std::vector<std::uint8_t> first(down.begin(), down.begin() + 10);
  const std::vector<std::uint8_t> second(down.begin() + 10, down.end());
  bytes a(first), b(second);
  CHECK(receive_one(pr.client, a, 10) == nullptr);
  std::fill(first.begin(), first.end(), std::uint8_t{0xCC});
  receive_bytes(pr.client, b, second.size() - 2);  // the PUBLISH, left pending
  check_refused(pr.client.receive(b), errc::event_pending);
  CHECK(pr.client.state() == connection_state::connected);
  CHECK(pr.client.output_size() == 0);
  e = pr.client.next_event();
  REQUIRE(e != nullptr);
  check_same(*e, p, v);
  e = receive_one(pr.client, b, 2);
  REQUIRE(e != nullptr);
  CHECK(std::holds_alternative<pingresp>(*e));
}

// After a DISCONNECT (sent by the client, or in 5.0 by the server) both ends are closed:
// receive() and every send give errc::closed, and bytes after the DISCONNECT are not taken.
inline void check_closed_after_disconnect(protocol_version v, bool by_client) {
  live_run pr = run_live(handshake(v));
  connection& from = by_client ? pr.client : pr.server;
  connection& to = by_client ? pr.server : pr.client;
  REQUIRE(from.disconnect(disconnect{}));
  CHECK(from.closed());
  std::vector<std::uint8_t> wire = drain(from);
  const std::size_t size = wire.size();
  const std::vector<std::uint8_t> more = encoded(by_client ? packet(pingreq{}) : packet(pingresp{}), v);
  wire.insert(wire.end(), more.begin(), more.end());
  bytes in(wire);
  const packet* e = receive_one(to, in, size);
  CHECK(to.closed());
  REQUIRE(e != nullptr);
  CHECK(std::holds_alternative<disconnect>(*e));
  for (connection* c : {&to, &from}) {
    check_refused(c->receive(in), errc::closed);
    CHECK(c->next_event() == nullptr);
    check_every_send_closed(*c, v);
  }
  CHECK(to.output_size() == 0);
}

}  // namespace mqttconn::test
