#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "order_engine/paper_venue.hpp"

namespace order_engine {
namespace {

constexpr Price kReference = 100 * kTicksPerDollar;  // 100 dollars

/// Three levels 1% apart with 10,000 dollars each: asks 101, 102, 103; bids 99, 98, 97.
LiquidityProfile three_levels() { return LiquidityProfile{3, 0.01, 10'000.0}; }

TEST(PaperVenue, SeedsALadderOnBothSidesOfTheReference) {
  PaperVenue venue(three_levels());
  venue.set_reference_price(0, kReference);
  const auto asks = venue.book(0).levels(Side::Sell);
  const auto bids = venue.book(0).levels(Side::Buy);
  ASSERT_EQ(asks.size(), 3U);
  ASSERT_EQ(bids.size(), 3U);
  EXPECT_EQ(asks[0].price, 101 * kTicksPerDollar);
  EXPECT_EQ(asks[2].price, 103 * kTicksPerDollar);
  EXPECT_EQ(bids[0].price, 99 * kTicksPerDollar);
  EXPECT_EQ(asks[0].quantity, 99);   // floor(10,000 / 101)
  EXPECT_EQ(bids[0].quantity, 101);  // floor(10,000 / 99)
}

TEST(PaperVenue, MarketableOrderWalksTheLadderAndReportsOnlyOurFills) {
  PaperVenue venue(three_levels());
  venue.set_reference_price(0, kReference);
  std::vector<VenueFill> fills;
  const Quantity resting = venue.send(VenueOrder{1, 0, Side::Buy, 102 * kTicksPerDollar, 150, false, {}, {}}, fills);
  EXPECT_EQ(resting, 0);
  ASSERT_EQ(fills.size(), 2U);
  EXPECT_EQ(fills[0].order, 1U);
  EXPECT_EQ(fills[0].quantity, 99);
  EXPECT_EQ(fills[0].price, 101 * kTicksPerDollar);
  EXPECT_EQ(fills[1].quantity, 51);
  EXPECT_EQ(fills[1].price, 102 * kTicksPerDollar);
}

TEST(PaperVenue, PutsATakenLevelBackAfterTheOrder) {
  PaperVenue venue(three_levels());
  venue.set_reference_price(0, kReference);
  std::vector<VenueFill> fills;
  static_cast<void>(venue.send(VenueOrder{1, 0, Side::Buy, 101 * kTicksPerDollar, 99, false, {}, {}}, fills));
  const BookTop top = venue.top(0);
  EXPECT_DOUBLE_EQ(top.ask_price, 101.0);
  EXPECT_EQ(top.ask_quantity, 99);
}

TEST(PaperVenue, RestsADayRemainderAndCancelsIt) {
  PaperVenue venue(three_levels());
  venue.set_reference_price(0, kReference);
  std::vector<VenueFill> fills;
  const VenueOrder bid{1, 0, Side::Buy, static_cast<Price>(99.5 * kTicksPerDollar), 40, true, {}, {}};
  EXPECT_EQ(venue.send(bid, fills), 40);
  EXPECT_TRUE(fills.empty());
  EXPECT_DOUBLE_EQ(venue.top(0).bid_price, 99.5);
  EXPECT_EQ(venue.cancel(bid), 40);
  EXPECT_DOUBLE_EQ(venue.top(0).bid_price, 99.0);
}

TEST(PaperVenue, DoesNotPutBackALevelThatWouldCrossOurRestingOrder) {
  PaperVenue venue(three_levels());
  venue.set_reference_price(0, kReference);
  std::vector<VenueFill> fills;
  // Takes all of 101 and rests 1 share at 101: the simulated ask there must wait.
  const VenueOrder bid{1, 0, Side::Buy, 101 * kTicksPerDollar, 100, true, {}, {}};
  EXPECT_EQ(venue.send(bid, fills), 1);
  BookTop top = venue.top(0);
  EXPECT_DOUBLE_EQ(top.bid_price, 101.0);
  EXPECT_DOUBLE_EQ(top.ask_price, 102.0);
  static_cast<void>(venue.cancel(bid));
  top = venue.top(0);
  EXPECT_DOUBLE_EQ(top.ask_price, 101.0);
  EXPECT_DOUBLE_EQ(top.bid_price, 99.0);
}

TEST(PaperVenue, ReportsAFillOfOurRestingOrderWhenAnotherOfOursMeetsIt) {
  PaperVenue venue(three_levels());
  venue.set_reference_price(0, kReference);
  std::vector<VenueFill> fills;
  static_cast<void>(venue.send(VenueOrder{1, 0, Side::Buy, static_cast<Price>(99.5 * kTicksPerDollar), 10, true, {}, {}}, fills));
  static_cast<void>(venue.send(VenueOrder{2, 0, Side::Sell, 99 * kTicksPerDollar, 4, false, {}, {}}, fills));
  ASSERT_EQ(fills.size(), 2U);
  EXPECT_EQ(fills[0].order, 1U);  // the resting maker
  EXPECT_EQ(fills[1].order, 2U);  // the taker
  EXPECT_EQ(fills[1].price, static_cast<Price>(99.5 * kTicksPerDollar));
}

TEST(PaperVenue, MovesTheLadderWithANewReferenceAndKeepsOurOrders) {
  PaperVenue venue(three_levels());
  venue.set_reference_price(0, kReference);
  std::vector<VenueFill> fills;
  static_cast<void>(venue.send(VenueOrder{1, 0, Side::Buy, 90 * kTicksPerDollar, 10, true, {}, {}}, fills));
  venue.set_reference_price(0, 200 * kTicksPerDollar);
  const auto bids = venue.book(0).levels(Side::Buy);
  ASSERT_EQ(bids.size(), 4U);
  EXPECT_EQ(bids[0].price, 198 * kTicksPerDollar);
  EXPECT_EQ(bids[3].price, 90 * kTicksPerDollar);
  EXPECT_EQ(venue.book(0).levels(Side::Sell)[0].price, 202 * kTicksPerDollar);
}

TEST(PaperVenue, KeepsLevelsAtLeastOneTickApartForPennyStocks) {
  PaperVenue venue(LiquidityProfile{5, 0.0001, 1'000.0});
  venue.set_reference_price(0, 3);  // 0.0003 dollars: bids can only be 2 and 1 ticks
  EXPECT_EQ(venue.book(0).levels(Side::Buy).size(), 2U);
  const auto asks = venue.book(0).levels(Side::Sell);
  ASSERT_EQ(asks.size(), 5U);
  for (std::size_t k = 1; k < asks.size(); ++k) EXPECT_GT(asks[k].price, asks[k - 1].price);
}

TEST(PaperVenue, RefusesAnOrderForASymbolWithoutMarket) {
  PaperVenue venue(three_levels());
  std::vector<VenueFill> fills;
  EXPECT_THROW(static_cast<void>(venue.send(VenueOrder{1, 3, Side::Buy, 1, 1, false, {}, {}}, fills)), std::out_of_range);
}

TEST(CheckLiquidity, RefusesProfilesOutOfRange) {
  EXPECT_THROW(check_liquidity(LiquidityProfile{0, 0.01, 1.0}), std::invalid_argument);
  EXPECT_THROW(check_liquidity(LiquidityProfile{65, 0.001, 1.0}), std::invalid_argument);
  EXPECT_THROW(check_liquidity(LiquidityProfile{10, 0.2, 1.0}), std::invalid_argument);
  EXPECT_THROW(check_liquidity(LiquidityProfile{10, 0.001, std::nan("")}), std::invalid_argument);
}

}  // namespace
}  // namespace order_engine
