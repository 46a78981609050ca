// connection::enqueue: encode a packet into the output queue (see output_queue.cpp).
//
// This is the hot path of every send: validate and measure (the codec, once), check the two
// size limits, make room, write. Everything rare (a refusal, a borrowed payload, growing the
// buffer) is out of line, so a small PUBLISH costs little more than the encoder itself.
#pragma once

#include <type_traits>

#include "../codec/encode_steps.hpp"
#include "mqttconn/connection.hpp"

namespace mqttconn {

// Room for n more bytes at the end of buf_, which then count as used. Grows first: if
// allocation throws, nothing has changed. buf_ is kept at its capacity and used_ says how much
// of it holds packets, so appending never zero-fills.
inline std::uint8_t* connection::append(std::size_t n) {
  if (buf_.size() - used_ < n) [[unlikely]] grow(n);
  std::uint8_t* at = buf_.data() + used_;
  used_ += n;
  return at;
}

template <class P>
result<void> connection::enqueue(const P& p) {
  std::size_t body;
  if (!detail::body_size(p, version_, body, refusal_)) [[unlikely]] return refusal_;  // validates once
  const std::size_t size = detail::packet_size(body);
  // queued_ never exceeds max_output: every packet in the queue passed this test.
  if (size > s_.peer_max_packet || size > opts_.max_output - queued_) [[unlikely]] {
    return refuse_size(packet_type_of<P>, size);
  }
  if constexpr (std::is_same_v<P, mqttconn::publish>) {
    if (p.payload.size() >= opts_.borrow_payloads_from && opts_.borrow_payloads_from != 0) [[unlikely]] {
      return enqueue_borrowed(p, body, size);
    }
  }
  detail::write_packet(append(size), p, version_, body);
  queued_ += size;
  return {};
}

}  // namespace mqttconn
