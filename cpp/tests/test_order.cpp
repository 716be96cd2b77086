#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "order_engine/order.hpp"

namespace order_engine {
namespace {

TEST(PriceToTicks, ConvertsDollarsToTheNearestTenThousandth) {
  EXPECT_EQ(price_to_ticks(187.44, "p"), 1'874'400);
  EXPECT_EQ(price_to_ticks(0.0001, "p"), 1);
  EXPECT_EQ(price_to_ticks(12.34567, "p"), 123'457);
  EXPECT_DOUBLE_EQ(ticks_to_dollars(1'874'400), 187.44);
}

TEST(PriceToTicks, RefusesNanInfinitiesNonPositiveTinyAndHugePrices) {
  for (const double bad : {std::nan(""), std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity(), 0.0, -1.0, 0.00001, 1e300,
                           kMaxPriceDollars * 1.01}) {
    EXPECT_THROW(static_cast<void>(price_to_ticks(bad, "limit")), std::invalid_argument) << bad;
    Price untouched = 42;
    EXPECT_FALSE(try_price_to_ticks(bad, untouched)) << bad;
    EXPECT_EQ(untouched, 42);
  }
}

TEST(PriceToTicks, NamesWhatIsWrongInTheMessage) {
  try {
    static_cast<void>(price_to_ticks(std::nan(""), "order X-1: limit"));
    FAIL() << "NaN accepted";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("order X-1: limit"), std::string::npos) << error.what();
  }
}

TEST(CheckQuantity, AcceptsOneToTheStructuralMaximumOnly) {
  EXPECT_NO_THROW(check_quantity(1, "q"));
  EXPECT_NO_THROW(check_quantity(kMaxOrderQuantity, "q"));
  EXPECT_THROW(check_quantity(0, "q"), std::invalid_argument);
  EXPECT_THROW(check_quantity(-5, "q"), std::invalid_argument);
  EXPECT_THROW(check_quantity(kMaxOrderQuantity + 1, "q"), std::invalid_argument);
}

TEST(CheckIdentifier, RefusesEmptyLongAndWhitespaceIds) {
  EXPECT_NO_THROW(check_identifier("2025-10-08-BRK-B-BUY-1", "id"));
  EXPECT_THROW(check_identifier("", "id"), std::invalid_argument);
  EXPECT_THROW(check_identifier("has space", "id"), std::invalid_argument);
  EXPECT_THROW(check_identifier("tab\there", "id"), std::invalid_argument);
  EXPECT_THROW(check_identifier("new\nline", "id"), std::invalid_argument);
  EXPECT_THROW(check_identifier(std::string(kMaxIdentifierLength + 1, 'A'), "id"), std::invalid_argument);
}

TEST(CheckEnums, RefusesValuesCastFromBadIntegers) {
  EXPECT_NO_THROW(check_enums(Side::Sell, OrderType::Market, TimeInForce::Ioc, "o"));
  EXPECT_THROW(check_enums(static_cast<Side>(2), OrderType::Limit, TimeInForce::Day, "o"), std::invalid_argument);
  EXPECT_THROW(check_enums(Side::Buy, static_cast<OrderType>(7), TimeInForce::Day, "o"), std::invalid_argument);
  EXPECT_THROW(check_enums(Side::Buy, OrderType::Limit, static_cast<TimeInForce>(255), "o"), std::invalid_argument);
}

}  // namespace
}  // namespace order_engine
