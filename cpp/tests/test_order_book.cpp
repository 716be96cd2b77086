#include <gtest/gtest.h>

#include <random>
#include <tuple>
#include <vector>

#include "order_engine/order_book.hpp"

namespace order_engine {
namespace {

struct Trade {
  OrderKey maker;
  Quantity maker_leaves;
  Quantity quantity;
  Price price;
  bool operator==(const Trade&) const = default;
};

std::vector<Trade> take(OrderBook& book, Side side, Price limit, Quantity quantity, Quantity* filled = nullptr) {
  std::vector<Trade> trades;
  const Quantity done = book.match(side, limit, quantity, [&](OrderKey maker, Quantity leaves, Quantity q, Price p) {
    trades.push_back(Trade{maker, leaves, q, p});
  });
  if (filled != nullptr) *filled = done;
  return trades;
}

TEST(OrderBook, FillsTheBestPriceFirst) {
  OrderBook book;
  book.add(Side::Sell, 1, 101, 10);
  book.add(Side::Sell, 2, 100, 10);
  book.add(Side::Sell, 3, 102, 10);
  Quantity filled = 0;
  const auto trades = take(book, Side::Buy, 101, 15, &filled);
  EXPECT_EQ(filled, 15);
  EXPECT_EQ(trades, (std::vector<Trade>{{2, 0, 10, 100}, {1, 5, 5, 101}}));
  EXPECT_EQ(book.best_ask(), 101);
}

TEST(OrderBook, FillsEarlierOrdersFirstAtOnePrice) {
  OrderBook book;
  book.add(Side::Buy, 7, 100, 5);
  book.add(Side::Buy, 8, 100, 5);
  book.add(Side::Buy, 9, 100, 5);
  const auto trades = take(book, Side::Sell, 100, 7);
  EXPECT_EQ(trades, (std::vector<Trade>{{7, 0, 5, 100}, {8, 3, 2, 100}}));
  const auto levels = book.levels(Side::Buy);
  ASSERT_EQ(levels.size(), 1U);
  EXPECT_EQ(levels[0].quantity, 8);
  EXPECT_EQ(levels[0].orders, 2U);
}

TEST(OrderBook, StopsAtTheLimitPrice) {
  OrderBook book;
  book.add(Side::Buy, 1, 99, 10);
  Quantity filled = 0;
  EXPECT_TRUE(take(book, Side::Sell, 100, 10, &filled).empty());
  EXPECT_EQ(filled, 0);
  EXPECT_EQ(book.best_bid(), 99);
}

TEST(OrderBook, CancelRemovesOneOrderAndKeepsTheQueueOrder) {
  OrderBook book;
  book.add(Side::Sell, 1, 100, 10);
  book.add(Side::Sell, 2, 100, 20);
  book.add(Side::Sell, 3, 100, 30);
  EXPECT_EQ(book.cancel(Side::Sell, 100, 2), 20);
  EXPECT_EQ(book.cancel(Side::Sell, 100, 2), 0);
  EXPECT_EQ(book.cancel(Side::Sell, 105, 1), 0);
  const auto trades = take(book, Side::Buy, 100, 40);
  EXPECT_EQ(trades, (std::vector<Trade>{{1, 0, 10, 100}, {3, 0, 30, 100}}));
  EXPECT_FALSE(book.best_ask().has_value());
}

TEST(OrderBook, RemoveIfDropsMatchingOrdersAndEmptyLevels) {
  OrderBook book;
  book.add(Side::Buy, 1, 99, 10);
  book.add(Side::Buy, 2, 98, 10);
  book.add(Side::Buy, 3, 98, 10);
  book.add(Side::Sell, 4, 101, 10);
  book.remove_if([](OrderKey key) { return key % 2 == 1; });
  EXPECT_EQ(book.best_bid(), 98);
  EXPECT_EQ(book.levels(Side::Buy).front().quantity, 10);
  EXPECT_EQ(book.best_ask(), 101);
}

TEST(OrderBook, ReusesFreedSlotsAfterFills) {
  OrderBook book;
  for (OrderKey round = 0; round < 1'000; ++round) {
    book.add(Side::Sell, round, 100, 1);
    Quantity filled = 0;
    take(book, Side::Buy, 100, 1, &filled);
    ASSERT_EQ(filled, 1);
  }
  EXPECT_FALSE(book.best_ask().has_value());
}

// Random limit orders that match first and rest the remainder, as a venue does:
// the book never crosses and every share is accounted for.
TEST(OrderBook, NeverCrossesUnderRandomFlow) {
  OrderBook book;
  std::mt19937_64 random(20251008);
  std::uniform_int_distribution<Price> price(95, 105);
  std::uniform_int_distribution<Quantity> quantity(1, 50);
  Quantity resting = 0;
  for (OrderKey key = 1; key <= 20'000; ++key) {
    const Side side = key % 2 == 0 ? Side::Buy : Side::Sell;
    const Price limit = price(random);
    const Quantity wanted = quantity(random);
    Quantity filled = 0;
    take(book, side, limit, wanted, &filled);
    resting -= filled;
    if (filled < wanted) {
      book.add(side, key, limit, wanted - filled);
      resting += wanted - filled;
    }
    const auto bid = book.best_bid();
    const auto ask = book.best_ask();
    ASSERT_TRUE(!bid || !ask || *bid < *ask) << "crossed at order " << key;
  }
  Quantity in_book = 0;
  for (const Side side : {Side::Buy, Side::Sell}) {
    for (const auto& level : book.levels(side)) in_book += level.quantity;
  }
  EXPECT_EQ(in_book, resting);
}

}  // namespace
}  // namespace order_engine
