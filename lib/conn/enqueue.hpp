// connection::enqueue: encode a packet into the output queue (see output_queue.cpp).
#pragma once

#include <algorithm>
#include <type_traits>

#include "../codec/encode_steps.hpp"
#include "mqttconn/connection.hpp"

namespace mqttconn {

template <class P>
result<void> connection::enqueue(const P& p) {
  std::size_t body;
  error e;
  if (!detail::body_size(p, version_, body, e)) return e;  // validates once
  const std::size_t size = detail::packet_size(body);
  if (size > s_.peer_max_packet) {
    return error{errc::invalid_packet, 0x95, static_cast<std::uint8_t>(packet_type_of<P>), 0, "packet",
                 "is larger than the peer's Maximum Packet Size [MQTT-3.1.2-24] [MQTT-3.2.2-15]"};
  }
  if (size > opts_.max_output - std::min(queued_, opts_.max_output)) {
    return error{errc::output_full, 0, static_cast<std::uint8_t>(packet_type_of<P>), 0, "output queue",
                 "would exceed max_output"};
  }
  std::size_t copied = size;
  binary borrowed;  // a PUBLISH payload queued by reference
  if constexpr (std::is_same_v<P, mqttconn::publish>) {
    if (opts_.borrow_payloads_from != 0 && p.payload.size() >= opts_.borrow_payloads_from) {
      borrowed = p.payload;
      copied -= borrowed.size();
    }
  }
  // Grow first: if allocation throws, nothing has changed. buf_ is kept at its capacity and
  // used_ says how much of it holds packets, so appending never zero-fills.
  if (segs_.capacity() < segs_.size() + 2) segs_.reserve(std::max<std::size_t>(8, 2 * segs_.size() + 2));
  const std::size_t at = used_;
  if (buf_.size() < at + copied) buf_.resize(std::max(at + copied, 2 * buf_.size()));
  used_ = at + copied;
  if constexpr (std::is_same_v<P, mqttconn::publish>) {
    if (!borrowed.empty()) {
      detail::write_publish_header(buf_.data() + at, p, version_, body);
    } else {
      detail::write_packet(buf_.data() + at, p, version_, body);
    }
  } else {
    detail::write_packet(buf_.data() + at, p, version_, body);
  }
  if (!segs_.empty() && segs_.back().borrowed == nullptr && segs_.back().offset + segs_.back().size == at) {
    segs_.back().size += copied;
  } else {
    segs_.push_back({nullptr, at, copied});
  }
  if (!borrowed.empty()) segs_.push_back({borrowed.data(), 0, borrowed.size()});
  queued_ += size;
  return {};
}

}  // namespace mqttconn
