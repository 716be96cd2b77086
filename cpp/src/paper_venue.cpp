#include "order_engine/paper_venue.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace order_engine {
namespace {

constexpr int kLevelBits = 6;  // kMaxLevels == 64
constexpr OrderKey kLevelMask = (OrderKey{1} << kLevelBits) - 1;

std::size_t index_of(Side side) { return static_cast<std::size_t>(side); }

}  // namespace

void check_liquidity(const LiquidityProfile& profile) {
  if (profile.levels < 1 || profile.levels > 64) {
    throw std::invalid_argument("liquidity levels must be 1..64 per side, got " + std::to_string(profile.levels));
  }
  if (!std::isfinite(profile.level_spacing) || profile.level_spacing <= 0.0 ||
      profile.level_spacing * profile.levels >= 1.0) {
    throw std::invalid_argument("liquidity level_spacing must be a positive fraction with levels * spacing < 1, got " +
                                std::to_string(profile.level_spacing));
  }
  if (!std::isfinite(profile.level_notional) || profile.level_notional <= 0.0) {
    throw std::invalid_argument("liquidity level_notional must be positive dollars, got " +
                                std::to_string(profile.level_notional));
  }
}

PaperVenue::PaperVenue(const LiquidityProfile& profile) : profile_(profile) { check_liquidity(profile); }

PaperVenue::Market& PaperVenue::market(SymbolId symbol) {
  if (symbol < 0 || static_cast<std::size_t>(symbol) >= markets_.size()) {
    throw std::out_of_range("paper venue: symbol id " + std::to_string(symbol) + " has no market (no reference price)");
  }
  return markets_[static_cast<std::size_t>(symbol)];
}

const PaperVenue::Market& PaperVenue::market(SymbolId symbol) const {
  return const_cast<PaperVenue*>(this)->market(symbol);
}

const OrderBook& PaperVenue::book(SymbolId symbol) const { return market(symbol).book; }

OrderKey PaperVenue::simulated_key(Side side, int level) {
  ++serial_;
  return kSimulated | (serial_ << (kLevelBits + 1)) | (OrderKey{index_of(side)} << kLevelBits) |
         static_cast<OrderKey>(level);
}

void PaperVenue::set_reference_price(SymbolId symbol, Price reference) {
  if (symbol < 0) throw std::out_of_range("paper venue: negative symbol id " + std::to_string(symbol));
  if (static_cast<std::size_t>(symbol) >= markets_.size()) markets_.resize(static_cast<std::size_t>(symbol) + 1);
  Market& m = markets_[static_cast<std::size_t>(symbol)];
  if (m.reference == reference) return;
  m.reference = reference;
  m.book.remove_if(is_simulated);
  const double dollars = ticks_to_dollars(reference);
  for (const Side side : {Side::Buy, Side::Sell}) {
    Ladder& ladder = m.ladders[index_of(side)];
    ladder = Ladder{};
    for (int k = 0; k < profile_.levels; ++k) {
      const double offset = profile_.level_spacing * (k + 1);
      const auto steps = static_cast<Price>(k + 1);
      const Price price = side == Side::Sell
                              ? std::max(static_cast<Price>(std::llround(dollars * (1 + offset) * kTicksPerDollar)),
                                         reference + steps)
                              : std::min(static_cast<Price>(std::llround(dollars * (1 - offset) * kTicksPerDollar)),
                                         reference - steps);
      if (price < 1) break;  // no bids below one tick
      ladder.price[static_cast<std::size_t>(k)] = price;
      ladder.quantity[static_cast<std::size_t>(k)] =
          std::max<Quantity>(1, static_cast<Quantity>(profile_.level_notional / ticks_to_dollars(price)));
      ladder.missing |= std::uint64_t{1} << k;
    }
  }
  replenish(m);
}

void PaperVenue::replenish(Market& m) {
  for (const Side side : {Side::Buy, Side::Sell}) {
    Ladder& ladder = m.ladders[index_of(side)];
    for (std::uint64_t pending = ladder.missing; pending != 0; pending &= pending - 1) {
      const int k = __builtin_ctzll(pending);
      const Price price = ladder.price[static_cast<std::size_t>(k)];
      // A level that would cross a resting order of ours waits until that order is gone.
      const auto best = side == Side::Sell ? m.book.best_bid() : m.book.best_ask();
      if (best && (side == Side::Sell ? *best >= price : *best <= price)) continue;
      m.book.add(side, simulated_key(side, k), price, ladder.quantity[static_cast<std::size_t>(k)]);
      ladder.missing &= ~(std::uint64_t{1} << k);
    }
  }
}

Quantity PaperVenue::send(const VenueOrder& order, std::vector<VenueFill>& fills) {
  Market& m = market(order.symbol);
  const Quantity filled =
      m.book.match(order.side, order.limit, order.quantity,
                   [&](OrderKey maker, Quantity maker_leaves, Quantity quantity, Price price) {
                     if (is_simulated(maker)) {
                       if (maker_leaves == 0) {
                         const auto side = static_cast<std::size_t>((maker >> kLevelBits) & 1);
                         m.ladders[side].missing |= std::uint64_t{1} << (maker & kLevelMask);
                       }
                     } else {
                       fills.push_back(VenueFill{maker, quantity, price});
                     }
                     fills.push_back(VenueFill{order.key, quantity, price});
                   });
  Quantity resting = 0;
  if (order.rests && filled < order.quantity) {
    resting = order.quantity - filled;
    m.book.add(order.side, order.key, order.limit, resting);
  }
  replenish(m);
  return resting;
}

Quantity PaperVenue::cancel(const VenueOrder& order) {
  Market& m = market(order.symbol);
  const Quantity removed = m.book.cancel(order.side, order.limit, order.key);
  replenish(m);
  return removed;
}

BookTop PaperVenue::top(SymbolId symbol) const {
  constexpr double kNone = std::numeric_limits<double>::quiet_NaN();
  BookTop top{kNone, 0, kNone, 0};
  const OrderBook& book = market(symbol).book;
  if (const auto bids = book.levels(Side::Buy); !bids.empty()) {
    top.bid_price = ticks_to_dollars(bids.front().price);
    top.bid_quantity = bids.front().quantity;
  }
  if (const auto asks = book.levels(Side::Sell); !asks.empty()) {
    top.ask_price = ticks_to_dollars(asks.front().price);
    top.ask_quantity = asks.front().quantity;
  }
  return top;
}

std::optional<VenueOrderState> PaperVenue::status(const VenueOrder&) { return std::nullopt; }

}  // namespace order_engine
