// wire_list<T>: a list that is either the caller's array (to send) or validated wire bytes
// (received), iterated the same way. Decoding a SUBSCRIBE with 100 filters or a PUBLISH with
// 50 user properties therefore allocates nothing: elements are read on the fly from the
// packet bytes, which the decoder has already validated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>
#include <string_view>

#include "mqttconn/types.hpp"

namespace mqttconn {

// User Property (0x26): a UTF-8 string pair. Names may repeat; order is significant.
struct user_property {
  std::string_view name;
  std::string_view value;
  friend bool operator==(const user_property&, const user_property&) = default;
};

// One entry of a SUBSCRIBE payload. Levels 3 and 4 carry only max_qos; the other options
// must stay at their defaults there.
struct subscription {
  std::string_view topic_filter;
  qos max_qos = qos::at_most_once;
  bool no_local = false;             // 5.0: never send my own messages back
  bool retain_as_published = false;  // 5.0: keep the RETAIN flag when forwarding
  std::uint8_t retain_handling = 0;  // 5.0: 0 send retained, 1 only if new, 2 never
  friend bool operator==(const subscription&, const subscription&) = default;
};

namespace detail {
// Read one element of a validated wire list at `p` and advance `p` past it (and past any
// bytes that belong to other properties in a property block). Defined in lib/codec.
void wire_next(const std::uint8_t*& p, user_property& out) noexcept;
void wire_next(const std::uint8_t*& p, std::uint32_t& out) noexcept;  // Subscription Identifier
void wire_next(const std::uint8_t*& p, subscription& out) noexcept;
void wire_next(const std::uint8_t*& p, std::string_view& out) noexcept;  // UNSUBSCRIBE filter
}  // namespace detail

template <class T>
class wire_list {
 public:
  class iterator {
   public:
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using iterator_category = std::input_iterator_tag;
    using reference = const T&;
    using pointer = const T*;

    iterator() = default;
    const T& operator*() const noexcept { return cur_; }
    const T* operator->() const noexcept { return &cur_; }
    iterator& operator++() noexcept {
      --left_;
      load();
      return *this;
    }
    iterator operator++(int) noexcept {
      iterator t = *this;
      ++*this;
      return t;
    }
    // Only iterators of the same list compare meaningfully.
    friend bool operator==(const iterator& a, const iterator& b) noexcept {
      return a.left_ == b.left_;
    }

   private:
    friend class wire_list;
    iterator(const T* items, const std::uint8_t* wire, std::size_t n) noexcept
        : items_(items), wire_(wire), left_(n) {
      load();
    }
    void load() noexcept {
      if (left_ == 0) return;
      if (items_ != nullptr) {
        cur_ = *items_++;
      } else {
        detail::wire_next(wire_, cur_);
      }
    }
    const T* items_ = nullptr;
    const std::uint8_t* wire_ = nullptr;
    std::size_t left_ = 0;
    T cur_{};
  };

  constexpr wire_list() noexcept = default;
  // The caller's elements; the array must outlive the list.
  constexpr wire_list(std::span<const T> items) noexcept  // NOLINT: implicit by design
      : items_(items.data()), count_(items.size()) {}
  template <std::size_t N>
  constexpr wire_list(const T (&items)[N]) noexcept : items_(items), count_(N) {}  // NOLINT

  // Decoder side: `count` elements in validated wire bytes starting at `wire`.
  static constexpr wire_list from_wire(const std::uint8_t* wire, std::size_t count) noexcept {
    wire_list l;
    l.wire_ = wire;
    l.count_ = count;
    return l;
  }

  constexpr std::size_t size() const noexcept { return count_; }
  constexpr bool empty() const noexcept { return count_ == 0; }
  iterator begin() const noexcept { return iterator(items_, wire_, count_); }
  iterator end() const noexcept { return iterator(); }
  T front() const noexcept { return *begin(); }  // precondition: !empty()

  friend bool operator==(const wire_list& a, const wire_list& b) noexcept {
    if (a.count_ != b.count_) return false;
    auto i = a.begin();
    auto j = b.begin();
    for (std::size_t k = 0; k < a.count_; ++k, ++i, ++j) {
      if (!(*i == *j)) return false;
    }
    return true;
  }

 private:
  const T* items_ = nullptr;
  const std::uint8_t* wire_ = nullptr;
  std::size_t count_ = 0;
};

}  // namespace mqttconn
