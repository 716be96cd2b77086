#include "order_engine/order_book.hpp"

namespace order_engine {

std::vector<OrderBook::Level>::iterator OrderBook::find_level(Side side, Price price) {
  std::vector<Level>& levels = side_levels(side);
  // Bids ascend and asks descend, so the best price is at the back of both.
  if (side == Side::Buy) {
    return std::lower_bound(levels.begin(), levels.end(), price,
                            [](const Level& level, Price p) { return level.price < p; });
  }
  return std::lower_bound(levels.begin(), levels.end(), price,
                          [](const Level& level, Price p) { return level.price > p; });
}

std::int32_t OrderBook::allocate(OrderKey key, Quantity quantity) {
  if (free_ != kNone) {
    const std::int32_t index = free_;
    free_ = nodes_[static_cast<std::size_t>(index)].next;
    nodes_[static_cast<std::size_t>(index)] = Node{key, quantity, kNone, kNone};
    return index;
  }
  nodes_.push_back(Node{key, quantity, kNone, kNone});
  return static_cast<std::int32_t>(nodes_.size() - 1);
}

void OrderBook::unlink(Level& level, std::int32_t index) {
  Node& node = nodes_[static_cast<std::size_t>(index)];
  if (node.prev != kNone) nodes_[static_cast<std::size_t>(node.prev)].next = node.next;
  else level.head = node.next;
  if (node.next != kNone) nodes_[static_cast<std::size_t>(node.next)].prev = node.prev;
  else level.tail = node.prev;
  node.next = free_;
  node.prev = kNone;
  free_ = index;
}

void OrderBook::add(Side side, OrderKey key, Price price, Quantity quantity) {
  const std::int32_t index = allocate(key, quantity);
  auto level = find_level(side, price);
  if (level == side_levels(side).end() || level->price != price) {
    level = side_levels(side).insert(level, Level{price, 0, kNone, kNone});
  }
  Node& node = nodes_[static_cast<std::size_t>(index)];
  node.prev = level->tail;
  if (level->tail != kNone) nodes_[static_cast<std::size_t>(level->tail)].next = index;
  else level->head = index;
  level->tail = index;
  level->total += quantity;
}

Quantity OrderBook::cancel(Side side, Price price, OrderKey key) {
  auto level = find_level(side, price);
  if (level == side_levels(side).end() || level->price != price) return 0;
  for (std::int32_t index = level->head; index != kNone; index = nodes_[static_cast<std::size_t>(index)].next) {
    const Node& node = nodes_[static_cast<std::size_t>(index)];
    if (node.key != key) continue;
    const Quantity remaining = node.remaining;
    level->total -= remaining;
    unlink(*level, index);
    if (level->head == kNone) side_levels(side).erase(level);
    return remaining;
  }
  return 0;
}

std::optional<Price> OrderBook::best_bid() const {
  if (bids_.empty()) return std::nullopt;
  return bids_.back().price;
}

std::optional<Price> OrderBook::best_ask() const {
  if (asks_.empty()) return std::nullopt;
  return asks_.back().price;
}

std::vector<OrderBook::LevelView> OrderBook::levels(Side side) const {
  const std::vector<Level>& levels = side_levels(side);
  std::vector<LevelView> view;
  view.reserve(levels.size());
  for (auto level = levels.rbegin(); level != levels.rend(); ++level) {
    std::size_t orders = 0;
    for (std::int32_t index = level->head; index != kNone; index = nodes_[static_cast<std::size_t>(index)].next) {
      ++orders;
    }
    view.push_back(LevelView{level->price, level->total, orders});
  }
  return view;
}

}  // namespace order_engine
