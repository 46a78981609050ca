// Application messages as the broker forwards them.
//
// A message_view is a PUBLISH (or Will) on its way to subscribers: views into the packet just
// received, plus the properties a server forwards. Routing a live PUBLISH copies nothing: each
// subscriber's connection encodes straight from these views. A stored_message owns its bytes;
// it exists only where a message must outlive the packet: the retained store, a Will, and a
// subscriber whose Receive Maximum is reached.
//
// Forwarded 5.0 properties [5.0 MQTT-3.3.2-4] [5.0 MQTT-3.3.2-15] [5.0 MQTT-3.3.2-16]
// [5.0 MQTT-3.3.2-17] [5.0 MQTT-3.3.2-18] [5.0 MQTT-3.3.2-20]: Payload Format Indicator,
// Content Type, Response Topic, Correlation Data, User Properties (order kept), and the
// Message Expiry Interval lowered by the time the message waited [5.0 MQTT-3.3.2-6]. Not forwarded: Topic Alias (per connection) and
// Subscription Identifiers (set per subscriber).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mqttconn/packet.hpp"

namespace mqttbroker {

using millis = std::chrono::milliseconds;

struct message_view {
  std::string_view topic;
  mqttconn::binary payload;
  mqttconn::qos qos = mqttconn::qos::at_most_once;
  bool retain = false;
  mqttconn::properties props;  // only the forwarded properties
};

// The forwarded subset of a PUBLISH's or Will's properties. The Message Expiry Interval is
// kept as received: the message has not waited yet.
mqttconn::properties forwarded_properties(const mqttconn::properties& in);

class stored_message {
 public:
  stored_message(const message_view& m, millis now);

  const std::string& topic() const noexcept { return topic_; }
  mqttconn::qos qos() const noexcept { return qos_; }
  bool retain() const noexcept { return retain_; }
  std::size_t payload_size() const noexcept { return payload_.size(); }

  // True once its Message Expiry Interval has passed [5.0 MQTT-3.3.2-5].
  bool expired(millis now) const noexcept;
  // The message as it is forwarded at `now`: views into this object and into `users` (which
  // the caller keeps alive while the view is used), expiry lowered by the time waited.
  message_view view(millis now, std::vector<mqttconn::user_property>& users) const;

 private:
  std::string topic_;
  std::vector<std::uint8_t> payload_;
  mqttconn::qos qos_;
  bool retain_;
  std::optional<bool> payload_format_;
  std::optional<std::uint32_t> expiry_;  // seconds from arrival_
  millis arrival_;
  std::optional<std::string> content_type_;
  std::optional<std::string> response_topic_;
  std::optional<std::vector<std::uint8_t>> correlation_;
  std::vector<std::pair<std::string, std::string>> users_;
};

}  // namespace mqttbroker
