#include "message.hpp"

namespace mqttbroker {

using mqttconn::properties;

properties forwarded_properties(const properties& in) {
  properties out;
  if (in.empty()) return out;
  if (auto v = in.payload_format_indicator()) out.set_payload_format_indicator(*v);
  if (auto v = in.message_expiry_interval()) out.set_message_expiry_interval(*v);
  if (auto v = in.content_type()) out.set_content_type(*v);
  if (auto v = in.response_topic()) out.set_response_topic(*v);
  if (auto v = in.correlation_data()) out.set_correlation_data(*v);
  out.set_user_properties(in.user_properties());  // views the received bytes: no copy
  return out;
}

stored_message::stored_message(const message_view& m, millis now)
    : topic_(m.topic),
      payload_(m.payload.begin(), m.payload.end()),
      qos_(m.qos),
      retain_(m.retain),
      payload_format_(m.props.payload_format_indicator()),
      expiry_(m.props.message_expiry_interval()),
      arrival_(now) {
  if (auto v = m.props.content_type()) content_type_.emplace(*v);
  if (auto v = m.props.response_topic()) response_topic_.emplace(*v);
  if (auto v = m.props.correlation_data()) correlation_.emplace(v->begin(), v->end());
  for (const mqttconn::user_property& u : m.props.user_properties()) users_.emplace_back(u.name, u.value);
}

bool stored_message::expired(millis now) const noexcept {
  return expiry_ && now - arrival_ >= std::chrono::seconds(*expiry_);
}

message_view stored_message::view(millis now, std::vector<mqttconn::user_property>& users) const {
  message_view m;
  m.topic = topic_;
  m.payload = mqttconn::binary(payload_.data(), payload_.size());
  m.qos = qos_;
  m.retain = retain_;
  properties& p = m.props;
  if (payload_format_) p.set_payload_format_indicator(*payload_format_);
  if (expiry_) {
    // [5.0 MQTT-3.3.2-6]: the interval received minus the time the message waited here.
    const auto waited = std::chrono::duration_cast<std::chrono::seconds>(now - arrival_).count();
    const std::int64_t left = static_cast<std::int64_t>(*expiry_) - waited;
    p.set_message_expiry_interval(left > 0 ? static_cast<std::uint32_t>(left) : 0);
  }
  if (content_type_) p.set_content_type(*content_type_);
  if (response_topic_) p.set_response_topic(*response_topic_);
  if (correlation_) p.set_correlation_data(mqttconn::binary(correlation_->data(), correlation_->size()));
  if (!users_.empty()) {
    users.clear();
    for (const auto& u : users_) users.push_back({u.first, u.second});
    p.set_user_properties(std::span<const mqttconn::user_property>(users));
  }
  return m;
}

}  // namespace mqttbroker
