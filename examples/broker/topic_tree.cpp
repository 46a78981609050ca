#include "topic_tree.hpp"

#include <algorithm>

namespace mqttbroker {

void split_levels(std::string_view s, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = s.find('/', start);
    if (slash == std::string_view::npos) {
      out.push_back(s.substr(start));
      return;
    }
    out.push_back(s.substr(start, slash - start));
    start = slash + 1;
  }
}

bool topic_matches(std::string_view filter, std::string_view topic) noexcept {
  // [MQTT-4.7.2-1]: '$' topics are not matched by a leading wildcard.
  if (!topic.empty() && topic[0] == '$' && !filter.empty() && (filter[0] == '+' || filter[0] == '#')) {
    return false;
  }
  std::size_t f = 0;
  std::size_t t = 0;
  for (;;) {
    const std::size_t fe = std::min(filter.find('/', f), filter.size());
    const std::string_view fl = filter.substr(f, fe - f);
    if (fl == "#") return true;  // this level and all below, or the parent alone
    if (t > topic.size()) return false;  // the topic ran out of levels
    const std::size_t te = std::min(topic.find('/', t), topic.size());
    if (fl != "+" && fl != topic.substr(t, te - t)) return false;
    const bool f_last = fe == filter.size();
    const bool t_last = te == topic.size();
    if (f_last || t_last) {
      if (f_last && t_last) return true;
      // "a/#" matches "a" (§4.7.1.2): the filter's only remaining level is "#".
      return t_last && filter.substr(fe + 1) == "#";
    }
    f = fe + 1;
    t = te + 1;
  }
}

const topic_tree::node* topic_tree::node::child(std::string_view level) const {
  const auto it = children.find(level);
  return it == children.end() ? nullptr : it->second.get();
}

bool topic_tree::add(std::string_view filter, session* who, const sub_options& o) {
  node* n = &root_;
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = std::min(filter.find('/', start), filter.size());
    const std::string_view level = filter.substr(start, slash - start);
    auto it = n->children.find(level);
    if (it == n->children.end()) {
      it = n->children.emplace(std::string(level), std::make_unique<node>()).first;
    }
    n = it->second.get();
    if (slash == filter.size()) break;
    start = slash + 1;
  }
  for (subscriber& s : n->subs) {
    if (s.who == who) {
      s.opts = o;
      return true;
    }
  }
  n->subs.push_back({who, o});
  ++count_;
  return false;
}

bool topic_tree::remove_at(node& n, std::string_view rest, session* who) {
  const std::size_t slash = std::min(rest.find('/'), rest.size());
  const auto it = n.children.find(rest.substr(0, slash));
  if (it == n.children.end()) return false;
  node& c = *it->second;
  bool removed = false;
  if (slash == rest.size()) {
    const auto s = std::find_if(c.subs.begin(), c.subs.end(), [who](const subscriber& x) { return x.who == who; });
    if (s != c.subs.end()) {
      c.subs.erase(s);
      removed = true;
    }
  } else {
    removed = remove_at(c, rest.substr(slash + 1), who);
  }
  if (c.subs.empty() && c.children.empty()) n.children.erase(it);
  return removed;
}

bool topic_tree::remove(std::string_view filter, session* who) {
  const bool removed = remove_at(root_, filter, who);
  if (removed) --count_;
  return removed;
}

void topic_tree::collect(const node& n, const std::vector<std::string_view>& levels, std::size_t i,
                         std::vector<const subscriber*>& out) {
  if (i == levels.size()) {
    for (const subscriber& s : n.subs) out.push_back(&s);
    if (const node* h = n.child("#")) {
      for (const subscriber& s : h->subs) out.push_back(&s);
    }
    return;
  }
  // [MQTT-4.7.2-1]: no wildcard in the first level matches a topic starting with '$'.
  const bool dollar = i == 0 && !levels[0].empty() && levels[0][0] == '$';
  if (!dollar) {
    if (const node* h = n.child("#")) {
      for (const subscriber& s : h->subs) out.push_back(&s);
    }
    if (const node* p = n.child("+")) collect(*p, levels, i + 1, out);
  }
  if (const node* c = n.child(levels[i])) collect(*c, levels, i + 1, out);
}

void topic_tree::match(std::string_view topic, std::vector<const subscriber*>& out) const {
  split_levels(topic, levels_);
  collect(root_, levels_, 0, out);
}

}  // namespace mqttbroker
