// A per-symbol limit order book with price-time priority.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "order_engine/order.hpp"

namespace order_engine {

class OrderBook {
 public:
  struct LevelView {
    Price price;
    Quantity quantity;   // shares resting at this price
    std::size_t orders;  // resting orders at this price
  };

  /// Rests an order at the back of its price level's queue.
  void add(Side side, OrderKey key, Price price, Quantity quantity);

  /// Matches an incoming order against the opposite side: best price first, then
  /// arrival (price-time priority), while the price is within `limit`. Calls
  /// on_trade(maker_key, maker_leaves, quantity, price) per trade, after the maker is
  /// updated; on_trade must not change the book. Returns the shares filled.
  template <class OnTrade>
  Quantity match(Side taker_side, Price limit, Quantity quantity, OnTrade&& on_trade);

  /// Removes a resting order; returns the shares it still had (0 if not found).
  Quantity cancel(Side side, Price price, OrderKey key);

  /// Removes every resting order whose key satisfies `doomed(key)`.
  template <class Predicate>
  void remove_if(Predicate&& doomed);

  [[nodiscard]] std::optional<Price> best_bid() const;
  [[nodiscard]] std::optional<Price> best_ask() const;
  /// Levels of one side, best first.
  [[nodiscard]] std::vector<LevelView> levels(Side side) const;

 private:
  static constexpr std::int32_t kNone = -1;
  struct Node {
    OrderKey key;
    Quantity remaining;
    std::int32_t prev;
    std::int32_t next;
  };
  struct Level {
    Price price;
    Quantity total;
    std::int32_t head;
    std::int32_t tail;
  };

  // Best level at the back of each vector, so taking liquidity pops from the end
  // and no price level allocates once capacity is reached.
  std::vector<Level>& side_levels(Side side) { return side == Side::Buy ? bids_ : asks_; }
  [[nodiscard]] const std::vector<Level>& side_levels(Side side) const {
    return side == Side::Buy ? bids_ : asks_;
  }
  std::vector<Level>::iterator find_level(Side side, Price price);
  std::int32_t allocate(OrderKey key, Quantity quantity);
  void unlink(Level& level, std::int32_t index);

  std::vector<Level> bids_;  // ascending price
  std::vector<Level> asks_;  // descending price
  std::vector<Node> nodes_;
  std::int32_t free_ = kNone;
};

template <class OnTrade>
Quantity OrderBook::match(Side taker_side, Price limit, Quantity quantity, OnTrade&& on_trade) {
  std::vector<Level>& opposite = taker_side == Side::Buy ? asks_ : bids_;
  Quantity filled = 0;
  while (filled < quantity && !opposite.empty()) {
    Level& level = opposite.back();
    if (taker_side == Side::Buy ? level.price > limit : level.price < limit) break;
    while (filled < quantity && level.head != kNone) {
      const std::int32_t index = level.head;
      Node& maker = nodes_[static_cast<std::size_t>(index)];
      const Quantity traded = std::min(quantity - filled, maker.remaining);
      maker.remaining -= traded;
      level.total -= traded;
      filled += traded;
      const OrderKey maker_key = maker.key;
      const Quantity maker_leaves = maker.remaining;
      if (maker_leaves == 0) unlink(level, index);
      on_trade(maker_key, maker_leaves, traded, level.price);
    }
    if (level.head == kNone) opposite.pop_back();
  }
  return filled;
}

template <class Predicate>
void OrderBook::remove_if(Predicate&& doomed) {
  for (std::vector<Level>* levels : {&bids_, &asks_}) {
    for (Level& level : *levels) {
      for (std::int32_t index = level.head; index != kNone;) {
        const Node& node = nodes_[static_cast<std::size_t>(index)];
        const std::int32_t next = node.next;
        if (doomed(node.key)) {
          level.total -= node.remaining;
          unlink(level, index);
        }
        index = next;
      }
    }
    levels->erase(std::remove_if(levels->begin(), levels->end(),
                                 [](const Level& level) { return level.head == kNone; }),
                  levels->end());
  }
}

}  // namespace order_engine
