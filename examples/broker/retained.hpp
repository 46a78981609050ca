// Retained messages: the last retained PUBLISH of each topic, replaced by the next one
// [3.1.1 MQTT-3.3.1-5] [5.0 MQTT-3.3.1-5], deleted by one with an empty payload, which is not
// stored [3.1.1 MQTT-3.3.1-10] [3.1.1 MQTT-3.3.1-11] [5.0 MQTT-3.3.1-6] [5.0 MQTT-3.3.1-7]. Kept
// in memory only. Messages whose Message Expiry Interval has passed are dropped when met.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "message.hpp"

namespace mqttbroker {

class retained_store {
 public:
  // Stores `m` for its topic, or deletes the topic's message when the payload is empty.
  void put(const message_view& m, millis now);
  // Calls `f` for each live retained message whose topic matches `filter`.
  void for_each_match(std::string_view filter, millis now,
                      const std::function<void(const std::shared_ptr<const stored_message>&)>& f);
  std::size_t size() const noexcept { return messages_.size(); }
  const stored_message* find(std::string_view topic) const;

 private:
  std::map<std::string, std::shared_ptr<const stored_message>, std::less<>> messages_;
};

}  // namespace mqttbroker
