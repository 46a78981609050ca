// Subscriptions: a tree of topic filter levels, matched against topic names.
//
// A filter "a/+/c" is the path root -> "a" -> "+" -> "c"; the subscribers of a filter hang on
// its last node. Matching a topic walks its levels and, at each node, follows the literal
// level, "+" (any one level, §4.7.1.3) and "#" (this level and everything below, including the
// parent: "a/#" matches "a", §4.7.1.2). Topics starting with '$' are not matched by a wildcard
// in the first level [MQTT-4.7.2-1] (same id in 3.1.1 and 5.0). The tree holds no protocol state: it maps
// filters to (session, options) pairs; broker.cpp decides what a match means.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mqttbroker {

class session;

// What a SUBSCRIBE asked for one filter (3.x: only qos).
struct sub_options {
  std::uint8_t qos = 0;              // granted: min(requested, 2)
  bool no_local = false;             // 5.0: not to the publishing client [5.0 MQTT-3.8.3-3]
  bool retain_as_published = false;  // 5.0: keep RETAIN when forwarding [5.0 MQTT-3.3.1-12] [5.0 MQTT-3.3.1-13]
  std::uint8_t retain_handling = 0;  // 5.0: 0 send retained, 1 only when new, 2 never
  std::uint32_t id = 0;              // 5.0 Subscription Identifier, 0 for none
};

struct subscriber {
  session* who;
  sub_options opts;
};

// True when the topic name matches the filter (both already valid).
bool topic_matches(std::string_view filter, std::string_view topic) noexcept;

class topic_tree {
 public:
  // Adds or replaces `who`'s subscription to `filter` [MQTT-3.8.4-3] (3.1.1 and 5.0); true if
  // it replaced one.
  bool add(std::string_view filter, session* who, const sub_options& o);
  // Removes it; false if there was none. Empty branches are pruned.
  bool remove(std::string_view filter, session* who);
  // Appends every subscription whose filter matches `topic` (one per filter, so a session may
  // appear several times).
  void match(std::string_view topic, std::vector<const subscriber*>& out) const;
  // Number of (filter, session) pairs.
  std::size_t size() const noexcept { return count_; }

 private:
  struct node {
    std::map<std::string, std::unique_ptr<node>, std::less<>> children;
    std::vector<subscriber> subs;
    const node* child(std::string_view level) const;
  };
  static void collect(const node& n, const std::vector<std::string_view>& levels, std::size_t i,
                      std::vector<const subscriber*>& out);
  static bool remove_at(node& n, std::string_view rest, session* who);

  node root_;
  std::size_t count_ = 0;
  mutable std::vector<std::string_view> levels_;  // scratch for match()
};

// Splits a topic or filter into its levels ("a//b" -> "a", "", "b").
void split_levels(std::string_view s, std::vector<std::string_view>& out);

}  // namespace mqttbroker
