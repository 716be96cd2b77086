#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <vector>

#include "order_engine/engine.hpp"

namespace order_engine {
namespace {

/// AAPL at 100 dollars on a paper market of three levels 1% apart (asks 101, 102,
/// 103; bids 99, 98, 97) with 10,000 dollars each; a 5% collar; manual time.
EngineConfig paper_config() {
  EngineConfig config;
  config.limits.price_collar = 0.05;
  config.liquidity = LiquidityProfile{3, 0.01, 10'000.0};
  config.manual_clock = true;
  return config;
}

NewOrder limit(const std::string& id, Side side, Quantity quantity, double price,
               TimeInForce time_in_force = TimeInForce::Day, const std::string& symbol = "AAPL") {
  return NewOrder{id, symbol, side, OrderType::Limit, time_in_force, quantity, price};
}

NewOrder market(const std::string& id, Side side, Quantity quantity) {
  return NewOrder{id, "AAPL", side, OrderType::Market, TimeInForce::Ioc, quantity, 0.0};
}

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override { start(paper_config()); }
  void start(const EngineConfig& config) {
    engine_ = std::make_unique<Engine>(config);
    engine_->set_reference_price("AAPL", 100.0);
  }
  std::unique_ptr<Engine> engine_;
};

TEST_F(EngineTest, FillsAMarketableLimitAndMovesThePosition) {
  const OrderReport report = engine_->submit(limit("D-AAPL-BUY-1", Side::Buy, 120, 102.0));
  EXPECT_EQ(report.status, OrderStatus::Filled);
  EXPECT_EQ(report.filled_quantity, 120);
  ASSERT_EQ(report.fills.size(), 2U);
  EXPECT_EQ(report.fills[0].quantity, 99);
  EXPECT_DOUBLE_EQ(report.fills[0].price, 101.0);
  EXPECT_EQ(report.fills[1].quantity, 21);
  EXPECT_DOUBLE_EQ(report.fills[1].price, 102.0);
  EXPECT_NEAR(report.average_price, (99 * 101.0 + 21 * 102.0) / 120, 1e-9);
  EXPECT_EQ(engine_->position("AAPL"), 120);
  EXPECT_DOUBLE_EQ(engine_->gross_exposure(), 120 * 100.0);
}

TEST_F(EngineTest, TradesAMarketOrderNoFurtherThanTheCollar) {
  EngineConfig config = paper_config();
  config.limits.price_collar = 0.015;  // protection price 101.5: only the 101 level
  start(config);
  const OrderReport report = engine_->submit(market("D-AAPL-BUY-1", Side::Buy, 500));
  EXPECT_EQ(report.status, OrderStatus::Cancelled);
  EXPECT_EQ(report.filled_quantity, 99);
  EXPECT_EQ(report.leaves_quantity, 0);
  EXPECT_EQ(engine_->position("AAPL"), 99);
  EXPECT_DOUBLE_EQ(engine_->gross_exposure(), 99 * 100.0);
}

TEST_F(EngineTest, RejectsABreachWithAMessageNamingOrderCheckAndLimit) {
  EngineConfig config = paper_config();
  config.limits.max_order_notional = 5'000.0;
  start(config);
  const OrderReport report = engine_->submit(limit("D-AAPL-BUY-1", Side::Buy, 60, 101.0));
  EXPECT_EQ(report.status, OrderStatus::Rejected);
  EXPECT_EQ(report.reason, RejectReason::MaxOrderNotional);
  EXPECT_NE(report.message.find("D-AAPL-BUY-1"), std::string::npos) << report.message;
  EXPECT_NE(report.message.find("6060.00"), std::string::npos) << report.message;
  EXPECT_NE(report.message.find("5000.00"), std::string::npos) << report.message;
  EXPECT_TRUE(report.fills.empty());
  EXPECT_EQ(engine_->position("AAPL"), 0);
  EXPECT_FALSE(engine_->was_sent("D-AAPL-BUY-1"));
}

TEST_F(EngineTest, SendsARejectedIdOnceTheReasonIsGone) {
  engine_->set_trading_state(TradingState::Halted);
  EXPECT_EQ(engine_->submit(limit("D-AAPL-BUY-1", Side::Buy, 10, 101.0)).reason, RejectReason::TradingHalted);
  engine_->set_trading_state(TradingState::Active);
  EXPECT_EQ(engine_->submit(limit("D-AAPL-BUY-1", Side::Buy, 10, 101.0)).status, OrderStatus::Filled);
}

TEST_F(EngineTest, NeverSendsAClientOrderIdTwice) {
  ASSERT_EQ(engine_->submit(limit("D-AAPL-BUY-1", Side::Buy, 10, 101.0)).status, OrderStatus::Filled);
  const OrderReport again = engine_->submit(limit("D-AAPL-BUY-1", Side::Buy, 10, 101.0));
  EXPECT_EQ(again.status, OrderStatus::Duplicate);
  EXPECT_NE(again.message.find("never sent twice"), std::string::npos) << again.message;
  EXPECT_EQ(engine_->position("AAPL"), 10);
}

TEST_F(EngineTest, ThrowsOnMalformedInputAndChangesNothing) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<NewOrder> malformed = {
      limit("D-1", Side::Buy, 10, nan),
      limit("D-2", Side::Buy, 10, std::numeric_limits<double>::infinity()),
      limit("D-3", Side::Buy, 10, -5.0),
      limit("D-4", Side::Buy, 10, 1e300),
      limit("D-5", Side::Buy, -10, 101.0),
      limit("D-6", Side::Buy, 0, 101.0),
      limit("D-7", Side::Buy, std::numeric_limits<Quantity>::max(), 101.0),
      limit("D-8", Side::Buy, 10, 101.0, TimeInForce::Day, "MSFT"),
      limit("D 9", Side::Buy, 10, 101.0),
      limit("", Side::Buy, 10, 101.0),
      limit("D-10", static_cast<Side>(9), 10, 101.0),
  };
  for (const NewOrder& order : malformed) {
    EXPECT_THROW(static_cast<void>(engine_->submit(order)), std::invalid_argument) << order.client_order_id;
  }
  EXPECT_EQ(engine_->position("AAPL"), 0);
  EXPECT_DOUBLE_EQ(engine_->gross_exposure(), 0.0);
  EXPECT_DOUBLE_EQ(engine_->book_top("AAPL").ask_price, 101.0);
  EXPECT_THROW(static_cast<void>(engine_->set_reference_price("AAPL", nan)), std::invalid_argument);
  EXPECT_THROW(static_cast<void>(engine_->position("MSFT")), std::invalid_argument);
}

TEST_F(EngineTest, RestsADayOrderCountsItInExposureAndExpiresItAtEndOfDay) {
  const OrderReport report = engine_->submit(limit("D-AAPL-BUY-1", Side::Buy, 100, 99.5));
  EXPECT_EQ(report.status, OrderStatus::Resting);
  EXPECT_EQ(report.leaves_quantity, 100);
  EXPECT_DOUBLE_EQ(engine_->gross_exposure(), 100 * 100.0);
  EXPECT_DOUBLE_EQ(engine_->book_top("AAPL").bid_price, 99.5);
  const auto expired = engine_->end_of_day();
  ASSERT_EQ(expired.size(), 1U);
  EXPECT_EQ(expired[0].client_order_id, "D-AAPL-BUY-1");
  EXPECT_EQ(expired[0].status, OrderStatus::Expired);
  EXPECT_DOUBLE_EQ(engine_->gross_exposure(), 0.0);
  EXPECT_DOUBLE_EQ(engine_->book_top("AAPL").bid_price, 99.0);
  EXPECT_TRUE(engine_->end_of_day().empty());
}

TEST_F(EngineTest, CancelsTheRemainderOfAnIocOrder) {
  const OrderReport report = engine_->submit(limit("D-AAPL-BUY-1", Side::Buy, 150, 101.0, TimeInForce::Ioc));
  EXPECT_EQ(report.status, OrderStatus::Cancelled);
  EXPECT_EQ(report.filled_quantity, 99);
  EXPECT_EQ(report.leaves_quantity, 0);
  EXPECT_DOUBLE_EQ(engine_->gross_exposure(), 99 * 100.0);
}

TEST_F(EngineTest, CancelsARestingOrderByClientId) {
  ASSERT_EQ(engine_->submit(limit("D-AAPL-SELL-1", Side::Sell, 30, 100.5)).status, OrderStatus::Resting);
  const OrderReport cancelled = engine_->cancel("D-AAPL-SELL-1");
  EXPECT_EQ(cancelled.status, OrderStatus::Cancelled);
  EXPECT_DOUBLE_EQ(engine_->gross_exposure(), 0.0);
  EXPECT_THROW(static_cast<void>(engine_->cancel("D-AAPL-SELL-1")), std::invalid_argument);
}

TEST_F(EngineTest, FillsOurRestingOrderWhenOurOwnOrderMeetsIt) {
  ASSERT_EQ(engine_->submit(limit("D-AAPL-BUY-1", Side::Buy, 10, 99.5)).status, OrderStatus::Resting);
  const OrderReport sell = engine_->submit(limit("D-AAPL-SELL-1", Side::Sell, 4, 99.0, TimeInForce::Ioc));
  ASSERT_EQ(sell.fills.size(), 2U);
  EXPECT_EQ(sell.fills[0].client_order_id, "D-AAPL-BUY-1");
  EXPECT_EQ(sell.fills[1].client_order_id, "D-AAPL-SELL-1");
  EXPECT_EQ(engine_->position("AAPL"), 0);
  const auto expired = engine_->end_of_day();
  ASSERT_EQ(expired.size(), 1U);
  EXPECT_EQ(expired[0].filled_quantity, 4);
}

TEST_F(EngineTest, ThrottlesOrdersBeyondTheRateUntilTimePasses) {
  EngineConfig config = paper_config();
  config.limits.max_orders_per_second = 2;
  start(config);
  EXPECT_EQ(engine_->submit(limit("A-1", Side::Buy, 1, 101.0)).status, OrderStatus::Filled);
  EXPECT_EQ(engine_->submit(limit("A-2", Side::Buy, 1, 101.0)).status, OrderStatus::Filled);
  EXPECT_EQ(engine_->submit(limit("A-3", Side::Buy, 1, 101.0)).reason, RejectReason::OrderRate);
  engine_->advance_clock(500'000'000);
  EXPECT_EQ(engine_->submit(limit("A-3", Side::Buy, 1, 101.0)).status, OrderStatus::Filled);
}

TEST_F(EngineTest, ReducingStateAcceptsOnlyReductions) {
  ASSERT_EQ(engine_->submit(limit("A-1", Side::Buy, 50, 101.0)).status, OrderStatus::Filled);
  engine_->set_trading_state(TradingState::Reducing);
  EXPECT_EQ(engine_->trading_state(), TradingState::Reducing);
  EXPECT_EQ(engine_->submit(limit("A-2", Side::Buy, 1, 101.0)).reason, RejectReason::ReduceOnly);
  EXPECT_EQ(engine_->submit(limit("A-3", Side::Sell, 51, 99.0)).reason, RejectReason::ReduceOnly);
  EXPECT_EQ(engine_->submit(limit("A-4", Side::Sell, 50, 99.0)).status, OrderStatus::Filled);
  EXPECT_EQ(engine_->position("AAPL"), 0);
}

// Random flow over two symbols: positions equal the sum of fills, the books never
// cross, and no accepted order leaves a limit broken.
TEST(EngineProperties, RandomFlowKeepsPositionsLimitsAndBooksConsistent) {
  EngineConfig config = paper_config();
  config.limits.max_order_quantity = 400;
  config.limits.max_position_quantity = 1'000;
  config.limits.max_gross_exposure = 80'000.0;
  Engine engine(config);
  engine.set_reference_price("AAPL", 100.0);
  engine.set_reference_price("F", 12.5);
  std::mt19937_64 random(7);
  std::map<std::string, Quantity> from_fills;
  int accepted = 0;
  for (int i = 0; i < 3'000; ++i) {
    const std::string symbol = i % 3 == 0 ? "F" : "AAPL";
    const double reference = symbol == "F" ? 12.5 : 100.0;
    const Side side = random() % 2 == 0 ? Side::Buy : Side::Sell;
    const double offset = (static_cast<double>(random() % 1'000) / 1'000.0 - 0.3) * 0.06;
    const double price = reference * (1 + (side == Side::Buy ? offset : -offset));
    const auto tif = random() % 4 == 0 ? TimeInForce::Day : TimeInForce::Ioc;
    const NewOrder order{"R-" + std::to_string(i), symbol, side, OrderType::Limit, tif,
                         static_cast<Quantity>(1 + random() % 500), price};
    const OrderReport report = engine.submit(order);
    for (const Fill& fill : report.fills) from_fills[fill.symbol] += side_sign(fill.side) * fill.quantity;
    if (report.status != OrderStatus::Rejected) {
      ++accepted;
      ASSERT_LE(order.quantity, 400);
      ASSERT_LE(std::abs(engine.position(symbol)), 1'000);
      ASSERT_LE(engine.gross_exposure(), 80'000.0 * (1 + 1e-12));
    }
    for (const char* name : {"AAPL", "F"}) {
      const BookTop top = engine.book_top(name);
      ASSERT_TRUE(std::isnan(top.bid_price) || std::isnan(top.ask_price) || top.bid_price < top.ask_price);
    }
    if (i % 200 == 199) static_cast<void>(engine.end_of_day());
  }
  EXPECT_GT(accepted, 500);
  EXPECT_EQ(engine.position("AAPL"), from_fills["AAPL"]);
  EXPECT_EQ(engine.position("F"), from_fills["F"]);
}

TEST(EngineBatch, ReturnsACodeAndAFilledQuantityPerRow) {
  Engine engine(paper_config());
  const SymbolId aapl = engine.set_reference_price("AAPL", 100.0);
  const std::vector<SymbolId> symbols{aapl, aapl, 42, aapl, aapl};
  const std::vector<std::uint8_t> sides{0, 1, 0, 0, 3};
  const std::vector<std::uint8_t> types{1, 0, 1, 1, 1};
  const std::vector<std::uint8_t> tifs{1, 1, 1, 1, 1};
  const std::vector<Quantity> quantities{50, 20, 5, 5, 5};
  const std::vector<double> prices{101.0, 0.0, 101.0, 200.0, 101.0};
  std::vector<std::uint8_t> codes(5, 99);
  std::vector<Quantity> filled(5, -1);
  engine.submit_batch(symbols, sides, types, tifs, quantities, prices, codes, filled);
  EXPECT_EQ(codes, (std::vector<std::uint8_t>{0, 0, 9, 5, 9}));
  EXPECT_EQ(filled, (std::vector<Quantity>{50, 20, 0, 0, 0}));
  EXPECT_EQ(engine.position("AAPL"), 30);
}

TEST(EngineBatch, RefusesArraysOfDifferentLengths) {
  Engine engine(paper_config());
  const SymbolId aapl = engine.set_reference_price("AAPL", 100.0);
  const std::vector<SymbolId> symbols{aapl, aapl};
  const std::vector<std::uint8_t> one{0};
  const std::vector<Quantity> quantities{1, 1};
  const std::vector<double> prices{101.0, 101.0};
  std::vector<std::uint8_t> codes(2);
  std::vector<Quantity> filled(2);
  EXPECT_THROW(engine.submit_batch(symbols, one, one, one, quantities, prices, codes, filled), std::invalid_argument);
}

TEST_F(EngineTest, RefusesEverythingOnceClosed) {
  engine_->close();
  EXPECT_THROW(static_cast<void>(engine_->submit(limit("A-1", Side::Buy, 1, 101.0))), std::logic_error);
  EXPECT_THROW(static_cast<void>(engine_->end_of_day()), std::logic_error);
}

}  // namespace
}  // namespace order_engine
