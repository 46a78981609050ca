#include "retained.hpp"

#include "topic_tree.hpp"

namespace mqttbroker {

void retained_store::put(const message_view& m, millis now) {
  if (m.payload.empty()) {
    const auto it = messages_.find(m.topic);
    if (it != messages_.end()) messages_.erase(it);
    return;
  }
  auto copy = std::make_shared<const stored_message>(m, now);
  const auto it = messages_.find(m.topic);
  if (it != messages_.end()) {
    it->second = std::move(copy);
  } else {
    messages_.emplace(std::string(m.topic), std::move(copy));
  }
}

const stored_message* retained_store::find(std::string_view topic) const {
  const auto it = messages_.find(topic);
  return it == messages_.end() ? nullptr : it->second.get();
}

void retained_store::for_each_match(std::string_view filter, millis now,
                                    const std::function<void(const std::shared_ptr<const stored_message>&)>& f) {
  // A filter without wildcards names one topic; otherwise every topic is a candidate.
  if (filter.find_first_of("+#") == std::string_view::npos) {
    const auto it = messages_.find(filter);
    if (it == messages_.end()) return;
    if (it->second->expired(now)) {
      messages_.erase(it);
      return;
    }
    const std::shared_ptr<const stored_message> keep = it->second;  // f may replace it
    f(keep);
    return;
  }
  for (auto it = messages_.begin(); it != messages_.end();) {
    if (it->second->expired(now)) {
      it = messages_.erase(it);
      continue;
    }
    if (topic_matches(filter, it->first)) {
      const std::shared_ptr<const stored_message> keep = it->second;
      f(keep);
    }
    ++it;
  }
}

}  // namespace mqttbroker
