// The paper venue: one order book per symbol, whose opposite side is a simulated
// ladder of liquidity built from the reference price.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "order_engine/order_book.hpp"
#include "order_engine/venue.hpp"

namespace order_engine {

/// The simulated market around each reference price.
struct LiquidityProfile {
  int levels = 10;                  // price levels per side, 1..64
  double level_spacing = 0.0005;    // fraction of the reference price between levels
  double level_notional = 250000.0;  // dollars resting at each level
};

/// Throws std::invalid_argument naming the first field out of range.
void check_liquidity(const LiquidityProfile& profile);

/// Level k (1-based) sits at reference * (1 +- k * spacing), at least k ticks away;
/// a fully taken level is put back after the order that took it, unless it would
/// cross the book, so every order meets the same ladder while the book never crosses.
class PaperVenue final : public Venue {
 public:
  explicit PaperVenue(const LiquidityProfile& profile);

  void set_reference_price(SymbolId symbol, Price reference) override;
  [[nodiscard]] Quantity send(const VenueOrder& order, std::vector<VenueFill>& fills) override;
  [[nodiscard]] Quantity cancel(const VenueOrder& order) override;
  [[nodiscard]] BookTop top(SymbolId symbol) const override;
  /// Nothing: the paper venue lives in the engine's process, so it has no order a crash left behind.
  [[nodiscard]] std::optional<VenueOrderState> status(const VenueOrder& order) override;

  [[nodiscard]] const OrderBook& book(SymbolId symbol) const;

  static constexpr OrderKey kSimulated = static_cast<OrderKey>(1) << 63;
  [[nodiscard]] static bool is_simulated(OrderKey key) { return (key & kSimulated) != 0; }

 private:
  static constexpr int kMaxLevels = 64;
  struct Ladder {
    std::array<Price, kMaxLevels> price{};
    std::array<Quantity, kMaxLevels> quantity{};
    std::uint64_t missing = 0;  // bit k: level k is taken and waits to be put back
  };
  struct Market {
    OrderBook book;
    Price reference = 0;
    std::array<Ladder, 2> ladders;  // indexed by Side
  };

  [[nodiscard]] Market& market(SymbolId symbol);
  [[nodiscard]] const Market& market(SymbolId symbol) const;
  [[nodiscard]] OrderKey simulated_key(Side side, int level);
  void replenish(Market& market);

  LiquidityProfile profile_;
  std::vector<Market> markets_;  // indexed by SymbolId
  OrderKey serial_ = 0;
};

}  // namespace order_engine
