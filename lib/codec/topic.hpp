// Topic Name and Topic Filter syntax (5.0 §4.7, §4.8.2; 3.1.1 §4.7).
#pragma once

#include <string_view>

namespace mqttconn::detail {

// Why a Topic Filter is invalid, or nullptr if it is valid. The filter is already known to be
// well-formed UTF-8. With `v5`, "$share/..." must also be a well-formed shared subscription.
const char* topic_filter_fault(std::string_view f, bool v5) noexcept;

// True for a 5.0 shared-subscription filter ("$share/name/filter").
inline bool is_shared(std::string_view f) noexcept { return f.substr(0, 7) == "$share/"; }

}  // namespace mqttconn::detail
