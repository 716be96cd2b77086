#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>

#include "order_engine/risk.hpp"

namespace order_engine {
namespace {

/// A 100-dollar stock, flat, nothing open: the orders below vary one thing each.
RiskContext order(Side side, Quantity quantity, double price = 100.0) {
  RiskContext context;
  context.side = side;
  context.type = OrderType::Limit;
  context.quantity = quantity;
  context.order_price = static_cast<Price>(price * kTicksPerDollar);
  context.reference_price = 100 * kTicksPerDollar;
  return context;
}

TEST(MaxOrderQuantity, PassesAtTheLimitAndRejectsAboveIt) {
  const MaxOrderQuantity check(500);
  EXPECT_TRUE(check.validate(order(Side::Buy, 500)).passed());
  const RiskVerdict verdict = check.validate(order(Side::Buy, 501));
  EXPECT_EQ(verdict.reason, RejectReason::MaxOrderQuantity);
  EXPECT_EQ(verdict.value, 501);
  EXPECT_EQ(verdict.limit, 500);
}

TEST(MaxOrderNotional, MeasuresQuantityTimesTheOrderPrice) {
  const MaxOrderNotional check(10'000.0);
  EXPECT_TRUE(check.validate(order(Side::Buy, 100, 100.0)).passed());   // 10,000
  EXPECT_EQ(check.validate(order(Side::Buy, 100, 100.01)).reason, RejectReason::MaxOrderNotional);
  EXPECT_EQ(check.validate(order(Side::Sell, 101, 99.5)).reason, RejectReason::MaxOrderNotional);  // 10,049.5
}

TEST(MaxPosition, CountsOpenOrdersOnTheOrdersSideAsFilled) {
  const MaxPosition check(1'000, 1e12);
  RiskContext context = order(Side::Buy, 300);
  context.position = 500;
  context.open_buy = 200;
  EXPECT_TRUE(check.validate(context).passed());  // worst case 1,000
  context.quantity = 301;
  EXPECT_EQ(check.validate(context).reason, RejectReason::MaxPosition);
}

TEST(MaxPosition, LimitsDollarsAtTheReferencePrice) {
  const MaxPosition check(1'000'000, 50'000.0);
  EXPECT_TRUE(check.validate(order(Side::Sell, 500, 90.0)).passed());  // 500 * 100 at reference
  EXPECT_EQ(check.validate(order(Side::Sell, 501, 90.0)).reason, RejectReason::MaxPosition);
}

TEST(MaxPosition, LetsAnOrderThatShrinksAnOversizedPositionThrough) {
  const MaxPosition check(1'000, 1e12);
  RiskContext context = order(Side::Sell, 500);
  context.position = 5'000;  // above the limit, say after the limit was lowered
  EXPECT_TRUE(check.validate(context).passed());
  context.side = Side::Buy;
  EXPECT_EQ(check.validate(context).reason, RejectReason::MaxPosition);
}

TEST(MaxGrossExposure, AddsTheOrdersWorstCaseToTheBookWideExposure) {
  const MaxGrossExposure check(100'000.0);
  RiskContext context = order(Side::Buy, 400);
  context.gross_exposure = 60'000.0;  // other symbols
  EXPECT_TRUE(check.validate(context).passed());  // + 40,000
  context.quantity = 401;
  const RiskVerdict verdict = check.validate(context);
  EXPECT_EQ(verdict.reason, RejectReason::MaxGrossExposure);
  EXPECT_DOUBLE_EQ(verdict.value, 100'100.0);
}

TEST(MaxGrossExposure, PassesAnOrderThatDoesNotAddExposure) {
  const MaxGrossExposure check(100'000.0);
  RiskContext context = order(Side::Sell, 100);
  context.position = 2'000;  // 200,000 dollars: already above the limit
  context.symbol_exposure = 200'000.0;
  context.gross_exposure = 200'000.0;
  EXPECT_TRUE(check.validate(context).passed());
}

TEST(PriceCollar, RejectsLimitsFurtherFromTheReferenceThanTheFraction) {
  const PriceCollar check(0.05);
  EXPECT_TRUE(check.validate(order(Side::Buy, 1, 105.0)).passed());
  EXPECT_TRUE(check.validate(order(Side::Sell, 1, 95.0)).passed());
  EXPECT_EQ(check.validate(order(Side::Buy, 1, 105.01)).reason, RejectReason::PriceCollar);
  EXPECT_EQ(check.validate(order(Side::Sell, 1, 94.99)).reason, RejectReason::PriceCollar);
}

TEST(PriceCollar, LeavesMarketOrdersToTheirProtectionPrice) {
  const PriceCollar check(0.05);
  RiskContext context = order(Side::Buy, 1, 500.0);
  context.type = OrderType::Market;
  EXPECT_TRUE(check.validate(context).passed());
}

TEST(OrderRateThrottle, AllowsABurstOfTheRateThenRefillsWithTime) {
  OrderRateThrottle throttle(3.0);
  RiskContext context = order(Side::Buy, 1);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(throttle.validate(context).passed()) << i;
    throttle.on_accepted(context);
  }
  EXPECT_EQ(throttle.validate(context).reason, RejectReason::OrderRate);
  context.now += 300'000'000;  // 0.3 s: 0.9 of a token
  EXPECT_EQ(throttle.validate(context).reason, RejectReason::OrderRate);
  context.now += 40'000'000;  // 0.34 s: 1.02 tokens
  EXPECT_TRUE(throttle.validate(context).passed());
}

TEST(OrderRateThrottle, SpendsNoTokenOnValidateAlone) {
  const OrderRateThrottle throttle(1.0);
  const RiskContext context = order(Side::Buy, 1);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(throttle.validate(context).passed());
}

TEST(KillSwitch, HaltedRejectsEverything) {
  KillSwitch kill_switch;
  kill_switch.set_state(TradingState::Halted);
  RiskContext context = order(Side::Sell, 1);
  context.position = 100;
  EXPECT_EQ(kill_switch.validate(context).reason, RejectReason::TradingHalted);
}

TEST(KillSwitch, ReducingAcceptsOnlyOrdersThatShrinkThePositionWithoutFlippingIt) {
  KillSwitch kill_switch;
  kill_switch.set_state(TradingState::Reducing);
  RiskContext context = order(Side::Sell, 100);
  context.position = 100;
  EXPECT_TRUE(kill_switch.validate(context).passed());
  context.quantity = 101;  // would flip short
  EXPECT_EQ(kill_switch.validate(context).reason, RejectReason::ReduceOnly);
  context.quantity = 60;
  context.open_sell = 50;  // with the open sell, 110 > 100
  EXPECT_EQ(kill_switch.validate(context).reason, RejectReason::ReduceOnly);
  context = order(Side::Buy, 10);
  context.position = 100;  // buying more of a long
  EXPECT_EQ(kill_switch.validate(context).reason, RejectReason::ReduceOnly);
  context.position = -10;  // covering a short
  EXPECT_TRUE(kill_switch.validate(context).passed());
}

TEST(KillSwitch, RefusesAStateOutsideTheThree) {
  KillSwitch kill_switch;
  EXPECT_THROW(kill_switch.set_state(static_cast<TradingState>(3)), std::invalid_argument);
  EXPECT_EQ(kill_switch.state(), TradingState::Active);
}

TEST(PreTradeRisk, RefusesLimitsThatAreNotPositive) {
  RiskLimits limits;
  limits.max_order_notional = 0;
  EXPECT_THROW(PreTradeRisk{limits}, std::invalid_argument);
  limits = RiskLimits{};
  limits.price_collar = 1.5;
  EXPECT_THROW(PreTradeRisk{limits}, std::invalid_argument);
  limits = RiskLimits{};
  limits.max_gross_exposure = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(PreTradeRisk{limits}, std::invalid_argument);
}

TEST(PreTradeRisk, ReportsTheKillSwitchBeforeAnyLimit) {
  RiskLimits limits;
  limits.max_order_quantity = 10;
  PreTradeRisk risk(limits);
  risk.kill_switch().set_state(TradingState::Halted);
  EXPECT_EQ(risk.validate(order(Side::Buy, 1'000)).reason, RejectReason::TradingHalted);
}

TEST(PreTradeRisk, SpendsARateTokenOnlyOnAcceptedOrders) {
  RiskLimits limits;
  limits.max_orders_per_second = 1.0;
  limits.max_order_quantity = 10;
  PreTradeRisk risk(limits);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(risk.validate(order(Side::Buy, 11)).reason, RejectReason::MaxOrderQuantity);
  const RiskContext small = order(Side::Buy, 1);
  ASSERT_TRUE(risk.validate(small).passed());
  risk.on_accepted(small);
  EXPECT_EQ(risk.validate(small).reason, RejectReason::OrderRate);
}

class OddLotsOnly final : public RiskCheck {
 public:
  [[nodiscard]] RiskVerdict validate(const RiskContext& order) const override {
    if (order.quantity < 100) return {};
    return {RejectReason::MaxOrderQuantity, static_cast<double>(order.quantity), 99};
  }
};

TEST(PreTradeRisk, RunsAnAddedCheckBesideTheBuiltInOnes) {
  PreTradeRisk risk(RiskLimits{});
  risk.add(std::make_unique<OddLotsOnly>());
  EXPECT_TRUE(risk.validate(order(Side::Buy, 99)).passed());
  EXPECT_FALSE(risk.validate(order(Side::Buy, 100)).passed());
}

TEST(Describe, NamesTheCheckTheMeasureAndTheLimit) {
  const std::string text = describe(RiskVerdict{RejectReason::MaxOrderNotional, 1'234'567.5, 1'000'000.0});
  EXPECT_NE(text.find("MAX_ORDER_NOTIONAL"), std::string::npos) << text;
  EXPECT_NE(text.find("1234567.50"), std::string::npos) << text;
  EXPECT_NE(text.find("1000000.00"), std::string::npos) << text;
}

}  // namespace
}  // namespace order_engine
