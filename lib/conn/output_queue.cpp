// The output queue: encoded packets waiting for the transport.
//
// Packets are encoded into buf_; a PUBLISH payload of at least borrow_payloads_from bytes is
// not copied but referenced by a segment of its own, so the queue is a list of segments ready
// for writev(). Consuming advances through the segments; an empty queue resets the buffer, and
// a long-lived backlog is compacted, so capacity is reused and steady traffic allocates
// nothing.
#include <cstring>

#include "enqueue.hpp"

namespace mqttconn {

bytes connection::output() const noexcept {
  if (head_seg_ >= segs_.size()) return {};
  const segment& s = segs_[head_seg_];
  const std::uint8_t* base = s.borrowed ? s.borrowed : buf_.data() + s.offset;
  return {base + head_off_, s.size - head_off_};
}

std::size_t connection::output_segments(std::span<bytes> out) const noexcept {
  std::size_t n = 0;
  for (std::size_t i = head_seg_; i < segs_.size() && n < out.size(); ++i, ++n) {
    const segment& s = segs_[i];
    const std::uint8_t* base = s.borrowed ? s.borrowed : buf_.data() + s.offset;
    const std::size_t skip = i == head_seg_ ? head_off_ : 0;
    out[n] = bytes(base + skip, s.size - skip);
  }
  return n;
}

void connection::consume_output(std::size_t n) noexcept {
  if (n >= queued_) {  // all written: the common case
    queued_ = used_ = head_seg_ = head_off_ = 0;
    segs_.clear();
    return;
  }
  queued_ -= n;
  while (n > 0) {
    const std::size_t left = segs_[head_seg_].size - head_off_;
    if (n < left) {
      head_off_ += n;
      break;
    }
    n -= left;
    ++head_seg_;
    head_off_ = 0;
  }
  // A backlog that is never fully drained: drop written segments and bytes once they are the
  // larger part, so the buffer does not grow without bound.
  if (head_seg_ >= 32 && head_seg_ * 2 >= segs_.size()) {
    segs_.erase(segs_.begin(), segs_.begin() + static_cast<std::ptrdiff_t>(head_seg_));
    head_seg_ = 0;
    std::size_t first = used_;
    for (const segment& s : segs_) {
      if (s.borrowed == nullptr) {
        first = s.offset;
        break;
      }
    }
    if (first > 0) {
      std::memmove(buf_.data(), buf_.data() + first, used_ - first);
      used_ -= first;
      for (segment& s : segs_) {
        if (s.borrowed == nullptr) s.offset -= first;
      }
    }
  }
}

// The send methods: check the rules, then queue.
#define MQTTCONN_SEND(name, P)                                  \
  result<void> connection::name(const mqttconn::P& p) {        \
    if (result<void> ok = check_send(p); !ok) return ok;       \
    if (result<void> ok = enqueue(p); !ok) return ok;          \
    after_send(p);                                             \
    return {};                                                 \
  }
MQTTCONN_SEND(connect, connect)
MQTTCONN_SEND(connack, connack)
MQTTCONN_SEND(publish, publish)
MQTTCONN_SEND(puback, puback)
MQTTCONN_SEND(pubrec, pubrec)
MQTTCONN_SEND(pubrel, pubrel)
MQTTCONN_SEND(pubcomp, pubcomp)
MQTTCONN_SEND(subscribe, subscribe)
MQTTCONN_SEND(suback, suback)
MQTTCONN_SEND(unsubscribe, unsubscribe)
MQTTCONN_SEND(unsuback, unsuback)
MQTTCONN_SEND(disconnect, disconnect)
MQTTCONN_SEND(auth, auth)
#undef MQTTCONN_SEND

result<void> connection::pingreq() {
  const mqttconn::pingreq p;
  if (result<void> ok = check_send(p); !ok) return ok;
  return enqueue(p);
}

result<void> connection::pingresp() {
  const mqttconn::pingresp p;
  if (result<void> ok = check_send(p); !ok) return ok;
  return enqueue(p);
}

result<void> connection::send(const packet& p) {
  return std::visit(
      [this](const auto& x) -> result<void> {
        using P = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<P, mqttconn::pingreq>) return pingreq();
        else if constexpr (std::is_same_v<P, mqttconn::pingresp>) return pingresp();
        else if constexpr (std::is_same_v<P, mqttconn::connect>) return connect(x);
        else if constexpr (std::is_same_v<P, mqttconn::connack>) return connack(x);
        else if constexpr (std::is_same_v<P, mqttconn::publish>) return publish(x);
        else if constexpr (std::is_same_v<P, mqttconn::puback>) return puback(x);
        else if constexpr (std::is_same_v<P, mqttconn::pubrec>) return pubrec(x);
        else if constexpr (std::is_same_v<P, mqttconn::pubrel>) return pubrel(x);
        else if constexpr (std::is_same_v<P, mqttconn::pubcomp>) return pubcomp(x);
        else if constexpr (std::is_same_v<P, mqttconn::subscribe>) return subscribe(x);
        else if constexpr (std::is_same_v<P, mqttconn::suback>) return suback(x);
        else if constexpr (std::is_same_v<P, mqttconn::unsubscribe>) return unsubscribe(x);
        else if constexpr (std::is_same_v<P, mqttconn::unsuback>) return unsuback(x);
        else if constexpr (std::is_same_v<P, mqttconn::disconnect>) return disconnect(x);
        else return auth(x);
      },
      p);
}

}  // namespace mqttconn
