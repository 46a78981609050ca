// conn_driver: runs a fuzzer-chosen script of operations against one connection and checks
// its invariants after every step (fuzz_conn_server.cpp and fuzz_conn_client.cpp).
//
// Input layout:
//   [0] bits 0-1 level of the CONNECT that REPLY sends (client), 2 reject_disallowed_code_points,
//       3 check_payload_format, 4-5 max packet size mode, 6-7 max output mode
//   [1] max packet size value   [2] max output value
//   [3] borrow_payloads_from (0 copies every payload, 255 is the default 16384, else the value)
//   [4..5] script length, big-endian; then the script; then the peer's byte stream.
// Script operations (first byte % 9, operands follow):
//   0 RECV k     receive() the next k bytes of the stream (0: all that is left)
//   1 LOOP f     the driver loop over the rest of the stream: receive, take each event; with
//                f bit 0 REPLY to each event, bit 1 DRAIN all output after each
//   2 TAKE       next_event()
//   3 SEND t ... a packet of kind (t & 15) % 15 built by packet_builder from the bytes that
//                follow, sent 1 + 3 * (t >> 4) times
//   4 DRAIN n    the transport writes n bytes of output (0: all; 128 and up: all but n & 127)
//   5 REPLY r    what a program would send next (CONNECT, CONNACK, acks, PINGRESP, ...)
//   6 MOVE       move the connection to a new object
//   7 END        destroy the connection now
//   8 PEER t ... a packet of kind t % 15 built from the bytes that follow, as the peer would
//                send it: encoded at the connection's level and given to receive() whole
// At the end all output is drained and the connection destroyed.
//
// Invariants (a failure aborts with a message):
//   - receive() takes at most the bytes it is given, and exactly what a stream decoder kept in
//     step with it takes; an event is pending exactly when that decoder completed a packet,
//     and next_event() gives that packet (==), once.
//   - no event after closed but the one pending when it closed; receive() never succeeds on a
//     closed connection; after a peer violation every receive() returns the same error, which
//     is also failure(); otherwise a closed connection returns errc::closed.
//   - receive() errors are event_pending, closed or a documented decode/violation code; a
//     violation the decoder did not see is a rule violation at the offset of its packet.
//   - sends fail only with wrong_state, invalid_packet, output_full or closed, and then change
//     nothing; a send that succeeds queues exactly encode(p) at the connection's level;
//     output_full only when the packet really does not fit.
//   - the output queue never exceeds max_output; output() is the first of output_segments(),
//     whose sizes add up to output_size().
//   - drained output is byte for byte what was queued, and decodes (stream_decoder at the
//     connection's level) into whole packets legal for the sender: its role's direction
//     (Table 2-1), a client's CONNECT first and once, a server's CONNACK once and before
//     anything but AUTH, nothing after a DISCONNECT or a refusing CONNACK, no packet above
//     the peer's Maximum Packet Size or Topic Alias Maximum, and a client within the server's
//     Maximum QoS and Retain Available once it has its CONNACK.
#pragma once

#include <algorithm>
#include <cstring>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "mqttconn/connection.hpp"
#include "packet_builder.hpp"

// Build with -DMQTTCONN_FUZZ_TRACE to see each step of a script on stderr (for a crash report).
#ifdef MQTTCONN_FUZZ_TRACE
#define FUZZ_TRACE(...) std::fprintf(stderr, __VA_ARGS__)
#else
#define FUZZ_TRACE(...) ((void)0)
#endif

namespace mqttconn::fuzz {

class conn_driver {
 public:
  static constexpr std::size_t header_size = 6;

  conn_driver(mqttconn::role r, const std::uint8_t* data, std::size_t size) : role_(r) {
    const std::uint8_t f = data[0];
    level_ = level_of(f);
    opts_.role = r;
    opts_.reject_disallowed_code_points = (f & 0x04) != 0;
    opts_.check_payload_format = (f & 0x08) != 0;
    opts_.max_packet_size = size_limit(static_cast<std::uint8_t>(f >> 4), data[1]);
    switch (f >> 6) {
      case 0: opts_.max_output = std::size_t{1} << 20; break;
      case 1: opts_.max_output = data[2]; break;
      case 2: opts_.max_output = std::size_t{64} * data[2]; break;
      default: opts_.max_output = std::size_t{4096} * data[2]; break;
    }
    opts_.borrow_payloads_from = data[3] == 255 ? 16384 : data[3];
    const std::size_t script_len = std::min<std::size_t>(std::size_t{data[4]} << 8 | data[5], size - header_size);
    script_ = byte_source(data + header_size, script_len);
    stream_ = bytes(data + header_size + script_len, size - header_size - script_len);
    conn_.emplace(opts_);
    twin_.emplace(opts_);
    shadow_.emplace(protocol_version::v5, decoder_options());
    if (!client()) own_alias_max_ = 0;
  }

  void run() {
    while (!script_.empty() && conn_) {
      switch (script_.u8() % 9) {
        case 0: receive(script_.u8()); break;
        case 1: loop(script_.u8()); break;
        case 2: take(); break;
        case 3: send(script_.u8()); break;
        case 4: drain(script_.u8()); break;
        case 5: reply(script_.u8()); break;
        case 6: move(); break;
        case 7: destroy(); break;
        default: peer(script_.u8()); break;
      }
      if (conn_) check_queue();
    }
    destroy();
  }

 private:
  decode_options decoder_options() const {
    decode_options o;
    o.max_packet_size = opts_.max_packet_size;
    o.reject_disallowed_code_points = opts_.reject_disallowed_code_points;
    o.check_payload_format = opts_.check_payload_format;
    return o;
  }
  bool client() const { return role_ == mqttconn::role::client; }
  std::uint64_t total_queued() const { return drained_ + conn_->output_size(); }

  // --- Receiving ----------------------------------------------------------------------------

  // receive() with the next k bytes of the stream (all when k is 0); true if it took a packet
  // or bytes without failing.
  bool receive(std::size_t k) {
    const std::size_t left = stream_.size() - cursor_;
    std::size_t taken = 0;
    const bool ok = receive(stream_.subspan(cursor_, k == 0 ? left : std::min(k, left)), taken);
    cursor_ += taken;
    return ok;
  }

  // PEER: a packet the peer might send, built from script bytes, encoded at the connection's
  // level and given to receive() whole (structure-aware receiving: valid 5.0 packets with
  // many properties reach the rules instead of dying in the decoder). A packet the encoder
  // refuses is not sent. Bytes receive() does not take are dropped, as if never sent.
  void peer(std::uint8_t t) {
    const connection& c = *conn_;
    const protocol_version v = c.state() == connection_state::idle ? level_ : c.version();
    const packet p = builder_.make(static_cast<packet_type>(1 + t % 15), v, script_);
    std::vector<std::uint8_t> buf;
    if (!encode(p, level_for(p, v), buf)) return;
    // A pending event may view the bytes of an earlier PEER; once none is, they can go.
    if (!pending_) peer_bytes_.clear();
    peer_bytes_.push_back(std::move(buf));
    std::size_t taken = 0;
    receive(peer_bytes_.back(), taken);
  }

  bool receive(const bytes in, std::size_t& taken) {
    connection& c = *conn_;
    const bool was_closed = c.closed();
    const connection_state state_before = c.state();
    const std::optional<error> failure_before = c.failure();
    const std::size_t out_before = c.output_size();
    const std::uint64_t pos_before = total_queued();
    stream_decoder& sh = *shadow_;
    sh.set_version(c.version());
    const std::uint64_t packet_start = sh.offset() - sh.buffered();

    const result<std::size_t> r = c.receive(in);
    FUZZ_TRACE("receive(%zu bytes) -> %s [%s]\n", in.size(), r ? std::to_string(*r).c_str() : describe(r.error()).c_str(),
               to_string(c.state()));
    if (r) {
      FUZZ_CHECK(!was_closed, "receive() took %zu bytes on a closed connection", *r);
      FUZZ_CHECK(!pending_, "receive() took %zu bytes while an event was pending", *r);
      FUZZ_CHECK(*r <= in.size(), "receive() says it took %zu of %zu bytes", *r, in.size());
      FUZZ_CHECK(c.output_size() == out_before, "a receive() that succeeded queued %zu bytes",
                 c.output_size() - out_before);
      bytes used = in.first(*r);
      partial_.insert(partial_.end(), used.begin(), used.end());
      const result<void> s = sh.next(used, shadow_packet_);
      if (s) {
        FUZZ_CHECK(used.empty(), "receive() took %zu bytes past the end of its packet", used.size());
        pending_ = true;
        check_received(shadow_packet_);
        note_limits(shadow_packet_, state_before, pos_before, true);
        twin_receive(&shadow_packet_, nullptr, {});
      } else {
        FUZZ_CHECK(s.error().code == errc::need_more, "receive() took bytes its decoder rejects: %s",
                   describe(s.error()).c_str());
      }
      taken = *r;
      return *r > 0 || s;
    }

    const error& e = r.error();
    check_error_shape(e);
    if (violation_) {
      FUZZ_CHECK(e == *violation_, "after the violation %s, receive() returned %s", describe(*violation_).c_str(),
                 describe(e).c_str());
    } else if (was_closed) {
      FUZZ_CHECK(failure_before ? e == *failure_before : e.code == errc::closed,
                 "receive() on a closed connection returned %s", describe(e).c_str());
    } else if (pending_) {
      FUZZ_CHECK(e.code == errc::event_pending, "receive() with an event pending returned %s", describe(e).c_str());
    } else {
      // The peer's violation: the decoder's verdict, or a rule about the packet it decoded.
      FUZZ_CHECK(decode_failure_documented(e), "receive() failed with an undocumented code: %s",
                 describe(e).c_str());
      if (client() && state_before == connection_state::idle) {
        // A client that has not sent its CONNECT takes no byte, not even a partial packet.
        FUZZ_CHECK(e.code == errc::protocol_error && e.reason_code == 0x82 && !in.empty(),
                   "receive() before CONNECT returned %s", describe(e).c_str());
      } else {
        bytes rest = in;
        packet p;
        const result<void> s = sh.next(rest, p);
        if (!s) {
          FUZZ_CHECK(s.error() == e, "receive() returned %s where its decoder says %s", describe(e).c_str(),
                     describe(s.error()).c_str());
        } else {
          FUZZ_CHECK(e.code == errc::protocol_error || e.code == errc::topic_alias_invalid,
                     "a decodable %s was refused with %s", to_string(type_of(p)), describe(e).c_str());
          FUZZ_CHECK(e.offset == packet_start && e.packet == static_cast<std::uint8_t>(type_of(p)),
                     "the violation %s does not point at its %s at offset %llu", describe(e).c_str(),
                     to_string(type_of(p)), static_cast<unsigned long long>(packet_start));
          note_limits(p, state_before, pos_before, false);
        }
      }
      FUZZ_CHECK(c.closed(), "a peer violation left the connection %s", to_string(c.state()));
      FUZZ_CHECK(c.failure() && *c.failure() == e, "failure() is not the violation receive() returned");
      violation_ = e;
      twin_receive(nullptr, &e, in);
      // What the connection queued to tell the peer is output like any other.
      if (c.output_size() > out_before) absorb_generated(out_before);
      return false;
    }
    FUZZ_CHECK(c.output_size() == out_before, "a receive() refused with %s queued output", describe(e).c_str());
    return false;
  }

  // The twin: a second connection that gets every packet whole, in one receive(), however
  // the script split it for the first ([MQTT-6.0.0-2]: the same events whatever the
  // chunking), and the same sends. It must take the packet as the same event, or refuse it
  // with the same error, and stay in the same state with the same output.
  void twin_receive(const packet* event, const error* refused, bytes rest) {
    std::vector<std::uint8_t> whole = std::move(partial_);
    partial_.clear();
    whole.insert(whole.end(), rest.begin(), rest.end());
    connection& t = *twin_;
    const result<std::size_t> r = t.receive(whole);
    if (event != nullptr) {
      FUZZ_CHECK(r && *r == whole.size(), "fed whole, the %zu-byte %s was %s", whole.size(), to_string(type_of(*event)),
                 r ? "taken in part" : describe(r.error()).c_str());
      const packet* p = t.next_event();
      FUZZ_CHECK(p != nullptr && *p == *event, "fed whole, the %s gave %s", to_string(type_of(*event)),
                 p ? "another event" : "no event");
    } else {
      FUZZ_CHECK(!r && r.error() == *refused, "fed whole, the bytes refused with %s gave %s", describe(*refused).c_str(),
                 r ? "no error" : describe(r.error()).c_str());
    }
    check_twin();
  }

  void check_twin() const {
    const connection& c = *conn_;
    const connection& t = *twin_;
    FUZZ_CHECK(t.state() == c.state() && t.version() == c.version() && t.failure() == c.failure() &&
                   t.output_size() == c.output_size(),
               "fed whole packets, the twin is %s with %zu bytes queued; the connection %s with %zu",
               to_string(t.state()), t.output_size(), to_string(c.state()), c.output_size());
  }

  // A packet receive() accepted keeps to what this side told the peer: its role's direction
  // (Table 2-1), and no PUBLISH with a Topic Alias above the Topic Alias Maximum this side
  // advertised ([MQTT-3.1.2-26] [MQTT-3.2.2-17]; 5.0 §3.3.2.3.4: "greater than Topic Alias
  // Maximum is a Protocol Error", DISCONNECT 0x94). A client's maximum is in its CONNECT; a
  // server's in its CONNACK, and until that is sent the client cannot have been given one,
  // so it is 0, the value an absent property means (§3.2.2.3.8), as this library's own client
  // assumes before CONNACK.
  void check_received(const packet& p) const {
    const packet_type t = type_of(p);
    const char* peer = client() ? "server" : "client";
    const bool allowed = client() ? t != packet_type::connect && t != packet_type::subscribe &&
                                        t != packet_type::unsubscribe && t != packet_type::pingreq
                                  : t != packet_type::connack && t != packet_type::suback &&
                                        t != packet_type::unsuback && t != packet_type::pingresp;
    FUZZ_CHECK(allowed, "the connection accepted a %s from the %s (Table 2-1)", to_string(t), peer);
    if (const auto* pub = std::get_if<publish>(&p); pub && own_alias_max_) {
      const std::uint16_t alias = pub->props.topic_alias().value_or(0);
      FUZZ_CHECK(alias <= *own_alias_max_, "the connection accepted Topic Alias %u from the %s; it advertised %u",
                 alias, peer, *own_alias_max_);
    }
  }

  // The peer limits the output must obey from now on (the position in the output stream).
  void note_limits(const packet& p, connection_state state_before, std::uint64_t pos, bool accepted) {
    if (!client() && state_before == connection_state::idle) {
      if (const auto* c = std::get_if<connect>(&p)) {
        limits_from_ = pos;
        max_packet_ = c->props.maximum_packet_size().value_or(protocol_max_packet_size);
        alias_max_ = c->props.topic_alias_maximum().value_or(0);
      }
    } else if (client() && accepted && state_before == connection_state::connecting) {
      if (const auto* a = std::get_if<connack>(&p); a && a->reason_code == 0) {
        limits_from_ = pos;
        max_packet_ = a->props.maximum_packet_size().value_or(protocol_max_packet_size);
        alias_max_ = a->props.topic_alias_maximum().value_or(0);
        max_qos_ = a->props.maximum_qos().value_or(2);
        retain_ok_ = a->props.retain_available().value_or(true);
      }
    }
  }

  void take() {
    const packet* e = conn_->next_event();
    FUZZ_CHECK((e != nullptr) == pending_, "next_event() %s although %s",
               e ? "gave an event" : "gave nothing", pending_ ? "one was pending" : "none was pending");
    if (e == nullptr) return;
    FUZZ_TRACE("event %s\n", to_string(type_of(*e)));
    pending_ = false;
    FUZZ_CHECK(*e == shadow_packet_, "the event (%s) differs from the packet its bytes decode to (%s)",
               to_string(type_of(*e)), to_string(type_of(shadow_packet_)));
    remember(*e);
  }

  void loop(std::uint8_t f) {
    auto handle = [&] {
      if (pending_) {
        take();
        if (f & 1) reply(0);
      }
      if ((f & 2) && conn_) drain(0);
    };
    for (int i = 0; i < 4096 && conn_; ++i) {
      handle();
      if (!conn_ || cursor_ == stream_.size() || !receive(0)) break;
    }
    if (conn_) handle();
  }

  // --- Sending ------------------------------------------------------------------------------

  // SEND t: a packet of kind (t & 15) % 15, sent 1 + 3 * (t >> 4) times (long queues).
  void send(std::uint8_t t) {
    const protocol_version v = client() && conn_->state() == connection_state::idle ? level_ : conn_->version();
    const packet p = builder_.make(static_cast<packet_type>(1 + (t & 15) % 15), v, script_);
    for (int n = 1 + 3 * (t >> 4); n > 0; --n) send(p);
  }

  void send(const packet& p) {
    connection& c = *conn_;
    const bool was_closed = c.closed();
    const connection_state state = c.state();
    const protocol_version version = c.version();
    const std::optional<error> failure = c.failure();
    const std::size_t out_before = c.output_size();
    const result<void> r = c.send(p);
    FUZZ_TRACE("send %s -> %s [%s]\n", to_string(type_of(p)), r ? "ok" : describe(r.error()).c_str(),
               to_string(c.state()));
    const result<void> rt = twin_->send(p);
    FUZZ_CHECK(r.has_value() == rt.has_value() && (r || r.error() == rt.error()),
               "the twin's send of the same %s gave %s", to_string(type_of(p)),
               rt ? "success" : describe(rt.error()).c_str());
    check_twin();
    if (!r) {
      const error& e = r.error();
      check_error_shape(e);
      FUZZ_CHECK(e.code == errc::wrong_state || e.code == errc::invalid_packet || e.code == errc::output_full ||
                     e.code == errc::closed,
                 "sending a %s failed with an undocumented code: %s", to_string(type_of(p)), describe(e).c_str());
      FUZZ_CHECK(!was_closed || e.code == errc::closed, "sending a %s on a closed connection gave %s",
                 to_string(type_of(p)), describe(e).c_str());
      FUZZ_CHECK(c.state() == state && c.version() == version && c.failure() == failure &&
                     c.output_size() == out_before,
                 "a refused %s (%s) changed the connection", to_string(type_of(p)), describe(e).c_str());
      if (e.code == errc::output_full) {
        const result<std::size_t> n = encoded_size(p, level_for(p, version));
        FUZZ_CHECK(n && out_before + *n > opts_.max_output,
                   "output_full for a %s that fits: %zu queued, max_output %zu", to_string(type_of(p)), out_before,
                   opts_.max_output);
      }
      return;
    }
    FUZZ_CHECK(!was_closed, "a %s was sent on a closed connection", to_string(type_of(p)));
    const std::vector<std::uint8_t> bytes_out = encode_or_die(p, version, "a packet the connection sent");
    FUZZ_CHECK(c.output_size() == out_before + bytes_out.size(), "sending a %zu-byte %s queued %zu bytes",
               bytes_out.size(), to_string(type_of(p)), c.output_size() - out_before);
    expected_.insert(expected_.end(), bytes_out.begin(), bytes_out.end());
    if (const auto* cn = std::get_if<connect>(&p)) {
      own_alias_max_ = cn->version == protocol_version::v5 ? cn->props.topic_alias_maximum().value_or(0) : 0;
    }
    if (const auto* ca = std::get_if<connack>(&p); ca && ca->reason_code == 0) {
      own_alias_max_ = version == protocol_version::v5 ? ca->props.topic_alias_maximum().value_or(0) : 0;
    }
    if (std::holds_alternative<disconnect>(p)) {
      FUZZ_CHECK(c.closed(), "sending DISCONNECT left the connection %s", to_string(c.state()));
    }
  }

  // What a peer program would send after the last event.
  void reply(std::uint8_t r) {
    connection& c = *conn_;
    const bool v5 = c.version() == protocol_version::v5;
    if (client()) {
      if (c.state() == connection_state::idle) {
        connect p;
        p.version = level_;
        p.client_id = (r & 2) && (level_ != protocol_version::v3_1) ? "" : "fuzz";
        p.clean_start = !(r & 8) || p.client_id.empty();
        p.keep_alive = 60;
        if (level_ == protocol_version::v5) {
          if (r & 1) p.props.set_authentication_method("SCRAM-SHA-1");
          if (r & 4) p.props.set_request_problem_information(false);
          if (r & 16) p.props.set_request_response_information(true);
          if (r & 32) p.props.set_topic_alias_maximum(10);
          if (r & 64) p.props.set_maximum_packet_size(128);
        }
        return send(packet(p));
      }
      switch (last_.type) {
        case packet_type::publish:
          if (last_.q == qos::at_least_once) return send(packet(puback{last_.id, 0, {}}));
          if (last_.q == qos::exactly_once) return send(packet(pubrec{last_.id, 0, {}}));
          break;
        case packet_type::pubrec: return send(packet(pubrel{last_.id, 0, {}, false}));
        case packet_type::pubrel: return send(packet(pubcomp{last_.id, 0, {}}));
        case packet_type::auth: {
          auth a;
          a.reason_code = 0x18;
          a.props.set_authentication_method(last_.method);
          return send(packet(a));
        }
        default: break;
      }
      return send(packet(pingreq{}));
    }
    switch (last_.type) {
      case packet_type::connect:
      case packet_type::auth: {
        if (last_.has_method && (r & 1) && c.state() == connection_state::connecting) {
          auth a;
          a.reason_code = 0x18;
          a.props.set_authentication_method(last_.method);
          return send(packet(a));
        }
        if (c.state() == connection_state::connected) {
          auth a;
          a.props.set_authentication_method(last_.method);
          return send(packet(a));
        }
        connack a;
        a.reason_code = r & 4 ? 0x87 : 0;
        if (v5) {
          if (last_.empty_client_id) a.props.set_assigned_client_identifier("assigned-1");
          if (last_.has_method) a.props.set_authentication_method(last_.method);
          if (r & 8) a.props.set_maximum_qos(r & 16 ? 1 : 0);
          if (r & 32) a.props.set_retain_available(false);
          if (r & 64) a.props.set_topic_alias_maximum(3);
          if (r & 128) a.props.set_wildcard_subscription_available(false).set_shared_subscription_available(false);
        }
        return send(packet(a));
      }
      case packet_type::publish:
        if (last_.q == qos::at_least_once) return send(packet(puback{last_.id, 0, {}}));
        if (last_.q == qos::exactly_once) return send(packet(pubrec{last_.id, 0, {}}));
        break;
      case packet_type::pubrec: return send(packet(pubrel{last_.id, 0, {}, false}));
      case packet_type::pubrel: return send(packet(pubcomp{last_.id, 0, {}}));
      case packet_type::subscribe: {
        auto& rc = codes_.emplace_back(last_.count, static_cast<std::uint8_t>(r & 1));
        suback a;
        a.packet_id = last_.id;
        a.reason_codes = binary(rc.data(), rc.size());
        return send(packet(a));
      }
      case packet_type::unsubscribe: {
        unsuback a;
        a.packet_id = last_.id;
        if (v5) {
          auto& rc = codes_.emplace_back(last_.count, std::uint8_t{0});
          a.reason_codes = binary(rc.data(), rc.size());
        }
        return send(packet(a));
      }
      case packet_type::pingreq: return send(packet(pingresp{}));
      default: break;
    }
    if (r & 0x80) return send(packet(disconnect{}));
  }

  // The facts of the last event that a reply needs (its views die with the next receive()).
  void remember(const packet& p) {
    last_ = {};
    last_.type = type_of(p);
    std::visit(
        [this](const auto& x) {
          using P = std::decay_t<decltype(x)>;
          if constexpr (requires { x.packet_id; }) last_.id = x.packet_id;
          if constexpr (std::is_same_v<P, publish>) last_.q = x.qos;
          if constexpr (std::is_same_v<P, subscribe>) last_.count = x.subscriptions.size();
          if constexpr (std::is_same_v<P, unsubscribe>) last_.count = x.topic_filters.size();
          if constexpr (std::is_same_v<P, connect>) last_.empty_client_id = x.client_id.empty();
          if constexpr (std::is_same_v<P, connect> || std::is_same_v<P, auth>) {
            if (const auto m = x.props.authentication_method()) {
              last_.has_method = true;
              last_.method = builder_.keep(*m);
            }
          }
        },
        p);
  }

  // --- Output -------------------------------------------------------------------------------

  // Bytes the connection queued on its own (a CONNACK or DISCONNECT after a violation): the
  // tail of the queue past `from` bytes.
  void absorb_generated(std::size_t from) {
    std::vector<std::uint8_t> all;
    std::vector<bytes> segs(conn_->output_size() + 1);  // never more segments than bytes
    const std::size_t n = conn_->output_segments(segs);
    FUZZ_CHECK(n < segs.size(), "%zu output segments for %zu bytes", n, conn_->output_size());
    for (std::size_t i = 0; i < n; ++i) all.insert(all.end(), segs[i].begin(), segs[i].end());
    FUZZ_CHECK(all.size() == conn_->output_size(), "output_segments() hold %zu bytes, output_size() is %zu",
               all.size(), conn_->output_size());
    expected_.insert(expected_.end(), all.begin() + static_cast<std::ptrdiff_t>(from), all.end());
  }

  void check_queue() {
    const connection& c = *conn_;
    FUZZ_CHECK(c.output_size() <= opts_.max_output, "%zu bytes queued, max_output is %zu", c.output_size(),
               opts_.max_output);
    FUZZ_CHECK(total_queued() == expected_start_ + expected_.size(),
               "the connection queued %llu bytes in all, the sends and violations account for %llu",
               static_cast<unsigned long long>(total_queued()),
               static_cast<unsigned long long>(expected_start_ + expected_.size()));
    bytes segs[256];
    const std::size_t n = c.output_segments(segs);
    std::size_t sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
      FUZZ_CHECK(!segs[i].empty(), "output segment %zu is empty", i);
      sum += segs[i].size();
    }
    FUZZ_CHECK(n == 256 || sum == c.output_size(), "output_segments() hold %zu bytes, output_size() is %zu", sum,
               c.output_size());
    const bytes first = c.output();
    FUZZ_CHECK(n == 0 ? first.empty() : first.data() == segs[0].data() && first.size() == segs[0].size(),
               "output() is not the first output segment");
    FUZZ_CHECK(!c.failure() || c.closed(), "a failure() on a connection that is %s", to_string(c.state()));
    if (closed_seen_) FUZZ_CHECK(c.closed(), "a closed connection reopened as %s", to_string(c.state()));
    closed_seen_ = c.closed();
    check_twin();
    FUZZ_CHECK(static_cast<int>(c.state()) >= static_cast<int>(state_seen_), "the state went back from %s to %s",
               to_string(state_seen_), to_string(c.state()));
    state_seen_ = c.state();
  }

  // The transport writes n bytes: all when n is 0, n when below 128, else all but n & 127
  // (a backlog that is never quite drained).
  void drain(std::uint8_t n) {
    connection& c = *conn_;
    const std::size_t size = c.output_size();
    std::size_t want = n == 0 ? size : n < 0x80 ? std::min<std::size_t>(n, size) : size - std::min<std::size_t>(n & 0x7F, size);
    while (want > 0) {
      const bytes o = c.output();
      FUZZ_CHECK(!o.empty(), "output() is empty with %zu bytes queued", c.output_size());
      const std::size_t m = std::min(want, o.size());
      const std::size_t at = static_cast<std::size_t>(drained_ - expected_start_);
      FUZZ_CHECK(at + m <= expected_.size() && std::memcmp(o.data(), expected_.data() + at, m) == 0,
                 "output bytes %llu..%llu are not what was queued: %s", static_cast<unsigned long long>(drained_),
                 static_cast<unsigned long long>(drained_ + m), hex(o.first(m), 64).c_str());
      check_output(o.first(m));
      const bytes ot = twin_->output();
      FUZZ_CHECK(ot.size() >= m || ot.size() == twin_->output_size(), "the twin's output is split differently");
      const std::size_t mt = std::min(m, ot.size());
      FUZZ_CHECK(std::memcmp(ot.data(), o.data(), mt) == 0, "the twin queued other bytes");
      twin_->consume_output(mt);
      if (mt < m) {  // the twin's segments may end elsewhere
        const bytes rest = twin_->output();
        FUZZ_CHECK(rest.size() >= m - mt && std::memcmp(rest.data(), o.data() + mt, m - mt) == 0,
                   "the twin queued other bytes");
        twin_->consume_output(m - mt);
      }
      const std::size_t before = c.output_size();
      c.consume_output(m);
      FUZZ_CHECK(c.output_size() == before - m, "consume_output(%zu) left %zu of %zu bytes", m, c.output_size(),
                 before);
      drained_ += m;
      want -= m;
    }
    // Forget what was written, now and then.
    const std::size_t done = static_cast<std::size_t>(drained_ - expected_start_);
    if (done > 65536 && done * 2 > expected_.size()) {
      expected_.erase(expected_.begin(), expected_.begin() + static_cast<std::ptrdiff_t>(done));
      expected_start_ = drained_;
    }
  }

  // The drained bytes decode into whole packets this role may send at this level.
  void check_output(bytes chunk) {
    stream_decoder& d = out_;
    packet p;
    for (;;) {
      d.set_version(conn_->version());
      const std::uint64_t start = d.offset() - d.buffered();
      const result<void> r = d.next(chunk, p);
      if (!r) {
        FUZZ_CHECK(r.error().code == errc::need_more, "the %s's output does not decode: %s",
                   client() ? "client" : "server", describe(r.error()).c_str());
        return;
      }
      FUZZ_TRACE("output %s, %llu bytes\n", to_string(type_of(p)), static_cast<unsigned long long>(d.offset() - start));
      check_sent(p, start, d.offset() - start);
    }
  }

  void check_sent(const packet& p, std::uint64_t start, std::uint64_t size) {
    const packet_type t = type_of(p);
    const char* who = client() ? "client" : "server";
    const protocol_version v = conn_->version();
    FUZZ_CHECK(!ended_, "the %s sent a %s after its DISCONNECT or refusing CONNACK", who, to_string(t));
    const bool allowed = client() ? t != packet_type::connack && t != packet_type::suback &&
                                        t != packet_type::unsuback && t != packet_type::pingresp
                                  : t != packet_type::connect && t != packet_type::subscribe &&
                                        t != packet_type::unsubscribe && t != packet_type::pingreq &&
                                        (t != packet_type::disconnect || v == protocol_version::v5);
    FUZZ_CHECK(allowed, "the %s sent a %s at level %d (Table 2-1)", who, to_string(t), static_cast<int>(v));
    if (client()) {
      FUZZ_CHECK((sent_ == 0) == (t == packet_type::connect), "the client sent a %s as packet %zu", to_string(t),
                 sent_);
    } else {
      FUZZ_CHECK(t == packet_type::auth || (t == packet_type::connack ? !connack_sent_ : connack_ok_),
                 "the server sent a %s %s", to_string(t),
                 connack_sent_ ? "after a refusing or second CONNACK" : "before its CONNACK");
      if (const auto* a = std::get_if<connack>(&p)) {
        connack_sent_ = true;
        connack_ok_ = a->reason_code == 0;
        ended_ = !connack_ok_;
      }
    }
    if (t == packet_type::disconnect) ended_ = true;
    const bool limited = start >= limits_from_;
    FUZZ_CHECK(size <= (limited ? max_packet_ : protocol_max_packet_size),
               "the %s sent a %llu-byte %s; the peer's Maximum Packet Size is %u", who,
               static_cast<unsigned long long>(size), to_string(t), max_packet_);
    if (const auto* pub = std::get_if<publish>(&p)) {
      const std::uint16_t alias = pub->props.topic_alias().value_or(0);
      FUZZ_CHECK(alias <= (limited ? alias_max_ : 0), "the %s sent Topic Alias %u; the peer's maximum is %u", who,
                 alias, limited ? alias_max_ : 0);
      if (client() && limited) {
        FUZZ_CHECK(static_cast<unsigned>(pub->qos) <= max_qos_, "the client published at QoS %u above Maximum QoS %u",
                   static_cast<unsigned>(pub->qos), max_qos_);
        FUZZ_CHECK(!pub->retain || retain_ok_, "the client published RETAIN although Retain Available is 0");
      }
    }
    ++sent_;
  }

  // --- Lifetime -----------------------------------------------------------------------------

  void move() {
    connection moved(std::move(*conn_));
    conn_.reset();
    conn_.emplace(std::move(moved));
  }

  // Drain what is left and destroy the connection; the output must end on a packet boundary.
  void destroy() {
    if (!conn_) return;
    drain(0);
    FUZZ_CHECK(out_.buffered() == 0 && !out_.failed(), "the output ends inside a packet (%zu bytes)",
               out_.buffered());
    conn_.reset();
    twin_.reset();
  }

  struct last_event {
    packet_type type = packet_type::pingreq;
    std::uint16_t id = 0;
    mqttconn::qos q = mqttconn::qos::at_most_once;
    std::size_t count = 0;
    bool empty_client_id = false;
    bool has_method = false;
    std::string_view method;
  };

  mqttconn::role role_;
  protocol_version level_ = protocol_version::v5;
  connection_options opts_;
  byte_source script_;
  bytes stream_;
  std::size_t cursor_ = 0;
  // The builder's arena outlives the connection: borrowed payloads point into it.
  packet_builder builder_;
  std::deque<std::vector<std::uint8_t>> codes_;
  std::deque<std::vector<std::uint8_t>> peer_bytes_;  // PEER packets, while events may view them
  std::optional<stream_decoder> shadow_;  // kept in step with the connection's decoder
  packet shadow_packet_;
  bool pending_ = false;
  std::optional<error> violation_;
  bool closed_seen_ = false;
  connection_state state_seen_ = connection_state::idle;
  last_event last_;

  // Output: every byte queued since output stream offset expected_start_, in order; the
  // transport has written drained_ bytes in all.
  std::vector<std::uint8_t> expected_;
  std::uint64_t expected_start_ = 0;
  std::uint64_t drained_ = 0;
  stream_decoder out_{protocol_version::v5};
  std::size_t sent_ = 0;
  bool connack_sent_ = false, connack_ok_ = false, ended_ = false;
  std::uint64_t limits_from_ = ~std::uint64_t{0};
  std::uint32_t max_packet_ = protocol_max_packet_size;
  std::uint16_t alias_max_ = 0;
  std::optional<std::uint16_t> own_alias_max_;  // the Topic Alias Maximum this side advertised
  unsigned max_qos_ = 2;
  bool retain_ok_ = true;

  std::vector<std::uint8_t> partial_;  // bytes taken since the last packet boundary
  std::optional<connection> twin_;     // fed whole packets (twin_receive())
  std::optional<connection> conn_;     // last: destroyed first
};

}  // namespace mqttconn::fuzz
