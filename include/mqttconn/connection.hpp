// mqttconn::connection: the Connection of mqtt-connection with the stream taken out.
//
// The event loop hands it the bytes it received and takes packet events back; the application
// calls one send method per packet kind and the loop writes the queued bytes. Nothing here does
// I/O. The connection enforces the connection-level rules of MQTT 3.1, 3.1.1 and 5.0 (who may
// send what, when): see lib/conn/rules.cpp for the list.
//
//   connection c({.role = role::server});
//   bytes in = what_the_socket_gave;
//   while (!in.empty()) {
//     result<std::size_t> n = c.receive(in);   // takes at most one packet
//     if (!n) { log(n.error().message()); break; }   // output may hold a CONNACK/DISCONNECT
//     in = in.subspan(*n);
//     if (const packet* p = c.next_event()) handle(*p);
//   }
//   for (bytes b : c.output_segments()) ... write; c.consume_output(written);
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "mqttconn/codec.hpp"
#include "mqttconn/packet.hpp"
#include "mqttconn/result.hpp"

namespace mqttconn {

enum class role : std::uint8_t { client, server };

struct connection_options {
  mqttconn::role role = mqttconn::role::client;
  // Largest whole packet accepted from the peer; more is 0x95. A server that wants the client
  // to know also puts it in its CONNACK (Maximum Packet Size), a client in its CONNECT.
  std::uint32_t max_packet_size = protocol_max_packet_size;
  bool reject_disallowed_code_points = false;  // see decode_options
  bool check_payload_format = false;           // see decode_options
  // Most bytes the output queue may hold; a send that would pass it fails with
  // errc::output_full and queues nothing.
  std::size_t max_output = std::size_t{64} << 20;
  // PUBLISH payloads of at least this many bytes are not copied into the output queue but
  // referenced: the caller keeps them unchanged until consume_output() has gone past them.
  // 0 copies every payload.
  std::size_t borrow_payloads_from = 16384;
};

enum class connection_state : std::uint8_t {
  idle,        // client: CONNECT not sent; server: CONNECT not received
  connecting,  // CONNECT sent or received, no CONNACK (AUTH may be exchanged)
  connected,   // CONNACK 0x00 sent or received
  closed,      // over: DISCONNECT, a refusing CONNACK, or a protocol error
};

const char* to_string(connection_state s) noexcept;

class connection {
 public:
  explicit connection(const connection_options& o = {},
                      std::pmr::memory_resource* mr = std::pmr::get_default_resource());
  connection(connection&&) noexcept = default;
  connection& operator=(connection&&) noexcept = default;

  // --- Receiving -------------------------------------------------------------------------
  // Takes bytes from the front of `in` up to and including at most one whole packet, and
  // returns how many. The packet becomes the pending event (next_event()). Bytes of a packet
  // that is not yet whole are kept (up to max_packet_size). Errors: errc::event_pending (take
  // the event first), errc::closed, or the peer's violation (malformed_packet, protocol_error,
  // ..., with the reason code), which closes the connection and is returned again by every
  // later call. For a violation the output may then hold the CONNACK (server still answering
  // CONNECT) or DISCONNECT (5.0) to send before closing the transport.
  result<std::size_t> receive(bytes in);

  // The packet of the last receive(), once; nullptr if there is none. Its views live until the
  // next receive() and, for packets that arrived whole, as long as the bytes given to it.
  const packet* next_event() noexcept;

  // --- Sending (one method per packet kind, named as in mqtt-connection) -------------------
  // Each checks that the packet may be sent now by this role at this level, encodes it and
  // appends it to the output queue. On error (errc::wrong_state, invalid_packet, output_full,
  // closed) the connection and its queue are exactly as they were.
  result<void> connect(const mqttconn::connect& p);
  result<void> connack(const mqttconn::connack& p);
  result<void> publish(const mqttconn::publish& p);
  result<void> puback(const mqttconn::puback& p);
  result<void> pubrec(const mqttconn::pubrec& p);
  result<void> pubrel(const mqttconn::pubrel& p);
  result<void> pubcomp(const mqttconn::pubcomp& p);
  result<void> subscribe(const mqttconn::subscribe& p);
  result<void> suback(const mqttconn::suback& p);
  result<void> unsubscribe(const mqttconn::unsubscribe& p);
  result<void> unsuback(const mqttconn::unsuback& p);
  result<void> pingreq();
  result<void> pingresp();
  result<void> disconnect(const mqttconn::disconnect& p = {});
  result<void> auth(const mqttconn::auth& p);
  // Any packet kind, dispatched to the methods above.
  result<void> send(const packet& p);

  // --- Output --------------------------------------------------------------------------
  // The first contiguous run of queued bytes (empty when nothing is queued).
  bytes output() const noexcept {
    if (borrows_.empty()) return bytes(buf_.data() + read_, used_ - read_);
    return borrowed_output();
  }
  // Up to out.size() runs of queued bytes, for writev(); returns how many were filled.
  std::size_t output_segments(std::span<bytes> out) const noexcept;
  std::size_t output_size() const noexcept { return queued_; }
  // The transport took n bytes (n <= output_size()).
  void consume_output(std::size_t n) noexcept {
    if (n < queued_) return consume_part(n);
    // All written, the common case: the queue starts over at the front of its buffer.
    queued_ = used_ = read_ = 0;
    if (!borrows_.empty()) [[unlikely]] drop_borrows();
  }

  // --- State ---------------------------------------------------------------------------
  connection_state state() const noexcept { return state_; }
  bool closed() const noexcept { return state_ == connection_state::closed; }
  // The level in use: a client's from the CONNECT it sent, a server's from the one received.
  protocol_version version() const noexcept { return version_; }
  bool bridge() const noexcept { return bridge_; }
  mqttconn::role role() const noexcept { return opts_.role; }
  // Bytes of a packet not yet whole that receive() keeps, waiting for the rest: 0 between
  // packets and once closed. Nonzero when the transport's stream ends: the peer stopped
  // inside a packet.
  std::size_t input_buffered() const noexcept { return closed() ? 0 : decoder_.buffered(); }
  // The peer's violation or local failure that closed the connection, if any.
  const std::optional<error>& failure() const noexcept { return failure_; }

 private:
  // A PUBLISH payload queued by reference: its bytes go out after buf_[..., at).
  struct borrow {
    std::size_t at;
    const std::uint8_t* data;
    std::size_t size;
  };

  // rules.cpp: may this packet be sent now? (tx refusals of the checklists)
  result<void> may_send(packet_type t, const properties* props) const;
#define MQTTCONN_CHECK_SEND(P) result<void> check_send(const mqttconn::P& p) const;
  MQTTCONN_CHECK_SEND(connect) MQTTCONN_CHECK_SEND(connack) MQTTCONN_CHECK_SEND(publish)
  MQTTCONN_CHECK_SEND(puback) MQTTCONN_CHECK_SEND(pubrec) MQTTCONN_CHECK_SEND(pubrel)
  MQTTCONN_CHECK_SEND(pubcomp) MQTTCONN_CHECK_SEND(subscribe) MQTTCONN_CHECK_SEND(suback)
  MQTTCONN_CHECK_SEND(unsubscribe) MQTTCONN_CHECK_SEND(unsuback) MQTTCONN_CHECK_SEND(pingreq)
  MQTTCONN_CHECK_SEND(pingresp) MQTTCONN_CHECK_SEND(disconnect) MQTTCONN_CHECK_SEND(auth)
#undef MQTTCONN_CHECK_SEND
  // rules.cpp: what a CONNECT settles (sent or received), and whether a property block carries
  // the CONNECT's Authentication Method.
  void settle_connect(const mqttconn::connect& c);
  bool same_method(const properties& p) const;
  // rules.cpp: what a sent packet settles.
  void after_send(const mqttconn::connect& p);
  void after_send(const mqttconn::connack& p) noexcept;
  void after_send(const mqttconn::disconnect& p) noexcept;
  template <class P>
  void after_send(const P&) noexcept {}
  // rules.cpp: checks a received packet against the state and settles what it settles;
  // false with `e` filled for a violation.
  bool on_received(const packet& p, error& e);
  // enqueue.hpp, output_queue.cpp: the output queue.
  template <class P>
  result<void> enqueue(const P& p);
  result<void> enqueue_borrowed(const mqttconn::publish& p, std::size_t body, std::size_t size);
  error refuse_size(packet_type t, std::size_t size) const noexcept;
  std::uint8_t* append(std::size_t n);
  void grow(std::size_t n);
  bytes borrowed_output() const noexcept;
  void consume_part(std::size_t n) noexcept;
  void drop_borrows() noexcept;
  // connection.cpp
  result<std::size_t> peer_violation(error e);
  void refuse_connect(std::uint8_t reason_code);

  connection_options opts_;
  stream_decoder decoder_;
  packet event_;
  bool event_ready_ = false;
  connection_state state_ = connection_state::idle;
  protocol_version version_ = protocol_version::v5;
  bool bridge_ = false;
  std::optional<error> failure_;
  std::uint64_t packet_start_ = 0;  // stream offset of the packet being received

  // What the CONNECT and CONNACK of this connection settled.
  struct settled {
    bool connack_done = false;           // a CONNACK went through (either way)
    bool auth_method = false;            // CONNECT carried an Authentication Method (method_)
    bool empty_client_id = false;
    bool clean_start = true;
    bool session_expiry_zero = true;     // CONNECT's Session Expiry Interval was 0 or absent
    bool request_problem_info = true;
    bool request_response_info = false;
    bool auth_from_server = false;       // the server sent AUTH before CONNACK
    std::uint32_t peer_max_packet = protocol_max_packet_size;
    std::uint16_t peer_topic_alias_max = 0;  // highest alias the peer accepts
    std::uint16_t own_topic_alias_max = 0;   // highest alias this side accepts
    std::uint8_t max_qos = 2;            // server's Maximum QoS
    bool retain_available = true;
    bool wildcard_available = true;
    bool sub_id_available = true;
    bool shared_available = true;
  } s_;
  std::pmr::string method_;  // the CONNECT's Authentication Method

  // The server's first bytes, to tell a refused CONNECT's level (see rules.cpp).
  std::uint8_t head_[16] = {};
  std::size_t head_len_ = 0;

  // The output queue (output_queue.cpp): the bytes of buf_[read_, used_), with each borrowed
  // payload of borrows_[next_borrow_...] spliced in at its offset.
  std::pmr::vector<std::uint8_t> buf_;  // encoded packets in [0, used_); size() is capacity
  std::size_t read_ = 0;                // bytes of buf_ already written
  std::size_t used_ = 0;
  std::pmr::vector<borrow> borrows_;    // in queue order; empty once all are written
  std::size_t next_borrow_ = 0;         // first borrow not fully written (0 when none)
  std::size_t borrow_off_ = 0;          // bytes of it already written
  std::size_t queued_ = 0;              // bytes not yet written, borrowed ones included
  // Where the encoder puts its refusal of a packet: a member, so that a send does not build
  // an error value it almost never needs. Meaningful only while a send returns it.
  error refusal_;
};

}  // namespace mqttconn
