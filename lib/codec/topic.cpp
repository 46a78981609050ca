#include "topic.hpp"

#include <cstdint>

#include "mqttconn/codec.hpp"
#include "utf8.hpp"
#include "writer.hpp"

namespace mqttconn {
namespace detail {

const char* topic_filter_fault(std::string_view f, bool v5) noexcept {
  if (f.empty()) return "is empty [MQTT-4.7.3-1]";
  if (v5 && is_shared(f)) {
    // [MQTT-4.8.2-1] [MQTT-4.8.2-2]: "$share/" ShareName "/" TopicFilter, where the ShareName
    // is at least one character and holds no '/', '+' or '#'.
    const std::string_view rest = f.substr(7);
    const std::size_t slash = rest.find('/');
    if (slash == 0 || slash == std::string_view::npos) {
      return "is a shared subscription without a ShareName and a filter [MQTT-4.8.2-1]";
    }
    const std::string_view share = rest.substr(0, slash);
    if (share.find_first_of("+#") != std::string_view::npos) {
      return "has a wildcard in its ShareName [MQTT-4.8.2-2]";
    }
    f = rest.substr(slash + 1);
    if (f.empty()) return "is a shared subscription without a filter [MQTT-4.8.2-2]";
  }
  for (std::size_t i = 0; i < f.size(); ++i) {
    const bool level_start = i == 0 || f[i - 1] == '/';
    const bool level_end = i + 1 == f.size() || f[i + 1] == '/';
    if (f[i] == '#' && (!level_start || i + 1 != f.size())) {
      return "has a '#' that is not a whole last level [MQTT-4.7.1-1]";
    }
    if (f[i] == '+' && (!level_start || !level_end)) {
      return "has a '+' that is not a whole level [MQTT-4.7.1-2]";
    }
  }
  return nullptr;
}

bool tx_check::filter(std::string_view f, bool v5) noexcept {
  if (f.size() <= 65535 && plain_ascii<true>(reinterpret_cast<const std::uint8_t*>(f.data()), f.size()) &&
      plain_filter(f, v5)) {
    return true;
  }
  if (!str(f, "topic filter")) return false;
  const char* fault = topic_filter_fault(f, v5);
  return fault == nullptr || refuse("topic filter", fault, 0x8F);
}

}  // namespace detail

std::uint8_t check_utf8(std::string_view s, bool reject_disallowed) noexcept {
  const auto u = detail::utf8_validate(reinterpret_cast<const std::uint8_t*>(s.data()), s.size(),
                                       reject_disallowed);
  return u.fault == detail::utf8_fault::none ? 0 : 0x81;
}

std::uint8_t check_topic_name(std::string_view s) noexcept {
  if (check_utf8(s) != 0 || s.size() > 65535) return 0x81;
  if (s.empty() || detail::has_wildcard(reinterpret_cast<const std::uint8_t*>(s.data()), s.size())) {
    return 0x90;
  }
  return 0;
}

std::uint8_t check_topic_filter(std::string_view s) noexcept {
  if (check_utf8(s) != 0 || s.size() > 65535) return 0x81;
  return detail::topic_filter_fault(s, true) == nullptr ? 0 : 0x8F;
}

}  // namespace mqttconn
