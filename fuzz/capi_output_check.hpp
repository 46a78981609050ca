// capi_output_check: fuzz_capi's judge of what a connection writes. It keeps every byte the
// connection queued (the sends, and what it queued itself after a violation), checks that the
// transport takes exactly those bytes in order, and decodes them (a third decoder) into
// packets this role may send at this level: Table 2-1 directions, a client's CONNECT first and
// once, a server's CONNACK once and before anything but AUTH, nothing after a DISCONNECT or a
// refusing CONNACK, and no packet above the peer's Maximum Packet Size or Topic Alias Maximum
// once the peer's CONNECT or CONNACK set them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "capi_event_check.hpp"
#include "fuzz_support.hpp"
#include "mqttconn.h"

namespace mqttconn::fuzz {

class capi_output_check {
 public:
  static constexpr std::uint32_t protocol_max_packet = 268435460;  // 1 + 4 + 268,435,455

  capi_output_check() = default;
  explicit capi_output_check(bool server) : server_(server) {}

  // The connection queued n bytes at p.
  void queued(const std::uint8_t* p, std::size_t n) { expected_.insert(expected_.end(), p, p + n); }
  std::size_t queued_total() const { return expected_.size(); }
  std::size_t drained() const { return drained_; }
  // Bytes taken that do not yet make a whole packet.
  std::size_t partial() const { return out_buf_.size(); }

  // From the next byte queued on, the peer's limits hold (its CONNECT or CONNACK arrived).
  void peer_limits(std::uint32_t max_packet, std::uint16_t alias_max) {
    limits_from_ = expected_.size();
    peer_max_packet_ = max_packet;
    peer_alias_max_ = alias_max;
  }

  // The transport took `m` bytes at `ptr`: they must be what was queued.
  void written(const std::uint8_t* ptr, std::size_t m) {
    FUZZ_CHECK(drained_ + m <= expected_.size() && std::memcmp(ptr, expected_.data() + drained_, m) == 0,
               "output bytes %zu..%zu are not what was queued: %s", drained_, drained_ + m,
               mqttconn::fuzz::hex(mqttconn::bytes(ptr, m), 64).c_str());
    drained_ += m;
    out_buf_.insert(out_buf_.end(), ptr, ptr + m);
  }

  // The bytes taken so far decode, with `dec` at level v, into whole packets this role may
  // send at this level.
  void check(mqttconn_decoder* dec, int v) {
    std::size_t pos = 0;
    while (pos < out_buf_.size()) {
      mqttconn_packet p;
      std::memset(&p, 0xA5, sizeof p);
      p.struct_size = sizeof p;
      std::size_t used = 0;
      const int rc = mqttconn_decode(dec, out_buf_.data() + pos, out_buf_.size() - pos, v, &used, &p);
      if (rc == MQTTCONN_ERR_NEED_MORE) break;
      FUZZ_CHECK(rc == MQTTCONN_OK, "the %s's output does not decode: %d at %s", client() ? "client" : "server", rc,
                 mqttconn::fuzz::hex(mqttconn::bytes(out_buf_.data() + pos, out_buf_.size() - pos), 64).c_str());
      (void)digest(p.type == MQTTCONN_PACKET_CONNECT ? p.protocol_version : v, true).of(p);
      check_sent(p, v, drained_ - out_buf_.size() + pos, used);
      pos += used;
    }
    out_buf_.erase(out_buf_.begin(), out_buf_.begin() + static_cast<std::ptrdiff_t>(pos));
  }

 private:
  bool client() const { return !server_; }

  // Table 2-1 directions, and the order of a session.
  void check_sent(const mqttconn_packet& p, int v, std::size_t start, std::size_t size) {
    const int t = p.type;
    const char* who = client() ? "client" : "server";
    FUZZ_CHECK(!ended_, "the %s sent a packet of type %d after its DISCONNECT or refusing CONNACK", who, t);
    const bool allowed = client() ? t != MQTTCONN_PACKET_CONNACK && t != MQTTCONN_PACKET_SUBACK &&
                                        t != MQTTCONN_PACKET_UNSUBACK && t != MQTTCONN_PACKET_PINGRESP
                                  : t != MQTTCONN_PACKET_CONNECT && t != MQTTCONN_PACKET_SUBSCRIBE &&
                                        t != MQTTCONN_PACKET_UNSUBSCRIBE && t != MQTTCONN_PACKET_PINGREQ &&
                                        (t != MQTTCONN_PACKET_DISCONNECT || v == MQTTCONN_V5);
    FUZZ_CHECK(allowed, "the %s sent a packet of type %d at level %d (Table 2-1)", who, t, v);
    FUZZ_CHECK(t != MQTTCONN_PACKET_AUTH || v == MQTTCONN_V5, "AUTH at level %d", v);
    if (client()) {
      FUZZ_CHECK((sent_ == 0) == (t == MQTTCONN_PACKET_CONNECT), "the client sent type %d as packet %zu", t, sent_);
    } else {
      FUZZ_CHECK(t == MQTTCONN_PACKET_AUTH || (t == MQTTCONN_PACKET_CONNACK ? !connack_sent_ : connack_ok_),
                 "the server sent type %d %s", t, connack_sent_ ? "after a refusing or second CONNACK" : "before its CONNACK");
      if (t == MQTTCONN_PACKET_CONNACK) {
        connack_sent_ = true;
        connack_ok_ = p.reason_code == 0;
        ended_ = !connack_ok_;
      }
    }
    if (t == MQTTCONN_PACKET_DISCONNECT) ended_ = true;
    ++sent_;
    const bool limited = start >= limits_from_;
    FUZZ_CHECK(size <= (limited ? peer_max_packet_ : protocol_max_packet),
               "the %s sent a %zu-byte packet of type %d; the peer's Maximum Packet Size is %u", who, size, t,
               peer_max_packet_);
    if (t == MQTTCONN_PACKET_PUBLISH && (p.props->present & MQTTCONN_PROP_BIT(MQTTCONN_PROP_TOPIC_ALIAS))) {
      FUZZ_CHECK(p.props->topic_alias <= (limited ? peer_alias_max_ : 0),
                 "the %s sent Topic Alias %u; the peer's maximum is %u", who, p.props->topic_alias,
                 limited ? peer_alias_max_ : 0);
    }
  }

  bool server_ = false;
  std::vector<std::uint8_t> expected_;  // every byte queued, in order
  std::size_t drained_ = 0;             // how many of them the transport took
  std::vector<std::uint8_t> out_buf_;   // taken bytes not yet decoded (a partial packet)
  std::size_t sent_ = 0;
  bool connack_sent_ = false, connack_ok_ = false, ended_ = false;
  std::size_t limits_from_ = ~std::size_t{0};  // output offset from which the peer's limits hold
  std::uint32_t peer_max_packet_ = protocol_max_packet;
  std::uint16_t peer_alias_max_ = 0;
};

}  // namespace mqttconn::fuzz
