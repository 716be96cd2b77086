// Native throughput and latency of the order engine through risk checks and the
// paper venue's matching. Prints text, or one JSON object with --json.
//   order_engine_bench [--orders N] [--journal-orders M] [--journal-dir DIR] [--json]
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "order_engine/engine.hpp"

using namespace order_engine;

namespace {

using Steady = std::chrono::steady_clock;

constexpr int kSymbols = 100;
constexpr std::size_t kEndOfDayEvery = 50'000;  // resting DAY orders expire this often

struct Flow {
  std::vector<SymbolId> symbols;
  std::vector<std::uint8_t> sides, types, tifs;
  std::vector<Quantity> quantities;
  std::vector<double> prices;
};

/// A mix of 85% marketable IOC limits, 10% market orders and 5% passive DAY limits
/// over 100 symbols priced 20..500 dollars, 1..200 shares each.
Flow make_flow(std::size_t n, const std::vector<double>& references, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<int> symbol(0, kSymbols - 1), percent(0, 99);
  std::uniform_int_distribution<Quantity> quantity(1, 200);
  Flow flow;
  for (auto* column : {&flow.sides, &flow.types, &flow.tifs}) column->resize(n);
  flow.symbols.resize(n);
  flow.quantities.resize(n);
  flow.prices.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const int s = symbol(random);
    const bool buy = random() % 2 == 0;
    const int kind = percent(random);
    flow.symbols[i] = s;
    flow.sides[i] = buy ? 0 : 1;
    flow.quantities[i] = quantity(random);
    const double reference = references[static_cast<std::size_t>(s)];
    if (kind < 85) {  // marketable: crosses the first two simulated levels
      flow.types[i] = 1;
      flow.tifs[i] = 1;
      flow.prices[i] = reference * (buy ? 1.0012 : 0.9988);
    } else if (kind < 95) {
      flow.types[i] = 0;
      flow.tifs[i] = 1;
    } else {  // passive: rests inside the spread until end of day
      flow.types[i] = 1;
      flow.tifs[i] = 0;
      flow.prices[i] = reference * (buy ? 0.9997 : 1.0003);
    }
  }
  return flow;
}

EngineConfig bench_config() {
  EngineConfig config;
  config.limits.max_order_quantity = 1'000'000;
  config.limits.max_position_quantity = 1'000'000'000;
  config.limits.max_position_notional = 1e13;
  config.limits.max_gross_exposure = 1e15;
  config.limits.max_orders_per_second = 1e12;
  config.liquidity = LiquidityProfile{10, 0.0005, 250'000.0};
  return config;
}

std::vector<double> reference_prices() {
  std::vector<double> references;
  for (int s = 0; s < kSymbols; ++s) references.push_back(20.0 + 4.8 * s);
  return references;
}

std::unique_ptr<Engine> make_engine(EngineConfig config, const std::vector<double>& references) {
  auto engine = std::make_unique<Engine>(config);
  for (int s = 0; s < kSymbols; ++s) {
    engine->set_reference_price("S" + std::to_string(s), references[static_cast<std::size_t>(s)]);
  }
  return engine;
}

template <class T>
std::span<const T> row(const std::vector<T>& column, std::size_t begin, std::size_t count) {
  return std::span<const T>(column).subspan(begin, count);
}

struct Throughput {
  double orders_per_second;      // wall clock
  double orders_per_cpu_second;  // this thread's CPU time: what a core of its own would do
  double accepted_fraction;
};

double thread_cpu_seconds() {
  timespec time{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time);
  return static_cast<double>(time.tv_sec) + 1e-9 * static_cast<double>(time.tv_nsec);
}

/// Whole flow through submit_batch in chunks between end-of-day sweeps.
Throughput measure_throughput(Engine& engine, const Flow& flow) {
  const std::size_t n = flow.symbols.size();
  std::vector<std::uint8_t> codes(n);
  std::vector<Quantity> filled(n);
  const double cpu_start = thread_cpu_seconds();
  const auto start = Steady::now();
  for (std::size_t begin = 0; begin < n; begin += kEndOfDayEvery) {
    const std::size_t count = std::min(kEndOfDayEvery, n - begin);
    engine.submit_batch(row(flow.symbols, begin, count), row(flow.sides, begin, count), row(flow.types, begin, count),
                        row(flow.tifs, begin, count), row(flow.quantities, begin, count),
                        row(flow.prices, begin, count), std::span(codes).subspan(begin, count),
                        std::span(filled).subspan(begin, count));
    static_cast<void>(engine.end_of_day());
  }
  const double seconds = std::chrono::duration<double>(Steady::now() - start).count();
  const double cpu_seconds = thread_cpu_seconds() - cpu_start;
  const auto accepted = std::count(codes.begin(), codes.end(), 0);
  return {static_cast<double>(n) / seconds, static_cast<double>(n) / cpu_seconds,
          static_cast<double>(accepted) / static_cast<double>(n)};
}

/// One order per call, each timed: nanoseconds per order, sorted.
std::vector<double> measure_latencies(Engine& engine, const Flow& flow) {
  const std::size_t n = flow.symbols.size();
  std::vector<double> latencies(n);
  std::uint8_t code = 0;
  Quantity filled = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto start = Steady::now();
    engine.submit_batch(row(flow.symbols, i, 1), row(flow.sides, i, 1), row(flow.types, i, 1), row(flow.tifs, i, 1),
                        row(flow.quantities, i, 1), row(flow.prices, i, 1), std::span(&code, 1),
                        std::span(&filled, 1));
    latencies[i] = std::chrono::duration<double, std::nano>(Steady::now() - start).count();
    if (i % kEndOfDayEvery == kEndOfDayEvery - 1) static_cast<void>(engine.end_of_day());
  }
  std::sort(latencies.begin(), latencies.end());
  return latencies;
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0.0;
  const auto index = static_cast<std::size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1));
  return sorted[index];
}

/// Journalled orders through submit(): write-ahead record and fsync before each send.
std::vector<double> measure_journalled(const std::vector<double>& references, const Flow& flow, std::size_t n,
                                       const std::string& directory) {
  const std::string path = directory + "/order_engine_bench_journal.log";
  std::filesystem::remove(path);
  EngineConfig config = bench_config();
  config.journal_path = path;
  std::vector<double> latencies;
  {
    auto engine = make_engine(config, references);
    for (std::size_t i = 0; i < n; ++i) {
      NewOrder order{"B-" + std::to_string(i),
                     "S" + std::to_string(flow.symbols[i]),
                     static_cast<Side>(flow.sides[i]),
                     static_cast<OrderType>(flow.types[i]),
                     TimeInForce::Ioc,
                     flow.quantities[i],
                     flow.prices[i]};
      const auto start = Steady::now();
      static_cast<void>(engine->submit(order));
      latencies.push_back(std::chrono::duration<double, std::nano>(Steady::now() - start).count());
    }
  }
  std::filesystem::remove(path);
  std::sort(latencies.begin(), latencies.end());
  return latencies;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t orders = 2'000'000;
  std::size_t journal_orders = 500;
  std::string journal_dir = std::filesystem::temp_directory_path().string();
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--orders" && i + 1 < argc) orders = std::strtoull(argv[++i], nullptr, 10);
    else if (arg == "--journal-orders" && i + 1 < argc) journal_orders = std::strtoull(argv[++i], nullptr, 10);
    else if (arg == "--journal-dir" && i + 1 < argc) journal_dir = argv[++i];
    else if (arg == "--json") json = true;
    else {
      std::fprintf(stderr, "usage: %s [--orders N] [--journal-orders M] [--journal-dir DIR] [--json]\n", argv[0]);
      return 2;
    }
  }
  const auto references = reference_prices();
  const Flow flow = make_flow(orders, references, 20251008);

  auto warm = make_engine(bench_config(), references);
  static_cast<void>(measure_throughput(*warm, make_flow(std::min<std::size_t>(orders, 200'000), references, 1)));
  auto engine = make_engine(bench_config(), references);
  const Throughput throughput = measure_throughput(*engine, flow);
  auto timed = make_engine(bench_config(), references);
  const auto latencies = measure_latencies(*timed, flow);
  const auto journalled = measure_journalled(references, flow, std::min(journal_orders, orders), journal_dir);
  double journalled_total = 0;
  for (const double latency : journalled) journalled_total += latency;
  const double journalled_rate = journalled.empty() ? 0.0 : 1e9 * static_cast<double>(journalled.size()) / journalled_total;

  if (json) {
    std::printf(
        "{\"orders\": %zu, \"orders_per_second\": %.0f, \"orders_per_cpu_second\": %.0f, "
        "\"accepted_fraction\": %.4f, "
        "\"latency_ns\": {\"p50\": %.0f, \"p90\": %.0f, \"p99\": %.0f, \"p99_9\": %.0f, \"max\": %.0f}, "
        "\"journalled_orders\": %zu, \"journalled_orders_per_second\": %.0f, \"journalled_p50_ns\": %.0f, "
        "\"journal_dir\": \"%s\"}\n",
        orders, throughput.orders_per_second, throughput.orders_per_cpu_second, throughput.accepted_fraction, percentile(latencies, 50),
        percentile(latencies, 90), percentile(latencies, 99), percentile(latencies, 99.9), latencies.back(),
        journalled.size(), journalled_rate, percentile(journalled, 50), journal_dir.c_str());
    return 0;
  }
  std::printf("order engine, native, journal-less (risk checks + paper venue matching), %zu orders:\n", orders);
  std::printf("  throughput          %12.0f orders/s wall, %.0f orders per CPU second (%.1f%% accepted)\n",
              throughput.orders_per_second, throughput.orders_per_cpu_second, 100.0 * throughput.accepted_fraction);
  std::printf("  latency per order   p50 %.0f ns, p90 %.0f ns, p99 %.0f ns, p99.9 %.0f ns, max %.0f ns\n",
              percentile(latencies, 50), percentile(latencies, 90), percentile(latencies, 99),
              percentile(latencies, 99.9), latencies.back());
  std::printf("journalled (write-ahead record + fsync per order, in %s), %zu orders:\n", journal_dir.c_str(),
              journalled.size());
  std::printf("  throughput          %12.0f orders/s, p50 %.0f ns\n", journalled_rate, percentile(journalled, 50));
  return 0;
}
