// connection: receiving, and what a violation by the peer leaves to send.
//
// receive() feeds the stream decoder and stops after one packet, which waits in event_ until
// next_event() takes it: the connection holds at most one packet plus the tail of a partial
// one, and the bytes after a packet stay with the caller (so nothing that arrives with the
// CONNECT is lost). rules.cpp judges each packet. A violation closes the connection for good:
// every later receive() returns the same error, and the output gets what the version allows
// to tell the peer (a server still answering CONNECT sends CONNACK, 5.0 otherwise DISCONNECT,
// 3.x nothing: the caller just closes).
#include <cstring>

#include "enqueue.hpp"

namespace mqttconn {
namespace {

decode_options decoder_options(const connection_options& o) {
  decode_options d;
  d.max_packet_size = o.max_packet_size;
  d.reject_disallowed_code_points = o.reject_disallowed_code_points;
  d.check_payload_format = o.check_payload_format;
  return d;
}

// Table 3-1 of 5.0: reason codes a CONNACK may carry.
bool connack_code(std::uint8_t rc) noexcept {
  switch (rc) {
    case 0x80: case 0x81: case 0x82: case 0x83: case 0x84: case 0x85: case 0x86: case 0x87:
    case 0x88: case 0x89: case 0x8A: case 0x8C: case 0x90: case 0x95: case 0x97: case 0x99:
    case 0x9A: case 0x9B: case 0x9C: case 0x9D: case 0x9F:
      return true;
    default:
      return false;
  }
}

// Table 3-10: failure codes a DISCONNECT may carry.
bool disconnect_code(std::uint8_t rc) noexcept {
  switch (rc) {
    case 0x80: case 0x81: case 0x82: case 0x83: case 0x87: case 0x89: case 0x8B: case 0x8C:
    case 0x8D: case 0x8E: case 0x8F: case 0x90: case 0x93: case 0x94: case 0x95: case 0x96:
    case 0x97: case 0x98: case 0x99: case 0x9A: case 0x9B: case 0x9C: case 0x9D: case 0x9E:
    case 0x9F: case 0xA0: case 0xA1: case 0xA2:
      return true;
    default:
      return false;
  }
}

// The 3.x CONNACK return code for a 5.0 reason code, or 0 when 3.x has none (Table 3.1).
std::uint8_t return_code_v3(std::uint8_t rc) noexcept {
  switch (rc) {
    case 0x84: return 1;  // unacceptable protocol version
    case 0x85: return 2;  // identifier rejected
    case 0x88: return 3;  // server unavailable
    case 0x86: return 4;  // bad user name or password
    case 0x87: return 5;  // not authorized
    default: return 0;
  }
}

// The level byte of a CONNECT from its first bytes, if they show "MQTT" or "MQIsdp".
int connect_level(const std::uint8_t* h, std::size_t n) noexcept {
  if (n < 2 || h[0] != 0x10) return -1;
  std::size_t i = 1;
  while (i < n && i < 5 && (h[i] & 0x80)) ++i;
  ++i;  // past the Remaining Length
  if (i + 2 > n) return -1;
  const std::size_t len = std::size_t(h[i]) << 8 | h[i + 1];
  i += 2;
  if (i + len >= n) return -1;
  const std::string_view name(reinterpret_cast<const char*>(h + i), len);
  if (name != "MQTT" && name != "MQIsdp") return -1;
  return h[i + len] & 0x7F;
}

}  // namespace

connection::connection(const connection_options& o, std::pmr::memory_resource* mr)
    : opts_(o), decoder_(protocol_version::v5, decoder_options(o), mr), method_(mr), buf_(mr), borrows_(mr) {}

const char* to_string(connection_state s) noexcept {
  switch (s) {
    case connection_state::idle: return "idle";
    case connection_state::connecting: return "connecting";
    case connection_state::connected: return "connected";
    case connection_state::closed: return "closed";
  }
  return "unknown";
}

result<std::size_t> connection::receive(bytes in) {
  if (failure_) return *failure_;
  if (state_ == connection_state::closed) {
    return error{errc::closed, 0, 0, decoder_.offset(), "connection", "is closed"};
  }
  if (event_ready_) {
    return error{errc::event_pending, 0, 0, decoder_.offset(), "event", "must be taken with next_event() first"};
  }
  packet_start_ = decoder_.offset() - decoder_.buffered();
  if (opts_.role == mqttconn::role::client && state_ == connection_state::idle && !in.empty()) {
    // Not even a partial packet is kept: its level is not known before the CONNECT is sent.
    return peer_violation(error{errc::protocol_error, 0x82, static_cast<std::uint8_t>(in[0] >> 4), packet_start_,
                                "packet", "arrives before CONNECT was sent"});
  }
  try {
    bytes rest = in;
    const result<void> r = decoder_.next(rest, event_);
    const std::size_t used = in.size() - rest.size();
    if (opts_.role == mqttconn::role::server && head_len_ < sizeof head_) {
      // A packet that fails whole is not taken, but its first bytes still tell a refused
      // CONNECT's level.
      const std::size_t seen = !r && used == 0 ? in.size() : used;
      const std::size_t n = std::min(sizeof head_ - head_len_, seen);
      std::memcpy(head_ + head_len_, in.data(), n);
      head_len_ += n;
    }
    if (!r) {
      if (r.error().code == errc::need_more) return used;
      return peer_violation(r.error());
    }
    error e;
    if (!on_received(event_, e)) return peer_violation(e);
    event_ready_ = true;
    return used;
  } catch (...) {
    // Out of memory while taking a packet: this connection cannot go on [MQTT-4.8.0-2 v3.1.1].
    failure_ = error{errc::closed, 0x83, 0, packet_start_, "connection", "ran out of memory"};
    state_ = connection_state::closed;
    throw;
  }
}

const packet* connection::next_event() noexcept {
  if (!event_ready_) return nullptr;
  event_ready_ = false;
  return &event_;
}

result<std::size_t> connection::peer_violation(error e) {
  const bool server = opts_.role == mqttconn::role::server;
  if (server && !s_.connack_done) {
    if (state_ == connection_state::connecting) {
      refuse_connect(e.reason_code);
    } else if (e.code == errc::unsupported_protocol_version) {
      // Answered in the 3.x form, which every client level can read [MQTT-3.1.2-2].
      version_ = protocol_version::v3_1_1;
      refuse_connect(0x84);
    } else if (connect_level(head_, head_len_) == 5) {
      // A 5.0 CONNECT that did not decode: CONNACK with the reason [MQTT-3.1.4-1]. A 3.x
      // server closes without CONNACK [MQTT-3.1.4-1 v3.1.1], as after any other first packet.
      version_ = protocol_version::v5;
      refuse_connect(e.reason_code);
    }
  } else if (version_ == protocol_version::v5 && state_ != connection_state::idle &&
             state_ != connection_state::closed) {
    // [V5-U31] [MQTT-4.13.1-1]: tell the peer why, then close.
    mqttconn::disconnect d;
    d.reason_code = disconnect_code(e.reason_code) ? e.reason_code : 0x82;
    (void)enqueue(d);  // best effort: a full queue just closes
  }
  failure_ = e;
  state_ = connection_state::closed;
  return e;
}

void connection::refuse_connect(std::uint8_t reason_code) {
  mqttconn::connack a;
  if (version_ == protocol_version::v5) {
    a.reason_code = connack_code(reason_code) ? reason_code : 0x82;
  } else {
    a.reason_code = return_code_v3(reason_code);
    if (a.reason_code == 0) return;  // 3.x has no code for it: close without CONNACK
  }
  (void)enqueue(a);
  s_.connack_done = true;
}

}  // namespace mqttconn
